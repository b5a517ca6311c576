using System;
using System.Data.Common;

namespace Mnesis.PowerShell.Engines
{
    /// <summary>A connection an engine opened, with what the open found out.</summary>
    internal sealed class OpenedConnection
    {
        internal OpenedConnection(DbConnection connection, bool? walMode, Action removeCreated)
        {
            Connection = connection;
            WalMode = walMode;
            RemoveCreated = removeCreated;
        }

        internal DbConnection Connection { get; }

        /// <summary>True or false for engines with a journal mode (SQLite); null for the others.</summary>
        internal bool? WalMode { get; }

        /// <summary>Removes what this open created (a new database file), for a write that fails before committing; null when nothing was created.</summary>
        internal Action RemoveCreated { get; }
    }
}
