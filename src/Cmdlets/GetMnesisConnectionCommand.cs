using System.Data.Common;
using System.Management.Automation;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Cmdlets
{
    /// <summary>
    /// Returns the shared connection of open stores (a SqliteConnection or an NpgsqlConnection). It never opens anything: asking for a path
    /// that was not opened is an ObjectNotFound error.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "MnesisConnection", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(DbConnection))]
    public sealed class GetMnesisConnectionCommand : StoreSelectingCmdlet
    {
        protected override void ProcessRecord()
        {
            foreach (MnesisStore store in SelectStores((target, pool) =>
                WriteMnesisError(new MnesisException(Messages.StoreNotOpen, target.Display, target.Display))))
            {
                if (store.IsOpen)
                {
                    // A connection lost meanwhile is opened anew first, outside any write of this store: the
                    // caller's own commands would otherwise meet it broken.
                    if (store.ActiveWrite == null)
                    {
                        try
                        {
                            store.Main.EnsureConnected(StopToken, ask: true);
                        }
                        catch (MnesisException ex)
                        {
                            WriteMnesisError(ex);
                            continue;
                        }
                    }

                    // Whatever the caller does with it (settings, temporary tables) stays with this store.
                    store.MarkConnectionState();
                    WriteObject(store.Connection);
                }
                else
                {
                    WriteMnesisError(new MnesisException(Messages.StoreClosed, store, store.Target));
                }
            }
        }
    }
}
