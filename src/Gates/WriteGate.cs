using System;
using System.Collections.Generic;
using System.Threading;

namespace Mnesis.PowerShell.Gates
{
    /// <summary>
    /// Where the writes of the process to one database meet. An exclusive gate (SQLite, one writer
    /// per file) lets one writer in at a time, in arrival order: every runspace and every pool queue
    /// here instead of colliding inside SQLite with "database is locked". Per-call writes queued
    /// one after another may be taken by the writer inside and committed with its own (see
    /// GroupCommit). A shared gate (engines that serialize writers themselves) lets every writer in
    /// and only records which threads are writing, so that a nested write through another
    /// connection is refused instead of waiting for itself.
    /// </summary>
    internal sealed class WriteGate
    {
        private readonly bool _exclusive;
        private readonly object _sync = new object();
        private readonly LinkedList<GateWaiter> _queue = new LinkedList<GateWaiter>();
        private readonly HashSet<int> _writingThreads = new HashSet<int>();
        private bool _held;

        // The one thread inside an exclusive gate, read without a lock on every write.
        private int _owner;

        internal WriteGate(bool exclusive)
        {
            _exclusive = exclusive;
        }

        internal static int CurrentThread => Thread.CurrentThread.ManagedThreadId;

        /// <summary>True while the calling thread is inside the gate; entering again could only wait for itself.</summary>
        internal bool IsHeldByCurrentThread
        {
            get
            {
                if (_exclusive)
                {
                    return Volatile.Read(ref _owner) == CurrentThread;
                }

                lock (_sync)
                {
                    return _writingThreads.Contains(CurrentThread);
                }
            }
        }

        /// <summary>Enters if no wait is needed; returns the entering thread's id, or 0.</summary>
        internal int TryEnter()
        {
            lock (_sync)
            {
                return CanEnterNow() ? MarkEntered() : 0;
            }
        }

        /// <summary>Waits for its turn; returns the entering thread's id. Throws OperationCanceledException when stopped.</summary>
        internal int Enter(CancellationToken cancellation)
        {
            GateWaiter waiter;
            lock (_sync)
            {
                if (CanEnterNow())
                {
                    return MarkEntered();
                }

                waiter = Enqueue(work: null);
            }

            WaitForTurn(waiter, cancellation);
            return CurrentThread;
        }

        /// <summary>
        /// Enters as a per-call write that a writer inside may take and commit with its own. Returns
        /// true when the caller is inside (it runs its write itself, and may take others); false when
        /// another writer ran the write (its outcome is on <paramref name="work"/>).
        /// </summary>
        internal bool EnterOrHandOver(GateWork work, CancellationToken cancellation, Action onWait)
        {
            lock (_sync)
            {
                if (CanEnterNow())
                {
                    MarkEntered();
                    return true;
                }
            }

            // Told before queuing: what the caller does with it (-Verbose) may throw, and a queued
            // write must always have a caller waiting for it.
            onWait?.Invoke();
            GateWaiter waiter;
            lock (_sync)
            {
                if (CanEnterNow())
                {
                    MarkEntered();
                    return true;
                }

                waiter = Enqueue(work);
            }

            return WaitForTurn(waiter, cancellation);
        }

        /// <summary>
        /// For the writer inside: the per-call writes queued right behind it, up to <paramref name="max"/>,
        /// which it now owes a run and an outcome. A waiter that is not a per-call write ends the take.
        /// </summary>
        internal List<T> TakeQueuedWrites<T>(int max)
            where T : GateWork
        {
            var taken = new List<T>();
            lock (_sync)
            {
                while (taken.Count < max && _queue.First != null && _queue.First.Value.Work != null)
                {
                    GateWaiter waiter = _queue.First.Value;
                    _queue.RemoveFirst();
                    waiter.State = GateWaiterState.Taken;
                    waiter.Work.TakenBy(waiter);
                    taken.Add((T)waiter.Work);
                }
            }

            return taken;
        }

        /// <summary>Leaves the gate entered by <paramref name="thread"/>: the next waiter, if any, is let in.</summary>
        internal void Exit(int thread)
        {
            GateWaiter next = null;
            lock (_sync)
            {
                if (!_exclusive)
                {
                    _writingThreads.Remove(thread);
                    return;
                }

                if (_queue.First != null)
                {
                    next = _queue.First.Value;
                    _queue.RemoveFirst();
                    next.State = GateWaiterState.Admitted;
                    Volatile.Write(ref _owner, next.Thread);
                }
                else
                {
                    _held = false;
                    Volatile.Write(ref _owner, 0);
                }
            }

            next?.Signal.Set();
        }

        private bool CanEnterNow() => !_exclusive || (!_held && _queue.First == null);

        private int MarkEntered()
        {
            int thread = CurrentThread;
            if (_exclusive)
            {
                _held = true;
                Volatile.Write(ref _owner, thread);
            }
            else
            {
                _writingThreads.Add(thread);
            }

            return thread;
        }

        private GateWaiter Enqueue(GateWork work)
        {
            var waiter = new GateWaiter(CurrentThread, work);
            waiter.Node = _queue.AddLast(waiter);
            return waiter;
        }

        // True when the caller is now inside; false when its queued write was taken and run by another.
        private bool WaitForTurn(GateWaiter waiter, CancellationToken cancellation)
        {
            try
            {
                waiter.Signal.Wait(cancellation);
            }
            catch (OperationCanceledException)
            {
                lock (_sync)
                {
                    if (waiter.State == GateWaiterState.Queued)
                    {
                        // Withdrawn before anyone started it: nothing of it runs.
                        _queue.Remove(waiter.Node);
                        throw;
                    }
                }

                // Let in meanwhile, or taken by the writer inside, which ends it within one transaction.
                waiter.Signal.Wait();
                if (waiter.State == GateWaiterState.Admitted)
                {
                    Exit(waiter.Thread);
                    throw;
                }
            }

            return waiter.State == GateWaiterState.Admitted;
        }
    }
}
