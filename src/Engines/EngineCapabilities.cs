using System;

namespace Mnesis.PowerShell.Engines
{
    /// <summary>What an engine declares about itself, so that the layers above never tell engines apart by name or shape.</summary>
    [Flags]
    internal enum EngineCapabilities
    {
        None = 0,

        /// <summary>
        /// One writer at a time per database (SQLite): the writes of the process queue at one gate
        /// per database instead of colliding inside the engine, and queued per-call writes may be
        /// committed together.
        /// </summary>
        ProcessWriteGate = 1,

        /// <summary>The database has a journal mode, and stores report whether it is WAL.</summary>
        JournalModes = 2,

        /// <summary>
        /// Writers race inside the server: a write whose input is all in hand is run again after a
        /// lost race (<see cref="StoreEngine.IsWriteConflict"/>).
        /// </summary>
        ConflictRetry = 4,

        /// <summary>
        /// A failed statement spoils the transaction it runs in (PostgreSQL): a read inside a write
        /// runs in a savepoint of its own, so that its failure leaves the write intact.
        /// </summary>
        FailedStatementAbortsTransaction = 8,
    }
}
