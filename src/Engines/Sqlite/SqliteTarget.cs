using System;
using System.IO;
using Mnesis.PowerShell.Diagnostics;

namespace Mnesis.PowerShell.Engines.Sqlite
{
    /// <summary>A SQLite database: a file after PowerShell path resolution and canonicalization, or an in-memory database.</summary>
    internal sealed class SqliteTarget : StoreTarget
    {
        internal const string MemoryPrefix = ":memory:";

        internal SqliteTarget(string fullPath, string key)
        {
            FullPath = fullPath;
            Key = key;
        }

        private SqliteTarget(string display, string key, string memoryName)
        {
            FullPath = display;
            Key = key;
            MemoryName = memoryName;
        }

        /// <summary>Absolute, with '..' and symbolic links resolved; for an in-memory database, how it was named.</summary>
        internal string FullPath { get; }

        /// <summary>FullPath, folded to upper case where the file system ignores case.</summary>
        internal override string Key { get; }

        internal override string Display => FullPath;

        internal override StoreEngine Engine => SqliteEngine.Instance;

        internal override string FilePath => FullPath;

        internal override void ThrowIfMissing(string input)
        {
            if (!IsInMemory && !File.Exists(FullPath))
            {
                throw new MnesisException(Messages.PathNotFound, input, input);
            }
        }

        internal bool IsInMemory => MemoryName != null;

        /// <summary>The name SQLite's memdb VFS knows the database by; null for a file.</summary>
        internal string MemoryName { get; }

        internal static bool IsMemorySpelling(string input) =>
            input != null && input.StartsWith(MemoryPrefix, StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// ':memory:' is private to the pool that opens it; ':memory:name' is shared by every pool and
        /// runspace of the process that names it, until the last of them closes it.
        /// </summary>
        internal static SqliteTarget InMemory(string input, Guid pool)
        {
            string name = input.Substring(MemoryPrefix.Length);
            return name.Length == 0
                ? new SqliteTarget(MemoryPrefix, "memory-private:" + pool.ToString("N"), "mnesis-private-" + pool.ToString("N"))
                : new SqliteTarget(MemoryPrefix + name, "memory:" + name.ToUpperInvariant(), "mnesis-" + name.ToUpperInvariant());
        }
    }
}
