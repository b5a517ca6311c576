using Microsoft.Data.Sqlite;
using Mnesis.PowerShell.Diagnostics;

namespace Mnesis.PowerShell.Pool
{
    /// <summary>Turns SQLite's exceptions into the module's errors, keeping SQLite's message.</summary>
    internal static class SqliteFailure
    {
        private const int Busy = 5;
        private const int Locked = 6;

        internal static MnesisException ToMnesis(SqliteException ex, MnesisStore store)
        {
            int primary = ex.SqliteErrorCode & 0xFF;
            if (primary == Busy || primary == Locked)
            {
                return new MnesisException(Messages.DatabaseBusy, store, ex, store.Path, store.BusyTimeout);
            }

            return new MnesisException(Messages.SqlFailed, store, ex, store.Path, ex.Message);
        }
    }
}
