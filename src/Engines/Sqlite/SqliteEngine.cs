using System;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Mnesis.PowerShell.Binding;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Pool;

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
            dollarQuotedStrings: false, escapeStrings: false);

        private SqliteEngine()
        {
        }

        internal override string Name => "SQLite";

        internal override SqlDialect Dialect => SqliteDialect;

        internal override bool QueuesWritersInProcess => true;

        internal override OpenedConnection Open(StoreTarget target, StoreOptions options, SharedTargetState shared) =>
            SqliteOpener.Open((SqliteTarget)target, options);

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
