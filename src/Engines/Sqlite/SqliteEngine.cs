using System;
using System.Collections.Generic;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Sql;
using SQLitePCL;

namespace Mnesis.PowerShell.Engines.Sqlite
{
    /// <summary>
    /// SQLite through Microsoft.Data.Sqlite: a database is a file named by a PowerShell path (or an
    /// in-memory database), one writer at a time per file (so the process queues its writers),
    /// write transactions BEGIN IMMEDIATE.
    /// </summary>
    internal sealed class SqliteEngine : StoreEngine
    {
        internal static readonly SqliteEngine Instance = new SqliteEngine();

        private static readonly SqlDialect s_dialect = new SqlDialect(
            questionMarkIsPositional: true, dollarDigitsArePositional: false, bracketsQuote: true, backticksQuote: true,
            dollarQuotedStrings: false, escapeStrings: false, nestedComments: false);

        private SqliteEngine()
        {
        }

        internal override string Name => "SQLite";

        internal override SqlDialect Dialect => s_dialect;

        internal override EngineCapabilities Capabilities => EngineCapabilities.ProcessWriteGate | EngineCapabilities.JournalModes;

        internal override IReadOnlyList<StoreTarget> Resolve(StoreName name, NameContext context, Action<MnesisException> onItemError)
        {
            string text = name.Text;
            bool literal = name.IsLiteral;

            // A connection string given to -Path fails here, before anything is created; 'Data Source=x.db'
            // names its file, taken literally (a connection string has no wildcards).
            if (name.Kind == NameKind.Path && !string.IsNullOrWhiteSpace(text))
            {
                string file = ConnectionStringInPath.FileOf(text, name.ParameterName, () => ConnectionStringInPath.NamesExistingFile(context.Session, text));
                literal = !ReferenceEquals(file, text);
                text = file;
            }

            if (SqliteTarget.IsMemorySpelling(text))
            {
                return new StoreTarget[] { SqliteTarget.InMemory(text, context.PoolId) };
            }

            return SqlitePathResolver.Resolve(context.Session, text, literal, name.ParameterName, onItemError);
        }

        // Resolving a path takes the provider machinery, GetFullPath, a directory test and symbolic
        // links; the same spelling in the same surroundings names the same file without all of it.
        internal override object CaptureSpelling(StoreName name, NameContext context) =>
            PathSpelling.TryCapture(context.Session, name.Text, name.IsLiteral, out PathSpelling spelling) ? (object)spelling : null;

        internal override EngineConnection Open(StoreTarget target, OpenOptions options, EngineTargetState shared) =>
            SqliteOpener.Open((SqliteTarget)target, options);

        internal override string OpenWarning => NativeLibraryLoader.ForeignLibraryWarning;

        internal override void WarmUp() => SqliteWarmUp.Start();

        internal override bool RunsOutsideTransaction(string statementStart) => SqliteStatements.RunsOutsideTransaction(statementStart);

        internal override bool HasDeferredViolations(DbConnection connection) =>
            raw.sqlite3_db_status(((SqliteConnection)connection).Handle, raw.SQLITE_DBSTATUS_DEFERRED_FKS, out int current, out _, 0) == raw.SQLITE_OK
            && current > 0;

        internal override bool ChangesConnection(string statementStart) => SqliteStatements.LeavesConnectionState(statementStart);

        // Microsoft.Data.Sqlite begins with BEGIN IMMEDIATE unless asked for a deferred transaction.
        internal override DbTransaction BeginWrite(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction();

        internal override EngineCommand CreateCommand(DbConnection connection, ParsedSql sql) =>
            new SqliteEngineCommand((SqliteConnection)connection, sql);

        internal override TableSchema FindTable(DbConnection connection, DbTransaction transaction, string table) =>
            SqliteCatalog.FindTable((SqliteConnection)connection, (SqliteTransaction)transaction, table);

        internal override object ToParameterValue(object value, string token) => SqliteValues.ToParameterValue(value, token);

        internal override bool IsEngineError(Exception error) => error is SqliteException;

        internal override MnesisException Translate(Exception error, EngineOperation operation, ErrorSite site) =>
            SqliteErrors.Translate((SqliteException)error, operation, site);
    }
}
