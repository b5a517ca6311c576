using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Npgsql;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Sql;
using Mnesis.PowerShell.Values;

namespace Mnesis.PowerShell.Engines.PostgreSql
{
    /// <summary>
    /// Rows into a table through binary COPY (NpgsqlBinaryImporter) in the write's transaction: one
    /// stream instead of a round trip per row. Binary COPY sends each value in its column's exact
    /// type, so every value is converted first (Import-Csv gives strings): a whole row is converted
    /// before any of it is sent, and one that does not convert is an error naming its row and column.
    /// </summary>
    internal sealed class PostgreSqlCopyInsert : TableInsert
    {
        private readonly NpgsqlConnection _connection;
        private readonly string _copySql;
        private readonly IReadOnlyList<TableColumn> _columns;
        private readonly string _table;
        private readonly object[] _converted;
        private readonly NpgsqlTypes.NpgsqlDbType?[] _dbTypes;
        private NpgsqlBinaryImporter _importer;

        internal PostgreSqlCopyInsert(NpgsqlConnection connection, TableSchema table, IReadOnlyList<TableColumn> columns)
        {
            _connection = connection;
            _columns = columns;
            _table = table.Display;
            _converted = new object[columns.Count];

            // Resolved once: naming the type by its text on every value makes Npgsql parse the name each time.
            _dbTypes = new NpgsqlTypes.NpgsqlDbType?[columns.Count];
            for (int i = 0; i < columns.Count; i++)
            {
                _dbTypes[i] = DbTypeOf(columns[i].DataType);
            }
            var sql = new StringBuilder("COPY ").Append(table.QuotedName).Append(" (");
            for (int i = 0; i < columns.Count; i++)
            {
                sql.Append(i == 0 ? string.Empty : ", ").Append(SqlIdentifier.Quote(columns[i].Name));
            }

            _copySql = sql.Append(") FROM STDIN (FORMAT BINARY)").ToString();
        }

        internal override void WriteRow(DbTransaction transaction, object[] values, int rowNumber)
        {
            for (int i = 0; i < values.Length; i++)
            {
                _converted[i] = Convert(values[i], _columns[i], rowNumber);
            }

            // The COPY starts at the first row of each transaction (a -BatchSize commit ends it).
            _importer ??= _connection.BeginBinaryImport(_copySql);
            _importer.StartRow();
            for (int i = 0; i < _converted.Length; i++)
            {
                object value = _converted[i];
                if (value == null)
                {
                    _importer.WriteNull();
                    continue;
                }

                try
                {
                    if (_dbTypes[i] is NpgsqlTypes.NpgsqlDbType dbType)
                    {
                        _importer.Write(value, dbType);
                    }
                    else
                    {
                        _importer.Write(value, _columns[i].DataType);
                    }
                }
                catch (Exception ex) when (ex is InvalidCastException || ex is NotSupportedException || ex is ArgumentException)
                {
                    throw Invalid(rowNumber, _columns[i], value, ex);
                }
            }
        }

        internal override int Finish(DbTransaction transaction)
        {
            if (_importer == null)
            {
                return 0;
            }

            NpgsqlBinaryImporter importer = _importer;
            _importer = null;
            try
            {
                return (int)importer.Complete();
            }
            finally
            {
                importer.Dispose();
            }
        }

        // An importer not completed is cancelled: the server discards the COPY, the rollback follows.
        public override void Dispose()
        {
            NpgsqlBinaryImporter importer = _importer;
            _importer = null;
            if (importer == null)
            {
                return;
            }

            try
            {
                importer.Dispose();
            }
            catch (Exception ex) when (ex is NpgsqlException || ex is InvalidOperationException || ex is System.IO.IOException)
            {
                // The COPY was cancelled, which the server answers with an error; the transaction is rolled back next.
            }
        }

        // PowerShell values, and the strings of Import-Csv, as the CLR type Npgsql writes for the column's type.
        private object Convert(object value, TableColumn column, int rowNumber)
        {
            object unwrapped = ValueConverter.Unwrap(value);
            if (unwrapped == null || unwrapped is DBNull)
            {
                return null;
            }

            string type = column.DataType;
            try
            {
                if (unwrapped is string text)
                {
                    return FromText(text, type);
                }

                object bound = PostgreSqlValues.ToParameterValue(unwrapped, column.Name);
                return FromValue(bound, type);
            }
            catch (Exception ex) when (ex is FormatException || ex is OverflowException || ex is InvalidCastException)
            {
                throw Invalid(rowNumber, column, unwrapped, ex);
            }
        }

        private static object FromText(string text, string type)
        {
            switch (type)
            {
                case "text":
                case "character varying":
                case "character":
                case "name":
                case "json":
                case "jsonb":
                case "xml":
                case "citext":
                    return text;
            }

            // An empty CSV cell is no value for any other type.
            if (text.Trim().Length == 0)
            {
                return null;
            }

            CultureInfo invariant = CultureInfo.InvariantCulture;
            switch (type)
            {
                case "smallint": return short.Parse(text, NumberStyles.Integer, invariant);
                case "integer": return int.Parse(text, NumberStyles.Integer, invariant);
                case "bigint": return long.Parse(text, NumberStyles.Integer, invariant);
                case "real": return float.Parse(text, NumberStyles.Float, invariant);
                case "double precision": return double.Parse(text, NumberStyles.Float, invariant);
                case "numeric":
                case "money": return decimal.Parse(text, NumberStyles.Float, invariant);
                case "boolean": return ParseBoolean(text);
                case "uuid": return Guid.Parse(text);
                case "date": return DateTime.Parse(text, invariant, DateTimeStyles.None).Date;
                case "timestamp without time zone": return DateTime.SpecifyKind(DateTime.Parse(text, invariant, DateTimeStyles.None), DateTimeKind.Unspecified);
                case "timestamp with time zone": return DateTime.Parse(text, invariant, DateTimeStyles.AssumeLocal | DateTimeStyles.AdjustToUniversal);
                case "time without time zone":
                case "interval": return TimeSpan.Parse(text, invariant);
                case "bytea": return System.Convert.FromBase64String(text);
                default: throw new InvalidCastException();
            }
        }

        private static NpgsqlTypes.NpgsqlDbType? DbTypeOf(string type)
        {
            switch (type)
            {
                case "smallint": return NpgsqlTypes.NpgsqlDbType.Smallint;
                case "integer": return NpgsqlTypes.NpgsqlDbType.Integer;
                case "bigint": return NpgsqlTypes.NpgsqlDbType.Bigint;
                case "real": return NpgsqlTypes.NpgsqlDbType.Real;
                case "double precision": return NpgsqlTypes.NpgsqlDbType.Double;
                case "numeric": return NpgsqlTypes.NpgsqlDbType.Numeric;
                case "money": return NpgsqlTypes.NpgsqlDbType.Money;
                case "boolean": return NpgsqlTypes.NpgsqlDbType.Boolean;
                case "uuid": return NpgsqlTypes.NpgsqlDbType.Uuid;
                case "date": return NpgsqlTypes.NpgsqlDbType.Date;
                case "timestamp without time zone": return NpgsqlTypes.NpgsqlDbType.Timestamp;
                case "timestamp with time zone": return NpgsqlTypes.NpgsqlDbType.TimestampTz;
                case "time without time zone": return NpgsqlTypes.NpgsqlDbType.Time;
                case "interval": return NpgsqlTypes.NpgsqlDbType.Interval;
                case "bytea": return NpgsqlTypes.NpgsqlDbType.Bytea;
                case "text": return NpgsqlTypes.NpgsqlDbType.Text;
                case "character varying": return NpgsqlTypes.NpgsqlDbType.Varchar;
                case "character": return NpgsqlTypes.NpgsqlDbType.Char;
                case "json": return NpgsqlTypes.NpgsqlDbType.Json;
                case "jsonb": return NpgsqlTypes.NpgsqlDbType.Jsonb;
                default: return null;
            }
        }

        // PostgreSQL's own spellings of a boolean (PowerShell would take any non-empty string as $true).
        private static bool ParseBoolean(string text)
        {
            switch (text.Trim().ToLowerInvariant())
            {
                case "t": case "true": case "y": case "yes": case "on": case "1": return true;
                case "f": case "false": case "n": case "no": case "off": case "0": return false;
                default: throw new FormatException();
            }
        }

        private static object FromValue(object value, string type)
        {
            CultureInfo invariant = CultureInfo.InvariantCulture;
            switch (type)
            {
                case "smallint": return System.Convert.ToInt16(value, invariant);
                case "integer": return System.Convert.ToInt32(value, invariant);
                case "bigint": return System.Convert.ToInt64(value, invariant);
                case "real": return System.Convert.ToSingle(value, invariant);
                case "double precision": return System.Convert.ToDouble(value, invariant);
                case "numeric":
                case "money": return System.Convert.ToDecimal(value, invariant);
                case "boolean": return value is bool ? value : System.Convert.ToBoolean(value, invariant);
                case "date": return value is DateTime date ? date.Date : throw new InvalidCastException();
                case "timestamp without time zone":
                    return value is DateTime local ? DateTime.SpecifyKind(local.Kind == DateTimeKind.Utc ? local.ToLocalTime() : local, DateTimeKind.Unspecified) : throw new InvalidCastException();
                case "timestamp with time zone":
                    return value is DateTime instant ? (instant.Kind == DateTimeKind.Utc ? instant : instant.ToUniversalTime()) : throw new InvalidCastException();
                case "text":
                case "character varying":
                case "character":
                case "citext":
                    return value is string ? value : System.Convert.ToString(value, invariant);
                default:
                    return value;
            }
        }

        private MnesisException Invalid(int rowNumber, TableColumn column, object value, Exception inner) =>
            new MnesisException(Messages.TableValueInvalid, column.Name, inner, rowNumber, column.Name, _table, ValueConverter.TypeNameOf(value), column.DataType);
    }
}
