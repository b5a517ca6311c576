using System.Management.Automation;
using Microsoft.Data.Sqlite;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Cmdlets
{
    /// <summary>
    /// Returns the shared connection of open stores. It never opens anything: asking for a path
    /// that was not opened is an ObjectNotFound error (the seed's KeyError).
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "MnesisConnection", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(SqliteConnection))]
    public sealed class GetMnesisConnectionCommand : StoreSelectingCmdlet
    {
        protected override void ProcessRecord()
        {
            foreach (MnesisStore store in SelectStores((path, pool) =>
                WriteMnesisError(new MnesisException(Messages.StoreNotOpen, path.FullPath, path.FullPath))))
            {
                if (store.IsOpen)
                {
                    WriteObject(store.Connection);
                }
                else
                {
                    WriteMnesisError(new MnesisException(Messages.StoreClosed, store, store.Path));
                }
            }
        }
    }
}
