using System;
using System.Data.Common;

namespace Mnesis.PowerShell.Engines
{
    /// <summary>A connection an engine opened, with what the open found out.</summary>
    internal sealed class OpenedConnection
    {
        internal OpenedConnection(DbConnection connection, bool? walMode, Action removeCreated, bool readOnly = false, bool walPending = false)
        {
            Connection = connection;
            WalMode = walMode;
            RemoveCreated = removeCreated;
            ReadOnly = readOnly;
            WalPending = walPending;
        }

        /// <summary>True when the connection cannot write (asked for, or the database is unwritable).</summary>
        internal bool ReadOnly { get; }

        /// <summary>True when the switch to WAL waits for the store's first write (the open was for a read).</summary>
        internal bool WalPending { get; }

        internal DbConnection Connection { get; }

        /// <summary>True or false for engines with a journal mode (SQLite); null for the others.</summary>
        internal bool? WalMode { get; }

        /// <summary>Removes what this open created (a new database file), for a write that fails before committing; null when nothing was created.</summary>
        internal Action RemoveCreated { get; }
    }
}
