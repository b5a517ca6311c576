using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.Data.Sqlite;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Paths;

namespace Mnesis.PowerShell.Pool
{
    /// <summary>
    /// One connection per resolved database path. Each runspace has a default pool;
    /// New-MnesisPool makes isolated ones (the seed's StorePool() for tests).
    /// </summary>
    public sealed class MnesisPool
    {
        private readonly object _sync = new object();
        private readonly Dictionary<string, MnesisStore> _stores = new Dictionary<string, MnesisStore>(StringComparer.Ordinal);
        private readonly Dictionary<string, object> _openLocks = new Dictionary<string, object>(StringComparer.Ordinal);

        internal MnesisPool(bool isDefault)
        {
            IsDefault = isDefault;
            Id = Guid.NewGuid();
            CreatedAt = DateTime.Now;
        }

        public Guid Id { get; }

        /// <summary>Short form of <see cref="Id"/> used in messages.</summary>
        public string Name => Id.ToString("N").Substring(0, 8);

        public bool IsDefault { get; }

        public DateTime CreatedAt { get; }

        public int Count
        {
            get
            {
                lock (_sync)
                {
                    return _stores.Count;
                }
            }
        }

        /// <summary>A snapshot of the open stores.</summary>
        public MnesisStore[] Stores
        {
            get
            {
                lock (_sync)
                {
                    return _stores.Values.ToArray();
                }
            }
        }

        /// <summary>
        /// The store for <paramref name="path"/>, opened on first use. Only the first caller for a
        /// path opens it (a per-path lock with a second look); the others get the same store.
        /// </summary>
        internal MnesisStore Acquire(StorePath path, StoreOptions options, out bool reused)
        {
            if (TryGet(path, out MnesisStore existing))
            {
                reused = true;
                return existing;
            }

            object openLock;
            lock (_sync)
            {
                if (!_openLocks.TryGetValue(path.Key, out openLock))
                {
                    openLock = new object();
                    _openLocks.Add(path.Key, openLock);
                }
            }

            lock (openLock)
            {
                if (TryGet(path, out existing))
                {
                    reused = true;
                    return existing;
                }

                OpenFiles.Register(path.Key);
                SqliteConnection connection;
                bool walMode;
                Action removeCreated;
                try
                {
                    connection = StoreOpener.Open(path, options, out walMode, out removeCreated);
                }
                catch
                {
                    OpenFiles.Unregister(path.Key);
                    throw;
                }

                var store = new MnesisStore(this, path, connection, walMode, options, removeCreated);
                lock (_sync)
                {
                    _stores.Add(path.Key, store);
                }

                reused = false;
                return store;
            }
        }

        internal bool TryGet(StorePath path, out MnesisStore store)
        {
            lock (_sync)
            {
                return _stores.TryGetValue(path.Key, out store);
            }
        }

        /// <summary>
        /// Closes a store once no write is in progress on its connection (writes to the same file
        /// through other connections are not waited for). A write of this same thread cannot be
        /// waited for, so closing from inside it is refused.
        /// </summary>
        internal void Close(MnesisStore store, CancellationToken cancellation)
        {
            if (store.ActiveWrite != null && store.Gate.IsHeldByCurrentThread)
            {
                throw new MnesisException(Messages.CloseInsideWrite, store, store.Path);
            }

            store.ConnectionLock.Wait(cancellation);
            try
            {
                lock (_sync)
                {
                    if (_stores.TryGetValue(store.StorePath.Key, out MnesisStore current) && ReferenceEquals(current, store))
                    {
                        _stores.Remove(store.StorePath.Key);
                    }
                }

                if (store.IsOpen)
                {
                    store.MarkClosedAndDispose();
                }
            }
            finally
            {
                store.ConnectionLock.Release();
            }
        }

        /// <summary>
        /// Closes a store whose open created its database file and removes the file again, if nothing
        /// was committed through it and no other connection of this process uses the file: a write
        /// that failed on a path it opened itself then leaves nothing behind.
        /// </summary>
        internal bool DiscardIfUnused(MnesisStore store)
        {
            if (store.RemoveCreated == null || store.Writes > 0 || !store.IsOpen)
            {
                return false;
            }

            return OpenFiles.WhenSoleUser(store.StorePath.Key, () =>
            {
                Close(store, CancellationToken.None);
                store.RemoveCreated();
            });
        }

        /// <summary>Closes every store; returns the ones closed.</summary>
        internal List<MnesisStore> CloseAll(CancellationToken cancellation)
        {
            var closed = new List<MnesisStore>();
            foreach (MnesisStore store in Stores)
            {
                Close(store, cancellation);
                closed.Add(store);
            }

            return closed;
        }

        public override string ToString() => "MnesisPool " + Name;
    }
}
