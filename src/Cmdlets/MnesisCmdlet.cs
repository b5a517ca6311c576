using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Paths;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Cmdlets
{
    /// <summary>What every Mnesis cmdlet shares: -Pool, path resolution, errors and Ctrl+C.</summary>
    public abstract class MnesisCmdlet : PSCmdlet
    {
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();

        /// <summary>The pool to use; the runspace's default pool when omitted.</summary>
        [Parameter]
        [ValidateNotNull]
        public MnesisPool Pool { get; set; }

        /// <summary>Cancelled when the user presses Ctrl+C or the pipeline is stopped.</summary>
        protected CancellationToken StopToken => _stopping.Token;

        protected MnesisPool TargetPool => Pool ?? RunspacePools.DefaultFor(Runspace.DefaultRunspace);

        protected override void StopProcessing()
        {
            _stopping.Cancel();
            base.StopProcessing();
        }

        internal List<StorePath> ResolvePaths(string input, bool literal, Action<MnesisException> onItemError = null)
        {
            return StorePathResolver.Resolve(SessionState, input, literal, literal ? "LiteralPath" : "Path", onItemError);
        }

        /// <summary>
        /// Resolves every input; one that cannot be resolved is reported as a non-terminating
        /// error and skipped, so the others still run.
        /// </summary>
        internal IEnumerable<StorePath> ResolveEach(string[] inputs, bool literal)
        {
            foreach (string input in inputs)
            {
                List<StorePath> paths;
                try
                {
                    paths = ResolvePaths(input, literal, WriteMnesisError);
                }
                catch (MnesisException ex)
                {
                    WriteMnesisError(ex);
                    continue;
                }

                foreach (StorePath path in paths)
                {
                    yield return path;
                }
            }
        }

        /// <summary>
        /// The one store a read or write goes to: -Store, else -Path/-LiteralPath (opened with
        /// the default options if the pool does not hold it yet), else the pool's only store.
        /// </summary>
        /// <param name="mayCreate">False for reads: a file that does not exist is an error, not a new database.</param>
        /// <param name="opened">True when this call opened the store (it was not open in the pool).</param>
        internal MnesisStore ResolveSingleStore(MnesisStore store, string path, string literalPath, bool mayCreate, out bool opened)
        {
            opened = false;
            if (store != null)
            {
                store.ThrowIfClosed();
                return store;
            }

            MnesisPool pool = TargetPool;
            string input = path ?? literalPath;
            if (input == null)
            {
                MnesisStore[] stores = pool.Stores;
                if (stores.Length != 1)
                {
                    throw new MnesisException(Messages.TargetAmbiguous, pool, stores.Length);
                }

                return stores[0];
            }

            List<StorePath> paths = ResolvePaths(input, literal: literalPath != null);
            if (paths.Count != 1)
            {
                throw new MnesisException(Messages.PathMatchesSeveral, input, input, paths.Count);
            }

            StorePath target = paths[0];
            if (pool.TryGet(target, out MnesisStore open))
            {
                WriteVerboseMessage(Messages.VerboseReused, open.Path, pool.Name);
                return open;
            }

            if (!mayCreate && !System.IO.File.Exists(target.FullPath))
            {
                throw new MnesisException(Messages.PathNotFound, input, input);
            }

            MnesisStore acquired = AcquireStore(pool, target, StoreOptions.Default, out bool reused);
            opened = !reused;
            return acquired;
        }

        /// <summary>The pool's store for <paramref name="path"/>, opened if needed, with the pool event in -Verbose.</summary>
        internal MnesisStore AcquireStore(MnesisPool pool, StorePath path, StoreOptions options, out bool reused)
        {
            MnesisStore store = pool.Acquire(path, options, out reused);
            if (reused)
            {
                WriteVerboseMessage(Messages.VerboseReused, store.Path, pool.Name);
            }
            else
            {
                WriteVerboseMessage(Messages.VerboseOpened, store.Path, store.WalMode, store.BusyTimeout, pool.Name);
                if (Native.NativeLibraryLoader.ForeignLibraryWarning != null)
                {
                    WriteWarning(Native.NativeLibraryLoader.ForeignLibraryWarning);
                }
            }

            return store;
        }

        internal void WriteMnesisError(MnesisException error) => WriteError(error.ToErrorRecord());

        internal void ThrowMnesisError(MnesisException error) => ThrowTerminatingError(error.ToErrorRecord());

        internal void WriteVerboseMessage(string format, params object[] args) =>
            WriteVerbose(string.Format(CultureInfo.CurrentCulture, format, args));

        internal void WriteWarningMessage(string format, params object[] args) =>
            WriteWarning(string.Format(CultureInfo.CurrentCulture, format, args));

        /// <summary>Turns a cancelled wait into the pipeline's own stop.</summary>
        internal void ThrowIfStopping()
        {
            if (_stopping.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }
    }
}
