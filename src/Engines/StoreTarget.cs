namespace Mnesis.PowerShell.Engines
{
    /// <summary>
    /// A database as the pool identifies it: every spelling of one database gives the same
    /// <see cref="Key"/> (a resolved file path, a normalized server address).
    /// </summary>
    internal abstract class StoreTarget
    {
        internal abstract StoreEngine Engine { get; }

        /// <summary>The identity within the process; stores and shared state are keyed by it.</summary>
        internal abstract string Key { get; }

        /// <summary>How messages and Get-MnesisPool name the database; never holds a password.</summary>
        internal abstract string Display { get; }

        public override string ToString() => Display;
    }
}
