using System.Threading;

namespace Mnesis.PowerShell.Writes
{
    /// <summary>What a write session needs from the cmdlet that runs it.</summary>
    internal interface IWriteHost
    {
        /// <summary>Cancelled by Ctrl+C.</summary>
        CancellationToken StopToken { get; }

        /// <summary>A pool event for -Verbose: paths and events, never parameter values.</summary>
        void Verbose(string format, params object[] args);

        /// <summary>Called after every row written, for progress.</summary>
        void RowWritten(int rowsSeen);
    }
}
