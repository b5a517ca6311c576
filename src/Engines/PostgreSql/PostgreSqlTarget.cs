namespace Mnesis.PowerShell.Engines.PostgreSql
{
    /// <summary>
    /// A PostgreSQL database: hosts and ports, database and user, normalized so that every spelling
    /// of one target has one key. The full connection string (with its password) stays inside.
    /// </summary>
    internal sealed class PostgreSqlTarget : StoreTarget
    {
        internal PostgreSqlTarget(string key, string connectionString, string options)
        {
            Key = key;
            ConnectionString = connectionString;
            Options = options;
        }

        /// <summary>postgresql://user@host:port[,host:port]/database</summary>
        internal override string Key { get; }

        internal override string Display => Key;

        internal override StoreEngine Engine => PostgreSqlEngine.Instance;

        /// <summary>What Npgsql connects with, password included: never shown.</summary>
        internal string ConnectionString { get; }

        /// <summary>The connection's other settings (TLS, timeouts, ...), without the password, to tell a second open with other options.</summary>
        internal string Options { get; }

        internal override bool HasOtherOptionsThan(StoreTarget opened) =>
            !string.Equals(((PostgreSqlTarget)opened).Options, Options, System.StringComparison.Ordinal);
    }
}
