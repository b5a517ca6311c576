using System;
using System.Collections.Generic;
using System.Management.Automation;
using Mnesis.PowerShell.Engines;
using Mnesis.PowerShell.Naming;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Cmdlets
{
    /// <summary>
    /// A cmdlet that acts on stores already open: named by -Store, by -Path/-LiteralPath or
    /// -ConnectionString (never opening anything), or, with none of them, every store of the pool.
    /// </summary>
    public abstract class StoreSelectingCmdlet : MnesisCmdlet
    {
        protected const string PathSet = "Path";
        protected const string LiteralPathSet = "LiteralPath";
        protected const string StoreSet = "Store";
        protected const string ConnectionStringSet = "ConnectionString";

        [Parameter(ParameterSetName = PathSet, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
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

        /// <summary>The user (and password) of -ConnectionString; the user is part of what names the store.</summary>
        [Parameter(ParameterSetName = ConnectionStringSet)]
        [Credential]
        public PSCredential Credential { get; set; }

        [Parameter(ParameterSetName = StoreSet, Mandatory = true, ValueFromPipeline = true)]
        public MnesisStore Store { get; set; }

        /// <summary>True when neither a store, a path nor a connection string was given: the whole pool is meant.</summary>
        /// <remarks>-Path $null is a path given (and refused as empty), never "the whole pool".</remarks>
        protected bool SelectsWholePool => Store == null && ParameterSetName == PathSet && !MyInvocation.BoundParameters.ContainsKey(nameof(Path));

        /// <summary>
        /// The named stores, open or not (-Store may be closed already). A name that cannot be
        /// resolved is a non-terminating error; one that is not open goes to <paramref name="notOpen"/>.
        /// </summary>
        internal IEnumerable<MnesisStore> SelectStores(Action<StoreTarget, MnesisPool> notOpen)
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
            foreach (StoreTarget target in Resolver.ResolveEach(StoreResolver.NamesOf(literal ? LiteralPath : Path, literal, ConnectionString, Credential)))
            {
                if (pool.TryGet(target, out MnesisStore store))
                {
                    yield return store;
                }
                else
                {
                    notOpen(target, pool);
                }
            }
        }
    }
}
