using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Text.RegularExpressions;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Sql;
using Npgsql;

namespace Mnesis.PowerShell.Engines.PostgreSql
{
    /// <summary>
    /// PostgreSQL through Npgsql, named by a connection string (Npgsql keywords or a postgres:// URI).
    /// The server serializes writers itself, so writes of the process do not queue; a write that
    /// loses a race (serialization failure, deadlock) is run again or reported as a conflict. Each target has one process-wide Npgsql data source (Npgsql's pool), so runspaces
    /// that come and go reuse physical connections; it is disposed when the target's last store closes.
    /// </summary>
    internal sealed class PostgreSqlEngine : StoreEngine
    {
        internal static readonly PostgreSqlEngine Instance = new PostgreSqlEngine();

        private static readonly SqlDialect s_dialect = new SqlDialect(
            questionMarkIsPositional: false, dollarDigitsArePositional: true, bracketsQuote: false, backticksQuote: false,
            dollarQuotedStrings: true, escapeStrings: true, nestedComments: true);

        private PostgreSqlEngine()
        {
        }

        internal override string Name => "PostgreSQL";

        internal override SqlDialect Dialect => s_dialect;

        internal override EngineCapabilities Capabilities => EngineCapabilities.ConflictRetry | EngineCapabilities.FailedStatementAbortsTransaction;

        internal override IReadOnlyList<StoreTarget> Resolve(StoreName name, NameContext context, Action<MnesisException> onItemError) =>
            new StoreTarget[] { ConnectionStringParser.Parse(name.Text, name.Credential) };

        internal override EngineConnection Open(StoreTarget target, OpenOptions options, EngineTargetState shared)
        {
            var server = (PostgreSqlTarget)target;
            try
            {
                DataSourceSet sources = DataSourceSet.Of(shared);
                return PostgreSqlConnection.Open(sources.For(server, options.ReadOnly), options.ReadOnly, options.BusyTimeoutSeconds,
                    () => sources.ForgetConnections(server));
            }
            catch (Exception ex) when (IsEngineError(ex))
            {
                throw Translate(ex, EngineOperation.Open, new ErrorSite(target, target.Display, options.BusyTimeoutSeconds));
            }
        }

        // PostgreSQL refuses these inside a transaction block.
        private static readonly Regex s_outsideTransaction = new Regex(
            @"^(?:VACUUM\b|(?:CREATE|DROP)\s+(?:DATABASE|TABLESPACE)\b|ALTER\s+SYSTEM\b|(?:CREATE|DROP)\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\b|REINDEX\b[^;]*\bCONCURRENTLY\b)",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        internal override bool RunsOutsideTransaction(string statementStart) => s_outsideTransaction.IsMatch(statementStart);

        internal override DbTransaction BeginWrite(DbConnection connection) => ((NpgsqlConnection)connection).BeginTransaction();

        // In an aborted transaction every statement fails with 25P02, so a trivial one tells.
        internal override void EnsureCommittable(DbConnection connection, DbTransaction transaction)
        {
            ServerStatement.Run((NpgsqlConnection)connection, (NpgsqlTransaction)transaction, "SELECT 1");
        }

        // The server refuses any write in a READ ONLY transaction (25006), before it changes anything.
        internal override DbTransaction BeginRead(DbConnection connection)
        {
            var npgsql = (NpgsqlConnection)connection;
            NpgsqlTransaction transaction = npgsql.BeginTransaction();
            try
            {
                ServerStatement.Run(npgsql, transaction, "SET TRANSACTION READ ONLY");

                return transaction;
            }
            catch
            {
                transaction.Dispose();
                throw;
            }
        }

        internal override EngineCommand CreateCommand(DbConnection connection, ParsedSql sql) =>
            new PostgreSqlCommand((NpgsqlConnection)connection, sql);

        internal override TableSchema FindTable(DbConnection connection, DbTransaction transaction, string table) =>
            PostgreSqlCatalog.FindTable((NpgsqlConnection)connection, (NpgsqlTransaction)transaction, table);

        internal override TableInsert BeginTableInsert(DbConnection connection, TableSchema table, IReadOnlyList<TableColumn> columns) =>
            new PostgreSqlCopyInsert((NpgsqlConnection)connection, table, columns);

        internal override object ToParameterValue(object value, string token) => PostgreSqlValues.ToParameterValue(value, token);

        // A call on a connection that broke meanwhile fails in Npgsql's own checks, before any I/O.
        internal override bool IsEngineError(Exception error) =>
            error is NpgsqlException || ((error is InvalidOperationException || error is ObjectDisposedException) && error.Source == "Npgsql");

        internal override ConnectionFault FaultOf(Exception error, EngineOperation operation, DbConnection connection) =>
            PostgreSqlErrors.FaultOf(error, operation, connection);

        internal override bool IsWriteConflict(Exception error) => PostgreSqlErrors.IsConflict(error);

        internal override MnesisException Translate(Exception error, EngineOperation operation, ErrorSite site) =>
            PostgreSqlErrors.Translate(error, operation, site);

        internal override void ReleaseShared(StoreTarget target, EngineTargetState shared)
        {
            lock (shared)
            {
                (shared.Value as DataSourceSet)?.Dispose();
                shared.Value = null;
            }
        }
    }
}
