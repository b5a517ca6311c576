using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace Mnesis.Bench
{
    /// <summary>The bench table's columns, as the cases' INSERT names them.</summary>
    internal static class BenchColumns
    {
        internal static readonly string[] Names = { "i", "s", "r", "b" };
    }

    /// <summary>
    /// The least any cmdlet costs here: Invoke-MnesisWrite's parameters bound, nothing done but
    /// reading a piped row's four properties. Timed against the hand-written loops, it shows the
    /// best ratio a cmdlet can reach before doing any database work.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "BenchNoop")]
    [OutputType(typeof(int))]
    public sealed class InvokeBenchNoopCommand : PSCmdlet
    {
        [Parameter]
        public object Store { get; set; }

        [Parameter]
        public string Query { get; set; }

        [Parameter]
        public IDictionary Parameters { get; set; }

        [Parameter(ValueFromPipeline = true)]
        public PSObject InputObject { get; set; }

        public static object LastValue { get; private set; }

        protected override void ProcessRecord()
        {
            if (InputObject == null)
            {
                return;
            }

            PSMemberInfoCollection<PSPropertyInfo> properties = InputObject.Properties;
            foreach (string column in BenchColumns.Names)
            {
                LastValue = properties[column].Value;
            }
        }

        protected override void EndProcessing() => WriteObject(1);
    }

    /// <summary>
    /// PSCustomObjects with the bench table's four columns, made and written as Invoke-MnesisQuery
    /// writes its rows, with no database behind them.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "BenchRow")]
    [OutputType(typeof(PSObject))]
    public sealed class GetBenchRowCommand : PSCmdlet
    {
        [Parameter(Mandatory = true)]
        public int Count { get; set; }

        protected override void EndProcessing()
        {
            var pending = new List<PSObject>(64);
            byte[] blob = new byte[16];
            for (int n = 0; n < Count; n++)
            {
                object[] values = { (long)n, "name", n * 0.5, blob };
                var row = new PSObject();
                PSMemberInfoCollection<PSPropertyInfo> properties = row.Properties;
                for (int i = 0; i < BenchColumns.Names.Length; i++)
                {
                    properties.Add(new PSNoteProperty(BenchColumns.Names[i], values[i]), preValidated: true);
                }

                pending.Add(row);
                if (pending.Count == 64)
                {
                    WriteObject(pending, enumerateCollection: true);
                    pending.Clear();
                }
            }

            WriteObject(pending, enumerateCollection: true);
        }
    }
}
