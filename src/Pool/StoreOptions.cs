namespace Mnesis.PowerShell.Pool
{
    /// <summary>How a store is opened. The first open of a database decides; later opens reuse it.</summary>
    internal sealed class StoreOptions
    {
        internal const int DefaultBusyTimeoutSeconds = 30;

        internal static readonly StoreOptions Default = new StoreOptions(walMode: true, busyTimeoutSeconds: DefaultBusyTimeoutSeconds);

        /// <summary>For a store that a read opens: the database is left as it is until something writes.</summary>
        internal static readonly StoreOptions ForReading = new StoreOptions(walMode: true, busyTimeoutSeconds: DefaultBusyTimeoutSeconds, openedByRead: true);

        internal StoreOptions(bool walMode, int busyTimeoutSeconds, bool readOnly = false, bool openedByRead = false)
        {
            WalMode = walMode;
            BusyTimeoutSeconds = busyTimeoutSeconds;
            ReadOnly = readOnly;
            OpenedByRead = openedByRead;
        }

        /// <summary>Switch the database to WAL; done at the first write of a store a read opened.</summary>
        internal bool WalMode { get; }

        internal int BusyTimeoutSeconds { get; }

        /// <summary>Open-MnesisStore -ReadOnly: the store never writes, and the database may be unwritable.</summary>
        internal bool ReadOnly { get; }

        /// <summary>Opened by Invoke-MnesisQuery: nothing is created or changed, and an unwritable database is opened read-only.</summary>
        internal bool OpenedByRead { get; }
    }
}
