namespace Mnesis.PowerShell.Gates
{
    internal enum GateWaiterState
    {
        /// <summary>Waiting; Ctrl+C withdraws it.</summary>
        Queued,

        /// <summary>Let in: the writer is inside the gate now.</summary>
        Admitted,

        /// <summary>Its write was taken by the writer inside, which runs it and reports the outcome.</summary>
        Taken,
    }
}
