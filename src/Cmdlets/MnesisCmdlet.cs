using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Engines;
using Mnesis.PowerShell.Engines.Sqlite;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Cmdlets
{
    /// <summary>What every Mnesis cmdlet shares: -Pool, naming stores, errors and Ctrl+C.</summary>
    public abstract class MnesisCmdlet : PSCmdlet
    {
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();

        /// <summary>The pool to use; the runspace's default pool when omitted.</summary>
        [Parameter]
        [ValidateNotNull]
        public MnesisPool Pool { get; set; }

        // -Verbose or -Debug, read once: they cannot change during the call. The preference can (a
        // script upstream in the pipeline may set it), so it is read for each message, as PowerShell does.
        private bool? _verboseSwitch;
        private bool _verboseSwitchRead;

        /// <summary>Cancelled when the user presses Ctrl+C or the pipeline is stopped.</summary>
        protected CancellationToken StopToken => _stopping.Token;

        protected MnesisPool TargetPool => Pool ?? RunspacePools.DefaultFor(Runspace.DefaultRunspace);

        protected override void StopProcessing()
        {
            _stopping.Cancel();
            base.StopProcessing();
        }

        /// <summary>
        /// The SQLite databases a -Path (wildcards) or -LiteralPath names: files resolved the PowerShell
        /// way, or an in-memory database for ':memory:' and ':memory:name'.
        /// </summary>
        internal List<SqliteTarget> ResolvePaths(string input, bool literal, Action<MnesisException> onItemError = null)
        {
            if (SqliteTarget.IsMemorySpelling(input))
            {
                return new List<SqliteTarget> { SqliteTarget.InMemory(input, TargetPool.Id) };
            }

            return SqlitePathResolver.Resolve(SessionState, input, literal, literal ? "LiteralPath" : "Path", onItemError);
        }

        /// <summary>The server database a -ConnectionString (with -Credential) names.</summary>
        internal static StoreTarget ResolveConnectionString(string connectionString, PSCredential credential)
        {
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new MnesisException(Messages.ConnectionStringEmpty, "ConnectionString");
            }

            return ServerEngines.PostgreSql.ParseTarget(connectionString, credential);
        }

        /// <summary>
        /// Every store each input names; one that cannot be resolved is reported as a non-terminating
        /// error and skipped, so the others still run.
        /// </summary>
        internal IEnumerable<StoreTarget> ResolveEach(string[] paths, bool literal, string[] connectionStrings, PSCredential credential)
        {
            if (connectionStrings != null)
            {
                foreach (string connectionString in connectionStrings)
                {
                    StoreTarget target = null;
                    try
                    {
                        target = ResolveConnectionString(connectionString, credential);
                    }
                    catch (MnesisException ex)
                    {
                        WriteMnesisError(ex);
                    }

                    if (target != null)
                    {
                        yield return target;
                    }
                }

                yield break;
            }

            foreach (string input in paths)
            {
                List<SqliteTarget> targets;
                try
                {
                    targets = ResolvePaths(input, literal, WriteMnesisError);
                }
                catch (MnesisException ex)
                {
                    WriteMnesisError(ex);
                    continue;
                }

                foreach (SqliteTarget target in targets)
                {
                    yield return target;
                }
            }
        }

        /// <summary>
        /// The one store a read or write goes to: -Store, else the database -Path, -LiteralPath or
        /// -ConnectionString names (opened with the default options if the pool does not hold it
        /// yet), else the pool's only store.
        /// </summary>
        /// <param name="mayCreate">
        /// False for reads: a file that does not exist is an error, not a new database, and a store the
        /// read opens leaves the database as it is (see StoreOptions.ForReading).
        /// </param>
        /// <param name="opened">True when this call opened the store (it was not open in the pool).</param>
        internal MnesisStore ResolveSingleStore(StoreNaming naming, bool mayCreate, out bool opened)
        {
            opened = false;
            if (naming.Store != null)
            {
                naming.Store.ThrowIfClosed();
                return naming.Store;
            }

            MnesisPool pool = TargetPool;
            StoreTarget target;
            if (naming.ConnectionString != null)
            {
                target = ResolveConnectionString(naming.ConnectionString, naming.Credential);
            }
            else if (naming.Path != null || naming.LiteralPath != null)
            {
                return ResolveSinglePathStore(pool, naming.Path ?? naming.LiteralPath, literal: naming.LiteralPath != null, mayCreate, out opened);
            }
            else
            {
                MnesisStore[] stores = pool.Stores;
                if (stores.Length != 1)
                {
                    throw new MnesisException(Messages.TargetAmbiguous, pool, stores.Length);
                }

                return stores[0];
            }

            MnesisStore acquired = AcquireStore(pool, target, mayCreate ? StoreOptions.Default : StoreOptions.ForReading, out bool reused);
            opened = !reused;
            if (reused && target.Engine is ServerEngine server && server.HasOtherOptions(acquired.StoreTarget, target))
            {
                WriteWarningMessage(Messages.ServerOptionsIgnored, acquired.Target);
            }

            return acquired;
        }

        /// <summary>How -WhatIf and -Confirm name the store a call writes to, found without opening anything.</summary>
        internal string Describe(StoreNaming naming)
        {
            if (naming.Store != null)
            {
                return naming.Store.Target;
            }

            if (naming.ConnectionString != null)
            {
                return ResolveConnectionString(naming.ConnectionString, naming.Credential).Display;
            }

            if (naming.Path != null || naming.LiteralPath != null)
            {
                return ResolveSinglePath(naming.Path ?? naming.LiteralPath, literal: naming.LiteralPath != null, mayCreate: true).Display;
            }

            MnesisStore[] stores = TargetPool.Stores;
            if (stores.Length != 1)
            {
                throw new MnesisException(Messages.TargetAmbiguous, TargetPool, stores.Length);
            }

            return stores[0].Target;
        }

        /// <summary>The pool's store for <paramref name="target"/>, opened if needed, with the pool event in -Verbose.</summary>
        internal MnesisStore AcquireStore(MnesisPool pool, StoreTarget target, StoreOptions options, out bool reused)
        {
            MnesisStore store = pool.Acquire(target, options, out reused);
            if (reused)
            {
                WriteVerboseMessage(Messages.VerboseReused, store.Target, pool.Name);
            }
            else
            {
                if (store.WalMode.HasValue)
                {
                    WriteVerboseMessage(Messages.VerboseOpened, store.Target, store.WalMode, store.BusyTimeout, pool.Name);
                }
                else
                {
                    WriteVerboseMessage(Messages.VerboseOpenedServer, store.Engine, store.Target, store.BusyTimeout, pool.Name);
                }

                if (NativeLibraryLoader.ForeignLibraryWarning != null && target is SqliteTarget)
                {
                    WriteWarning(NativeLibraryLoader.ForeignLibraryWarning);
                }
            }

            return store;
        }

        internal void WriteMnesisError(MnesisException error) => WriteError(error.ToErrorRecord());

        internal void ThrowMnesisError(MnesisException error) => ThrowTerminatingError(error.ToErrorRecord());

        /// <summary>Formats and writes a verbose message, only when it will be shown.</summary>
        internal void WriteVerboseMessage(string format, params object[] args)
        {
            if (WantsVerbose)
            {
                WriteVerbose(string.Format(CultureInfo.CurrentCulture, format, args));
            }
        }

        internal void WriteWarningMessage(string format, params object[] args) =>
            WriteWarning(string.Format(CultureInfo.CurrentCulture, format, args));

        /// <summary>
        /// Whether WriteVerbose would show a message now, decided as PowerShell decides it: -Verbose
        /// when given, else -Debug, else $VerbosePreference. Messages nobody will see are not formatted.
        /// </summary>
        private bool WantsVerbose
        {
            get
            {
                if (!_verboseSwitchRead)
                {
                    _verboseSwitch = ReadVerboseSwitch();
                    _verboseSwitchRead = true;
                }

                if (_verboseSwitch.HasValue)
                {
                    return _verboseSwitch.Value;
                }

                // A preference PowerShell cannot read as one is left to WriteVerbose to judge.
                return !LanguagePrimitives.TryConvertTo(GetVariableValue("VerbosePreference"), out ActionPreference preference)
                    || (preference != ActionPreference.SilentlyContinue && preference != ActionPreference.Ignore);
            }
        }

        private bool? ReadVerboseSwitch()
        {
            if (MyInvocation.BoundParameters.TryGetValue("Verbose", out object verbose))
            {
                return LanguagePrimitives.IsTrue(verbose);
            }

            if (MyInvocation.BoundParameters.TryGetValue("Debug", out object debug) && LanguagePrimitives.IsTrue(debug))
            {
                return true;
            }

            return null;
        }

        /// <summary>Turns a cancelled wait into the pipeline's own stop.</summary>
        internal void ThrowIfStopping()
        {
            if (_stopping.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        // Resolving a path takes the provider machinery, GetFullPath, a directory test and symbolic
        // links; the same spelling in the same surroundings finds its open store without all of it.
        private MnesisStore ResolveSinglePathStore(MnesisPool pool, string input, bool literal, bool mayCreate, out bool opened)
        {
            opened = false;
            bool remembered = StoreSpelling.TryCapture(SessionState, input, literal, out StoreSpelling spelling);
            if (remembered && pool.TryGetBySpelling(spelling, out MnesisStore known))
            {
                WriteVerboseMessage(Messages.VerboseReused, known.Target, pool.Name);
                return known;
            }

            SqliteTarget target = ResolveSinglePath(input, literal, mayCreate);
            MnesisStore store = AcquireStore(pool, target, mayCreate ? StoreOptions.Default : StoreOptions.ForReading, out bool reused);
            opened = !reused;
            if (remembered)
            {
                pool.RememberSpelling(spelling, store);
            }

            return store;
        }

        private SqliteTarget ResolveSinglePath(string input, bool literal, bool mayCreate)
        {
            List<SqliteTarget> targets = ResolvePaths(input, literal);
            if (targets.Count != 1)
            {
                throw new MnesisException(Messages.PathMatchesSeveral, input, input, targets.Count);
            }

            SqliteTarget target = targets[0];
            if (!mayCreate && !target.IsInMemory && !TargetPool.TryGet(target, out _) && !System.IO.File.Exists(target.FullPath))
            {
                throw new MnesisException(Messages.PathNotFound, input, input);
            }

            return target;
        }
    }
}
