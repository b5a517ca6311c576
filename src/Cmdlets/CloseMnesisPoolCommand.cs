using System;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Cmdlets
{
    /// <summary>
    /// Closes one path's connection or every connection of the pool, after any write in
    /// progress on that file. Afterwards the process holds no handle to the file, its -wal or
    /// its -shm. Closing what is not open does nothing.
    /// </summary>
    [Cmdlet(VerbsCommon.Close, "MnesisPool", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(void))]
    public sealed class CloseMnesisPoolCommand : StoreSelectingCmdlet
    {
        protected override void ProcessRecord()
        {
            MnesisStore[] stores = SelectStores((target, pool) =>
                WriteVerboseMessage(Messages.VerboseNothingToClose, target.Display, pool.Name)).ToArray();
            if (SelectsWholePool)
            {
                // One confirmation for the whole pool, not one per store.
                string target = string.Format(CultureInfo.CurrentCulture, Messages.ShouldProcessCloseAllTarget, stores.Length, TargetPool.Name);
                if (stores.Length > 0 && ShouldProcess(target, Messages.ShouldProcessCloseAction))
                {
                    Array.ForEach(stores, CloseConfirmed);
                }

                return;
            }

            foreach (MnesisStore store in stores)
            {
                if (!store.IsOpen)
                {
                    WriteVerboseMessage(Messages.VerboseNothingToClose, store.Target, store.Pool.Name);
                }
                else if (ShouldProcess(store.Target, Messages.ShouldProcessCloseAction))
                {
                    CloseConfirmed(store);
                }
            }
        }

        private void CloseConfirmed(MnesisStore store)
        {
            try
            {
                store.Pool.Close(store, StopToken);
                WriteVerboseMessage(Messages.VerboseClosed, store.Target, store.Pool.Name);
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }
            catch (MnesisException ex)
            {
                WriteMnesisError(ex);
            }
        }
    }
}
