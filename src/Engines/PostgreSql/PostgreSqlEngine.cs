using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Globalization;
using System.Management.Automation;
using System.Text.RegularExpressions;
using Mnesis.PowerShell.Binding;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Pool;
using Npgsql;

namespace Mnesis.PowerShell.Engines.PostgreSql
{
    /// <summary>
    /// PostgreSQL through Npgsql. The server serializes writers itself, so writes of the process do
    /// not queue; a write that loses a race (serialization failure, deadlock) is reported as a
    /// conflict. Each target has one process-wide Npgsql data source (Npgsql's pool), so runspaces
    /// that come and go reuse physical connections; it is disposed when the target's last store closes.
    /// </summary>
    internal sealed class PostgreSqlEngine : ServerEngine
    {
        internal static readonly PostgreSqlEngine Instance = new PostgreSqlEngine();

        private static readonly SqlDialect PostgreSqlDialect = new SqlDialect(
            questionMarkIsPositional: false, dollarDigitsArePositional: true, bracketsQuote: false, backticksQuote: false,
            dollarQuotedStrings: true, escapeStrings: true, nestedComments: true);

        private PostgreSqlEngine()
        {
        }

        internal override string Name => "PostgreSQL";

        internal override SqlDialect Dialect => PostgreSqlDialect;

        internal override bool QueuesWritersInProcess => false;

        internal override StoreTarget ParseTarget(string connectionString, PSCredential credential) =>
            ConnectionStringParser.Parse(connectionString, credential);

        internal override bool HasOtherOptions(StoreTarget opened, StoreTarget requested) =>
            !string.Equals(((PostgreSqlTarget)opened).Options, ((PostgreSqlTarget)requested).Options, StringComparison.Ordinal);

        internal override OpenedConnection Open(StoreTarget target, StoreOptions options, SharedTargetState shared)
        {
            NpgsqlConnection connection = null;
            try
            {
                connection = DataSourceOf((PostgreSqlTarget)target, shared).OpenConnection();

                // Waiting for another session's row or table lock is what the busy timeout limits here.
                using (var command = new NpgsqlCommand("SELECT set_config('lock_timeout', $1, false)", connection))
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = (Math.Max(1, options.BusyTimeoutSeconds) * 1000).ToString(CultureInfo.InvariantCulture) });
                    command.ExecuteNonQuery();
                }

                return new OpenedConnection(connection, walMode: null, removeCreated: null, readOnly: options.ReadOnly);
            }
            catch (Exception ex) when (IsEngineError(ex))
            {
                connection?.Dispose();
                throw Translate(ex, EngineOperation.Open, target, target.Display);
            }
        }

        // PostgreSQL refuses these inside a transaction block.
        private static readonly Regex OutsideTransaction = new Regex(
            @"^(?:VACUUM\b|(?:CREATE|DROP)\s+(?:DATABASE|TABLESPACE)\b|ALTER\s+SYSTEM\b|(?:CREATE|DROP)\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\b|REINDEX\b[^;]*\bCONCURRENTLY\b)",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        internal override bool RunsOutsideTransaction(string statementStart) => OutsideTransaction.IsMatch(statementStart);

        internal override DbTransaction BeginWrite(DbConnection connection) => ((NpgsqlConnection)connection).BeginTransaction();

        internal override bool FailedStatementAbortsTransaction => true;

        // In an aborted transaction every statement fails with 25P02, so a trivial one tells.
        internal override void EnsureCommittable(DbConnection connection, DbTransaction transaction)
        {
            using (var probe = new NpgsqlCommand("SELECT 1", (NpgsqlConnection)connection, (NpgsqlTransaction)transaction))
            {
                probe.ExecuteNonQuery();
            }
        }

        // The server refuses any write in a READ ONLY transaction (25006), before it changes anything.
        internal override DbTransaction BeginRead(DbConnection connection)
        {
            var npgsql = (NpgsqlConnection)connection;
            NpgsqlTransaction transaction = npgsql.BeginTransaction();
            try
            {
                using (var command = new NpgsqlCommand("SET TRANSACTION READ ONLY", npgsql, transaction))
                {
                    command.ExecuteNonQuery();
                }

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

        internal override object ToParameterValue(object value, string token) => PostgreSqlValues.ToParameterValue(value, token);

        internal override bool IsEngineError(Exception error) => error is NpgsqlException;

        internal override bool IsWriteConflict(Exception error) => PostgreSqlErrors.IsConflict(error);

        internal override MnesisException Translate(Exception error, EngineOperation operation, StoreTarget target, object errorTarget) =>
            PostgreSqlErrors.Translate(error, operation, target, errorTarget);

        internal override void ReleaseShared(StoreTarget target, SharedTargetState shared)
        {
            lock (shared)
            {
                if (shared.EngineState is Dictionary<string, NpgsqlDataSource> sources)
                {
                    foreach (NpgsqlDataSource source in sources.Values)
                    {
                        source.Dispose();
                    }
                }

                shared.EngineState = null;
            }
        }

        // One data source per connection string of the database: stores opened with other settings
        // (a search path, TLS, another password) get connections made with their own.
        private static NpgsqlDataSource DataSourceOf(PostgreSqlTarget target, SharedTargetState shared)
        {
            lock (shared)
            {
                if (!(shared.EngineState is Dictionary<string, NpgsqlDataSource> sources))
                {
                    sources = new Dictionary<string, NpgsqlDataSource>(StringComparer.Ordinal);
                    shared.EngineState = sources;
                }

                if (!sources.TryGetValue(target.ConnectionString, out NpgsqlDataSource source))
                {
                    var builder = new NpgsqlDataSourceBuilder(target.ConnectionString);
                    NpgsqlConnectionStringBuilder settings = builder.ConnectionStringBuilder;
                    if (!settings.ShouldSerialize("Application Name"))
                    {
                        settings.ApplicationName = "Mnesis";
                    }

                    // Repeated per-call writes then skip the server's parse and plan.
                    if (!settings.ShouldSerialize("Max Auto Prepare"))
                    {
                        settings.MaxAutoPrepare = 64;
                    }

                    source = builder.Build();
                    sources.Add(target.ConnectionString, source);
                }

                return source;
            }
        }
    }
}
