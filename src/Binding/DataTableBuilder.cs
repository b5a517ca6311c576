using System;
using System.Collections.Generic;
using System.Data;
using System.Data.Common;
using System.Globalization;

namespace Mnesis.PowerShell.Binding
{
    /// <summary>
    /// Turns a result set into a DataTable (-As DataTable and -As DataRow), for scripts written
    /// for modules that return them (.Rows, .Select(), DataRow properties). A column's type is the
    /// one type all its values share, or [object] when they differ (SQLite lets a column hold
    /// any value), so no value is refused or converted on the way in.
    /// </summary>
    internal static class DataTableBuilder
    {
        /// <summary>Reads the rest of the reader's current result set.</summary>
        internal static DataTable Load(DbDataReader reader)
        {
            int count = reader.FieldCount;
            var rows = new List<object[]>();
            while (reader.Read())
            {
                var values = new object[count];
                reader.GetValues(values);
                rows.Add(values);
            }

            var table = new DataTable { Locale = CultureInfo.InvariantCulture, MinimumCapacity = Math.Max(50, rows.Count) };
            for (int i = 0; i < count; i++)
            {
                table.Columns.Add(UniqueName(table, reader.GetName(i), i), ColumnType(reader, rows, i));
            }

            // Without BeginLoadData every row checks constraints and raises change events; loaded
            // rows are unchanged (as DataTable.Load leaves them), with no AcceptChanges pass after.
            table.BeginLoadData();
            foreach (object[] values in rows)
            {
                table.LoadDataRow(values, fAcceptChanges: true);
            }

            table.EndLoadData();
            return table;
        }

        private static Type ColumnType(DbDataReader reader, List<object[]> rows, int column)
        {
            Type common = null;
            foreach (object[] values in rows)
            {
                object value = values[column];
                if (value is DBNull)
                {
                    continue;
                }

                Type type = value.GetType();
                if (common == null)
                {
                    common = type;
                }
                else if (common != type)
                {
                    return typeof(object);
                }
            }

            return common ?? typeof(object);
        }

        // A DataTable's column names are unique regardless of case; a repeated one gets a numeric suffix, as in RowBuilder.
        private static string UniqueName(DataTable table, string name, int column)
        {
            if (string.IsNullOrEmpty(name))
            {
                name = "Column" + (column + 1).ToString(CultureInfo.InvariantCulture);
            }

            string unique = name;
            for (int n = 2; table.Columns.Contains(unique); n++)
            {
                unique = name + n.ToString(CultureInfo.InvariantCulture);
            }

            return unique;
        }
    }
}
