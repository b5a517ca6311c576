using System;
using System.Threading;
using Microsoft.Data.Sqlite;

namespace Mnesis.PowerShell.Engines.Sqlite
{
    /// <summary>
    /// Readies the SQLite engine on a background thread while PowerShell finishes the import: loads
    /// the native library and runs one statement on a private in-memory database, so that most of
    /// the JIT work a script's first write would wait for is done before it arrives. It touches no
    /// file and no pool; a failure here is left for the first real open to report.
    /// </summary>
    internal static class SqliteWarmUp
    {
        private static int s_started;

        /// <summary>Starts the warm-up, once per process.</summary>
        internal static void Start()
        {
            if (Interlocked.Exchange(ref s_started, 1) != 0)
            {
                return;
            }

            new Thread(Run) { IsBackground = true, Name = "Mnesis SQLite warm-up" }.Start();
        }

        private static void Run()
        {
            try
            {
                NativeLibraryLoader.EnsureLoaded();
                using (var connection = new SqliteConnection("Data Source=:memory:;Pooling=False"))
                {
                    connection.Open();
                    using (SqliteCommand command = connection.CreateCommand())
                    {
                        command.CommandText = "CREATE TABLE warm(v); INSERT INTO warm VALUES ($v)";
                        command.Parameters.AddWithValue("$v", 1L);
                        command.ExecuteNonQuery();
                    }
                }
            }
            catch (Exception)
            {
                // The same failure reaches the first open, which reports it with the store's name.
            }
        }
    }
}
