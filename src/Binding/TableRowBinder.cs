using System;
using System.Collections;
using System.Collections.Generic;
using System.Data;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Engines;
using Mnesis.PowerShell.Values;

namespace Mnesis.PowerShell.Binding
{
    /// <summary>
    /// Matches the rows of Invoke-MnesisWrite -Table to the table's columns: the first row's
    /// properties (or keys, or a DataRow's columns) decide, by name and ignoring case, as Export-Csv
    /// takes its columns from the first object. Every property needs a column (a typo must not drop
    /// data silently) unless -Column names the columns to write; a later row lacking a property
    /// writes NULL there.
    /// </summary>
    internal sealed class TableRowBinder
    {
        private readonly string[] _names;

        private TableRowBinder(IReadOnlyList<TableColumn> columns, string[] names)
        {
            Columns = columns;
            _names = names;
        }

        /// <summary>The columns written, in the table's order.</summary>
        internal IReadOnlyList<TableColumn> Columns { get; }

        /// <param name="columnFilter">-Column: the columns to write; null for every property's column.</param>
        internal static TableRowBinder For(TableSchema table, object firstRow, string[] columnFilter)
        {
            string columnList = string.Join(", ", table.Columns.Select(c => c.Name));
            var chosen = new HashSet<TableColumn>();
            if (columnFilter != null)
            {
                foreach (string wanted in columnFilter)
                {
                    TableColumn column = Find(table, wanted)
                        ?? throw new MnesisException(Messages.TableColumnNotFound, wanted, table.Display, Messages.TableColumnParameterDescription, wanted, columnList);
                    chosen.Add(column);
                }
            }
            else
            {
                foreach (string property in PropertyNames(firstRow))
                {
                    TableColumn column = Find(table, property)
                        ?? throw new MnesisException(Messages.TableColumnNotFound, property, table.Display, Messages.TablePropertyDescription, property, columnList);
                    chosen.Add(column);
                }

                if (chosen.Count == 0)
                {
                    throw new MnesisException(Messages.TableNoColumns, table.Display, 1, table.Display, columnList);
                }
            }

            List<TableColumn> columns = table.Columns.Where(chosen.Contains).ToList();
            return new TableRowBinder(columns, columns.Select(c => c.Name).ToArray());
        }

        /// <summary>The row's value for each column of <see cref="Columns"/>, unwrapped; null where the row has none.</summary>
        internal object[] Values(object row)
        {
            var values = new object[_names.Length];
            object unwrapped = row is PSObject ps ? ps.BaseObject : row;
            if (unwrapped is DataRow dataRow)
            {
                DataColumnCollection columns = dataRow.Table.Columns;
                for (int i = 0; i < _names.Length; i++)
                {
                    int index = columns.IndexOf(_names[i]);
                    values[i] = index < 0 ? null : ValueConverter.Unwrap(dataRow[index]);
                }

                return values;
            }

            for (int i = 0; i < _names.Length; i++)
            {
                values[i] = ValueLookup.TryGet(row, _names[i], _names[i], out object value) ? ValueConverter.Unwrap(value) : null;
            }

            return values;
        }

        private static TableColumn Find(TableSchema table, string name) =>
            table.Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal))
            ?? table.Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

        // What a row offers: a dictionary's keys, a DataRow's columns (not RowState, Table, ...), an object's properties.
        private static IEnumerable<string> PropertyNames(object row)
        {
            object unwrapped = row is PSObject ps ? ps.BaseObject : row;
            switch (unwrapped)
            {
                case IDictionary dictionary:
                    return dictionary.Keys.Cast<object>().Select(k => Convert.ToString(k, CultureInfo.InvariantCulture));
                case DataRow dataRow:
                    return dataRow.Table.Columns.Cast<DataColumn>().Select(c => c.ColumnName);
                default:
                    return (row as PSObject ?? PSObject.AsPSObject(row)).Properties.Select(p => p.Name);
            }
        }
    }
}
