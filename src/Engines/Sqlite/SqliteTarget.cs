namespace Mnesis.PowerShell.Engines.Sqlite
{
    /// <summary>A SQLite database file after PowerShell path resolution and canonicalization.</summary>
    internal sealed class SqliteTarget : StoreTarget
    {
        internal SqliteTarget(string fullPath, string key)
        {
            FullPath = fullPath;
            Key = key;
        }

        /// <summary>Absolute, with '..' and symbolic links resolved.</summary>
        internal string FullPath { get; }

        /// <summary>FullPath, folded to upper case where the file system ignores case.</summary>
        internal override string Key { get; }

        internal override string Display => FullPath;

        internal override StoreEngine Engine => SqliteEngine.Instance;
    }
}
