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

        /// <summary>Runs the text for one row of a bulk write, now or later; returns the rows changed by what ran now.</summary>
        internal virtual int Queue(DbTransaction transaction) => ExecuteNonQuery(transaction);

        /// <summary>Runs the queued rows; returns the rows they changed.</summary>
        internal virtual int Flush(DbTransaction transaction) => 0;

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
