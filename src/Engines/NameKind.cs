namespace Mnesis.PowerShell.Engines
{
    /// <summary>The parameter a database was named by; each is also the parameter's name in messages.</summary>
    internal enum NameKind
    {
        /// <summary>-Path: a file, with wildcards.</summary>
        Path,

        /// <summary>-LiteralPath: a file, taken as typed.</summary>
        LiteralPath,

        /// <summary>-ConnectionString: a server database, in keywords or a URI.</summary>
        ConnectionString,
    }
}
