using Mnesis.PowerShell.Engines;
using Mnesis.PowerShell.Gates;

namespace Mnesis.PowerShell.Pool
{
    /// <summary>What the process keeps once per database while any of its stores is open.</summary>
    internal sealed class SharedTargetState
    {
        internal SharedTargetState(WriteGate gate)
        {
            Gate = gate;
        }

        internal WriteGate Gate { get; }

        /// <summary>Open (or opening) Mnesis connections of the process to the database; guarded by SharedTargets.</summary>
        internal int Users { get; set; }

        /// <summary>Serializes the opens of the database by different pools.</summary>
        internal object OpenLock { get; } = new object();

        /// <summary>What the engine keeps once per process for the database (a PostgreSQL data source).</summary>
        internal EngineTargetState EngineState { get; } = new EngineTargetState();
    }
}
