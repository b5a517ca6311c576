using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Microsoft.Data.Sqlite;
using Mnesis.PowerShell.Diagnostics;
using SQLitePCL;

namespace Mnesis.PowerShell.Engines.Sqlite
{
    /// <summary>
    /// Opens a connection with the pool's pragmas. A failed open leaves nothing behind: the
    /// connection is disposed, and a file or folders that this open created are removed again.
    /// </summary>
    internal static class SqliteOpener
    {
        /// <returns>
        /// The connection, whether the database is in WAL mode, and how to remove the file (and folders)
        /// this open created, for a caller that must undo it (null when the file existed before).
        /// </returns>
        internal static SqliteConnectionState Open(SqliteTarget target, OpenOptions options)
        {
            NativeLibraryLoader.EnsureLoaded();

            if (target.IsInMemory)
            {
                return OpenInMemory(target, options);
            }

            string file = target.FullPath;
            bool fileExisted = File.Exists(file);
            bool leaveAsIs = options.ReadOnly || options.OpenedByRead;
            List<string> createdFolders = leaveAsIs ? new List<string>() : CreateMissingFolders(Path.GetDirectoryName(file), file, options.CreateFolders);
            var connection = new SqliteConnection(ConnectionString(file, options));
            string step = "open";
            try
            {
                connection.Open();

                // SQLite quietly falls back to read-only for a file it cannot write. A store for writing
                // must be writable; one for reading is fine, and its writes are refused later.
                bool readOnly = options.ReadOnly || raw.sqlite3_db_readonly(connection.Handle, "main") == 1;
                if (readOnly && !leaveAsIs)
                {
                    throw new MnesisException(Messages.DatabaseReadOnly, file, file);
                }

                ApplyConnectionPragmas(connection, options, ref step);

                // Only a store opened for writing switches to WAL now: a read must not change the file.
                step = "journal_mode";
                string mode = options.UseWal && !leaveAsIs
                    ? Convert.ToString(Scalar(connection, "PRAGMA journal_mode = WAL"), CultureInfo.InvariantCulture)
                    : Convert.ToString(Scalar(connection, "PRAGMA journal_mode"), CultureInfo.InvariantCulture);
                bool walMode = string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase);
                Action removeCreated = fileExisted ? (Action)null : () => RemoveWhatThisOpenCreated(file, false, createdFolders);
                bool walPending = options.UseWal && options.OpenedByRead && !readOnly && !walMode;
                return new SqliteConnectionState(connection, walMode, removeCreated, readOnly, walPending);
            }
            catch (SqliteException ex)
            {
                connection.Dispose();
                RemoveWhatThisOpenCreated(file, fileExisted, createdFolders);
                throw SqliteErrors.OpenFailed(ex, target, step);
            }
            catch
            {
                connection.Dispose();
                RemoveWhatThisOpenCreated(file, fileExisted, createdFolders);
                throw;
            }
        }

        /// <summary>True when the database is in WAL mode now (a maintenance statement may have changed it).</summary>
        internal static bool IsWal(SqliteConnection connection) =>
            string.Equals(Convert.ToString(Scalar(connection, "PRAGMA journal_mode"), CultureInfo.InvariantCulture), "wal", StringComparison.OrdinalIgnoreCase);

        /// <summary>Switches a store that a read opened to WAL, at its first write.</summary>
        internal static bool SwitchToWal(SqliteConnection connection) =>
            string.Equals(Convert.ToString(Scalar(connection, "PRAGMA journal_mode = WAL"), CultureInfo.InvariantCulture), "wal", StringComparison.OrdinalIgnoreCase);

        // Settings of the connection, not of the file: busy_timeout first, so that the rest waits for
        // other processes' locks. Reading the schema version makes SQLite check the header before
        // anything writes.
        private static void ApplyConnectionPragmas(SqliteConnection connection, OpenOptions options, ref string step)
        {
            step = "busy_timeout";
            Execute(connection, "PRAGMA busy_timeout = " + (options.BusyTimeoutSeconds * 1000L).ToString(CultureInfo.InvariantCulture));
            step = "read header";
            Execute(connection, "PRAGMA schema_version");
            step = "foreign_keys";
            Execute(connection, "PRAGMA foreign_keys = ON");
            step = "synchronous";
            Execute(connection, "PRAGMA synchronous = NORMAL");
        }

        // An in-memory database lives in SQLite's memdb VFS under a name of its own: every connection
        // of the process that names it shares it (with locking like a file) until the last one closes.
        private static SqliteConnectionState OpenInMemory(SqliteTarget target, OpenOptions options)
        {
            var connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = "file:/" + Uri.EscapeDataString(target.MemoryName) + "?vfs=memdb",
                Mode = options.ReadOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
                Pooling = false,
                DefaultTimeout = Math.Max(1, options.BusyTimeoutSeconds),
            }.ToString());
            string step = "open";
            try
            {
                connection.Open();
                ApplyConnectionPragmas(connection, options, ref step);
                return new SqliteConnectionState(connection, walMode: false, removeCreated: null, readOnly: options.ReadOnly, walPending: false);
            }
            catch (SqliteException ex)
            {
                connection.Dispose();
                throw SqliteErrors.OpenFailed(ex, target, step);
            }
        }

        private static string ConnectionString(string file, OpenOptions options) =>
            new SqliteConnectionStringBuilder
            {
                DataSource = file,

                // A read creates nothing: the file must exist (Invoke-MnesisQuery checked).
                Mode = options.ReadOnly ? SqliteOpenMode.ReadOnly : options.OpenedByRead ? SqliteOpenMode.ReadWrite : SqliteOpenMode.ReadWriteCreate,

                // Microsoft.Data.Sqlite pools by default; a pooled handle keeps the file locked after Close.
                Pooling = false,

                // Microsoft.Data.Sqlite retries BUSY in its own loop on top of SQLite's busy handler,
                // and 0 means "forever" there; 1 s is the shortest wait it can express.
                DefaultTimeout = Math.Max(1, options.BusyTimeoutSeconds),
            }.ToString();

        private static void Execute(SqliteConnection connection, string sql)
        {
            using (SqliteCommand command = connection.CreateCommand())
            {
                command.CommandText = sql;
                command.ExecuteNonQuery();
            }
        }

        private static object Scalar(SqliteConnection connection, string sql)
        {
            using (SqliteCommand command = connection.CreateCommand())
            {
                command.CommandText = sql;
                return command.ExecuteScalar();
            }
        }

        private static List<string> CreateMissingFolders(string folder, string file, bool create)
        {
            var missing = new List<string>();
            for (string current = folder; !string.IsNullOrEmpty(current) && !Directory.Exists(current); current = Path.GetDirectoryName(current))
            {
                missing.Add(current);
            }

            // The highest missing folder is where a typo most likely is; nothing has been created yet.
            if (missing.Count > 0 && !create)
            {
                string highest = missing[missing.Count - 1];
                throw new MnesisException(Messages.FolderNotFound, highest, highest, file);
            }

            try
            {
                if (missing.Count > 0)
                {
                    Directory.CreateDirectory(folder);
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                RemoveFolders(missing);
                throw new MnesisException(Messages.OpenFailed, folder, ex, folder, "create folder", ex.Message);
            }

            return missing;
        }

        private static void RemoveWhatThisOpenCreated(string file, bool fileExisted, List<string> createdFolders)
        {
            if (!fileExisted)
            {
                foreach (string suffix in new[] { string.Empty, "-wal", "-shm", "-journal" })
                {
                    TryDelete(file + suffix);
                }
            }

            RemoveFolders(createdFolders);
        }

        // Deepest first; a folder that is no longer empty belongs to someone else now and stays.
        private static void RemoveFolders(List<string> folders)
        {
            foreach (string folder in folders)
            {
                try
                {
                    if (Directory.Exists(folder) && Directory.GetFileSystemEntries(folder).Length == 0)
                    {
                        Directory.Delete(folder);
                    }
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                }
            }
        }

        private static void TryDelete(string file)
        {
            try
            {
                if (File.Exists(file))
                {
                    File.Delete(file);
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
            }
        }
    }
}
