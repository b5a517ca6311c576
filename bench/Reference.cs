using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Mnesis.Bench
{
    /// <summary>Case A: the best a C# program can do, a prepared INSERT in one transaction.</summary>
    public static class Reference
    {
        public static double InsertSeconds(SqliteConnection connection, long[] ids, string[] names, double[] scores, byte[][] blobs)
        {
            var clock = Stopwatch.StartNew();
            using (SqliteTransaction transaction = connection.BeginTransaction())
            using (SqliteCommand command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = "INSERT INTO t(i, s, r, b) VALUES (@i, @s, @r, @b)";
                SqliteParameter i = command.Parameters.Add("@i", SqliteType.Integer);
                SqliteParameter s = command.Parameters.Add("@s", SqliteType.Text);
                SqliteParameter r = command.Parameters.Add("@r", SqliteType.Real);
                SqliteParameter b = command.Parameters.Add("@b", SqliteType.Blob);
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
    }
}
