using System;
using System.Data.Common;

namespace Mnesis.PowerShell.Engines
{
    /// <summary>
    /// A connection an engine opened for a store, with what the open found out. An engine that
    /// keeps state about the connection (SQLite's journal mode) derives from it.
    /// </summary>
    internal class EngineConnection
    {
        internal EngineConnection(DbConnection connection, bool readOnly, Action removeCreated)
        {
            Connection = connection;
            ReadOnly = readOnly;
            RemoveCreated = removeCreated;
        }

        internal DbConnection Connection { get; }

        /// <summary>True when the connection cannot write (asked for, or the database is unwritable).</summary>
        internal bool ReadOnly { get; }

        /// <summary>Removes what this open created (a new database file), for a write that fails before committing; null when nothing was created.</summary>
        internal Action RemoveCreated { get; }

        /// <summary>True or false for an engine with journal modes (see <see cref="EngineCapabilities.JournalModes"/>); null for the others.</summary>
        internal virtual bool? WalMode => null;

        /// <summary>
        /// Called inside the gate, with the connection held, before a write: for what the engine
        /// leaves until a store first writes (SQLite: the switch to WAL of a store a read opened).
        /// </summary>
        internal virtual void PrepareWrite()
        {
        }

        /// <summary>Called after a statement that runs outside a transaction, to learn what it changed.</summary>
        internal virtual void AfterMaintenance()
        {
        }

        /// <summary>True when the connection can be replaced after it was lost (see <see cref="Reopen"/>).</summary>
        internal virtual bool CanReopen => false;

        /// <summary>How long a call keeps trying to replace a lost connection before it gives up: the engine's connection timeout.</summary>
        internal virtual TimeSpan ReopenWindow => TimeSpan.Zero;

        /// <summary>True when the engine found the connection broken (a local check: nothing is sent).</summary>
        internal virtual bool IsBroken => false;

        /// <summary>
        /// True when the connection sat unused long enough that it may have died unseen: a
        /// single-statement write then runs in a transaction of its own, so that a dead connection
        /// fails it before anything could commit, rather than leaving its outcome unknown.
        /// </summary>
        internal virtual bool MayHaveDiedIdle => false;

        /// <summary>Called as each call of the store starts (cheap: no round trip).</summary>
        internal virtual void CallStarting()
        {
        }

        /// <summary>
        /// Drops the lost connection and whatever else of the database's pool is dead with it, so
        /// that the next open cannot be handed one of them. Never throws.
        /// </summary>
        internal virtual void Drop()
        {
        }

        /// <summary>
        /// Asks the server whether the connection still works: a round trip, for where one is worth it
        /// (a connection handed to the caller), never for each call.
        /// </summary>
        internal virtual bool Answers() => true;

        /// <summary>Opens the same connection object anew with the store's settings; throws the engine's error when it cannot.</summary>
        internal virtual void Reopen() => throw new NotSupportedException();

        /// <summary>Called after a write that changed a setting of the connection (PRAGMA busy_timeout = ...), to learn the new one.</summary>
        internal virtual void AfterSettingChange()
        {
        }

        /// <summary>The busy timeout in force when a statement changed it since the open; null while it is the one the store was opened with.</summary>
        internal virtual int? BusyTimeoutSeconds => null;
    }
}
