using System;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Engines;

namespace Mnesis.PowerShell.Writes
{
    /// <summary>
    /// Writes that lost a race with another writer inside the engine (PostgreSQL's serialization
    /// failures and deadlocks): how to tell them, and how often and how long apart a write whose
    /// input is all in hand is run again.
    /// </summary>
    internal static class WriteConflicts
    {
        internal const int Attempts = 4;

        private const int BackoffMilliseconds = 25;

        /// <summary>The pause before running a write again after its <paramref name="attempt"/>-th try lost; it grows with each.</summary>
        internal static int PauseAfter(int attempt) => BackoffMilliseconds << attempt;

        /// <summary>True when <paramref name="error"/> is a lost race; one at the commit arrives already translated, with the engine's exception inside.</summary>
        internal static bool Is(StoreEngine engine, Exception error) =>
            engine.IsWriteConflict(error is MnesisException && error.InnerException != null ? error.InnerException : error);

        /// <summary>The lost race somewhere inside <paramref name="error"/> (a script block wraps it), or null.</summary>
        internal static Exception FindIn(StoreEngine engine, Exception error)
        {
            for (Exception e = error; e != null; e = e.InnerException)
            {
                if (engine.IsWriteConflict(e))
                {
                    return e;
                }
            }

            return null;
        }
    }
}
