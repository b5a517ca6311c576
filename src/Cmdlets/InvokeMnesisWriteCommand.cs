using System;
using System.Collections;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using Microsoft.Data.Sqlite;
using Mnesis.PowerShell.Binding;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Cmdlets
{
    /// <summary>
    /// Runs a write under the file's gate in one transaction: a query with -Parameters, a query
    /// once per pipeline object, or a script block given the connection and the transaction.
    /// Anything that does not finish (an error, Ctrl+C, a failing upstream command) rolls back.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "MnesisWrite", DefaultParameterSetName = QueryPoolSet)]
    [OutputType(typeof(int), ParameterSetName = new[] { QueryPathSet, QueryLiteralPathSet, QueryStoreSet, QueryPoolSet })]
    [OutputType(typeof(PSObject), ParameterSetName = new[] { ScriptPathSet, ScriptLiteralPathSet, ScriptStoreSet, ScriptPoolSet })]
    public sealed class InvokeMnesisWriteCommand : MnesisCmdlet, IDisposable
    {
        private const string QueryPathSet = "QueryPath";
        private const string QueryLiteralPathSet = "QueryLiteralPath";
        private const string QueryStoreSet = "QueryStore";
        private const string QueryPoolSet = "QueryPool";
        private const string ScriptPathSet = "ScriptBlockPath";
        private const string ScriptLiteralPathSet = "ScriptBlockLiteralPath";
        private const string ScriptStoreSet = "ScriptBlockStore";
        private const string ScriptPoolSet = "ScriptBlockPool";

        private MnesisStore _store;
        private BoundCommand _command;
        private WriteTransaction _transaction;
        private int _rowsChanged;
        private int _rowsInBatch;
        private int _rowsSeen;
        private bool _completed;
        private bool _openedHere;

        [Parameter(ParameterSetName = QueryPathSet, Mandatory = true)]
        [Parameter(ParameterSetName = ScriptPathSet, Mandatory = true)]
        [ArgumentCompleter(typeof(OpenStorePathCompleter))]
        [AllowEmptyString]
        public string Path { get; set; }

        [Parameter(ParameterSetName = QueryLiteralPathSet, Mandatory = true)]
        [Parameter(ParameterSetName = ScriptLiteralPathSet, Mandatory = true)]
        [Alias("PSPath", "LP")]
        [AllowEmptyString]
        public string LiteralPath { get; set; }

        [Parameter(ParameterSetName = QueryStoreSet, Mandatory = true)]
        [Parameter(ParameterSetName = ScriptStoreSet, Mandatory = true)]
        public MnesisStore Store { get; set; }

        [Parameter(ParameterSetName = QueryPathSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = QueryLiteralPathSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = QueryStoreSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = QueryPoolSet, Mandatory = true, Position = 0)]
        [AllowNull]
        [AllowEmptyString]
        public string Query { get; set; }

        /// <summary>Values for the query's parameters, by name; for pipeline rows, the values a row lacks.</summary>
        [Parameter(ParameterSetName = QueryPathSet)]
        [Parameter(ParameterSetName = QueryLiteralPathSet)]
        [Parameter(ParameterSetName = QueryStoreSet)]
        [Parameter(ParameterSetName = QueryPoolSet)]
        public IDictionary Parameters { get; set; }

        /// <summary>A row: its properties (or keys) are bound to the query's parameters by name.</summary>
        [Parameter(ParameterSetName = QueryPathSet, ValueFromPipeline = true)]
        [Parameter(ParameterSetName = QueryLiteralPathSet, ValueFromPipeline = true)]
        [Parameter(ParameterSetName = QueryStoreSet, ValueFromPipeline = true)]
        [Parameter(ParameterSetName = QueryPoolSet, ValueFromPipeline = true)]
        [AllowNull]
        public PSObject InputObject { get; set; }

        /// <summary>Commit every this many rows instead of once at the end.</summary>
        [Parameter(ParameterSetName = QueryPathSet)]
        [Parameter(ParameterSetName = QueryLiteralPathSet)]
        [Parameter(ParameterSetName = QueryStoreSet)]
        [Parameter(ParameterSetName = QueryPoolSet)]
        public int BatchSize { get; set; }

        [Parameter(ParameterSetName = ScriptPathSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = ScriptLiteralPathSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = ScriptStoreSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = ScriptPoolSet, Mandatory = true, Position = 0)]
        public ScriptBlock ScriptBlock { get; set; }

        private bool IsScriptBlockForm => ScriptBlock != null;

        private const int ProgressEveryRows = 10000;

        // Decided once in BeginProcessing: they are read for every row.
        private bool _hasRows;
        private bool _showProgress;
        private int _knownRowCount;
        private bool _progressShown;

        protected override void BeginProcessing()
        {
            if (!IsScriptBlockForm && string.IsNullOrWhiteSpace(Query))
            {
                ThrowMnesisError(new MnesisException(Messages.QueryEmpty, "Query"));
            }

            if (MyInvocation.BoundParameters.ContainsKey(nameof(BatchSize)) && BatchSize < 1)
            {
                ThrowMnesisError(new MnesisException(Messages.BatchSizeInvalid, "BatchSize", BatchSize));
            }

            _hasRows = MyInvocation.ExpectingInput || MyInvocation.BoundParameters.ContainsKey(nameof(InputObject));
            _showProgress = _hasRows && WantsProgress();
            try
            {
                _store = ResolveSingleStore(Store, Path, LiteralPath, mayCreate: true, out _openedHere);
                if (!IsScriptBlockForm)
                {
                    _command = _store.Commands.Rent(Query);
                }
            }
            catch (MnesisException ex)
            {
                DiscardIfOpenedHere();
                ThrowMnesisError(ex);
            }
        }

        protected override void ProcessRecord()
        {
            if (IsScriptBlockForm || !_hasRows)
            {
                return;
            }

            if (MyInvocation.ExpectingInput)
            {
                WriteRow(InputObject);
                return;
            }

            IEnumerable rows = LanguagePrimitives.GetEnumerable(InputObject?.BaseObject) ?? new object[] { InputObject };
            _knownRowCount = rows is ICollection collection ? collection.Count : 0;
            foreach (object row in rows)
            {
                WriteRow(row);
            }
        }

        protected override void EndProcessing()
        {
            if (IsScriptBlockForm)
            {
                RunScriptBlock();
                return;
            }

            if (!_hasRows)
            {
                WriteRow(null);
            }

            try
            {
                CommitBatch();
            }
            catch (Exception ex) when (IsWriteFailure(ex))
            {
                Fail(ex);
            }

            _completed = true;
            if (_progressShown)
            {
                WriteProgress(NewProgressRecord(ProgressRecordType.Completed));
            }

            WriteObject(_rowsChanged);
        }

        protected override void StopProcessing()
        {
            base.StopProcessing();
            _command?.Cancel();
        }

        /// <summary>Whatever did not commit is rolled back here, and the gate released.</summary>
        public void Dispose()
        {
            _transaction?.Dispose();
            _transaction = null;
            if (!_completed)
            {
                DiscardIfOpenedHere();
            }

            if (_command != null)
            {
                // A command that was interrupted or failed is not worth keeping.
                if (_completed)
                {
                    _store.Commands.Return(_command);
                }
                else
                {
                    _command.Dispose();
                }

                _command = null;
            }
        }

        // A row without -InputObject (the single-statement form) takes its values from -Parameters alone.
        private void WriteRow(object row)
        {
            _rowsSeen++;
            try
            {
                if (_hasRows && (row == null || (row is PSObject ps && ps.BaseObject == null)))
                {
                    throw new MnesisException(Messages.InputObjectNull, "InputObject", _rowsSeen);
                }

                if (_transaction == null)
                {
                    _transaction = BeginWrite();
                }

                _command.Bind(row, Parameters, _hasRows ? _rowsSeen : 0);
                _rowsChanged += _command.Execute(_transaction.Transaction);
                _rowsInBatch++;
                if (BatchSize > 0 && _rowsInBatch >= BatchSize)
                {
                    CommitBatch();
                }

                if (_showProgress && _rowsSeen % ProgressEveryRows == 0)
                {
                    ReportProgress();
                }
            }
            catch (Exception ex) when (IsWriteFailure(ex))
            {
                Fail(ex);
            }
        }

        // Committing between batches also releases the gate, so other writers get a turn.
        private void CommitBatch()
        {
            if (_transaction == null)
            {
                return;
            }

            WriteTransaction committing = _transaction;
            _transaction = null;
            committing.Commit();
            if (!committing.IsNested)
            {
                WriteVerboseMessage(Messages.VerboseCommitted, _store.Path);
            }

            _rowsInBatch = 0;
        }

        private void RunScriptBlock()
        {
            Collection<PSObject> output;
            try
            {
                _transaction = BeginWrite();
                try
                {
                    output = ScriptBlock.Invoke(_transaction.Connection, _transaction.Transaction);
                }
                catch (RuntimeException ex) when (!(ex is PipelineStoppedException))
                {
                    RollBack();
                    _store.RecordError(ex.Message);
                    DiscardIfOpenedHere();

                    // Rethrown as is, so the caller sees the block's own ErrorRecord (ThrowTerminatingError
                    // would append this cmdlet's name to its FullyQualifiedErrorId).
                    throw;
                }

                CommitBatch();
            }
            catch (Exception ex) when (IsWriteFailure(ex))
            {
                Fail(ex);
                return;
            }

            _completed = true;
            WriteObject(output, enumerateCollection: true);
        }

        private WriteTransaction BeginWrite()
        {
            try
            {
                WriteTransaction write = WriteTransaction.Begin(_store, IsScriptBlockForm, StopToken,
                    () => WriteVerboseMessage(Messages.VerboseWaitingForGate, _store.Path));
                if (write.IsNested)
                {
                    WriteVerboseMessage(Messages.VerboseJoined, _store.Path);
                }

                return write;
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }
        }

        private void RollBack()
        {
            if (_transaction != null)
            {
                _transaction.Rollback();
                _transaction = null;
                WriteVerboseMessage(Messages.VerboseRolledBack, _store.Path);
            }
        }

        // Progress costs a record per report; skip it entirely where nobody would see it.
        private bool WantsProgress()
        {
            object preference = SessionState.PSVariable.GetValue("ProgressPreference");
            return !(preference is ActionPreference action)
                || (action != ActionPreference.SilentlyContinue && action != ActionPreference.Ignore);
        }

        // A new record each time: hosts may keep the records they are given.
        private void ReportProgress()
        {
            WriteProgress(NewProgressRecord(ProgressRecordType.Processing));
            _progressShown = true;
        }

        private ProgressRecord NewProgressRecord(ProgressRecordType type)
        {
            var record = new ProgressRecord(0,
                string.Format(CultureInfo.CurrentCulture, Messages.ProgressActivity, _store.Path),
                string.Format(CultureInfo.CurrentCulture, Messages.ProgressStatus, _rowsSeen))
            {
                RecordType = type,
            };
            if (_knownRowCount > 0)
            {
                record.PercentComplete = (int)Math.Min(100, 100L * _rowsSeen / _knownRowCount);
            }

            return record;
        }

        // Bad input leaves nothing behind: not even the database that opening its path created.
        private void DiscardIfOpenedHere()
        {
            if (_openedHere && _store != null)
            {
                _openedHere = false;
                _store.Pool.DiscardIfUnused(_store);
            }
        }

        private bool IsWriteFailure(Exception ex) =>
            ex is MnesisException || ex is SqliteException || (ex is InvalidOperationException && !_store.IsOpen);

        // Every failure inside a write rolls it back before it surfaces as a terminating error.
        private void Fail(Exception ex)
        {
            RollBack();
            MnesisException error;
            switch (ex)
            {
                case MnesisException mnesis:
                    error = mnesis;
                    break;
                case SqliteException sqlite:
                    ThrowIfStopping();
                    error = SqliteFailure.ToMnesis(sqlite, _store);
                    break;
                default:
                    error = new MnesisException(Messages.StoreClosed, _store, ex, _store.Path);
                    break;
            }

            _store.RecordError(error.Message);
            DiscardIfOpenedHere();
            ThrowMnesisError(error);
        }
    }
}
