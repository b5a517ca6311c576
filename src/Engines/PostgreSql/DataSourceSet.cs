using System;
using System.Collections.Generic;
using Npgsql;

namespace Mnesis.PowerShell.Engines.PostgreSql
{
    /// <summary>
    /// The Npgsql data sources (Npgsql's pools) of one database, process-wide: one per connection
    /// string, so stores opened with other settings (a search path, TLS, another password) get
    /// connections made with their own. A target with several hosts, or with target session
    /// attributes, gets a multi-host data source, from which writes take a server that accepts
    /// writes and read-only stores one of the kind the attributes ask for.
    /// </summary>
    internal sealed class DataSourceSet : IDisposable
    {
        private readonly Dictionary<string, NpgsqlDataSource> _roots = new Dictionary<string, NpgsqlDataSource>(StringComparer.Ordinal);
        private readonly Dictionary<string, NpgsqlDataSource> _sessions = new Dictionary<string, NpgsqlDataSource>(StringComparer.Ordinal);

        /// <summary>The set kept in <paramref name="shared"/>, made on first use.</summary>
        internal static DataSourceSet Of(EngineTargetState shared)
        {
            lock (shared)
            {
                if (!(shared.Value is DataSourceSet set))
                {
                    set = new DataSourceSet();
                    shared.Value = set;
                }

                return set;
            }
        }

        /// <summary>Where a store of <paramref name="target"/> takes its connection.</summary>
        internal NpgsqlDataSource For(PostgreSqlTarget target, bool readOnly)
        {
            lock (_roots)
            {
                NpgsqlDataSource root = RootOf(target);
                if (!(root is NpgsqlMultiHostDataSource multiHost))
                {
                    return root;
                }

                TargetSessionAttributes session = readOnly ? target.SessionAttributes ?? TargetSessionAttributes.Any : TargetSessionAttributes.ReadWrite;
                string key = target.ConnectionString + "\n" + session;
                if (!_sessions.TryGetValue(key, out NpgsqlDataSource source))
                {
                    source = multiHost.WithTargetSession(session);
                    _sessions.Add(key, source);
                }

                return source;
            }
        }

        /// <summary>
        /// Forgets every idle connection of <paramref name="target"/>'s pool (after a restart they are
        /// all dead, and found so only when used) and what it knew of each host (which one was the
        /// primary), so that the next open asks the servers again.
        /// </summary>
        internal void ForgetConnections(PostgreSqlTarget target)
        {
            lock (_roots)
            {
                if (_roots.TryGetValue(target.ConnectionString, out NpgsqlDataSource root))
                {
                    root.Clear();
                    (root as NpgsqlMultiHostDataSource)?.ClearDatabaseStates();
                }
            }
        }

        public void Dispose()
        {
            lock (_roots)
            {
                foreach (NpgsqlDataSource source in _roots.Values)
                {
                    source.Dispose();
                }

                _roots.Clear();
                _sessions.Clear();
            }
        }

        private NpgsqlDataSource RootOf(PostgreSqlTarget target)
        {
            if (_roots.TryGetValue(target.ConnectionString, out NpgsqlDataSource root))
            {
                return root;
            }

            var builder = new NpgsqlDataSourceBuilder(target.ConnectionString);
            NpgsqlConnectionStringBuilder settings = builder.ConnectionStringBuilder;
            if (!settings.ShouldSerialize("Application Name"))
            {
                settings.ApplicationName = "Mnesis";
            }

            // Repeated per-call writes then skip the server's parse and plan.
            if (!settings.ShouldSerialize("Max Auto Prepare"))
            {
                settings.MaxAutoPrepare = 64;
            }

            if (target.IsMultiHost)
            {
                // Npgsql refuses the attributes in a data source's string; each kind of session asks for its own instead.
                settings.TargetSessionAttributes = null;
                root = builder.BuildMultiHost();
            }
            else
            {
                root = builder.Build();
            }

            _roots.Add(target.ConnectionString, root);
            return root;
        }
    }
}
