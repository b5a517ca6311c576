using System;
using System.Collections.Generic;
using System.Management.Automation;
using Mnesis.PowerShell.Paths;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Cmdlets
{
    /// <summary>
    /// A cmdlet that acts on stores already open: named by -Store, by -Path/-LiteralPath (never
    /// opening anything), or, with neither, every store of the pool.
    /// </summary>
    public abstract class StoreSelectingCmdlet : MnesisCmdlet
    {
        protected const string PathSet = "Path";
        protected const string LiteralPathSet = "LiteralPath";
        protected const string StoreSet = "Store";

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

        /// <summary>True when neither a store nor a path was given: the whole pool is meant.</summary>
        /// <remarks>-Path $null is a path given (and refused as empty), never "the whole pool".</remarks>
        protected bool SelectsWholePool => Store == null && ParameterSetName == PathSet && !MyInvocation.BoundParameters.ContainsKey(nameof(Path));

        /// <summary>
        /// The named stores, open or not (-Store may be closed already). A path that cannot be
        /// resolved is a non-terminating error; one that is not open goes to <paramref name="notOpen"/>.
        /// </summary>
        internal IEnumerable<MnesisStore> SelectStores(Action<StorePath, MnesisPool> notOpen)
        {
            if (Store != null)
            {
                yield return Store;
                yield break;
            }

            MnesisPool pool = TargetPool;
            if (SelectsWholePool)
            {
                foreach (MnesisStore store in pool.Stores)
                {
                    yield return store;
                }

                yield break;
            }

            bool literal = ParameterSetName == LiteralPathSet;
            foreach (StorePath path in ResolveEach((literal ? LiteralPath : Path) ?? new string[] { null }, literal))
            {
                if (pool.TryGet(path, out MnesisStore store))
                {
                    yield return store;
                }
                else
                {
                    notOpen(path, pool);
                }
            }
        }
    }
}
