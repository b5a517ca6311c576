using System.Collections.Generic;
using System.Threading;

namespace Mnesis.PowerShell.Gates
{
    /// <summary>A writer queued at an exclusive gate, woken when it is let in or when its write was run for it.</summary>
    internal sealed class GateWaiter
    {
        internal GateWaiter(int thread, GateWork work)
        {
            Thread = thread;
            Work = work;
        }

        internal int Thread { get; }

        /// <summary>The per-call write another writer may run for it; null for a writer that must enter itself.</summary>
        internal GateWork Work { get; }

        internal ManualResetEventSlim Signal { get; } = new ManualResetEventSlim(false);

        /// <summary>Changed under the gate's lock, then <see cref="Signal"/> is set.</summary>
        internal GateWaiterState State { get; set; }

        internal LinkedListNode<GateWaiter> Node { get; set; }
    }
}
