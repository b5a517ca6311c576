using System.Collections.Generic;
using Microsoft.Data.Sqlite;
using Mnesis.PowerShell.Sql;

namespace Mnesis.PowerShell.Engines.Sqlite
{
    /// <summary>
    /// Tables and their columns from SQLite's schema, for Invoke-MnesisWrite -Table. The name is
    /// only ever a bound value here; what goes into SQL afterwards is the catalog's spelling, quoted.
    /// </summary>
    internal static class SqliteCatalog
    {
        internal static TableSchema FindTable(SqliteConnection connection, SqliteTransaction transaction, string table)
        {
            string name = null;
            using (SqliteCommand command = connection.CreateCommand())
            {
                command.Transaction = transaction;

                // SQLite's own names are case-insensitive; the exact spelling wins over another case.
                command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name = @name COLLATE NOCASE ORDER BY name = @name DESC LIMIT 1";
                command.Parameters.AddWithValue("@name", table);
                name = command.ExecuteScalar() as string;
            }

            if (name == null)
            {
                return null;
            }

            // table_info leaves out generated and hidden columns, which cannot be inserted into.
            var columns = new List<TableColumn>();
            using (SqliteCommand command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = "SELECT name, type FROM pragma_table_info(@name) ORDER BY cid";
                command.Parameters.AddWithValue("@name", name);
                using (SqliteDataReader reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        columns.Add(new TableColumn(reader.GetString(0), reader.IsDBNull(1) ? string.Empty : reader.GetString(1)));
                    }
                }
            }

            return new TableSchema(name, SqlIdentifier.Quote(name), columns);
        }
    }
}
