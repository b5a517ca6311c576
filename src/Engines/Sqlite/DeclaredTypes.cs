using System;
using System.Globalization;

namespace Mnesis.PowerShell.Engines.Sqlite
{
    /// <summary>
    /// SQLite stores dates as text, booleans as 0 and 1, GUIDs as text or 16 bytes and decimals as
    /// numbers or text; the column's declared type says what the value means. Scripts ported from
    /// System.Data.SQLite (PSSQLite, SimplySql) expect [datetime], [bool], [guid] and [decimal], as
    /// PostgreSQL gives them. A value that does not parse as its declared type comes back as stored:
    /// SQLite lets any column hold any value, and losing one (or failing the read) would be worse.
    /// </summary>
    internal static class DeclaredTypes
    {
        // What SQLite's date functions, Microsoft.Data.Sqlite, System.Data.SQLite and python's
        // sqlite3 write: ISO 8601 with a space or a T, optional fraction and zone. Numbers stay
        // numbers: Unix time and Julian days cannot be told apart.
        private static readonly string[] s_dateFormats =
        {
            "yyyy-MM-dd",
            "yyyy-MM-dd HH:mmK",
            "yyyy-MM-dd HH:mm:ssK",
            "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
            "yyyy-MM-ddTHH:mmK",
            "yyyy-MM-ddTHH:mm:ssK",
            "yyyy-MM-ddTHH:mm:ss.FFFFFFFK",
        };

        /// <summary>
        /// The conversion for a column declared as <paramref name="declaredType"/> (as SQLite reports it,
        /// precision and all); null when its values keep their storage class.
        /// </summary>
        internal static Func<object, object> ConverterFor(string declaredType)
        {
            switch (Normalize(declaredType))
            {
                case "DATE":
                case "DATETIME":
                case "TIMESTAMP":
                case "TIMESTAMP WITH TIME ZONE":
                case "TIMESTAMP WITHOUT TIME ZONE":
                    return ToDateTime;
                case "BOOL":
                case "BOOLEAN":
                    return ToBoolean;
                case "GUID":
                case "UNIQUEIDENTIFIER":
                    return ToGuid;
                case "DECIMAL":
                case "NUMERIC":
                case "MONEY":
                    return ToDecimal;
                default:
                    return null;
            }
        }

        // "datetime(3)", " Decimal (10, 2)", "timestamp  with time zone" -> DATETIME, DECIMAL, TIMESTAMP WITH TIME ZONE.
        private static string Normalize(string declaredType)
        {
            if (string.IsNullOrEmpty(declaredType))
            {
                return null;
            }

            int paren = declaredType.IndexOf('(');
            string name = paren >= 0 ? declaredType.Substring(0, paren) : declaredType;
            return string.Join(" ", name.Split((char[])null, StringSplitOptions.RemoveEmptyEntries)).ToUpperInvariant();
        }

        internal static object ToDateTime(object stored)
        {
            if (stored is string text
                && DateTime.TryParseExact(text.Trim(), s_dateFormats, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out DateTime time))
            {
                // A stored offset names an instant: give it as UTC, as PostgreSQL gives timestamptz.
                return time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time;
            }

            return stored;
        }

        internal static object ToBoolean(object stored)
        {
            switch (stored)
            {
                case long number when number == 0 || number == 1:
                    return number == 1;
                case string text when bool.TryParse(text.Trim(), out bool flag):
                    return flag;
                default:
                    return stored;
            }
        }

        internal static object ToGuid(object stored)
        {
            switch (stored)
            {
                case string text when Guid.TryParse(text, out Guid guid):
                    return guid;
                case byte[] bytes when bytes.Length == 16:
                    return new Guid(bytes);
                default:
                    return stored;
            }
        }

        // NUMERIC affinity stores 1.10 as the REAL 1.1 (SQLite keeps 15 significant digits of a
        // number), and text that is no number as text.
        internal static object ToDecimal(object stored)
        {
            switch (stored)
            {
                case long number:
                    return (decimal)number;
                case double real when !double.IsNaN(real) && !double.IsInfinity(real) && Math.Abs(real) < 7.9e28:
                    return Convert.ToDecimal(real);
                case string text when decimal.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out decimal value):
                    return value;
                default:
                    return stored;
            }
        }
    }
}
