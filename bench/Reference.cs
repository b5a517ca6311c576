using System.Data;
using System.Data.Common;
using System.Diagnostics;

namespace Mnesis.Bench
{
    /// <summary>
    /// Case A: the best a C# program can do, a prepared INSERT in one transaction. Written against
    /// the ADO.NET base types: Mnesis's connections come from its private load context, where a
    /// reference compiled against another copy of the provider cannot take them.
    /// </summary>
    public static class Reference
    {
        public static double InsertSeconds(DbConnection connection, long[] ids, string[] names, double[] scores, byte[][] blobs)
        {
            var clock = Stopwatch.StartNew();
            using (DbTransaction transaction = connection.BeginTransaction())
            using (DbCommand command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = "INSERT INTO t(i, s, r, b) VALUES (@i, @s, @r, @b)";
                DbParameter i = Add(command, "@i", DbType.Int64);
                DbParameter s = Add(command, "@s", DbType.String);
                DbParameter r = Add(command, "@r", DbType.Double);
                DbParameter b = Add(command, "@b", DbType.Binary);
                command.Prepare();
                for (int n = 0; n < ids.Length; n++)
                {
                    i.Value = ids[n];
                    s.Value = names[n];
                    r.Value = scores[n];
                    b.Value = blobs[n];
                    command.ExecuteNonQuery();
                }

                transaction.Commit();
            }

            return clock.Elapsed.TotalSeconds;
        }

        private static DbParameter Add(DbCommand command, string name, DbType type)
        {
            DbParameter parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.DbType = type;
            command.Parameters.Add(parameter);
            return parameter;
        }
    }
}
