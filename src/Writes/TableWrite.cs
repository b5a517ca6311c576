using System;
using System.Data.Common;
using Mnesis.PowerShell.Binding;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Engines;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Writes
{
    /// <summary>
    /// The rows of Invoke-MnesisWrite -Table going into their table. At the first row, inside the
    /// write's transaction, the table is looked up in the engine's catalog and the columns chosen
    /// (TableRowBinder); the engine then inserts the rows its fastest way (StoreEngine.BeginTableInsert).
    /// </summary>
    internal sealed class TableWrite : IDisposable
    {
        private readonly MnesisStore _store;
        private readonly string _table;
        private readonly string[] _columnFilter;
        private TableRowBinder _binder;
        private TableSchema _schema;
        private TableInsert _insert;

        /// <param name="columnFilter">-Column; null for the columns of the first row's properties.</param>
        internal TableWrite(MnesisStore store, string table, string[] columnFilter)
        {
            _store = store;
            _table = table;
            _columnFilter = columnFilter;
        }

        /// <summary>Writes one row (an insert may hold it until <see cref="Finish"/>).</summary>
        internal void Write(DbTransaction transaction, object row, int rowNumber)
        {
            if (_insert == null)
            {
                DbConnection connection = _store.Connection;
                if (_binder == null)
                {
                    TableSchema schema = _store.StoreEngine.FindTable(connection, transaction, _table)
                        ?? throw new MnesisException(Messages.TableNotFound, _table, _table, _store.Target);
                    _binder = TableRowBinder.For(schema, row, _columnFilter);
                    _schema = schema;
                }

                _insert = _store.StoreEngine.BeginTableInsert(connection, _schema, _binder.Columns);
            }

            _insert.WriteRow(transaction, _binder.Values(row), rowNumber);
        }

        /// <summary>Sends held rows before a commit (or a read inside the write); returns the rows inserted.</summary>
        internal int Finish(DbTransaction transaction) => _insert == null ? 0 : _insert.Finish(transaction);

        /// <summary>Abandons rows not yet finished, before a rollback; the next row begins again.</summary>
        internal void Discard()
        {
            TableInsert insert = _insert;
            _insert = null;
            insert?.Dispose();
        }

        public void Dispose() => Discard();
    }
}
