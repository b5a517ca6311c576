namespace Mnesis.PowerShell.Engines
{
    /// <summary>Where an engine failed: the database, the object an ErrorRecord names, and the busy timeout in force there.</summary>
    internal readonly struct ErrorSite
    {
        internal ErrorSite(StoreTarget target, object errorTarget, int busyTimeoutSeconds)
        {
            Target = target;
            ErrorTarget = errorTarget;
            BusyTimeoutSeconds = busyTimeoutSeconds;
        }

        internal StoreTarget Target { get; }

        /// <summary>The ErrorRecord's TargetObject: the store, or the name of a database not opened yet.</summary>
        internal object ErrorTarget { get; }

        internal int BusyTimeoutSeconds { get; }
    }
}
