using System;
using System.Management.Automation;
using System.Management.Automation.Internal;

namespace Mnesis.PowerShell.Values
{
    /// <summary>The .NET value behind a PowerShell value: wrappers removed, nothing as null.</summary>
    internal static class ValueConverter
    {
        internal static object Unwrap(object value)
        {
            if (value is PSObject wrapped)
            {
                value = ReferenceEquals(wrapped, AutomationNull.Value) ? null : wrapped.BaseObject;
            }

            return value is DBNull ? null : value;
        }

        /// <summary>The type name an error about an unsupported value shows.</summary>
        internal static string TypeNameOf(object value) =>
            value is PSObject || value is PSCustomObject ? "PSCustomObject" : value.GetType().FullName;
    }
}
