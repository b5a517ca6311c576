using System;
using System.Data.Common;
using Mnesis.PowerShell.Binding;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Engines
{
    /// <summary>
    /// What differs between database engines: naming and opening a store, beginning a write,
    /// whether the process must queue its writers, preparing commands, and turning the engine's
    /// exceptions into the module's errors. The pool, writes, binding and cmdlets above it are
    /// shared; an engine is a folder under Engines/.
    /// </summary>
    internal abstract class StoreEngine
    {
        /// <summary>The engine's name as users see it (Get-MnesisPool's Engine column).</summary>
        internal abstract string Name { get; }

        internal abstract SqlDialect Dialect { get; }

        /// <summary>
        /// True when the engine allows one writer at a time per database (SQLite): the writes of the
        /// process then queue at one gate per database instead of colliding inside the engine.
        /// </summary>
        internal abstract bool QueuesWritersInProcess { get; }

        /// <summary>Opens a connection to <paramref name="target"/> with the engine's settings.</summary>
        /// <param name="shared">The target's process-wide state, for what an engine keeps once per process.</param>
        internal abstract OpenedConnection Open(StoreTarget target, StoreOptions options, SharedTargetState shared);

        /// <summary>
        /// Called inside the gate, with the store's connection held, before a write: for what the
        /// engine leaves until a store first writes (SQLite: the switch to WAL of a store a read opened).
        /// </summary>
        internal virtual void PrepareWrite(MnesisStore store)
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

        /// <summary>Called after a statement that runs outside a transaction, to learn what it changed.</summary>
        internal virtual void AfterMaintenance(MnesisStore store)
        {
        }

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

        /// <summary>
        /// True when a failed statement spoils the transaction it runs in (PostgreSQL): a read inside a
        /// write then runs in a savepoint of its own, so that its failure leaves the write intact.
        /// </summary>
        internal virtual bool FailedStatementAbortsTransaction => false;

        /// <summary>Begins a write transaction that takes the engine's write lock as early as the engine allows.</summary>
        internal abstract DbTransaction BeginWrite(DbConnection connection);

        internal abstract EngineCommand CreateCommand(DbConnection connection, ParsedSql sql);

        /// <summary>The value to bind for a PowerShell value, or an error naming the parameter.</summary>
        internal abstract object ToParameterValue(object value, string token);

        /// <summary>True for the engine's own exceptions, which <see cref="Translate"/> turns into module errors.</summary>
        internal abstract bool IsEngineError(Exception error);

        /// <summary>The one place where the engine's exceptions become the module's errors.</summary>
        internal abstract MnesisException Translate(Exception error, EngineOperation operation, StoreTarget target, object errorTarget);

        /// <summary>True when a write failed only because it lost a race with another writer, and may be run again.</summary>
        internal virtual bool IsWriteConflict(Exception error) => false;

        /// <summary>Called when the last store of the process for a target closes.</summary>
        internal virtual void ReleaseShared(StoreTarget target, SharedTargetState shared)
        {
        }
    }
}
