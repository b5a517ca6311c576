namespace Mnesis.PowerShell.Pool
{
    /// <summary>A write in progress on a store's connection, as the pool sees it: closing waits for it, unless it is the caller's own.</summary>
    internal interface IStoreWrite
    {
        /// <summary>The thread that began the write; a nested write or a close can only come from it.</summary>
        int OwnerThread { get; }
    }
}
