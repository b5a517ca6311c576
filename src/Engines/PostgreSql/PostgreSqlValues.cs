using System;
using System.Collections;
using System.Collections.Generic;
using Mnesis.PowerShell.Values;
using Mnesis.PowerShell.Diagnostics;

namespace Mnesis.PowerShell.Engines.PostgreSql
{
    /// <summary>
    /// What PostgreSQL can take from PowerShell: strings, numbers, booleans, dates, GUIDs, byte
    /// arrays, and arrays of those (for ANY(@ids) and array columns). Local times are sent as the
    /// instant they name; unsigned numbers widen to a signed type that holds them.
    /// </summary>
    internal static class PostgreSqlValues
    {
        internal static object ToParameterValue(object value, string token)
        {
            if (value == null)
            {
                return DBNull.Value;
            }

            object scalar = ToScalar(value);
            if (scalar != null)
            {
                return scalar;
            }

            if (value is IList list && !(value is byte[]))
            {
                return ToArray(list, token);
            }

            throw Unsupported(token, value);
        }

        private static object ToScalar(object value)
        {
            switch (value)
            {
                case string _:
                case byte[] _:
                case bool _:
                case short _:
                case int _:
                case long _:
                case float _:
                case double _:
                case decimal _:
                case Guid _:
                case TimeSpan _:
                    return value;
                case DateTime time:
                    return time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time;
                case DateTimeOffset offset:
                    return offset.UtcDateTime;
                case byte b:
                    return (short)b;
                case sbyte sb:
                    return (short)sb;
                case ushort us:
                    return (int)us;
                case uint ui:
                    return (long)ui;
                case ulong ul:
                    return (decimal)ul;
                case char c:
                    return c.ToString();
                case Enum e:
                    return Convert.ToInt64(e, System.Globalization.CultureInfo.InvariantCulture);
                default:
                    return null;
            }
        }

        // PowerShell's arrays are object[]; PostgreSQL needs one element type, taken from the elements.
        private static Array ToArray(IList list, string token)
        {
            Type elementType = list.GetType().IsArray ? list.GetType().GetElementType() : typeof(object);
            if (elementType != typeof(object) && ToScalarType(elementType) == elementType)
            {
                return (Array)list;
            }

            var items = new List<object>(list.Count);
            Type common = null;
            foreach (object item in list)
            {
                object unwrapped = ValueConverter.Unwrap(item);
                object scalar = unwrapped == null ? null : ToScalar(unwrapped);
                if (unwrapped != null && scalar == null)
                {
                    throw Unsupported(token, list);
                }

                if (scalar != null)
                {
                    Type type = scalar.GetType();
                    common = common == null || common == type ? type : throw new MnesisException(Messages.ArrayElementsMixed, token, token, common.Name, type.Name);
                }

                items.Add(scalar);
            }

            if (common == null)
            {
                throw new MnesisException(Messages.ArrayElementTypeUnknown, token, token);
            }

            bool hasNulls = items.Contains(null);
            Array array = Array.CreateInstance(hasNulls && common.IsValueType ? typeof(Nullable<>).MakeGenericType(common) : common, items.Count);
            for (int i = 0; i < items.Count; i++)
            {
                array.SetValue(items[i], i);
            }

            return array;
        }

        private static Type ToScalarType(Type type) =>
            type == typeof(string) || type == typeof(bool) || type == typeof(short) || type == typeof(int) || type == typeof(long)
            || type == typeof(float) || type == typeof(double) || type == typeof(decimal) || type == typeof(Guid) || type == typeof(TimeSpan)
            || type == typeof(byte[])
                ? type
                : null;

        private static MnesisException Unsupported(string token, object value) =>
            new MnesisException(Messages.ParameterTypeUnsupported, token, token, ValueConverter.TypeNameOf(value), PostgreSqlEngine.Instance.Name);
    }
}
