using Mnesis.PowerShell.Diagnostics;

namespace Mnesis.PowerShell.Writes
{
    /// <summary>What a write session needs from the cmdlet that runs it, besides its output.</summary>
    internal interface IWriteHost : ICallOutput
    {
        /// <summary>Called after every row written, for progress.</summary>
        void RowWritten(int rowsSeen);

        /// <summary>Called after a commit with the rows (or the -Scalar value) its statements returned.</summary>
        void WriteReturned(System.Collections.Generic.List<object> rows);
    }
}
