using System;
using System.Collections.Generic;
using System.Data.Common;
using Mnesis.PowerShell.Engines;

namespace Mnesis.PowerShell.Binding
{
    /// <summary>
    /// Prepared commands of one connection, by SQL text, so repeated single-row calls skip
    /// parsing and preparing. A command is rented out to one caller at a time: a nested call with
    /// the same SQL (a query inside another query's pipeline) gets a fresh one.
    /// </summary>
    internal sealed class CommandCache : IDisposable
    {
        private const int Capacity = 32;

        private readonly StoreEngine _engine;
        private readonly DbConnection _connection;
        private readonly Dictionary<string, BoundCommand> _idle = new Dictionary<string, BoundCommand>(StringComparer.Ordinal);

        // Mnesis's own statements (savepoints): few, run on every nested or grouped write, and kept
        // apart so that they never take the places of the user's statements.
        private readonly Dictionary<string, BoundCommand> _own = new Dictionary<string, BoundCommand>(StringComparer.Ordinal);
        private bool _disposed;

        internal CommandCache(StoreEngine engine, DbConnection connection)
        {
            _engine = engine;
            _connection = connection;
        }

        internal BoundCommand Rent(string sql) => RentFrom(_idle, sql);

        /// <summary>Rents one of Mnesis's own statements; give it back with <see cref="ReturnOwn"/>.</summary>
        internal BoundCommand RentOwn(string sql) => RentFrom(_own, sql);

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

        /// <summary>Takes back one of Mnesis's own statements; they are kept whatever their number.</summary>
        internal void ReturnOwn(BoundCommand command)
        {
            lock (_idle)
            {
                if (!_disposed && !_own.ContainsKey(command.Sql))
                {
                    _own.Add(command.Sql, command);
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

                foreach (BoundCommand command in _own.Values)
                {
                    command.Dispose();
                }

                _idle.Clear();
                _own.Clear();
            }
        }

        private BoundCommand RentFrom(Dictionary<string, BoundCommand> commands, string sql)
        {
            lock (_idle)
            {
                if (commands.TryGetValue(sql, out BoundCommand cached))
                {
                    commands.Remove(sql);
                    return cached;
                }
            }

            return new BoundCommand(_engine, _connection, sql);
        }
    }
}
