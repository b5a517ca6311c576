using System.Data.Common;
using Npgsql;

namespace Mnesis.PowerShell.Engines.PostgreSql
{
    /// <summary>A command or a batch, run the same way.</summary>
    internal readonly struct DbCommandOrBatch
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
