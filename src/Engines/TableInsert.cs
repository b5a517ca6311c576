using System;
using System.Data.Common;

namespace Mnesis.PowerShell.Engines
{
    /// <summary>
    /// Rows going into one table inside a write transaction (Invoke-MnesisWrite -Table): one value
    /// per chosen column, in order. Rows may be held and sent in bulk; <see cref="Finish"/> sends
    /// them before the transaction commits, <see cref="Dispose"/> without it abandons them.
    /// </summary>
    internal abstract class TableInsert : IDisposable
    {
        /// <summary>Writes (or holds) one row; a value that cannot go into its column is an error naming the row and column.</summary>
        /// <param name="rowNumber">The row's place in the input, for errors.</param>
        internal abstract void WriteRow(DbTransaction transaction, object[] values, int rowNumber);

        /// <summary>Sends whatever is held; returns the rows inserted since the last Finish.</summary>
        internal abstract int Finish(DbTransaction transaction);

        /// <summary>Abandons what was not finished (the write is being rolled back).</summary>
        public abstract void Dispose();
    }
}
