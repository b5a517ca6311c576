using Npgsql;

namespace Mnesis.PowerShell.Engines.PostgreSql
{
    /// <summary>
    /// The engine's own statements (settings, the read-only mode of a read, a probe of the
    /// transaction), run the one way: text with $1..$n and the given values, on the connection and
    /// transaction given. Users' SQL goes through PostgreSqlCommand instead.
    /// </summary>
    internal static class ServerStatement
    {
        internal static void Run(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, params object[] values)
        {
            using (var command = new NpgsqlCommand(sql, connection, transaction))
            {
                foreach (object value in values)
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = value });
                }

                command.ExecuteNonQuery();
            }
        }
    }
}
