using System;
using System.Data.Common;
using Mnesis.PowerShell.Sql;
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

        // A -CommandTimeout is kept by the session's timer, which cancels the statement on the server
        // at the limit (as Npgsql's own timeout does). Npgsql's timeout stays as a backstop a little
        // later, for a server that does not answer the cancel; it then breaks the connection.
        private const int ClientBackstopSeconds = 5;
        private const int MaxBackstoppedSeconds = 1000000;

        private readonly NpgsqlConnection _connection;
        private readonly PositionalStatement[] _statements;
        private readonly object[] _values;
        private readonly bool _controlsTransaction;
        private NpgsqlCommand _single;
        private NpgsqlBatch _batch;
        private NpgsqlBatch _queued;
        private int _queuedRows;
        private int _timeout;

        internal PostgreSqlCommand(NpgsqlConnection connection, ParsedSql sql)
        {
            _connection = connection;
            _statements = PositionalStatement.Split(sql);
            _controlsTransaction = TransactionControl.AnyIn(sql);
            _values = new object[sql.Names.Count];
            _timeout = connection.CommandTimeout;
        }

        // Npgsql counts its timeout in milliseconds: a limit of weeks gets no backstop at all (0).
        internal override void LimitTime(int seconds) =>
            _timeout = seconds <= 0 ? _connection.CommandTimeout : seconds < MaxBackstoppedSeconds ? seconds + ClientBackstopSeconds : 0;

        internal override void SetValue(int index, object value) => _values[index] = value;

        // Everything else that writes is refused by the read's READ ONLY transaction (25006).
        internal override bool MayWrite => _controlsTransaction;

        // Without a transaction (statements that must run outside one), a batch would still be one
        // implicit transaction on the server; each statement then goes on its own.
        internal override int ExecuteNonQuery(DbTransaction transaction)
        {
            if (transaction != null || _statements.Length == 1)
            {
                return RowsChanged(Prepared(transaction).ExecuteNonQuery());
            }

            int rows = 0;
            foreach (PositionalStatement statement in _statements)
            {
                using (var command = new NpgsqlCommand(statement.Text, _connection) { CommandTimeout = _timeout })
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

        // A transaction around several statements lets them go as one batch; without one they go
        // one by one (see ExecuteNonQuery), and a statement that must run outside a transaction returns no rows.
        internal override int ExecuteWrite(DbTransaction transaction, Action<DbDataReader> readRows)
        {
            if (transaction == null && _statements.Length > 1)
            {
                return ExecuteNonQuery(null);
            }

            using (DbDataReader reader = Prepared(transaction).ExecuteReader())
            {
                ReadEveryResult(reader, readRows);
                return RowsChanged(reader.RecordsAffected);
            }
        }

        internal override int Queue(DbTransaction transaction, Action<DbDataReader> readRows)
        {
            if (_queued == null)
            {
                _queued = new NpgsqlBatch(_connection, (NpgsqlTransaction)transaction);
            }

            foreach (PositionalStatement statement in _statements)
            {
                var command = new NpgsqlBatchCommand(statement.Text);
                foreach (int nameIndex in statement.Parameters)
                {
                    command.Parameters.Add(NewParameter(_values[nameIndex]));
                }

                _queued.BatchCommands.Add(command);
            }

            return ++_queuedRows >= RowsPerRoundTrip ? Flush(transaction, readRows) : 0;
        }

        internal override int Flush(DbTransaction transaction, Action<DbDataReader> readRows)
        {
            if (_queued == null)
            {
                return 0;
            }

            try
            {
                _queued.Transaction = (NpgsqlTransaction)transaction;
                _queued.Timeout = _timeout;
                using (NpgsqlDataReader reader = _queued.ExecuteReader())
                {
                    ReadEveryResult(reader, readRows);
                    return RowsChanged(reader.RecordsAffected);
                }
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

        // Disposing an NpgsqlDataReader reads the rest of the result, which may have no end.
        internal override void AbandonReader() => Cancel();

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
                _single.CommandTimeout = _timeout;
                return new DbCommandOrBatch(_single);
            }

            if (_batch == null)
            {
                _batch = new NpgsqlBatch(_connection);
                foreach (PositionalStatement statement in _statements)
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
            _batch.Timeout = _timeout;
            return new DbCommandOrBatch(_batch);
        }

        private void SetParameters(NpgsqlParameterCollection parameters, PositionalStatement statement)
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
    }
}
