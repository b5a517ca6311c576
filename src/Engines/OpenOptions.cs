namespace Mnesis.PowerShell.Engines
{
    /// <summary>How a store is opened. The first open of a database decides; later opens reuse it.</summary>
    internal sealed class OpenOptions
    {
        internal const int DefaultBusyTimeoutSeconds = 30;

        internal static readonly OpenOptions Default = new OpenOptions(useWal: true, busyTimeoutSeconds: DefaultBusyTimeoutSeconds);

        /// <summary>For a store that a read opens: the database is left as it is until something writes.</summary>
        internal static readonly OpenOptions ForReading = new OpenOptions(useWal: true, busyTimeoutSeconds: DefaultBusyTimeoutSeconds, openedByRead: true);

        /// <summary>For Invoke-MnesisWrite -Force: a new database's missing folders are created.</summary>
        internal static readonly OpenOptions CreatingFolders = new OpenOptions(useWal: true, busyTimeoutSeconds: DefaultBusyTimeoutSeconds, createFolders: true);

        internal OpenOptions(bool useWal, int busyTimeoutSeconds, bool readOnly = false, bool openedByRead = false, int commandTimeoutSeconds = 0, bool createFolders = false)
        {
            CommandTimeoutSeconds = commandTimeoutSeconds;
            CreateFolders = createFolders;
            UseWal = useWal;
            BusyTimeoutSeconds = busyTimeoutSeconds;
            ReadOnly = readOnly;
            OpenedByRead = openedByRead;
        }

        /// <summary>
        /// Asks an engine with journal modes to switch the database to WAL; a store a read opened
        /// switches at its first write. What the engine granted is <see cref="EngineConnection.WalMode"/>.
        /// </summary>
        internal bool UseWal { get; }

        internal int BusyTimeoutSeconds { get; }

        /// <summary>Seconds a statement of the store's calls may run when the call gives no -CommandTimeout; 0 for no limit.</summary>
        internal int CommandTimeoutSeconds { get; }

        /// <summary>Open-MnesisStore -ReadOnly: the store never writes, and the database may be unwritable.</summary>
        internal bool ReadOnly { get; }

        /// <summary>Opened by Invoke-MnesisQuery: nothing is created or changed, and an unwritable database is opened read-only.</summary>
        internal bool OpenedByRead { get; }

        /// <summary>
        /// -Force: a new database's missing parent folders are created (as New-Item -Force does). Without
        /// it a missing folder is an error, so a typo in a folder name never silently makes a new tree.
        /// </summary>
        internal bool CreateFolders { get; }
    }
}
