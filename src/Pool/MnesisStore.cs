using System;
using System.Threading;
using Microsoft.Data.Sqlite;
using Mnesis.PowerShell.Binding;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Paths;

namespace Mnesis.PowerShell.Pool
{
    /// <summary>One open database file in a pool: its shared connection and the options it was opened with.</summary>
    public sealed class MnesisStore
    {
        private volatile bool _isOpen = true;
        private long _writes;
        private long _rollbacks;
        private long _gateWaitTicks;
        private int _openReaders;

        internal MnesisStore(MnesisPool pool, StorePath path, SqliteConnection connection, bool walMode, StoreOptions requested, Action removeCreated)
        {
            RemoveCreated = removeCreated;
            Pool = pool;
            StorePath = path;
            Connection = connection;
            WalMode = walMode;
            RequestedOptions = requested;
            BusyTimeout = requested.BusyTimeoutSeconds;
            OpenedAt = DateTime.Now;
            Gate = WriteGate.For(path.Key);
            Commands = new CommandCache(connection);
        }

        /// <summary>The fully resolved path of the database file.</summary>
        public string Path => StorePath.FullPath;

        /// <summary>True when the database is in WAL journal mode.</summary>
        public bool WalMode { get; }

        /// <summary>Seconds a write waits for another connection's lock before it fails.</summary>
        public int BusyTimeout { get; }

        public DateTime OpenedAt { get; }

        public bool IsOpen => _isOpen;

        public MnesisPool Pool { get; }

        /// <summary>Write transactions committed through this store.</summary>
        public long Writes => Interlocked.Read(ref _writes);

        /// <summary>Write transactions rolled back (errors, Ctrl+C, a throwing script block).</summary>
        public long Rollbacks => Interlocked.Read(ref _rollbacks);

        /// <summary>Total time writes spent queued behind other writers for this file's gate.</summary>
        public TimeSpan GateWait => TimeSpan.FromTicks(Interlocked.Read(ref _gateWaitTicks));

        /// <summary>The message of the last failed write or read, if any.</summary>
        public string LastError { get; private set; }

        internal StorePath StorePath { get; }

        /// <summary>What the first open asked for; WalMode above is what SQLite granted.</summary>
        internal StoreOptions RequestedOptions { get; }

        internal SqliteConnection Connection { get; }

        internal WriteGate Gate { get; }

        /// <summary>
        /// Held by a write on this store's connection (inside the file's gate) and by Close, so a
        /// close waits for a write on this connection only, not for other connections to the file.
        /// </summary>
        internal SemaphoreSlim ConnectionLock { get; } = new SemaphoreSlim(1, 1);

        internal CommandCache Commands { get; }

        /// <summary>Removes the database file this store's open created; null if the file existed before.</summary>
        internal Action RemoveCreated { get; }

        /// <summary>The write transaction in progress on this store's connection, if any.</summary>
        internal WriteTransaction ActiveWrite { get; set; }

        /// <summary>Invoke-MnesisQuery readers streaming from this connection right now.</summary>
        internal int OpenReaders => Volatile.Read(ref _openReaders);

        internal void ReaderOpened() => Interlocked.Increment(ref _openReaders);

        internal void ReaderClosed() => Interlocked.Decrement(ref _openReaders);

        internal void RecordCommit() => Interlocked.Increment(ref _writes);

        internal void RecordRollback() => Interlocked.Increment(ref _rollbacks);

        internal void RecordGateWait(TimeSpan waited) => Interlocked.Add(ref _gateWaitTicks, waited.Ticks);

        internal void RecordError(string message) => LastError = message;

        internal void ThrowIfClosed()
        {
            if (!_isOpen)
            {
                throw new MnesisException(Messages.StoreClosed, this, Path);
            }
        }

        internal void MarkClosedAndDispose()
        {
            _isOpen = false;
            Commands.Dispose();
            Connection.Dispose();
            OpenFiles.Unregister(StorePath.Key);
        }

        public override string ToString() => Path;
    }
}
