using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Globalization;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Engines;

namespace Mnesis.PowerShell.Binding
{
    /// <summary>
    /// A command whose parameters come from the names in its SQL; each execution only sets values.
    /// Values come from a row (an object or dictionary) and, for names the row lacks, from a
    /// dictionary of defaults.
    /// </summary>
    internal sealed class BoundCommand : IDisposable
    {
        private readonly StoreEngine _engine;
        private readonly EngineCommand _command;
        private readonly IReadOnlyList<string> _tokens;

        internal BoundCommand(StoreEngine engine, DbConnection connection, string sql)
        {
            ParsedSql parsed = SqlParameterScanner.Scan(sql, engine.Dialect);
            if (parsed.FirstPositional != null)
            {
                throw new MnesisException(Messages.PositionalParameter, "Query", parsed.FirstPositional);
            }

            Sql = sql;
            _engine = engine;
            _tokens = parsed.Names;
            _command = engine.CreateCommand(connection, parsed);
        }

        internal string Sql { get; }

        /// <summary>Sets every parameter from <paramref name="row"/>, then <paramref name="defaults"/>.</summary>
        /// <param name="rowNumber">The row's place in the input, for errors; 0 when the values come from -Parameters alone.</param>
        internal void Bind(object row, object defaults, int rowNumber)
        {
            for (int i = 0; i < _tokens.Count; i++)
            {
                string token = _tokens[i];
                if (!(row != null && ValueLookup.TryGet(row, token, out object value))
                    && !(defaults != null && ValueLookup.TryGet(defaults, token, out value)))
                {
                    string source = rowNumber > 0
                        ? string.Format(CultureInfo.CurrentCulture, Messages.InputObjectDescription, rowNumber)
                        : Messages.ParametersDescription;
                    throw new MnesisException(Messages.ParameterMissing, token, token, source, SqlParameterScanner.BareName(token));
                }

                _command.SetValue(i, _engine.ToParameterValue(ValueConverter.Unwrap(value), token));
            }
        }

        internal int Execute(DbTransaction transaction) => _command.ExecuteNonQuery(transaction);

        internal int Queue(DbTransaction transaction) => _command.Queue(transaction);

        internal int Flush(DbTransaction transaction) => _command.Flush(transaction);

        internal void DiscardQueued() => _command.DiscardQueued();

        internal DbDataReader ExecuteReader(DbTransaction transaction) => _command.ExecuteReader(transaction);

        internal object ExecuteScalar(DbTransaction transaction) => _command.ExecuteScalar(transaction);

        /// <summary>Interrupts a running statement (Ctrl+C).</summary>
        internal void Cancel() => _command.Cancel();

        public void Dispose() => _command.Dispose();
    }
}
