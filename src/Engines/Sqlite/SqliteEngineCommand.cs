using System;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Mnesis.PowerShell.Sql;
using SQLitePCL;

namespace Mnesis.PowerShell.Engines.Sqlite
{
    /// <summary>One SqliteCommand with a named parameter per name of the text; SQLite runs in-process, so rows run at once.</summary>
    internal sealed class SqliteEngineCommand : EngineCommand
    {
        private readonly SqliteCommand _command;
        private readonly SqliteParameter[] _parameters;
        private bool? _mayWrite;
        private bool? _mayReturnRows;

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
        internal override int ExecuteNonQuery(DbTransaction transaction) => ExecuteWrite(transaction, null);

        // SqliteCommand.ExecuteNonQuery steps the statements after one that returns rows
        // (INSERT ... RETURNING) while disposing its reader, and drops their errors: the write would
        // commit without them. Moving through every result lets each failure throw.
        internal override int ExecuteWrite(DbTransaction transaction, Action<DbDataReader> readRows)
        {
            SqliteCommand command = Enlisted(transaction);
            sqlite3 db = command.Connection.Handle;
            int before = raw.sqlite3_total_changes(db);
            int reported;
            using (SqliteDataReader reader = command.ExecuteReader())
            {
                ReadEveryResult(reader, readRows);
                reported = reader.RecordsAffected;
            }

            return Math.Max(0, Math.Min(reported, raw.sqlite3_total_changes(db) - before));
        }

        // SQLite knows whether a prepared statement has result columns; a text that does not prepare
        // may return rows as far as anyone knows, and its run reports the error.
        internal override bool MayReturnRows
        {
            get
            {
                if (_mayReturnRows == null)
                {
                    _mayReturnRows = AnyStatementReturnsRows(_command.Connection.Handle, _command.CommandText);
                }

                return _mayReturnRows.Value;
            }
        }

        // SQLite knows whether a prepared statement writes; transaction control and ATTACH/DETACH
        // count as read-only there but change the shared connection, so they count as writes here.
        // A text that does not prepare is left to the run, which reports SQLite's error.
        internal override bool MayWrite
        {
            get
            {
                if (_mayWrite == null)
                {
                    _mayWrite = AnyStatementWrites(_command.Connection.Handle, _command.CommandText);
                }

                return _mayWrite.Value;
            }
        }

        // Values follow their column's declared type (DATETIME as [datetime], ...), here and in ExecuteScalar.
        internal override DbDataReader ExecuteReader(DbTransaction transaction) => new DeclaredTypeReader(Enlisted(transaction).ExecuteReader());

        // As SqliteCommand.ExecuteScalar: the first value of the first row; disposing the reader runs the remaining statements.
        internal override object ExecuteScalar(DbTransaction transaction)
        {
            using (DbDataReader reader = ExecuteReader(transaction))
            {
                return reader.Read() ? reader.GetValue(0) : null;
            }
        }

        // SqliteCommand.Cancel does nothing; sqlite3_interrupt stops the statement running on the
        // connection (one that lands between statements is dropped when the next one starts).
        internal override void Cancel()
        {
            SqliteConnection connection = _command.Connection;
            if (connection != null && connection.State == System.Data.ConnectionState.Open)
            {
                raw.sqlite3_interrupt(connection.Handle);
            }
        }

        public override void Dispose() => _command.Dispose();

        private static bool AnyStatementWrites(sqlite3 db, string sql)
        {
            string rest = sql;
            while (!string.IsNullOrWhiteSpace(rest))
            {
                sqlite3_stmt statement = null;
                try
                {
                    if (raw.sqlite3_prepare_v2(db, rest, out statement, out string tail) != raw.SQLITE_OK)
                    {
                        return false;
                    }

                    if (statement != null && !statement.IsInvalid
                        && (raw.sqlite3_stmt_readonly(statement) == 0 || SqliteStatements.ChangesSharedConnection(raw.sqlite3_sql(statement).utf8_to_string())))
                    {
                        return true;
                    }

                    rest = tail;
                }
                finally
                {
                    statement?.Dispose();
                }
            }

            return false;
        }

        private static bool AnyStatementReturnsRows(sqlite3 db, string sql)
        {
            string rest = sql;
            while (!string.IsNullOrWhiteSpace(rest))
            {
                sqlite3_stmt statement = null;
                try
                {
                    if (raw.sqlite3_prepare_v2(db, rest, out statement, out string tail) != raw.SQLITE_OK)
                    {
                        return true;
                    }

                    if (statement != null && !statement.IsInvalid && raw.sqlite3_column_count(statement) > 0)
                    {
                        return true;
                    }

                    rest = tail;
                }
                finally
                {
                    statement?.Dispose();
                }
            }

            return false;
        }

        private SqliteCommand Enlisted(DbTransaction transaction)
        {
            _command.Transaction = (SqliteTransaction)transaction;
            return _command;
        }
    }
}
