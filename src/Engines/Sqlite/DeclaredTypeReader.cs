using System;
using System.Collections;
using System.Data.Common;

namespace Mnesis.PowerShell.Engines.Sqlite
{
    /// <summary>
    /// A SQLite reader whose values follow their column's declared type (see DeclaredTypes). The
    /// conversions are looked up once per result set, so a column without one costs one array
    /// read per value; everything that reads through an engine command (rows, -Scalar, output
    /// rows of a write) gets the same values.
    /// </summary>
    internal sealed class DeclaredTypeReader : DbDataReader
    {
        private readonly DbDataReader _inner;
        private Func<object, object>[] _converters;

        internal DeclaredTypeReader(DbDataReader inner)
        {
            _inner = inner;
            _converters = ConvertersOf(inner);
        }

        public override int FieldCount => _inner.FieldCount;

        public override bool HasRows => _inner.HasRows;

        public override bool IsClosed => _inner.IsClosed;

        public override int RecordsAffected => _inner.RecordsAffected;

        public override int Depth => _inner.Depth;

        public override object this[int ordinal] => GetValue(ordinal);

        public override object this[string name] => GetValue(GetOrdinal(name));

        public override bool Read() => _inner.Read();

        public override bool NextResult()
        {
            bool more = _inner.NextResult();
            _converters = more ? ConvertersOf(_inner) : null;
            return more;
        }

        public override object GetValue(int ordinal)
        {
            object value = _inner.GetValue(ordinal);
            Func<object, object> convert = _converters?[ordinal];
            return convert == null || value is DBNull ? value : convert(value);
        }

        public override int GetValues(object[] values)
        {
            int count = Math.Min(values.Length, FieldCount);
            for (int i = 0; i < count; i++)
            {
                values[i] = GetValue(i);
            }

            return count;
        }

        public override string GetName(int ordinal) => _inner.GetName(ordinal);

        public override int GetOrdinal(string name) => _inner.GetOrdinal(name);

        public override string GetDataTypeName(int ordinal) => _inner.GetDataTypeName(ordinal);

        public override Type GetFieldType(int ordinal) => _inner.GetFieldType(ordinal);

        public override bool IsDBNull(int ordinal) => _inner.IsDBNull(ordinal);

        public override bool GetBoolean(int ordinal) => _inner.GetBoolean(ordinal);

        public override byte GetByte(int ordinal) => _inner.GetByte(ordinal);

        public override long GetBytes(int ordinal, long dataOffset, byte[] buffer, int bufferOffset, int length) =>
            _inner.GetBytes(ordinal, dataOffset, buffer, bufferOffset, length);

        public override char GetChar(int ordinal) => _inner.GetChar(ordinal);

        public override long GetChars(int ordinal, long dataOffset, char[] buffer, int bufferOffset, int length) =>
            _inner.GetChars(ordinal, dataOffset, buffer, bufferOffset, length);

        public override DateTime GetDateTime(int ordinal) => _inner.GetDateTime(ordinal);

        public override decimal GetDecimal(int ordinal) => _inner.GetDecimal(ordinal);

        public override double GetDouble(int ordinal) => _inner.GetDouble(ordinal);

        public override float GetFloat(int ordinal) => _inner.GetFloat(ordinal);

        public override Guid GetGuid(int ordinal) => _inner.GetGuid(ordinal);

        public override short GetInt16(int ordinal) => _inner.GetInt16(ordinal);

        public override int GetInt32(int ordinal) => _inner.GetInt32(ordinal);

        public override long GetInt64(int ordinal) => _inner.GetInt64(ordinal);

        public override string GetString(int ordinal) => _inner.GetString(ordinal);

        public override IEnumerator GetEnumerator() => new DbEnumerator(this, closeReader: false);

        public override void Close() => _inner.Close();

        // The inner reader's Dispose runs the statements left and closes it (the base class would only call Close).
        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }
        }

        // Null when no column of the result set has a conversion: the common case reads straight through.
        private static Func<object, object>[] ConvertersOf(DbDataReader reader)
        {
            Func<object, object>[] converters = null;
            for (int i = 0; i < reader.FieldCount; i++)
            {
                Func<object, object> convert = DeclaredTypes.ConverterFor(reader.GetDataTypeName(i));
                if (convert != null)
                {
                    converters = converters ?? new Func<object, object>[reader.FieldCount];
                    converters[i] = convert;
                }
            }

            return converters;
        }
    }
}
