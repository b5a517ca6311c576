using System.Collections.Generic;
using System.Threading;

namespace Mnesis.PowerShell.Pool
{
    /// <summary>
    /// Where the writes of the process to one database meet. An exclusive gate (SQLite, one writer
    /// per file) serializes them: every runspace and every pool queue here instead of colliding
    /// inside SQLite with "database is locked". A shared gate (engines that serialize writers
    /// themselves) lets every writer in and only records which threads are writing, so that a
    /// nested write through another connection is refused instead of waiting for itself.
    /// </summary>
    internal sealed class WriteGate
    {
        private readonly SemaphoreSlim _semaphore;
        private readonly HashSet<int> _writingThreads = new HashSet<int>();

        internal WriteGate(bool exclusive)
        {
            _semaphore = exclusive ? new SemaphoreSlim(1, 1) : null;
        }

        internal static int CurrentThread => Thread.CurrentThread.ManagedThreadId;

        /// <summary>True while the calling thread is inside the gate; entering again could only wait for itself.</summary>
        internal bool IsHeldByCurrentThread
        {
            get
            {
                lock (_writingThreads)
                {
                    return _writingThreads.Contains(CurrentThread);
                }
            }
        }

        /// <summary>Enters if no wait is needed; returns the entering thread's id, or 0.</summary>
        internal int TryEnter()
        {
            return _semaphore == null || _semaphore.Wait(0) ? MarkEntered() : 0;
        }

        /// <summary>Waits until the gate is free; returns the entering thread's id. Throws OperationCanceledException when stopped.</summary>
        internal int Enter(CancellationToken cancellation)
        {
            _semaphore?.Wait(cancellation);
            return MarkEntered();
        }

        /// <summary>Leaves the gate entered by <paramref name="thread"/> (which may differ from the calling thread).</summary>
        internal void Exit(int thread)
        {
            lock (_writingThreads)
            {
                _writingThreads.Remove(thread);
            }

            _semaphore?.Release();
        }

        private int MarkEntered()
        {
            int thread = CurrentThread;
            lock (_writingThreads)
            {
                _writingThreads.Add(thread);
            }

            return thread;
        }
    }
}
