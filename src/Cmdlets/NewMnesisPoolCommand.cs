using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Cmdlets
{
    /// <summary>Creates an isolated pool, for tests or for keeping one script's stores apart.</summary>
    [Cmdlet(VerbsCommon.New, "MnesisPool")]
    [OutputType(typeof(MnesisPool))]
    public sealed class NewMnesisPoolCommand : PSCmdlet
    {
        protected override void EndProcessing()
        {
            MnesisPool pool = RunspacePools.CreateFor(Runspace.DefaultRunspace);
            WriteVerbose(string.Format(System.Globalization.CultureInfo.CurrentCulture, Messages.VerbosePoolCreated, pool.Name));
            WriteObject(pool);
        }
    }
}
