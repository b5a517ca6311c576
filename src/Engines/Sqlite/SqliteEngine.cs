using System;
using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Mnesis.PowerShell.Binding;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Pool;
using SQLitePCL;

namespace Mnesis.PowerShell.Engines.Sqlite
{
    /// <summary>
    /// SQLite through Microsoft.Data.Sqlite: a database is a file, one writer at a time per file
    /// (so the process queues its writers), write transactions BEGIN IMMEDIATE.
    /// </summary>
    internal sealed class SqliteEngine : StoreEngine
    {
        internal static readonly SqliteEngine Instance = new SqliteEngine();

        private static readonly SqlDialect SqliteDialect = new SqlDialect(
            questionMarkIsPositional: true, dollarDigitsArePositional: false, bracketsQuote: true, backticksQuote: true,
            dollarQuotedStrings: false, escapeStrings: false, nestedComments: false);

        private SqliteEngine()
        {
        }

        internal override string Name => "SQLite";

        internal override SqlDialect Dialect => SqliteDialect;

        internal override bool QueuesWritersInProcess => true;

        internal override OpenedConnection Open(StoreTarget target, StoreOptions options, SharedTargetState shared) =>
            SqliteOpener.Open((SqliteTarget)target, options);

        // Refused inside a transaction (VACUUM, ATTACH, journal_mode, wal_checkpoint) or quietly
        // ignored there (foreign_keys, page_size, ...).
        private static readonly Regex OutsideTransaction = new Regex(
            @"^(?:(?:VACUUM|ATTACH|DETACH)\b|PRAGMA\s+(?:\w+\s*\.\s*)?(?:wal_checkpoint\b|(?:journal_mode|foreign_keys|locking_mode|page_size|auto_vacuum|legacy_alter_table|writable_schema)\s*[=(]))",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        // A setting (PRAGMA name = value, PRAGMA name(value)), an attached database or a temporary table.
        private static readonly Regex ConnectionChange = new Regex(
            @"^(?:(?:ATTACH|DETACH)\b|CREATE\s+TEMP(?:ORARY)?\b|PRAGMA\s+(?:\w+\s*\.\s*)?\w+\s*[=(])",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        internal override void PrepareWrite(MnesisStore store)
        {
            if (store.WalPending)
            {
                store.JournalModeIs(SqliteOpener.SwitchToWal((SqliteConnection)store.Connection));
            }
        }

        internal override bool RunsOutsideTransaction(string statementStart) => OutsideTransaction.IsMatch(statementStart);

        internal override bool HasDeferredViolations(DbConnection connection) =>
            raw.sqlite3_db_status(((SqliteConnection)connection).Handle, raw.SQLITE_DBSTATUS_DEFERRED_FKS, out int current, out _, 0) == raw.SQLITE_OK
            && current > 0;

        // PRAGMA x(y) may also only read (table_info(t)); any argument counts, to be safe.
        internal override bool ChangesConnection(string statementStart) => ConnectionChange.IsMatch(statementStart);

        internal override void AfterMaintenance(MnesisStore store) =>
            store.JournalModeIs(SqliteOpener.IsWal((SqliteConnection)store.Connection));

        // Microsoft.Data.Sqlite begins with BEGIN IMMEDIATE unless asked for a deferred transaction.
        internal override DbTransaction BeginWrite(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction();

        internal override EngineCommand CreateCommand(DbConnection connection, ParsedSql sql) =>
            new SqliteEngineCommand((SqliteConnection)connection, sql);

        internal override object ToParameterValue(object value, string token) => SqliteValues.ToParameterValue(value, token);

        internal override bool IsEngineError(Exception error) => error is SqliteException;

        internal override MnesisException Translate(Exception error, EngineOperation operation, StoreTarget target, object errorTarget) =>
            SqliteErrors.Translate((SqliteException)error, operation, target, errorTarget);
    }
}
