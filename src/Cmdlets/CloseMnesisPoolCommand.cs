using System;
using System.Globalization;
using System.Management.Automation;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Paths;
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
    public sealed class CloseMnesisPoolCommand : MnesisCmdlet
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
                Close(Store.Pool, Store);
                return;
            }

            MnesisPool pool = TargetPool;
            string[] inputs = ParameterSetName == LiteralPathSet ? LiteralPath : Path;
            if (inputs == null)
            {
                CloseAll(pool);
                return;
            }

            foreach (StorePath path in ResolveEach(inputs, ParameterSetName == LiteralPathSet))
            {
                if (pool.TryGet(path, out MnesisStore store))
                {
                    Close(pool, store);
                }
                else
                {
                    WriteVerboseMessage(Messages.VerboseNothingToClose, path.FullPath, pool.Name);
                }
            }
        }

        private void CloseAll(MnesisPool pool)
        {
            MnesisStore[] stores = pool.Stores;
            string target = string.Format(CultureInfo.CurrentCulture, Messages.ShouldProcessCloseAllTarget, stores.Length, pool.Name);
            if (stores.Length == 0 || !ShouldProcess(target, Messages.ShouldProcessCloseAction))
            {
                return;
            }

            foreach (MnesisStore store in stores)
            {
                CloseConfirmed(pool, store);
            }
        }

        private void Close(MnesisPool pool, MnesisStore store)
        {
            if (!store.IsOpen)
            {
                WriteVerboseMessage(Messages.VerboseNothingToClose, store.Path, pool.Name);
                return;
            }

            if (ShouldProcess(store.Path, Messages.ShouldProcessCloseAction))
            {
                CloseConfirmed(pool, store);
            }
        }

        private void CloseConfirmed(MnesisPool pool, MnesisStore store)
        {
            try
            {
                pool.Close(store, StopToken);
                WriteVerboseMessage(Messages.VerboseClosed, store.Path, pool.Name);
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
