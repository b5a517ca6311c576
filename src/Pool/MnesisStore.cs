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
        private readonly object _readsLock = new object();
        private StoreConnection _reads;

        internal MnesisStore(MnesisPool pool, StoreTarget target, EngineConnection opened, OpenOptions requested, SharedTargetState shared)
        {
            Pool = pool;
            StoreTarget = target;
            _opened = opened;
            IsReadOnly = opened.ReadOnly;
            RemoveCreated = opened.RemoveCreated;
            RequestedOptions = requested;
            CommandTimeout = requested.CommandTimeoutSeconds;
            OpenedAt = DateTime.Now;
            Shared = shared;
            Main = new StoreConnection(this, opened);
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

        /// <summary>Seconds a write waits for another connection's lock before it fails: as opened, or as a PRAGMA busy_timeout set it since.</summary>
        public int BusyTimeout => _opened.BusyTimeoutSeconds ?? RequestedOptions.BusyTimeoutSeconds;

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

        /// <summary>Times the store replaced a lost connection (a server restart, a failover, a terminated session).</summary>
        public long Reconnects => Main.Reconnects + (_reads?.Reconnects ?? 0);

        /// <summary>
        /// False when the store is closed, or its connection was lost and has not been replaced yet (the
        /// next call tries). Known from the last call: nothing is sent to the server to find out.
        /// </summary>
        public bool IsUsable => _isOpen && Main.IsUsable && (_reads?.IsUsable ?? true);

        internal StoreTarget StoreTarget { get; }

        internal StoreEngine StoreEngine => StoreTarget.Engine;

        /// <summary>What the first open asked for; WalMode above is what the engine granted.</summary>
        internal OpenOptions RequestedOptions { get; }

        /// <summary>The store's connection: writes, and the reads of a store that reads where it writes.</summary>
        internal StoreConnection Main { get; }

        internal DbConnection Connection => Main.Connection;

        internal SharedTargetState Shared { get; }

        internal WriteGate Gate => Shared.Gate;

        /// <summary>
        /// Held by a write on this store's connection (inside the database's gate) and by Close, so a
        /// close waits for a write on this connection only, not for other connections to the database.
        /// </summary>
        internal SemaphoreSlim ConnectionLock { get; } = new SemaphoreSlim(1, 1);

        internal CommandCache Commands => Main.Commands;

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

        /// <summary>
        /// Where a read outside any write of this store runs: the store's connection, or a connection
        /// of its own, opened at the first read, when the target sends reads elsewhere (PostgreSQL's
        /// target session attributes naming standbys).
        /// </summary>
        internal StoreConnection ForReads()
        {
            if (!StoreTarget.ReadsElsewhere || IsReadOnly)
            {
                return Main;
            }

            lock (_readsLock)
            {
                ThrowIfClosed();
                if (_reads == null)
                {
                    var options = new OpenOptions(RequestedOptions.UseWal, RequestedOptions.BusyTimeoutSeconds, readOnly: true, RequestedOptions.OpenedByRead,
                        RequestedOptions.CommandTimeoutSeconds);
                    _reads = new StoreConnection(this, StoreEngine.Open(StoreTarget, options, Shared.EngineState));
                }

                return _reads;
            }
        }

        /// <summary>Learns a setting a write changed on the connection (the busy timeout).</summary>
        internal void AfterSettingChange() => _opened.AfterSettingChange();

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
            Main.Dispose();
            lock (_readsLock)
            {
                _reads?.Dispose();
            }

            SharedTargets.Leave(StoreTarget);
        }

        public override string ToString() => Target;
    }
}
