using System.Collections.Generic;
using System.Management.Automation;
using Mnesis.PowerShell.Diagnostics;

namespace Mnesis.PowerShell.Reads
{
    /// <summary>Where a read's results go: the cmdlet's output stream.</summary>
    internal interface IReadHost : ICallOutput
    {
        /// <summary>Writes rows out; the list is reused after the call returns.</summary>
        void WriteRows(List<PSObject> rows);

        void WriteValue(object value);
    }
}
