using System.Globalization;
using System.Management.Automation;

namespace Mnesis.PowerShell.Diagnostics
{
    /// <summary>A stable FullyQualifiedErrorId, its category and its message template.</summary>
    internal sealed class ErrorDefinition
    {
        internal ErrorDefinition(string id, ErrorCategory category, string messageFormat)
        {
            Id = id;
            Category = category;
            MessageFormat = messageFormat;
        }

        internal string Id { get; }

        internal ErrorCategory Category { get; }

        internal string MessageFormat { get; }

        internal string Format(params object[] args) =>
            string.Format(CultureInfo.CurrentCulture, MessageFormat, args);
    }
}
