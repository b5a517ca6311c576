using System.Collections.Generic;
using Npgsql;
using Mnesis.PowerShell.Sql;

namespace Mnesis.PowerShell.Engines.PostgreSql
{
    /// <summary>
    /// Tables and their column types from PostgreSQL's catalog, for Invoke-MnesisWrite -Table: the
    /// table on the search path (or in the schema a 'schema.table' name gives), the exact spelling
    /// first, then another case (an unquoted CREATE TABLE Host made 'host'). The name is only ever a
    /// bound value here; what goes into SQL afterwards is the catalog's spelling, quoted.
    /// </summary>
    internal static class PostgreSqlCatalog
    {
        private const string FindTableSql =
            "SELECT c.oid, n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            + "WHERE c.relkind IN ('r', 'p') AND lower(c.relname) = lower(@table) "
            + "AND CASE WHEN @schema IS NULL THEN n.nspname = ANY (pg_catalog.current_schemas(false)) ELSE lower(n.nspname) = lower(@schema) END "
            + "ORDER BY c.relname = @table DESC, n.nspname = @schema DESC, array_position(pg_catalog.current_schemas(false), n.nspname) LIMIT 1";

        // Generated columns cannot be written; format_type names the type as Npgsql's COPY takes it.
        private const string ColumnsSql =
            "SELECT a.attname, pg_catalog.format_type(a.atttypid, NULL) FROM pg_catalog.pg_attribute a "
            + "WHERE a.attrelid = @oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum";

        internal static TableSchema FindTable(NpgsqlConnection connection, NpgsqlTransaction transaction, string table)
        {
            string schema = null;
            int dot = table.IndexOf('.');
            if (dot > 0 && dot < table.Length - 1)
            {
                schema = table.Substring(0, dot);
                table = table.Substring(dot + 1);
            }

            uint oid;
            string foundSchema;
            string foundTable;
            using (var command = new NpgsqlCommand(FindTableSql, connection, transaction))
            {
                command.Parameters.AddWithValue("table", table);
                command.Parameters.Add(new NpgsqlParameter<string>("schema", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = schema });
                using (NpgsqlDataReader reader = command.ExecuteReader())
                {
                    if (!reader.Read())
                    {
                        return null;
                    }

                    oid = reader.GetFieldValue<uint>(0);
                    foundSchema = reader.GetString(1);
                    foundTable = reader.GetString(2);
                }
            }

            var columns = new List<TableColumn>();
            using (var command = new NpgsqlCommand(ColumnsSql, connection, transaction))
            {
                command.Parameters.Add(new NpgsqlParameter<uint>("oid", NpgsqlTypes.NpgsqlDbType.Oid) { TypedValue = oid });
                using (NpgsqlDataReader reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        columns.Add(new TableColumn(reader.GetString(0), reader.GetString(1)));
                    }
                }
            }

            return new TableSchema(foundSchema + "." + foundTable, SqlIdentifier.Quote(foundSchema) + "." + SqlIdentifier.Quote(foundTable), columns);
        }
    }
}
