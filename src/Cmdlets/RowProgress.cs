using System;
using System.Globalization;
using System.Management.Automation;
using Mnesis.PowerShell.Diagnostics;

namespace Mnesis.PowerShell.Cmdlets
{
    /// <summary>
    /// Progress of a bulk write, every so many rows, and its end. It costs a record per report, so
    /// where nobody would see it (no input rows, $ProgressPreference SilentlyContinue) it does nothing.
    /// </summary>
    internal sealed class RowProgress
    {
        private const int ReportEveryRows = 10000;

        private readonly Cmdlet _cmdlet;
        private readonly bool _wanted;
        private bool _shown;

        internal RowProgress(PSCmdlet cmdlet, bool hasRows)
        {
            _cmdlet = cmdlet;
            _wanted = hasRows && IsShown(cmdlet.SessionState.PSVariable.GetValue("ProgressPreference"));
        }

        /// <summary>How many rows there are in all, when known (-InputObject with a collection); 0 otherwise.</summary>
        internal int KnownRowCount { get; set; }

        internal void RowWritten(string target, int rowsSeen)
        {
            if (_wanted && rowsSeen % ReportEveryRows == 0)
            {
                // A new record each time: hosts may keep the records they are given.
                _cmdlet.WriteProgress(NewRecord(ProgressRecordType.Processing, target, rowsSeen));
                _shown = true;
            }
        }

        internal void Complete(string target, int rowsSeen)
        {
            if (_shown)
            {
                _cmdlet.WriteProgress(NewRecord(ProgressRecordType.Completed, target, rowsSeen));
            }
        }

        private static bool IsShown(object preference) =>
            !(preference is ActionPreference action) || (action != ActionPreference.SilentlyContinue && action != ActionPreference.Ignore);

        private ProgressRecord NewRecord(ProgressRecordType type, string target, int rowsSeen)
        {
            var record = new ProgressRecord(0,
                string.Format(CultureInfo.CurrentCulture, Messages.ProgressActivity, target),
                string.Format(CultureInfo.CurrentCulture, Messages.ProgressStatus, rowsSeen))
            {
                RecordType = type,
            };
            if (KnownRowCount > 0)
            {
                record.PercentComplete = (int)Math.Min(100, 100L * rowsSeen / KnownRowCount);
            }

            return record;
        }
    }
}
