namespace Mnesis.PowerShell.Pool
{
    /// <summary>How a store is opened. The first open of a path decides; later opens reuse it.</summary>
    internal sealed class StoreOptions
    {
        internal const int DefaultBusyTimeoutSeconds = 30;

        internal static readonly StoreOptions Default = new StoreOptions(walMode: true, busyTimeoutSeconds: DefaultBusyTimeoutSeconds);

        internal StoreOptions(bool walMode, int busyTimeoutSeconds)
        {
            WalMode = walMode;
            BusyTimeoutSeconds = busyTimeoutSeconds;
        }

        internal bool WalMode { get; }

        internal int BusyTimeoutSeconds { get; }
    }
}
