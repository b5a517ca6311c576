using System;
using System.Linq;
using System.Management.Automation;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Cmdlets
{
    /// <summary>
    /// The operator's view of a pool: one row per open store with its options, when it was
    /// opened, writes, rollbacks, time spent queued for the write gate and the last error.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "MnesisPool")]
    [OutputType(typeof(MnesisStore))]
    public sealed class GetMnesisPoolCommand : MnesisCmdlet
    {
        protected override void EndProcessing()
        {
            WriteObject(TargetPool.Stores.OrderBy(store => store.Target, StringComparer.Ordinal), enumerateCollection: true);
        }
    }
}
