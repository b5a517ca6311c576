namespace Mnesis.PowerShell.Gates
{
    /// <summary>
    /// Work a waiter at the gate hands over: the writer holding the gate may take it and run it for
    /// the waiter, then wake it with the outcome.
    /// </summary>
    internal abstract class GateWork
    {
        private GateWaiter _waiter;

        internal void TakenBy(GateWaiter waiter) => _waiter = waiter;

        /// <summary>Wakes the waiter whose work this is; its outcome must be set first.</summary>
        protected void WakeWaiter() => _waiter?.Signal.Set();
    }
}
