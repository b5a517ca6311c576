using System.Globalization;
using System.Management.Automation;
using Mnesis.PowerShell.Diagnostics;

namespace Mnesis.PowerShell.Cmdlets
{
    /// <summary>
    /// -WhatIf and -Confirm for a write: whether they are in effect (decided once, so writes nobody
    /// confirms pay nothing per row), and asking about the whole write or one row of it.
    /// </summary>
    internal sealed class WriteConfirmation
    {
        private const int StatementShown = 120;

        private readonly PSCmdlet _cmdlet;
        private readonly string _sql;

        /// <param name="sql">The write's SQL; null for a -ScriptBlock write.</param>
        internal WriteConfirmation(PSCmdlet cmdlet, string sql)
        {
            _cmdlet = cmdlet;
            _sql = sql;
            InEffect = WhatIfOrConfirm(cmdlet);
        }

        /// <summary>True when ShouldProcess could say no (-WhatIf, -Confirm or their preferences).</summary>
        internal bool InEffect { get; }

        /// <summary>How the store is named to the user; set before asking.</summary>
        internal string Target { get; set; }

        /// <summary>Asks about the whole write (<paramref name="rowNumber"/> 0) or one row of it; always yes when not in effect.</summary>
        internal bool Allows(int rowNumber) => !InEffect || _cmdlet.ShouldProcess(Target, Describe(rowNumber));

        private string Describe(int rowNumber)
        {
            if (_sql == null)
            {
                return Messages.ShouldProcessWriteScriptBlock;
            }

            string statement = Shorten(_sql);
            return rowNumber > 0
                ? string.Format(CultureInfo.CurrentCulture, Messages.ShouldProcessWriteRow, rowNumber, statement)
                : string.Format(CultureInfo.CurrentCulture, Messages.ShouldProcessWriteQuery, statement);
        }

        private static string Shorten(string sql)
        {
            string statement = sql.Trim().Replace("\r", " ").Replace("\n", " ");
            return statement.Length > StatementShown ? statement.Substring(0, StatementShown - 3) + "..." : statement;
        }

        private static bool WhatIfOrConfirm(PSCmdlet cmdlet)
        {
            bool whatIf = cmdlet.MyInvocation.BoundParameters.TryGetValue("WhatIf", out object whatIfSwitch)
                ? ((SwitchParameter)whatIfSwitch).IsPresent
                : LanguagePrimitives.IsTrue(cmdlet.GetVariableValue("WhatIfPreference"));
            bool confirm = cmdlet.MyInvocation.BoundParameters.TryGetValue("Confirm", out object confirmSwitch)
                ? ((SwitchParameter)confirmSwitch).IsPresent
                : cmdlet.GetVariableValue("ConfirmPreference") is ConfirmImpact preference && preference != ConfirmImpact.None && preference <= ConfirmImpact.Medium;
            return whatIf || confirm;
        }
    }
}
