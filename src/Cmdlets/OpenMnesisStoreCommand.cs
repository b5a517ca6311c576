using System.Management.Automation;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Paths;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Cmdlets
{
    /// <summary>Opens (or reuses) the pooled store of each database path.</summary>
    [Cmdlet(VerbsCommon.Open, "MnesisStore", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(MnesisStore))]
    public sealed class OpenMnesisStoreCommand : MnesisCmdlet
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";

        [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string[] Path { get; set; }

        [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        [AllowEmptyString]
        public string[] LiteralPath { get; set; }

        /// <summary>Keep the database's journal mode instead of switching to WAL.</summary>
        [Parameter]
        public SwitchParameter NoWal { get; set; }

        /// <summary>Seconds to wait for another connection's lock; 30 by default.</summary>
        [Parameter]
        public int BusyTimeout { get; set; } = StoreOptions.DefaultBusyTimeoutSeconds;

        protected override void BeginProcessing()
        {
            if (BusyTimeout < 0)
            {
                ThrowMnesisError(new MnesisException(Messages.NegativeBusyTimeout, BusyTimeout, BusyTimeout));
            }
        }

        protected override void ProcessRecord()
        {
            bool literal = ParameterSetName == LiteralPathSet;
            var options = new StoreOptions(!NoWal, BusyTimeout);
            MnesisPool pool = TargetPool;
            foreach (StorePath path in ResolveEach(literal ? LiteralPath : Path, literal))
            {
                try
                {
                    WriteObject(Open(pool, path, options));
                }
                catch (MnesisException ex)
                {
                    WriteMnesisError(ex);
                }
            }
        }

        private MnesisStore Open(MnesisPool pool, StorePath path, StoreOptions options)
        {
            MnesisStore store = AcquireStore(pool, path, options, out bool reused);
            if (!reused)
            {
                return store;
            }

            StoreOptions first = store.RequestedOptions;
            bool askedForOtherOptions =
                (MyInvocation.BoundParameters.ContainsKey(nameof(NoWal)) && first.WalMode != options.WalMode)
                || (MyInvocation.BoundParameters.ContainsKey(nameof(BusyTimeout)) && first.BusyTimeoutSeconds != options.BusyTimeoutSeconds);
            if (askedForOtherOptions)
            {
                WriteWarningMessage(Messages.OptionsIgnored, store.Path, store.WalMode, store.BusyTimeout);
            }

            return store;
        }
    }
}
