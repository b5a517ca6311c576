namespace Mnesis.PowerShell.Engines
{
    /// <summary>What was being done when an engine failed; it decides which error the failure becomes.</summary>
    internal enum EngineOperation
    {
        Open,
        Write,
        Read,
    }
}
