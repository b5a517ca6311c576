using System;
using Mnesis.PowerShell.Values;
using Mnesis.PowerShell.Diagnostics;

namespace Mnesis.PowerShell.Engines.Sqlite
{
    /// <summary>
    /// What SQLite can store. Anything else (hashtables, arrays, custom objects, SecureStrings) is
    /// refused rather than silently stored as its ToString().
    /// </summary>
    internal static class SqliteValues
    {
        internal static object ToParameterValue(object value, string token)
        {
            if (value == null)
            {
                return DBNull.Value;
            }

            if (value is string || value is byte[] || IsSupportedScalar(value.GetType()))
            {
                return value;
            }

            throw new MnesisException(Messages.ParameterTypeUnsupported, token, token, ValueConverter.TypeNameOf(value), SqliteEngine.Instance.Name);
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
