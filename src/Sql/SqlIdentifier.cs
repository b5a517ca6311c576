namespace Mnesis.PowerShell.Sql
{
    /// <summary>
    /// Quotes an identifier the SQL-standard way ("name", with '"' doubled), which SQLite and PostgreSQL
    /// both read as exactly that name. Only names read from an engine's catalog are quoted: user
    /// input never becomes SQL text without first matching one.
    /// </summary>
    internal static class SqlIdentifier
    {
        internal static string Quote(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";
    }
}
