using System;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Mnesis.PowerShell.Binding;
using SQLitePCL;

namespace Mnesis.PowerShell.Engines.Sqlite
{
    /// <summary>One SqliteCommand with a named parameter per name of the text; SQLite runs in-process, so rows run at once.</summary>
    internal sealed class SqliteEngineCommand : EngineCommand
    {
        private readonly SqliteCommand _command;
        private readonly SqliteParameter[] _parameters;

        internal SqliteEngineCommand(SqliteConnection connection, ParsedSql sql)
        {
            _command = connection.CreateCommand();
            _command.CommandText = sql.Text;
            _parameters = new SqliteParameter[sql.Names.Count];
            for (int i = 0; i < _parameters.Length; i++)
            {
                _parameters[i] = _command.Parameters.AddWithValue(sql.Names[i], DBNull.Value);
            }
        }

        internal override void SetValue(int index, object value) => _parameters[index].Value = value;

        // Microsoft.Data.Sqlite adds sqlite3_changes() for every statement that is not read-only,
        // and SQLite leaves that number as the last INSERT, UPDATE or DELETE set it: CREATE TABLE
        // after an INSERT would count the INSERT's rows again. The change in total_changes is what
        // this run really changed (it also counts rows changed by triggers, hence the smaller one).
        internal override int ExecuteNonQuery(DbTransaction transaction)
        {
            SqliteCommand command = Enlisted(transaction);
            sqlite3 db = command.Connection.Handle;
            int before = raw.sqlite3_total_changes(db);
            int reported = command.ExecuteNonQuery();
            return Math.Max(0, Math.Min(reported, raw.sqlite3_total_changes(db) - before));
        }

        internal override DbDataReader ExecuteReader(DbTransaction transaction) => Enlisted(transaction).ExecuteReader();

        internal override object ExecuteScalar(DbTransaction transaction) => Enlisted(transaction).ExecuteScalar();

        internal override void Cancel() => _command.Cancel();

        public override void Dispose() => _command.Dispose();

        private SqliteCommand Enlisted(DbTransaction transaction)
        {
            _command.Transaction = (SqliteTransaction)transaction;
            return _command;
        }
    }
}
