using System;
using System.Data.Common;

namespace Mnesis.PowerShell.Engines
{
    /// <summary>
    /// One SQL text made ready for an engine, its parameters created once (one per name of the
    /// parsed text, in order); each execution only sets values. Rows of a bulk write are queued
    /// so that an engine with round trips can send many at once.
    /// </summary>
    internal abstract class EngineCommand : IDisposable
    {
        /// <summary>Sets the value of the parameter at <paramref name="index"/> of the parsed text's names.</summary>
        internal abstract void SetValue(int index, object value);

        /// <summary>Runs the text with the values set now; returns the rows it changed.</summary>
        internal abstract int ExecuteNonQuery(DbTransaction transaction);

        /// <summary>
        /// Runs every statement of the text with the values set now, as a write: the rows of each
        /// statement that returns rows go to <paramref name="readRows"/> (null: they are dropped),
        /// positioned on that statement's result. Returns the rows changed. Every statement runs
        /// and a failure of any of them throws, whatever the statements before it returned.
        /// </summary>
        internal virtual int ExecuteWrite(DbTransaction transaction, Action<DbDataReader> readRows)
        {
            using (DbDataReader reader = ExecuteReader(transaction))
            {
                ReadEveryResult(reader, readRows);
                return Math.Max(0, reader.RecordsAffected);
            }
        }

        /// <summary>Runs the text for one row of a bulk write, now or later; returns the rows changed by what ran now.</summary>
        /// <param name="readRows">Given the rows that statements return, as in <see cref="ExecuteWrite"/>.</param>
        internal virtual int Queue(DbTransaction transaction, Action<DbDataReader> readRows) => ExecuteWrite(transaction, readRows);

        /// <summary>Runs the queued rows; returns the rows they changed.</summary>
        internal virtual int Flush(DbTransaction transaction, Action<DbDataReader> readRows) => 0;

        /// <summary>
        /// False only when the engine knows that no statement of the text returns rows; a write that
        /// may return rows is run on its own, never grouped with other callers' writes.
        /// </summary>
        internal virtual bool MayReturnRows => true;

        /// <summary>Limits the statements' time in the engine's client (0: the connection's default); see the session's timer.</summary>
        internal virtual void LimitTime(int seconds)
        {
        }

        /// <summary>
        /// Steps through every result of <paramref name="reader"/>: a provider runs a later statement
        /// only when its reader moves to it, and one whose reader is disposed early may drop its error
        /// (Microsoft.Data.Sqlite does), so the write would commit without it.
        /// </summary>
        protected static void ReadEveryResult(DbDataReader reader, Action<DbDataReader> readRows)
        {
            do
            {
                if (reader.FieldCount > 0)
                {
                    readRows?.Invoke(reader);
                    while (reader.Read())
                    {
                    }
                }
            }
            while (reader.NextResult());
        }

        /// <summary>Forgets queued rows that will never run (the write was rolled back).</summary>
        internal virtual void DiscardQueued()
        {
        }

        /// <summary>
        /// True when running the text would change the database or the connection's transaction state;
        /// a read refuses it before running anything. Engines that enforce reads another way (a READ ONLY
        /// transaction) say true only for what that way misses.
        /// </summary>
        internal virtual bool MayWrite => false;

        internal abstract DbDataReader ExecuteReader(DbTransaction transaction);

        internal abstract object ExecuteScalar(DbTransaction transaction);

        /// <summary>
        /// Called when the caller stops reading rows before the end (Select-Object -First): an engine
        /// whose reader would fetch every remaining row when disposed stops the statement instead.
        /// </summary>
        internal virtual void AbandonReader()
        {
        }

        /// <summary>Interrupts a running statement (Ctrl+C).</summary>
        internal abstract void Cancel();

        public abstract void Dispose();
    }
}
