using System;
using System.Collections.Generic;
using System.Management.Automation;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Engines;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Naming
{
    /// <summary>
    /// Turns what a cmdlet call named into databases and stores: the registry picks the engine, the
    /// engine resolves the name, the pool opens or finds the store. Engine-neutral: it never looks
    /// inside a target.
    /// </summary>
    internal sealed class StoreResolver
    {
        private readonly MnesisPool _pool;
        private readonly NameContext _context;
        private readonly ICallOutput _output;

        internal StoreResolver(SessionState session, MnesisPool pool, ICallOutput output)
        {
            _pool = pool;
            _context = new NameContext(session, pool.Id);
            _output = output;
        }

        /// <summary>The databases one name names; an item that cannot be resolved goes to <paramref name="onItemError"/> when given.</summary>
        internal IReadOnlyList<StoreTarget> Resolve(StoreName name, Action<MnesisException> onItemError = null) =>
            EngineFor(name).Resolve(name, _context, onItemError);

        /// <summary>The names a cmdlet's -Path or -LiteralPath values, or else its -ConnectionString values (with -Credential), give.</summary>
        internal static IEnumerable<StoreName> NamesOf(string[] paths, bool literal, string[] connectionStrings, PSCredential credential)
        {
            if (connectionStrings != null)
            {
                foreach (string connectionString in connectionStrings)
                {
                    yield return new StoreName(NameKind.ConnectionString, connectionString, credential);
                }

                yield break;
            }

            // -Path $null is a path given (and refused as empty), never "no path".
            foreach (string path in paths ?? new string[] { null })
            {
                yield return new StoreName(literal ? NameKind.LiteralPath : NameKind.Path, path);
            }
        }

        /// <summary>
        /// Every database each name names; one that cannot be resolved is reported as a non-terminating
        /// error and skipped, so the others still run.
        /// </summary>
        internal IEnumerable<StoreTarget> ResolveEach(IEnumerable<StoreName> names)
        {
            foreach (StoreName name in names)
            {
                IReadOnlyList<StoreTarget> targets;
                try
                {
                    targets = Resolve(name, _output.Error);
                }
                catch (MnesisException ex)
                {
                    _output.Error(ex);
                    continue;
                }

                foreach (StoreTarget target in targets)
                {
                    yield return target;
                }
            }
        }

        /// <summary>
        /// The one store a read or write goes to: the chosen store, else the database the name names
        /// (opened with the default options if the pool does not hold it yet), else the pool's only store.
        /// </summary>
        /// <param name="mayCreate">
        /// False for reads: a database that does not exist is an error, not a new database, and a store
        /// the read opens leaves the database as it is (see OpenOptions.ForReading).
        /// </param>
        /// <param name="opened">True when this call opened the store (it was not open in the pool).</param>
        /// <param name="createFolders">-Force: a new database's missing folders are created.</param>
        internal MnesisStore ResolveSingleStore(StoreChoice choice, bool mayCreate, out bool opened, bool createFolders = false)
        {
            opened = false;
            if (choice.Store != null)
            {
                choice.Store.ThrowIfClosed();
                return choice.Store;
            }

            if (choice.Name == null)
            {
                return OnlyStore(mayCreate ? Messages.TargetToWrite : Messages.TargetToRead);
            }

            StoreName name = choice.Name.Value;
            object spelling = EngineFor(name).CaptureSpelling(name, _context);
            if (spelling != null && _pool.TryGetBySpelling(spelling, out MnesisStore known))
            {
                _output.Verbose(Messages.VerboseReused, known.Target, _pool.Name);
                return known;
            }

            StoreTarget target = ResolveSingle(name, mayCreate);
            MnesisStore store = Acquire(target, !mayCreate ? OpenOptions.ForReading : createFolders ? OpenOptions.CreatingFolders : OpenOptions.Default, out bool reused);
            opened = !reused;
            if (reused && target.HasOtherOptionsThan(store.StoreTarget))
            {
                _output.Warning(Messages.ServerOptionsIgnored, store.Target);
            }

            if (spelling != null)
            {
                _pool.RememberSpelling(spelling, store);
            }

            return store;
        }

        /// <summary>How -WhatIf and -Confirm name the store a call writes to, found without opening anything.</summary>
        internal string Describe(StoreChoice choice)
        {
            if (choice.Store != null)
            {
                return choice.Store.Target;
            }

            return choice.Name == null ? OnlyStore(Messages.TargetToWrite).Target : ResolveSingle(choice.Name.Value, mayCreate: true).Display;
        }

        /// <summary>The pool's store for <paramref name="target"/>, opened if needed, with the pool event in -Verbose.</summary>
        internal MnesisStore Acquire(StoreTarget target, OpenOptions options, out bool reused)
        {
            MnesisStore store = _pool.Acquire(target, options, out reused);
            if (reused)
            {
                _output.Verbose(Messages.VerboseReused, store.Target, _pool.Name);
                return store;
            }

            if (store.StoreEngine.Has(EngineCapabilities.JournalModes))
            {
                _output.Verbose(Messages.VerboseOpened, store.Target, store.WalMode, store.BusyTimeout, _pool.Name);
            }
            else
            {
                _output.Verbose(Messages.VerboseOpenedServer, store.Engine, store.Target, store.BusyTimeout, _pool.Name);
            }

            string warning = store.StoreEngine.OpenWarning;
            if (warning != null)
            {
                _output.Warning("{0}", warning);
            }

            return store;
        }

        // An empty connection string is refused before any engine is loaded for it.
        private static StoreEngine EngineFor(StoreName name)
        {
            if (name.Kind == NameKind.ConnectionString && string.IsNullOrWhiteSpace(name.Text))
            {
                throw new MnesisException(Messages.ConnectionStringEmpty, name.ParameterName);
            }

            return EngineRegistry.For(name);
        }

        // A call that names no store takes the pool's only one; the error says what the call does with it.
        private MnesisStore OnlyStore(string purpose)
        {
            MnesisStore[] stores = _pool.Stores;
            if (stores.Length != 1)
            {
                throw new MnesisException(Messages.TargetAmbiguous, _pool, stores.Length, purpose);
            }

            return stores[0];
        }

        private StoreTarget ResolveSingle(StoreName name, bool mayCreate)
        {
            IReadOnlyList<StoreTarget> targets = Resolve(name);
            if (targets.Count != 1)
            {
                throw new MnesisException(Messages.PathMatchesSeveral, name.Text, name.Text, targets.Count);
            }

            StoreTarget target = targets[0];
            if (!mayCreate && !_pool.TryGet(target, out _))
            {
                target.ThrowIfMissing(name.Text);
            }

            return target;
        }
    }
}
