using System;
using System.Collections.Generic;
using Mnesis.PowerShell.Engines;
using Mnesis.PowerShell.Gates;

namespace Mnesis.PowerShell.Pool
{
    /// <summary>
    /// The one registry of process-wide state per database: its write gate, how many Mnesis
    /// connections of the process use it (counted from before the engine opens it), and what the
    /// engine keeps once per process. A database that a failed first write created may only be
    /// removed while no other connection here uses it, and no open may start while it is removed.
    /// </summary>
    internal static class SharedTargets
    {
        private static readonly Dictionary<string, SharedTargetState> s_states = new Dictionary<string, SharedTargetState>(StringComparer.Ordinal);

        /// <summary>Counts a new user of <paramref name="target"/> and returns its state.</summary>
        internal static SharedTargetState Join(StoreTarget target)
        {
            lock (s_states)
            {
                if (!s_states.TryGetValue(target.Key, out SharedTargetState state))
                {
                    state = new SharedTargetState(new WriteGate(exclusive: target.Engine.Has(EngineCapabilities.ProcessWriteGate)));
                    s_states.Add(target.Key, state);
                }

                state.Users++;
                return state;
            }
        }

        /// <summary>Counts a user less; the last one lets the engine release what it kept for the target.</summary>
        internal static void Leave(StoreTarget target)
        {
            SharedTargetState released = null;
            lock (s_states)
            {
                if (s_states.TryGetValue(target.Key, out SharedTargetState state) && --state.Users <= 0)
                {
                    s_states.Remove(target.Key);
                    released = state;
                }
            }

            if (released != null)
            {
                target.Engine.ReleaseShared(target, released.EngineState);
            }
        }

        /// <summary>Runs <paramref name="action"/> if the caller is the target's only user; opens wait meanwhile.</summary>
        internal static bool WhenSoleUser(StoreTarget target, Action action)
        {
            lock (s_states)
            {
                if (!s_states.TryGetValue(target.Key, out SharedTargetState state) || state.Users != 1)
                {
                    return false;
                }

                action();
                return true;
            }
        }
    }
}
