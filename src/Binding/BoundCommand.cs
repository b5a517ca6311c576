using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Mnesis.PowerShell.Diagnostics;

namespace Mnesis.PowerShell.Binding
{
    /// <summary>
    /// A command whose parameters are created once from the names in its SQL; each execution
    /// only sets values. Values come from a row (an object or dictionary) and, for names the
    /// row lacks, from a dictionary of defaults.
    /// </summary>
    internal sealed class BoundCommand : IDisposable
    {
        private readonly SqliteCommand _command;
        private readonly SqliteParameter[] _parameters;

        internal BoundCommand(SqliteConnection connection, string sql)
        {
            IReadOnlyList<string> tokens = SqlParameterScanner.Scan(sql, out string positional);
            if (positional != null)
            {
                throw new MnesisException(Messages.PositionalParameter, "Query", positional);
            }

            Sql = sql;
            _command = connection.CreateCommand();
            _command.CommandText = sql;
            _parameters = new SqliteParameter[tokens.Count];
            for (int i = 0; i < tokens.Count; i++)
            {
                _parameters[i] = _command.Parameters.AddWithValue(tokens[i], DBNull.Value);
            }
        }

        internal string Sql { get; }

        /// <summary>Sets every parameter from <paramref name="row"/>, then <paramref name="defaults"/>.</summary>
        /// <param name="rowNumber">The row's place in the input, for errors; 0 when the values come from -Parameters alone.</param>
        internal void Bind(object row, object defaults, int rowNumber)
        {
            foreach (SqliteParameter parameter in _parameters)
            {
                string token = parameter.ParameterName;
                if (!(row != null && ValueLookup.TryGet(row, token, out object value))
                    && !(defaults != null && ValueLookup.TryGet(defaults, token, out value)))
                {
                    string source = rowNumber > 0
                        ? string.Format(CultureInfo.CurrentCulture, Messages.InputObjectDescription, rowNumber)
                        : Messages.ParametersDescription;
                    throw new MnesisException(Messages.ParameterMissing, token, token, source, SqlParameterScanner.BareName(token));
                }

                parameter.Value = ValueConverter.ToSqlite(value, token);
            }
        }

        internal int Execute(SqliteTransaction transaction) => ForTransaction(transaction).ExecuteNonQuery();

        /// <summary>The command, bound and enlisted in <paramref name="transaction"/> (or none), for reading.</summary>
        internal SqliteCommand ForTransaction(SqliteTransaction transaction)
        {
            _command.Transaction = transaction;
            return _command;
        }

        /// <summary>Interrupts a running statement (Ctrl+C); SQLite answers SQLITE_INTERRUPT.</summary>
        internal void Cancel() => _command.Cancel();

        public void Dispose() => _command.Dispose();
    }
}
