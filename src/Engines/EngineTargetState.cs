namespace Mnesis.PowerShell.Engines
{
    /// <summary>
    /// What an engine keeps once per process for one database while any store of it is open (a
    /// PostgreSQL data source); released through <see cref="StoreEngine.ReleaseShared"/>. Engines
    /// lock on the instance itself.
    /// </summary>
    internal sealed class EngineTargetState
    {
        internal object Value { get; set; }
    }
}
