using System;
using System.Collections.Concurrent;
using System.Threading;

namespace Mnesis.PowerShell.Pool
{
    /// <summary>
    /// Serializes write transactions to one database file across the whole process: every
    /// runspace and every pool share the gate of a path, so they queue here instead of
    /// colliding inside SQLite with "database is locked".
    /// </summary>
    internal sealed class WriteGate
    {
        private static readonly ConcurrentDictionary<string, WriteGate> Gates =
            new ConcurrentDictionary<string, WriteGate>(StringComparer.Ordinal);

        private readonly SemaphoreSlim _semaphore = new SemaphoreSlim(1, 1);
        private int _ownerThreadId;

        internal static WriteGate For(string pathKey) => Gates.GetOrAdd(pathKey, _ => new WriteGate());

        /// <summary>True while the calling thread holds the gate; taking it again would wait forever.</summary>
        internal bool IsHeldByCurrentThread => Volatile.Read(ref _ownerThreadId) == Environment.CurrentManagedThreadId;

        internal bool TryEnter()
        {
            if (!_semaphore.Wait(0))
            {
                return false;
            }

            Volatile.Write(ref _ownerThreadId, Environment.CurrentManagedThreadId);
            return true;
        }

        /// <summary>Waits until the gate is free; throws OperationCanceledException when stopped.</summary>
        internal void Enter(CancellationToken cancellation)
        {
            _semaphore.Wait(cancellation);
            Volatile.Write(ref _ownerThreadId, Environment.CurrentManagedThreadId);
        }

        internal void Exit()
        {
            Volatile.Write(ref _ownerThreadId, 0);
            _semaphore.Release();
        }
    }
}
