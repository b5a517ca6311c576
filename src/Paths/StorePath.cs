namespace Mnesis.PowerShell.Paths
{
    /// <summary>A database path after PowerShell resolution and canonicalization.</summary>
    internal sealed class StorePath
    {
        internal StorePath(string fullPath, string key)
        {
            FullPath = fullPath;
            Key = key;
        }

        /// <summary>Absolute, with '..' and symbolic links resolved.</summary>
        internal string FullPath { get; }

        /// <summary>The pool key: FullPath, folded to upper case where the file system ignores case.</summary>
        internal string Key { get; }

        public override string ToString() => FullPath;
    }
}
