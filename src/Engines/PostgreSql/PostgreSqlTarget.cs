using Npgsql;

namespace Mnesis.PowerShell.Engines.PostgreSql
{
    /// <summary>
    /// A PostgreSQL database: hosts and ports, database and user, normalized so that every spelling
    /// of one target has one key. The full connection string (with its password) stays inside.
    /// </summary>
    internal sealed class PostgreSqlTarget : StoreTarget
    {
        internal PostgreSqlTarget(string key, string connectionString, string options, bool isMultiHost, TargetSessionAttributes? sessionAttributes)
        {
            Key = key;
            ConnectionString = connectionString;
            Options = options;
            IsMultiHost = isMultiHost;
            SessionAttributes = sessionAttributes;
        }

        /// <summary>postgresql://user@host:port[,host:port...]/database, hosts in one order whatever the spelling.</summary>
        internal override string Key { get; }

        internal override string Display => Key;

        internal override StoreEngine Engine => PostgreSqlEngine.Instance;

        /// <summary>What Npgsql connects with, password included: never shown.</summary>
        internal string ConnectionString { get; }

        /// <summary>The connection's other settings (TLS, timeouts, ...), without the password, to tell a second open with other options.</summary>
        internal string Options { get; }

        /// <summary>True for several hosts, or for target session attributes: Npgsql then picks the server for each kind of session.</summary>
        internal bool IsMultiHost { get; }

        /// <summary>The kind of server a read-only store asks for; null when the string names none. Writes always ask for one that accepts writes.</summary>
        internal TargetSessionAttributes? SessionAttributes { get; }

        // Reads follow the attributes; writes need a server that accepts them.
        internal override bool ReadsElsewhere =>
            SessionAttributes != null && SessionAttributes != TargetSessionAttributes.ReadWrite && SessionAttributes != TargetSessionAttributes.Primary;

        internal override bool HasOtherOptionsThan(StoreTarget opened) =>
            !string.Equals(((PostgreSqlTarget)opened).Options, Options, System.StringComparison.Ordinal);
    }
}
