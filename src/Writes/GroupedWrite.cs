using System;
using Mnesis.PowerShell.Gates;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Writes
{
    /// <summary>
    /// A per-call write as another writer can run it on its own connection: the SQL text and its
    /// bound values, and afterwards its outcome (rows changed, or the engine's exception).
    /// </summary>
    internal sealed class GroupedWrite : GateWork
    {
        internal GroupedWrite(MnesisStore store, string sql, object[] values)
        {
            Store = store;
            Sql = sql;
            Values = values;
        }

        /// <summary>The store of the caller: its statistics count the write.</summary>
        internal MnesisStore Store { get; }

        internal string Sql { get; }

        internal object[] Values { get; }

        internal int RowsChanged { get; private set; }

        /// <summary>Why the write did not commit; null when it did.</summary>
        internal Exception Error { get; private set; }

        /// <summary>How many writes the transaction that held this one committed.</summary>
        internal int CommittedWith { get; private set; }

        /// <summary>Reports the outcome and wakes the caller.</summary>
        internal void Finish(int rowsChanged, Exception error, int committedWith)
        {
            RowsChanged = rowsChanged;
            Error = error;
            CommittedWith = committedWith;
            WakeWaiter();
        }
    }
}
