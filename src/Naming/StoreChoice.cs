using System.Management.Automation;
using Mnesis.PowerShell.Engines;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Naming
{
    /// <summary>How a cmdlet call chose its one store: a store object, a name, or neither (the pool's only store).</summary>
    internal readonly struct StoreChoice
    {
        private StoreChoice(MnesisStore store, StoreName? name)
        {
            Store = store;
            Name = name;
        }

        internal MnesisStore Store { get; }

        internal StoreName? Name { get; }

        /// <summary>From a cmdlet's -Store, -Path, -LiteralPath and -ConnectionString (with -Credential), at most one of them set.</summary>
        internal static StoreChoice From(MnesisStore store, string path, string literalPath, string connectionString, PSCredential credential)
        {
            if (store != null)
            {
                return new StoreChoice(store, null);
            }

            if (connectionString != null)
            {
                return new StoreChoice(null, new StoreName(NameKind.ConnectionString, connectionString, credential));
            }

            if (literalPath != null)
            {
                return new StoreChoice(null, new StoreName(NameKind.LiteralPath, literalPath));
            }

            return new StoreChoice(null, path == null ? (StoreName?)null : new StoreName(NameKind.Path, path));
        }
    }
}
