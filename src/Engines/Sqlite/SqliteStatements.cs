using System.Text.RegularExpressions;

namespace Mnesis.PowerShell.Engines.Sqlite
{
    /// <summary>
    /// What the start of a SQLite statement says about how it must run. The one home of these rules:
    /// each answers a different question, so each has its own pattern.
    /// </summary>
    internal static class SqliteStatements
    {
        // Refused inside a transaction (VACUUM, ATTACH, journal_mode, wal_checkpoint) or quietly
        // ignored there (foreign_keys, page_size, ...).
        private static readonly Regex s_outsideTransaction = new Regex(
            @"^(?:(?:VACUUM|ATTACH|DETACH)\b|PRAGMA\s+(?:\w+\s*\.\s*)?(?:wal_checkpoint\b|(?:journal_mode|foreign_keys|locking_mode|page_size|auto_vacuum|legacy_alter_table|writable_schema)\s*[=(]))",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        // A setting (PRAGMA name = value, PRAGMA name(value)), an attached database or a temporary
        // table. PRAGMA x(y) may also only read (table_info(t)); any argument counts, to be safe.
        private static readonly Regex s_leavesConnectionState = new Regex(
            @"^(?:(?:ATTACH|DETACH)\b|CREATE\s+TEMP(?:ORARY)?\b|PRAGMA\s+(?:\w+\s*\.\s*)?\w+\s*[=(])",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        // SQLite calls these read-only, but they change the shared connection: its transaction
        // state, its attached databases, or a setting (PRAGMA foreign_keys = OFF).
        private static readonly Regex s_changesSharedConnection = new Regex(
            @"^\s*(?:(?:BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE|ATTACH|DETACH)\b|PRAGMA\s+(?:\w+\s*\.\s*)?\w+\s*=)",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>True for a statement that must run outside any transaction (maintenance).</summary>
        internal static bool RunsOutsideTransaction(string statementStart) => s_outsideTransaction.IsMatch(statementStart);

        /// <summary>True for a statement after which the connection carries state of its own, so its store's writes stay on it.</summary>
        internal static bool LeavesConnectionState(string statementStart) => s_leavesConnectionState.IsMatch(statementStart);

        /// <summary>True for a statement SQLite calls read-only that a read must still refuse, for what it does to the shared connection.</summary>
        internal static bool ChangesSharedConnection(string statement) => s_changesSharedConnection.IsMatch(statement);
    }
}
