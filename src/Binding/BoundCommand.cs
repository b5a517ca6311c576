using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Globalization;
using System.Linq;
using System.Threading;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Engines;
using Mnesis.PowerShell.Sql;
using Mnesis.PowerShell.Values;

namespace Mnesis.PowerShell.Binding
{
    /// <summary>
    /// A command whose parameters come from the names in its SQL; each execution only sets values.
    /// Values come from a row (an object or dictionary) and, for names the row lacks, from a
    /// dictionary of defaults.
    /// </summary>
    internal sealed class BoundCommand : IDisposable
    {
        private readonly StoreEngine _engine;
        private readonly EngineCommand _command;
        private readonly IReadOnlyList<string> _tokens;
        private readonly string[] _names;
        private readonly object[] _values;
        private readonly object _interrupts = new object();
        private bool _interruptsHeld;

        internal BoundCommand(StoreEngine engine, DbConnection connection, string sql)
        {
            ParsedSql parsed = SqlParameterScanner.Scan(sql, engine.Dialect);
            if (parsed.FirstPositional != null)
            {
                throw new MnesisException(Messages.PositionalParameter, "Query", parsed.FirstPositional);
            }

            Sql = sql;
            IsSingleStatement = parsed.StatementCount <= 1;
            int outside = 0;
            for (int i = 0; i < parsed.StatementCount; i++)
            {
                string start = parsed.StatementStart(i);
                outside += engine.RunsOutsideTransaction(start) ? 1 : 0;
                ChangesConnection |= engine.ChangesConnection(start);
            }

            RunsOutsideTransaction = outside > 0 && outside == parsed.StatementCount;
            MixesOutsideTransaction = outside > 0 && outside < parsed.StatementCount;
            _engine = engine;
            _tokens = parsed.Names;
            _values = new object[_tokens.Count];
            _names = new string[_tokens.Count];
            for (int i = 0; i < _names.Length; i++)
            {
                _names[i] = SqlParameterScanner.BareName(_tokens[i]);
            }

            _command = engine.CreateCommand(connection, parsed);
        }

        internal string Sql { get; }

        /// <summary>True when the text is one statement, which the engine runs atomically on its own.</summary>
        internal bool IsSingleStatement { get; }

        /// <summary>True when every statement must run outside a transaction (maintenance such as VACUUM).</summary>
        internal bool RunsOutsideTransaction { get; }

        /// <summary>True when some statements must run outside a transaction and others inside one.</summary>
        internal bool MixesOutsideTransaction { get; }

        /// <summary>True when a statement changes the connection rather than the database.</summary>
        internal bool ChangesConnection { get; }

        /// <summary>Sets every parameter from <paramref name="row"/>, then <paramref name="defaults"/>.</summary>
        /// <param name="rowNumber">The row's place in the input, for errors; 0 when the values come from -Parameters alone.</param>
        internal void Bind(object row, object defaults, int rowNumber)
        {
            for (int i = 0; i < _tokens.Count; i++)
            {
                string token = _tokens[i];
                string name = _names[i];
                if (!(row != null && ValueLookup.TryGet(row, name, token, out object value))
                    && !(defaults != null && ValueLookup.TryGet(defaults, name, token, out value)))
                {
                    string source = rowNumber > 0
                        ? string.Format(CultureInfo.CurrentCulture, Messages.InputObjectDescription, rowNumber)
                        : Messages.ParametersDescription;
                    throw new MnesisException(Messages.ParameterMissing, token, token, source, name, SuppliedNames(row, defaults));
                }

                _values[i] = _engine.ToParameterValue(ValueConverter.Unwrap(value), token);
                _command.SetValue(i, _values[i]);
            }
        }

        // What would have worked: the names the row and the defaults do have (a typo shows beside its intent).
        private static string SuppliedNames(object row, object defaults)
        {
            var names = new List<string>();
            foreach (object source in new[] { row, defaults })
            {
                if (source != null)
                {
                    foreach (string name in ValueLookup.NamesOf(source))
                    {
                        if (!names.Contains(name, StringComparer.OrdinalIgnoreCase))
                        {
                            names.Add(name);
                        }
                    }
                }
            }

            const int Shown = 20;
            if (names.Count == 0)
            {
                return Messages.NoNamesSupplied;
            }

            string list = "'" + string.Join("', '", names.Take(Shown)) + "'" + (names.Count > Shown ? ", ..." : string.Empty);
            return string.Format(CultureInfo.CurrentCulture, Messages.NamesSupplied, list);
        }

        /// <summary>A copy of the values the last Bind set, in the engine's form.</summary>
        internal object[] Values => (object[])_values.Clone();

        /// <summary>Sets values another command of the same SQL bound (see Values).</summary>
        internal void SetValues(object[] values)
        {
            for (int i = 0; i < values.Length; i++)
            {
                _values[i] = values[i];
                _command.SetValue(i, values[i]);
            }
        }

        internal int Execute(DbTransaction transaction) => _command.ExecuteNonQuery(transaction);

        /// <summary>Runs every statement as a write; rows that statements return go to <paramref name="readRows"/> (see EngineCommand.ExecuteWrite).</summary>
        internal int ExecuteWrite(DbTransaction transaction, Action<DbDataReader> readRows) => _command.ExecuteWrite(transaction, readRows);

        internal int Queue(DbTransaction transaction, Action<DbDataReader> readRows) => _command.Queue(transaction, readRows);

        internal int Flush(DbTransaction transaction, Action<DbDataReader> readRows) => _command.Flush(transaction, readRows);

        /// <summary>False only when the engine knows that the text returns no rows (see EngineCommand.MayReturnRows).</summary>
        internal bool MayReturnRows => _command.MayReturnRows;

        /// <summary>Limits the statements' time in the engine's client (see EngineCommand.LimitTime).</summary>
        internal void LimitTime(int seconds) => _command.LimitTime(seconds);

        internal void DiscardQueued() => _command.DiscardQueued();

        /// <summary>True when the text would change the database (see EngineCommand.MayWrite).</summary>
        internal bool MayWrite => _command.MayWrite;

        internal DbDataReader ExecuteReader(DbTransaction transaction) => _command.ExecuteReader(transaction);

        internal object ExecuteScalar(DbTransaction transaction) => _command.ExecuteScalar(transaction);

        /// <summary>Stops a reader's statement when the caller stops reading before the end (see EngineCommand.AbandonReader).</summary>
        internal void AbandonReader() => _command.AbandonReader();

        /// <summary>Interrupts the running statement when <paramref name="cancellation"/> is cancelled, until the result is disposed.</summary>
        internal CancellationTokenRegistration CancelOn(CancellationToken cancellation) => cancellation.Register(Cancel);

        /// <summary>Interrupts a running statement (Ctrl+C), unless interrupts are held.</summary>
        internal void Cancel()
        {
            lock (_interrupts)
            {
                if (!_interruptsHeld)
                {
                    _command.Cancel();
                }
            }
        }

        /// <summary>
        /// While held, Cancel does nothing: an interrupt reaches whatever runs on the connection,
        /// which may be other callers' grouped writes. (One that lands just after this command's
        /// own statement ended is dropped when the next statement starts.)
        /// </summary>
        internal void HoldInterrupts(bool hold)
        {
            lock (_interrupts)
            {
                _interruptsHeld = hold;
            }
        }

        public void Dispose() => _command.Dispose();
    }
}
