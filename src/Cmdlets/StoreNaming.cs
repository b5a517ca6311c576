using System.Management.Automation;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Cmdlets
{
    /// <summary>How a cmdlet call named its one store: at most one of these is set.</summary>
    internal readonly struct StoreNaming
    {
        internal StoreNaming(MnesisStore store, string path, string literalPath, string connectionString, PSCredential credential)
        {
            Store = store;
            Path = path;
            LiteralPath = literalPath;
            ConnectionString = connectionString;
            Credential = credential;
        }

        internal MnesisStore Store { get; }

        internal string Path { get; }

        internal string LiteralPath { get; }

        internal string ConnectionString { get; }

        internal PSCredential Credential { get; }
    }
}
