using System;
using System.Collections.Generic;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Mnesis.PowerShell.Pool
{
    /// <summary>
    /// The pools that belong to each runspace: its default pool and those made by New-MnesisPool.
    /// When the runspace closes (a parallel iteration, a thread job, a RunspacePool being
    /// disposed) its pools are closed, so no connection outlives the runspace that used it.
    /// </summary>
    internal static class RunspacePools
    {
        private static readonly ConditionalWeakTable<Runspace, Owned> s_table = new ConditionalWeakTable<Runspace, Owned>();

        // Hosts that invoke cmdlets without a runspace on the thread still get one pool.
        private static readonly Owned s_detached = new Owned();

        // A thread runs one runspace's pipelines for long stretches: the last answer is remembered
        // there, which spares per-call writes the table and its lock.
        // (By id: a reference would keep a closed runspace alive.)
        [ThreadStatic]
        private static Guid t_lastRunspace;

        [ThreadStatic]
        private static MnesisPool t_lastDefault;

        internal static MnesisPool DefaultFor(Runspace runspace)
        {
            if (runspace != null && runspace.InstanceId == t_lastRunspace)
            {
                return t_lastDefault;
            }

            MnesisPool pool = CreateDefaultFor(runspace);
            t_lastRunspace = runspace?.InstanceId ?? Guid.Empty;
            t_lastDefault = pool;
            return pool;
        }

        private static MnesisPool CreateDefaultFor(Runspace runspace)
        {
            Owned owned = For(runspace);
            lock (owned)
            {
                if (owned.Default == null)
                {
                    owned.Default = new MnesisPool(isDefault: true);
                    owned.Pools.Add(owned.Default);
                }

                return owned.Default;
            }
        }

        internal static MnesisPool CreateFor(Runspace runspace)
        {
            var pool = new MnesisPool(isDefault: false);
            Owned owned = For(runspace);
            lock (owned)
            {
                owned.Pools.Add(pool);
            }

            return pool;
        }

        internal static void CloseAllFor(Runspace runspace)
        {
            if (!s_table.TryGetValue(runspace, out Owned owned))
            {
                return;
            }

            MnesisPool[] pools;
            lock (owned)
            {
                pools = owned.Pools.ToArray();
            }

            foreach (MnesisPool pool in pools)
            {
                pool.CloseAll(CancellationToken.None);
            }
        }

        private static Owned For(Runspace runspace)
        {
            if (runspace == null)
            {
                return s_detached;
            }

            return s_table.GetValue(runspace, rs =>
            {
                rs.StateChanged += OnStateChanged;
                return new Owned();
            });
        }

        private static void OnStateChanged(object sender, RunspaceStateEventArgs e)
        {
            RunspaceState state = e.RunspaceStateInfo.State;
            if (state == RunspaceState.Closing || state == RunspaceState.Closed || state == RunspaceState.Broken)
            {
                CloseAllFor((Runspace)sender);
            }
        }

        private sealed class Owned
        {
            internal MnesisPool Default { get; set; }

            internal List<MnesisPool> Pools { get; } = new List<MnesisPool>();
        }
    }
}
