using System.Collections.Generic;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Mnesis.PowerShell.Sql;

namespace Mnesis.PowerShell.Engines
{
    /// <summary>
    /// Rows into a table through one prepared INSERT, its parameters set per row: the engine-neutral
    /// way (SQLite's, where a prepared statement in a transaction is already the fastest path).
    /// Identifiers come from the catalog and are quoted; values are always bound.
    /// </summary>
    internal sealed class StatementTableInsert : TableInsert
    {
        private readonly StoreEngine _engine;
        private readonly EngineCommand _command;
        private readonly string[] _columnNames;
        private int _inserted;

        internal StatementTableInsert(StoreEngine engine, DbConnection connection, TableSchema table, IReadOnlyList<TableColumn> columns)
        {
            _engine = engine;
            _columnNames = new string[columns.Count];
            var sql = new StringBuilder("INSERT INTO ").Append(table.QuotedName).Append(" (");
            var values = new StringBuilder(") VALUES (");
            for (int i = 0; i < columns.Count; i++)
            {
                _columnNames[i] = columns[i].Name;
                string separator = i == 0 ? string.Empty : ", ";
                sql.Append(separator).Append(SqlIdentifier.Quote(columns[i].Name));
                values.Append(separator).Append("@p").Append(i.ToString(CultureInfo.InvariantCulture));
            }

            sql.Append(values).Append(')');
            _command = engine.CreateCommand(connection, SqlParameterScanner.Scan(sql.ToString(), engine.Dialect));
        }

        internal override void WriteRow(DbTransaction transaction, object[] values, int rowNumber)
        {
            for (int i = 0; i < values.Length; i++)
            {
                // An error names the column, the parameter the user knows.
                _command.SetValue(i, _engine.ToParameterValue(values[i], _columnNames[i]));
            }

            _inserted += _command.Queue(transaction, readRows: null);
        }

        internal override int Finish(DbTransaction transaction)
        {
            int inserted = _inserted + _command.Flush(transaction, readRows: null);
            _inserted = 0;
            return inserted;
        }

        public override void Dispose()
        {
            _command.DiscardQueued();
            _command.Dispose();
        }
    }
}
