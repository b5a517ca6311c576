using System;
using System.Management.Automation;
using Mnesis.PowerShell.Diagnostics;

namespace Mnesis.PowerShell.Binding
{
    /// <summary>
    /// Unwraps PowerShell values into what SQLite stores. Anything else (hashtables, arrays,
    /// custom objects, SecureStrings) is refused rather than silently stored as its ToString().
    /// </summary>
    internal static class ValueConverter
    {
        internal static object ToSqlite(object value, string parameterName)
        {
            if (value is PSObject wrapped)
            {
                value = ReferenceEquals(wrapped, System.Management.Automation.Internal.AutomationNull.Value) ? null : wrapped.BaseObject;
            }

            if (value == null || value is DBNull)
            {
                return DBNull.Value;
            }

            if (value is string || value is byte[] || IsSupportedScalar(value.GetType()))
            {
                return value;
            }

            if (value is PSCustomObject || value is PSObject)
            {
                throw new MnesisException(Messages.ParameterTypeUnsupported, parameterName, parameterName, "PSCustomObject");
            }

            throw new MnesisException(Messages.ParameterTypeUnsupported, parameterName, parameterName, value.GetType().FullName);
        }

        private static bool IsSupportedScalar(Type type)
        {
            if (type.IsEnum)
            {
                return true;
            }

            switch (Type.GetTypeCode(type))
            {
                case TypeCode.Boolean:
                case TypeCode.Char:
                case TypeCode.SByte:
                case TypeCode.Byte:
                case TypeCode.Int16:
                case TypeCode.UInt16:
                case TypeCode.Int32:
                case TypeCode.UInt32:
                case TypeCode.Int64:
                case TypeCode.UInt64:
                case TypeCode.Single:
                case TypeCode.Double:
                case TypeCode.Decimal:
                case TypeCode.DateTime:
                    return true;
                default:
                    return type == typeof(Guid) || type == typeof(DateTimeOffset) || type == typeof(TimeSpan);
            }
        }
    }
}
