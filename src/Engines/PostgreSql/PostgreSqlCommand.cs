using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Mnesis.PowerShell.Binding;
using Npgsql;
using NpgsqlTypes;

namespace Mnesis.PowerShell.Engines.PostgreSql
{
    /// <summary>
    /// A SQL text for PostgreSQL. Named parameters (@x, :x, $x) are rewritten to PostgreSQL's own
    /// $1..$n per statement, so Npgsql sends the text as it is, and several statements go as one
    /// batch. Rows of a bulk write are queued and sent many per round trip.
    /// </summary>
    internal sealed class PostgreSqlCommand : EngineCommand
    {
        private const int RowsPerRoundTrip = 500;

        private readonly NpgsqlConnection _connection;
        private readonly Statement[] _statements;
        private readonly object[] _values;
        private NpgsqlCommand _single;
        private NpgsqlBatch _batch;
        private NpgsqlBatch _queued;
        private int _queuedRows;

        internal PostgreSqlCommand(NpgsqlConnection connection, ParsedSql sql)
        {
            _connection = connection;
            _statements = Split(sql);
            _values = new object[sql.Names.Count];
        }

        internal override void SetValue(int index, object value) => _values[index] = value;

        // Without a transaction (statements that must run outside one), a batch would still be one
        // implicit transaction on the server; each statement then goes on its own.
        internal override int ExecuteNonQuery(DbTransaction transaction)
        {
            if (transaction != null || _statements.Length == 1)
            {
                return RowsChanged(Prepared(transaction).ExecuteNonQuery());
            }

            int rows = 0;
            foreach (Statement statement in _statements)
            {
                using (var command = new NpgsqlCommand(statement.Text, _connection))
                {
                    foreach (int nameIndex in statement.Parameters)
                    {
                        command.Parameters.Add(NewParameter(_values[nameIndex]));
                    }

                    rows += RowsChanged(command.ExecuteNonQuery());
                }
            }

            return rows;
        }

        internal override int Queue(DbTransaction transaction)
        {
            if (_queued == null)
            {
                _queued = new NpgsqlBatch(_connection, (NpgsqlTransaction)transaction);
            }

            foreach (Statement statement in _statements)
            {
                var command = new NpgsqlBatchCommand(statement.Text);
                foreach (int nameIndex in statement.Parameters)
                {
                    command.Parameters.Add(NewParameter(_values[nameIndex]));
                }

                _queued.BatchCommands.Add(command);
            }

            return ++_queuedRows >= RowsPerRoundTrip ? Flush(transaction) : 0;
        }

        internal override int Flush(DbTransaction transaction)
        {
            if (_queued == null)
            {
                return 0;
            }

            try
            {
                _queued.Transaction = (NpgsqlTransaction)transaction;
                return RowsChanged(_queued.ExecuteNonQuery());
            }
            finally
            {
                DiscardQueued();
            }
        }

        internal override void DiscardQueued()
        {
            _queued?.Dispose();
            _queued = null;
            _queuedRows = 0;
        }

        internal override DbDataReader ExecuteReader(DbTransaction transaction) => Prepared(transaction).ExecuteReader();

        internal override object ExecuteScalar(DbTransaction transaction) => Prepared(transaction).ExecuteScalar();

        internal override void Cancel()
        {
            try
            {
                _queued?.Cancel();
                _single?.Cancel();
                _batch?.Cancel();
            }
            catch (NpgsqlException)
            {
                // The server could not be told; the statement ends when the connection does.
            }
        }

        public override void Dispose()
        {
            DiscardQueued();
            _single?.Dispose();
            _batch?.Dispose();
        }

        // Statements that change no rows (CREATE TABLE) report -1.
        private static int RowsChanged(int reported) => Math.Max(0, reported);

        // Strings go untyped, as psql sends them, so PostgreSQL reads '42' into an integer column
        // and '{"a":1}' into jsonb the way it reads a literal.
        private static NpgsqlParameter NewParameter(object value) =>
            value is string ? new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlDbType.Unknown } : new NpgsqlParameter { Value = value };

        // One command for one statement, one batch for several; made once, values set on each use.
        private DbCommandOrBatch Prepared(DbTransaction transaction)
        {
            var npgsqlTransaction = (NpgsqlTransaction)transaction;
            if (_statements.Length == 1)
            {
                if (_single == null)
                {
                    _single = new NpgsqlCommand(_statements[0].Text, _connection);
                    foreach (int unused in _statements[0].Parameters)
                    {
                        _single.Parameters.Add(new NpgsqlParameter());
                    }
                }

                SetParameters(_single.Parameters, _statements[0]);
                _single.Transaction = npgsqlTransaction;
                return new DbCommandOrBatch(_single);
            }

            if (_batch == null)
            {
                _batch = new NpgsqlBatch(_connection);
                foreach (Statement statement in _statements)
                {
                    var command = new NpgsqlBatchCommand(statement.Text);
                    foreach (int unused in statement.Parameters)
                    {
                        command.Parameters.Add(new NpgsqlParameter());
                    }

                    _batch.BatchCommands.Add(command);
                }
            }

            for (int s = 0; s < _statements.Length; s++)
            {
                SetParameters(_batch.BatchCommands[s].Parameters, _statements[s]);
            }

            _batch.Transaction = npgsqlTransaction;
            return new DbCommandOrBatch(_batch);
        }

        private void SetParameters(NpgsqlParameterCollection parameters, Statement statement)
        {
            for (int p = 0; p < statement.Parameters.Length; p++)
            {
                object value = _values[statement.Parameters[p]];
                NpgsqlParameter parameter = parameters[p];
                parameter.ResetDbType();
                parameter.Value = value;
                if (value is string)
                {
                    parameter.NpgsqlDbType = NpgsqlDbType.Unknown;
                }
            }
        }

        // Each statement gets its own $1..$n: a name used twice in a statement is one positional parameter.
        private static Statement[] Split(ParsedSql sql)
        {
            var statements = new List<Statement>();
            int start = 0;
            int occurrence = 0;
            var ends = new List<int>(sql.StatementEnds) { sql.Text.Length };
            foreach (int end in ends)
            {
                var text = new StringBuilder();
                var positions = new List<int>();
                int copied = start;
                for (; occurrence < sql.Occurrences.Count && sql.Occurrences[occurrence].Start < end; occurrence++)
                {
                    ParameterOccurrence found = sql.Occurrences[occurrence];
                    int nameIndex = IndexOf(sql.Names, found.Token);
                    int position = positions.IndexOf(nameIndex);
                    if (position < 0)
                    {
                        positions.Add(nameIndex);
                        position = positions.Count - 1;
                    }

                    text.Append(sql.Text, copied, found.Start - copied);
                    text.Append('$').Append((position + 1).ToString(CultureInfo.InvariantCulture));
                    copied = found.Start + found.Token.Length;
                }

                text.Append(sql.Text, copied, end - copied);
                string statementText = text.ToString();
                if (statementText.Trim().Length > 0)
                {
                    statements.Add(new Statement(statementText, positions.ToArray()));
                }

                start = end + 1;
            }

            if (statements.Count == 0)
            {
                statements.Add(new Statement(sql.Text, new int[0]));
            }

            return statements.ToArray();
        }

        private static int IndexOf(IReadOnlyList<string> names, string token)
        {
            for (int i = 0; i < names.Count; i++)
            {
                if (string.Equals(names[i], token, StringComparison.Ordinal))
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>One statement's text with $1..$n, and which name each $k takes its value from.</summary>
        private sealed class Statement
        {
            internal Statement(string text, int[] parameters)
            {
                Text = text;
                Parameters = parameters;
            }

            internal string Text { get; }

            internal int[] Parameters { get; }
        }

        /// <summary>A command or a batch, run the same way.</summary>
        private readonly struct DbCommandOrBatch
        {
            private readonly NpgsqlCommand _command;
            private readonly NpgsqlBatch _batch;

            internal DbCommandOrBatch(NpgsqlCommand command)
            {
                _command = command;
                _batch = null;
            }

            internal DbCommandOrBatch(NpgsqlBatch batch)
            {
                _command = null;
                _batch = batch;
            }

            internal int ExecuteNonQuery() => _command?.ExecuteNonQuery() ?? _batch.ExecuteNonQuery();

            internal DbDataReader ExecuteReader() => _command != null ? (DbDataReader)_command.ExecuteReader() : _batch.ExecuteReader();

            internal object ExecuteScalar() => _command != null ? _command.ExecuteScalar() : _batch.ExecuteScalar();
        }
    }
}
