using System.Management.Automation;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Engines;
using Mnesis.PowerShell.Naming;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Cmdlets
{
    /// <summary>Opens (or reuses) the pooled store of each database: SQLite files by path, PostgreSQL databases by connection string.</summary>
    [Cmdlet(VerbsCommon.Open, "MnesisStore", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(MnesisStore))]
    public sealed class OpenMnesisStoreCommand : MnesisCmdlet
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const string ConnectionStringSet = "ConnectionString";

        [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(OpenStorePathCompleter))]
        [Alias("DataSource")]
        [AllowEmptyString]
        public string[] Path { get; set; }

        [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        [ArgumentCompleter(typeof(DatabaseFileCompleter))]
        [AllowEmptyString]
        public string[] LiteralPath { get; set; }

        /// <summary>A PostgreSQL database: Npgsql keywords or a postgres:// URI.</summary>
        [Parameter(ParameterSetName = ConnectionStringSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string[] ConnectionString { get; set; }

        /// <summary>User and password for -ConnectionString.</summary>
        [Parameter(ParameterSetName = ConnectionStringSet)]
        [Credential]
        public PSCredential Credential { get; set; }

        /// <summary>Keep the database's journal mode instead of switching to WAL (SQLite).</summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        public SwitchParameter NoWal { get; set; }

        /// <summary>Create a new database's missing parent folders (as New-Item -Force does); without it a missing folder is an error.</summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        public SwitchParameter Force { get; set; }

        /// <summary>Open for reading only: the database may be unwritable (read-only media, a file without write permission) and is never changed.</summary>
        [Parameter]
        public SwitchParameter ReadOnly { get; set; }

        /// <summary>Seconds to wait for another connection's lock; 30 by default.</summary>
        [Parameter]
        public int BusyTimeout { get; set; } = OpenOptions.DefaultBusyTimeoutSeconds;

        /// <summary>
        /// Seconds a statement of this store's calls may run when the call gives no -CommandTimeout;
        /// 0 (the default) for no limit. Not the busy timeout, which limits the wait for a lock.
        /// </summary>
        [Parameter]
        [Alias("QueryTimeout")]
        public int CommandTimeout { get; set; }

        protected override void BeginProcessing()
        {
            if (BusyTimeout < 0)
            {
                ThrowMnesisError(new MnesisException(Messages.NegativeBusyTimeout, BusyTimeout, BusyTimeout));
            }

            if (CommandTimeout < 0)
            {
                ThrowMnesisError(new MnesisException(Messages.NegativeCommandTimeout, CommandTimeout, CommandTimeout));
            }
        }

        protected override void ProcessRecord()
        {
            bool literal = ParameterSetName == LiteralPathSet;
            var options = new OpenOptions(useWal: !NoWal && !ReadOnly, BusyTimeout, readOnly: ReadOnly, commandTimeoutSeconds: CommandTimeout, createFolders: Force);
            foreach (StoreTarget target in Resolver.ResolveEach(StoreResolver.NamesOf(literal ? LiteralPath : Path, literal, ConnectionString, Credential)))
            {
                try
                {
                    WriteObject(Open(target, options));
                }
                catch (MnesisException ex)
                {
                    WriteMnesisError(ex);
                }
            }
        }

        private MnesisStore Open(StoreTarget target, OpenOptions options)
        {
            MnesisStore store = Resolver.Acquire(target, options, out bool reused);
            if (!reused)
            {
                return store;
            }

            OpenOptions first = store.RequestedOptions;
            bool askedForOtherOptions =
                (MyInvocation.BoundParameters.ContainsKey(nameof(NoWal)) && first.UseWal != options.UseWal)
                || (MyInvocation.BoundParameters.ContainsKey(nameof(BusyTimeout)) && first.BusyTimeoutSeconds != options.BusyTimeoutSeconds)
                || (MyInvocation.BoundParameters.ContainsKey(nameof(CommandTimeout)) && first.CommandTimeoutSeconds != options.CommandTimeoutSeconds)
                || (ReadOnly && !store.IsReadOnly)
                || target.HasOtherOptionsThan(store.StoreTarget);
            if (askedForOtherOptions)
            {
                WriteWarningMessage(store.StoreEngine.Has(EngineCapabilities.JournalModes) ? Messages.OptionsIgnored : Messages.ServerOptionsIgnored,
                    store.Target, store.WalMode, store.BusyTimeout);
            }

            return store;
        }
    }
}
