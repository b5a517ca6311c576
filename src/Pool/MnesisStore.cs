using System;
using System.Data.Common;
using System.Threading;
using Mnesis.PowerShell.Binding;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Engines;
using Mnesis.PowerShell.Gates;

namespace Mnesis.PowerShell.Pool
{
    /// <summary>One open database in a pool: its shared connection and the options it was opened with.</summary>
    public sealed class MnesisStore
    {
        private volatile bool _isOpen = true;
        private long _writes;
        private long _rollbacks;
        private long _conflicts;
        private long _grouped;
        private long _gateWaitTicks;
        private int _openReaders;
        private readonly EngineConnection _opened;

        internal MnesisStore(MnesisPool pool, StoreTarget target, EngineConnection opened, OpenOptions requested, SharedTargetState shared)
        {
            Pool = pool;
            StoreTarget = target;
            _opened = opened;
            Connection = opened.Connection;
            IsReadOnly = opened.ReadOnly;
            RemoveCreated = opened.RemoveCreated;
            RequestedOptions = requested;
            BusyTimeout = requested.BusyTimeoutSeconds;
            CommandTimeout = requested.CommandTimeoutSeconds;
            OpenedAt = DateTime.Now;
            Shared = shared;
            Commands = new CommandCache(target.Engine, opened.Connection);
        }

        /// <summary>The database engine: SQLite or PostgreSQL.</summary>
        public string Engine => StoreTarget.Engine.Name;

        /// <summary>The database: a file's full path, or user@host:port/database for a server (never a password).</summary>
        public string Target => StoreTarget.Display;

        /// <summary>The fully resolved path of a database file (SQLite); null for a server database.</summary>
        public string Path => StoreTarget.FilePath;

        /// <summary>True when the database is in WAL journal mode; null for engines without journal modes.</summary>
        public bool? WalMode => _opened.WalMode;

        /// <summary>True when the store only reads: opened with -ReadOnly, or a read opened an unwritable database.</summary>
        public bool IsReadOnly { get; }

        /// <summary>Seconds a write waits for another connection's lock before it fails.</summary>
        public int BusyTimeout { get; }

        /// <summary>Seconds a statement may run when a call gives no -CommandTimeout; 0 for no limit.</summary>
        public int CommandTimeout { get; }

        public DateTime OpenedAt { get; }

        public bool IsOpen => _isOpen;

        public MnesisPool Pool { get; }

        /// <summary>Write transactions committed through this store.</summary>
        public long Writes => Interlocked.Read(ref _writes);

        /// <summary>Write transactions rolled back (errors, Ctrl+C, a throwing script block).</summary>
        public long Rollbacks => Interlocked.Read(ref _rollbacks);

        /// <summary>Writes that lost a race with another writer (serialization failure or deadlock), retried or reported.</summary>
        public long Conflicts => Interlocked.Read(ref _conflicts);

        /// <summary>Writes committed in one transaction together with other callers' writes (group commit).</summary>
        public long Grouped => Interlocked.Read(ref _grouped);

        /// <summary>Total time writes spent queued behind other writers of the process for this database.</summary>
        public TimeSpan GateWait => TimeSpan.FromTicks(Interlocked.Read(ref _gateWaitTicks));

        /// <summary>The message of the last failed write or read, if any.</summary>
        public string LastError { get; private set; }

        internal StoreTarget StoreTarget { get; }

        internal StoreEngine StoreEngine => StoreTarget.Engine;

        /// <summary>What the first open asked for; WalMode above is what the engine granted.</summary>
        internal OpenOptions RequestedOptions { get; }

        internal DbConnection Connection { get; }

        internal SharedTargetState Shared { get; }

        internal WriteGate Gate => Shared.Gate;

        /// <summary>
        /// Held by a write on this store's connection (inside the database's gate) and by Close, so a
        /// close waits for a write on this connection only, not for other connections to the database.
        /// </summary>
        internal SemaphoreSlim ConnectionLock { get; } = new SemaphoreSlim(1, 1);

        internal CommandCache Commands { get; }

        /// <summary>Removes the database this store's open created; null if it existed before.</summary>
        internal Action RemoveCreated { get; }

        /// <summary>The write transaction in progress on this store's connection, if any.</summary>
        internal IStoreWrite ActiveWrite { get; set; }

        /// <summary>Invoke-MnesisQuery readers streaming from this connection right now.</summary>
        internal int OpenReaders => Volatile.Read(ref _openReaders);

        internal void ReaderOpened() => Interlocked.Increment(ref _openReaders);

        internal void ReaderClosed() => Interlocked.Decrement(ref _openReaders);

        internal void RecordCommit() => Interlocked.Increment(ref _writes);

        internal void RecordRollback() => Interlocked.Increment(ref _rollbacks);

        internal void RecordConflict() => Interlocked.Increment(ref _conflicts);

        internal void RecordGrouped() => Interlocked.Increment(ref _grouped);

        internal void RecordGateWait(TimeSpan waited) => Interlocked.Add(ref _gateWaitTicks, waited.Ticks);

        internal void RecordError(string message) => LastError = message;

        /// <summary>Readies the connection for a write; called inside the gate with the connection held.</summary>
        internal void PrepareWrite() => _opened.PrepareWrite();

        /// <summary>Learns what a statement run outside a transaction changed.</summary>
        internal void AfterMaintenance() => _opened.AfterMaintenance();

        /// <summary>The module's error for an engine's exception on this store.</summary>
        internal MnesisException TranslateError(Exception error, EngineOperation operation) =>
            StoreEngine.Translate(error, operation, new ErrorSite(StoreTarget, this, BusyTimeout));

        /// <summary>
        /// True once the connection carries state of its own (a setting, an attached database, a
        /// temporary table, or it was handed out by Get-MnesisConnection): its writes then run on it
        /// alone, never grouped onto another runspace's connection.
        /// </summary>
        internal bool HasConnectionState { get; private set; }

        internal void MarkConnectionState() => HasConnectionState = true;

        /// <summary>A write needs a store that writes; a read-only one is refused before anything happens.</summary>
        internal void ThrowIfReadOnly()
        {
            if (IsReadOnly)
            {
                throw new MnesisException(Messages.StoreReadOnly, this, Target);
            }
        }

        internal void ThrowIfClosed()
        {
            if (!_isOpen)
            {
                throw new MnesisException(Messages.StoreClosed, this, Target);
            }
        }

        internal void MarkClosedAndDispose()
        {
            _isOpen = false;
            Commands.Dispose();
            Connection.Dispose();
            SharedTargets.Leave(StoreTarget);
        }

        public override string ToString() => Target;
    }
}
