using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Engines;
using Mnesis.PowerShell.Gates;

namespace Mnesis.PowerShell.Pool
{
    /// <summary>
    /// One connection per database (per resolved path, per server target). Each runspace has a
    /// default pool; New-MnesisPool makes isolated ones (for tests, or to keep stores apart).
    /// </summary>
    public sealed class MnesisPool
    {
        private readonly object _sync = new object();
        private const int SpellingsKept = 256;

        private readonly Dictionary<string, MnesisStore> _stores = new Dictionary<string, MnesisStore>(StringComparer.Ordinal);
        private readonly Dictionary<object, MnesisStore> _bySpelling = new Dictionary<object, MnesisStore>();

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
        /// The store for <paramref name="target"/>, opened on first use. Only the first caller for a
        /// database opens it (a per-database lock with a second look); the others get the same store.
        /// </summary>
        internal MnesisStore Acquire(StoreTarget target, OpenOptions options, out bool reused)
        {
            if (TryGet(target, out MnesisStore existing))
            {
                reused = true;
                return existing;
            }

            // Counted as a user before the engine opens anything, so a concurrent removal of a
            // database that a failed write created waits for this open, or this open for it.
            SharedTargetState shared = SharedTargets.Join(target);
            try
            {
                lock (shared.OpenLock)
                {
                    if (TryGet(target, out existing))
                    {
                        SharedTargets.Leave(target);
                        reused = true;
                        return existing;
                    }

                    var store = new MnesisStore(this, target, target.Engine.Open(target, options, shared.EngineState), options, shared);
                    lock (_sync)
                    {
                        _stores.Add(target.Key, store);
                    }

                    reused = false;
                    return store;
                }
            }
            catch
            {
                SharedTargets.Leave(target);
                throw;
            }
        }

        internal bool TryGet(StoreTarget target, out MnesisStore store)
        {
            lock (_sync)
            {
                return _stores.TryGetValue(target.Key, out store);
            }
        }

        /// <summary>
        /// The open store a spelling named before, if that store is still the pool's store of its
        /// database: a closed (or replaced) store is never returned.
        /// </summary>
        internal bool TryGetBySpelling(object spelling, out MnesisStore store)
        {
            lock (_sync)
            {
                if (_bySpelling.TryGetValue(spelling, out store) && store.IsOpen
                    && _stores.TryGetValue(store.StoreTarget.Key, out MnesisStore current) && ReferenceEquals(current, store))
                {
                    return true;
                }

                store = null;
                return false;
            }
        }

        internal void RememberSpelling(object spelling, MnesisStore store)
        {
            lock (_sync)
            {
                if (_bySpelling.Count >= SpellingsKept)
                {
                    _bySpelling.Clear();
                }

                _bySpelling[spelling] = store;
            }
        }

        /// <summary>
        /// Closes a store once no write is in progress on its connection (writes to the same database
        /// through other connections are not waited for). A write of this same thread cannot be
        /// waited for, so closing from inside it is refused.
        /// </summary>
        internal void Close(MnesisStore store, CancellationToken cancellation)
        {
            IStoreWrite active = store.ActiveWrite;
            if (active != null && active.OwnerThread == WriteGate.CurrentThread)
            {
                throw new MnesisException(Messages.CloseInsideWrite, store, store.Target);
            }

            store.ConnectionLock.Wait(cancellation);
            try
            {
                lock (_sync)
                {
                    if (_stores.TryGetValue(store.StoreTarget.Key, out MnesisStore current) && ReferenceEquals(current, store))
                    {
                        _stores.Remove(store.StoreTarget.Key);
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
        /// Closes a store whose open created its database and removes the database again, if nothing
        /// was committed through it and no other connection of this process uses it: a write that
        /// failed on a database it opened itself then leaves nothing behind.
        /// </summary>
        internal bool DiscardIfUnused(MnesisStore store)
        {
            if (store.RemoveCreated == null || store.Writes > 0 || !store.IsOpen)
            {
                return false;
            }

            return SharedTargets.WhenSoleUser(store.StoreTarget, () =>
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
