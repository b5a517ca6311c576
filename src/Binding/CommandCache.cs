using System;
using System.Collections.Generic;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Binding
{
    /// <summary>
    /// Prepared commands of one store's connection, by SQL text, so repeated single-row calls skip
    /// parsing and preparing. A command is rented out to one caller at a time: a nested call with
    /// the same SQL (a query inside another query's pipeline) gets a fresh one.
    /// </summary>
    internal sealed class CommandCache : IDisposable
    {
        private const int Capacity = 32;

        private readonly MnesisStore _store;
        private readonly Dictionary<string, BoundCommand> _idle = new Dictionary<string, BoundCommand>(StringComparer.Ordinal);
        private bool _disposed;

        internal CommandCache(MnesisStore store)
        {
            _store = store;
        }

        internal BoundCommand Rent(string sql)
        {
            lock (_idle)
            {
                if (_idle.TryGetValue(sql, out BoundCommand cached))
                {
                    _idle.Remove(sql);
                    return cached;
                }
            }

            return new BoundCommand(_store.EngineImpl, _store.Connection, sql);
        }

        /// <summary>Takes a command back after a use that completed; anything else is disposed.</summary>
        internal void Return(BoundCommand command)
        {
            lock (_idle)
            {
                if (!_disposed && _idle.Count < Capacity && !_idle.ContainsKey(command.Sql))
                {
                    _idle.Add(command.Sql, command);
                    return;
                }
            }

            command.Dispose();
        }

        public void Dispose()
        {
            lock (_idle)
            {
                _disposed = true;
                foreach (BoundCommand command in _idle.Values)
                {
                    command.Dispose();
                }

                _idle.Clear();
            }
        }
    }
}
