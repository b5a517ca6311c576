using System.Management.Automation;
using Microsoft.Data.Sqlite;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Paths;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Cmdlets
{
    /// <summary>
    /// Returns the shared connection of open stores. It never opens anything: asking for a path
    /// that was not opened is an ObjectNotFound error (the seed's KeyError).
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "MnesisConnection", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(SqliteConnection))]
    public sealed class GetMnesisConnectionCommand : MnesisCmdlet
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const string StoreSet = "Store";

        [Parameter(ParameterSetName = PathSet, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(OpenStorePathCompleter))]
        [AllowEmptyString]
        public string[] Path { get; set; }

        [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        [AllowEmptyString]
        public string[] LiteralPath { get; set; }

        [Parameter(ParameterSetName = StoreSet, Mandatory = true, ValueFromPipeline = true)]
        public MnesisStore Store { get; set; }

        protected override void ProcessRecord()
        {
            if (Store != null)
            {
                if (Store.IsOpen)
                {
                    WriteObject(Store.Connection);
                }
                else
                {
                    WriteMnesisError(new MnesisException(Messages.StoreClosed, Store, Store.Path));
                }

                return;
            }

            MnesisPool pool = TargetPool;
            string[] inputs = ParameterSetName == LiteralPathSet ? LiteralPath : Path;
            if (inputs == null)
            {
                foreach (MnesisStore store in pool.Stores)
                {
                    WriteObject(store.Connection);
                }

                return;
            }

            foreach (StorePath path in ResolveEach(inputs, ParameterSetName == LiteralPathSet))
            {
                if (pool.TryGet(path, out MnesisStore store))
                {
                    WriteObject(store.Connection);
                }
                else
                {
                    WriteMnesisError(new MnesisException(Messages.StoreNotOpen, path.FullPath, path.FullPath));
                }
            }
        }
    }
}
