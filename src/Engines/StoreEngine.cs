using System;
using System.Collections.Generic;
using System.Data.Common;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Sql;

namespace Mnesis.PowerShell.Engines
{
    /// <summary>
    /// Everything that differs between database engines: resolving what a user typed into a
    /// database, opening connections, beginning writes and reads, preparing commands, mapping
    /// values, and turning the engine's exceptions into the module's errors. The pool, writes,
    /// binding and cmdlets above it are shared; an engine is a folder under Engines/, registered
    /// in Naming/EngineRegistry.
    /// </summary>
    internal abstract class StoreEngine
    {
        /// <summary>The engine's name as users see it (Get-MnesisPool's Engine column).</summary>
        internal abstract string Name { get; }

        internal abstract SqlDialect Dialect { get; }

        internal abstract EngineCapabilities Capabilities { get; }

        internal bool Has(EngineCapabilities capability) => (Capabilities & capability) == capability;

        /// <summary>
        /// The databases <paramref name="name"/> names (several for a wildcard path). An item that cannot
        /// be resolved goes to <paramref name="onItemError"/> when given, so the others still resolve;
        /// a name that cannot be resolved at all throws.
        /// </summary>
        internal abstract IReadOnlyList<StoreTarget> Resolve(StoreName name, NameContext context, Action<MnesisException> onItemError);

        /// <summary>
        /// A value equal for every later call that spells <paramref name="name"/> the same way in the same
        /// surroundings, so a pool finds its open store without resolving again; null when the
        /// resolution is cheap or cannot be remembered.
        /// </summary>
        internal virtual object CaptureSpelling(StoreName name, NameContext context) => null;

        /// <summary>Opens a connection to <paramref name="target"/> with the engine's settings.</summary>
        /// <param name="shared">The target's process-wide state, for what an engine keeps once per process.</param>
        internal abstract EngineConnection Open(StoreTarget target, OpenOptions options, EngineTargetState shared);

        /// <summary>A warning for the user after a store opens (a library found in an unexpected place); null for none.</summary>
        internal virtual string OpenWarning => null;

        /// <summary>Readies the engine in the background while the module imports; failures are left for the first open.</summary>
        internal virtual void WarmUp()
        {
        }

        /// <summary>
        /// Begins what a read runs in: null for none, or a transaction in which the engine refuses
        /// writes (PostgreSQL: READ ONLY). Engines without one check each statement instead.
        /// </summary>
        internal virtual DbTransaction BeginRead(DbConnection connection) => null;

        /// <summary>
        /// True for a statement the engine refuses or ignores inside a transaction (SQLite: VACUUM,
        /// PRAGMA journal_mode=...; PostgreSQL: VACUUM, CREATE DATABASE, ...): it runs on its own.
        /// </summary>
        internal virtual bool RunsOutsideTransaction(string statementStart) => false;

        /// <summary>
        /// True for a statement that changes the connection rather than the database (a setting, an
        /// attached database, a temporary table): later writes of that store must run on its own connection.
        /// </summary>
        internal virtual bool ChangesConnection(string statementStart) => false;

        /// <summary>
        /// True when the transaction on the connection holds constraint violations checked only at
        /// COMMIT (deferred foreign keys): a write of a group commit that leaves one is undone alone.
        /// </summary>
        internal virtual bool HasDeferredViolations(DbConnection connection) => false;

        /// <summary>
        /// Throws the engine's error when the transaction can no longer commit: PostgreSQL aborts a
        /// transaction at the first failed statement and answers its COMMIT with a rollback, which a
        /// -ScriptBlock that caught the failure would otherwise report as a success.
        /// </summary>
        internal virtual void EnsureCommittable(DbConnection connection, DbTransaction transaction)
        {
        }

        /// <summary>Begins a write transaction that takes the engine's write lock as early as the engine allows.</summary>
        internal abstract DbTransaction BeginWrite(DbConnection connection);

        internal abstract EngineCommand CreateCommand(DbConnection connection, ParsedSql sql);

        /// <summary>
        /// The table <paramref name="table"/> names, as the catalog spells it, with its insertable columns;
        /// null when there is none. The name is matched exactly first, then ignoring case.
        /// </summary>
        internal abstract TableSchema FindTable(DbConnection connection, DbTransaction transaction, string table);

        /// <summary>
        /// Begins inserting rows into <paramref name="columns"/> of <paramref name="table"/> in the write's
        /// transaction: a prepared INSERT by default; an engine with a faster bulk path (PostgreSQL's binary
        /// COPY) overrides it.
        /// </summary>
        internal virtual TableInsert BeginTableInsert(DbConnection connection, TableSchema table, IReadOnlyList<TableColumn> columns) =>
            new StatementTableInsert(this, connection, table, columns);

        /// <summary>The value to bind for a PowerShell value, or an error naming the parameter.</summary>
        internal abstract object ToParameterValue(object value, string token);

        /// <summary>True for the engine's own exceptions, which <see cref="Translate"/> turns into module errors.</summary>
        internal abstract bool IsEngineError(Exception error);

        /// <summary>The one place where the engine's exceptions become the module's errors.</summary>
        internal abstract MnesisException Translate(Exception error, EngineOperation operation, ErrorSite site);

        /// <summary>
        /// What <paramref name="error"/> says about <paramref name="connection"/>: a connection whose
        /// server restarted, failed over or ended the session is replaced before the store's next
        /// call. Engines whose connection cannot break say <see cref="ConnectionFault.None"/>.
        /// </summary>
        internal virtual ConnectionFault FaultOf(Exception error, EngineOperation operation, DbConnection connection) => ConnectionFault.None;

        /// <summary>True when a write failed only because it lost a race with another writer (see <see cref="EngineCapabilities.ConflictRetry"/>).</summary>
        internal virtual bool IsWriteConflict(Exception error) => false;

        /// <summary>Called when the last store of the process for a target closes.</summary>
        internal virtual void ReleaseShared(StoreTarget target, EngineTargetState shared)
        {
        }
    }
}
