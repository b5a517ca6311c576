namespace Mnesis.PowerShell.Diagnostics
{
    /// <summary>Where a service reports to the cmdlet call it works for.</summary>
    internal interface ICallOutput
    {
        /// <summary>A pool event for -Verbose: paths and events, never parameter values. Formatted only when shown.</summary>
        void Verbose(string format, params object[] args);

        void Warning(string format, params object[] args);

        /// <summary>A non-terminating error: one item failed, the others go on.</summary>
        void Error(MnesisException error);
    }
}
