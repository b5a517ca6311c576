using System;
using System.Collections;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Threading;
using Mnesis.PowerShell.Binding;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Engines;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Cmdlets
{
    /// <summary>
    /// Runs a write in one transaction, inside the database's gate: a query with -Parameters, a
    /// query once per input object, or a script block given the connection and the transaction.
    /// Anything that does not finish (an error, Ctrl+C, a failing upstream command) rolls back.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "MnesisWrite", DefaultParameterSetName = QueryPoolSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(int), ParameterSetName = new[] { QueryPathSet, QueryLiteralPathSet, QueryStoreSet, QueryPoolSet, QueryConnectionStringSet })]
    [OutputType(typeof(PSObject), ParameterSetName = new[] { ScriptPathSet, ScriptLiteralPathSet, ScriptStoreSet, ScriptPoolSet, ScriptConnectionStringSet })]
    public sealed class InvokeMnesisWriteCommand : MnesisCmdlet, IDisposable
    {
        private const string QueryPathSet = "QueryPath";
        private const string QueryLiteralPathSet = "QueryLiteralPath";
        private const string QueryStoreSet = "QueryStore";
        private const string QueryPoolSet = "QueryPool";
        private const string QueryConnectionStringSet = "QueryConnectionString";
        private const string ScriptPathSet = "ScriptBlockPath";
        private const string ScriptLiteralPathSet = "ScriptBlockLiteralPath";
        private const string ScriptStoreSet = "ScriptBlockStore";
        private const string ScriptPoolSet = "ScriptBlockPool";
        private const string ScriptConnectionStringSet = "ScriptBlockConnectionString";

        private const int ProgressEveryRows = 10000;

        // A -Query write whose input is all in hand is run again after losing a race with another
        // writer (PostgreSQL's serialization failures and deadlocks), after a growing pause.
        private const int ConflictAttempts = 4;
        private const int ConflictBackoffMilliseconds = 25;

        private MnesisStore _store;
        private BoundCommand _command;
        private WriteTransaction _transaction;
        private IEnumerable _inputRows;
        private int _rowsChanged;
        private int _rowsInBatch;
        private int _rowsSeen;
        private bool _completed;
        private bool _openedHere;

        // Decided once in BeginProcessing: they are read for every row.
        private bool _asks;
        private bool _declined;
        private string _targetDescription;
        private bool _hasRows;
        private bool _showProgress;
        private int _knownRowCount;
        private bool _progressShown;

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

        /// <summary>A PostgreSQL database: Npgsql keywords or a postgres:// URI.</summary>
        [Parameter(ParameterSetName = QueryConnectionStringSet, Mandatory = true)]
        [Parameter(ParameterSetName = ScriptConnectionStringSet, Mandatory = true)]
        [AllowEmptyString]
        public string ConnectionString { get; set; }

        [Parameter(ParameterSetName = QueryConnectionStringSet)]
        [Parameter(ParameterSetName = ScriptConnectionStringSet)]
        [Credential]
        public PSCredential Credential { get; set; }

        [Parameter(ParameterSetName = QueryStoreSet, Mandatory = true)]
        [Parameter(ParameterSetName = ScriptStoreSet, Mandatory = true)]
        public MnesisStore Store { get; set; }

        [Parameter(ParameterSetName = QueryPathSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = QueryLiteralPathSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = QueryStoreSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = QueryPoolSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = QueryConnectionStringSet, Mandatory = true, Position = 0)]
        [AllowNull]
        [AllowEmptyString]
        public string Query { get; set; }

        /// <summary>Values for the query's parameters, by name; for input rows, the values a row lacks.</summary>
        [Parameter(ParameterSetName = QueryPathSet)]
        [Parameter(ParameterSetName = QueryLiteralPathSet)]
        [Parameter(ParameterSetName = QueryStoreSet)]
        [Parameter(ParameterSetName = QueryPoolSet)]
        [Parameter(ParameterSetName = QueryConnectionStringSet)]
        public IDictionary Parameters { get; set; }

        /// <summary>A row: its properties (or keys) are bound to the query's parameters by name.</summary>
        [Parameter(ParameterSetName = QueryPathSet, ValueFromPipeline = true)]
        [Parameter(ParameterSetName = QueryLiteralPathSet, ValueFromPipeline = true)]
        [Parameter(ParameterSetName = QueryStoreSet, ValueFromPipeline = true)]
        [Parameter(ParameterSetName = QueryPoolSet, ValueFromPipeline = true)]
        [Parameter(ParameterSetName = QueryConnectionStringSet, ValueFromPipeline = true)]
        [AllowNull]
        public PSObject InputObject { get; set; }

        /// <summary>Commit every this many rows instead of once at the end.</summary>
        [Parameter(ParameterSetName = QueryPathSet)]
        [Parameter(ParameterSetName = QueryLiteralPathSet)]
        [Parameter(ParameterSetName = QueryStoreSet)]
        [Parameter(ParameterSetName = QueryPoolSet)]
        [Parameter(ParameterSetName = QueryConnectionStringSet)]
        public int BatchSize { get; set; }

        [Parameter(ParameterSetName = ScriptPathSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = ScriptLiteralPathSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = ScriptStoreSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = ScriptPoolSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = ScriptConnectionStringSet, Mandatory = true, Position = 0)]
        public ScriptBlock ScriptBlock { get; set; }

        private bool IsScriptBlockForm => ScriptBlock != null;

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

            // -WhatIf and -Confirm are asked before the store opens: opening may create the database.
            _asks = WhatIfOrConfirmInEffect();
            if (_asks)
            {
                try
                {
                    _targetDescription = Describe(Naming);
                }
                catch (MnesisException ex)
                {
                    ThrowMnesisError(ex);
                }

                if (!_hasRows && !ShouldProcess(_targetDescription, DescribeAction(0)))
                {
                    _declined = true;
                    return;
                }

                if (_hasRows)
                {
                    // Opened at the first row the user lets through.
                    return;
                }
            }

            OpenTarget();
        }

        private StoreNaming Naming => new StoreNaming(Store, Path, LiteralPath, ConnectionString, Credential);

        private void OpenTarget()
        {
            try
            {
                _store = ResolveSingleStore(Naming, mayCreate: true, out _openedHere);
                if (IsScriptBlockForm)
                {
                    return;
                }

                _command = _store.Commands.Rent(Query);
                if (_command.MixesOutsideTransaction || (_command.RunsOutsideTransaction && _hasRows))
                {
                    throw new MnesisException(Messages.MaintenanceMixed, "Query", _store.Target);
                }
            }
            catch (MnesisException ex)
            {
                DiscardIfOpenedHere();
                ThrowMnesisError(ex);
            }
        }

        // Whether ShouldProcess could say no: asked once, so that writes nobody confirms pay nothing per row.
        private bool WhatIfOrConfirmInEffect()
        {
            bool whatIf = MyInvocation.BoundParameters.TryGetValue("WhatIf", out object whatIfSwitch)
                ? ((SwitchParameter)whatIfSwitch).IsPresent
                : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
            bool confirm = MyInvocation.BoundParameters.TryGetValue("Confirm", out object confirmSwitch)
                ? ((SwitchParameter)confirmSwitch).IsPresent
                : GetVariableValue("ConfirmPreference") is ConfirmImpact preference && preference != ConfirmImpact.None && preference <= ConfirmImpact.Medium;
            return whatIf || confirm;
        }

        private string DescribeAction(int rowNumber)
        {
            if (IsScriptBlockForm)
            {
                return Messages.ShouldProcessWriteScriptBlock;
            }

            string statement = Query.Trim().Replace("\r", " ").Replace("\n", " ");
            if (statement.Length > 120)
            {
                statement = statement.Substring(0, 117) + "...";
            }

            return rowNumber > 0
                ? string.Format(CultureInfo.CurrentCulture, Messages.ShouldProcessWriteRow, rowNumber, statement)
                : string.Format(CultureInfo.CurrentCulture, Messages.ShouldProcessWriteQuery, statement);
        }

        // Each row the user declines under -Confirm is skipped; the store opens at the first one let through.
        private bool ShouldWriteRow(int rowNumber)
        {
            if (!_asks)
            {
                return true;
            }

            if (!ShouldProcess(_targetDescription, DescribeAction(rowNumber)))
            {
                return false;
            }

            if (_store == null)
            {
                OpenTarget();
            }

            return true;
        }

        protected override void ProcessRecord()
        {
            if (IsScriptBlockForm || !_hasRows || _declined)
            {
                return;
            }

            if (MyInvocation.ExpectingInput)
            {
                try
                {
                    if (ShouldWriteRow(_rowsSeen + 1))
                    {
                        WriteRow(InputObject);
                    }
                    else
                    {
                        _rowsSeen++;
                    }
                }
                catch (Exception ex) when (IsWriteFailure(ex))
                {
                    Fail(ex);
                }

                return;
            }

            // -InputObject: every row is in hand, so the write runs in EndProcessing, where it can be run again.
            _inputRows = LanguagePrimitives.GetEnumerable(InputObject?.BaseObject) ?? new object[] { InputObject };
            _knownRowCount = _inputRows is ICollection collection ? collection.Count : 0;
        }

        protected override void EndProcessing()
        {
            if (_declined)
            {
                return;
            }

            if (IsScriptBlockForm)
            {
                RunScriptBlock();
                return;
            }

            try
            {
                if (MyInvocation.ExpectingInput)
                {
                    CommitBatch();
                }
                else
                {
                    RunAgainOnConflict(WriteAllInHand);
                }
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

            // Under -WhatIf (or rows all declined) nothing was opened, and nothing is reported.
            if (_store != null)
            {
                WriteObject(_rowsChanged);
            }
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

        // -Parameters alone is one row without an input object; -InputObject rows are each bound in turn.
        private void WriteAllInHand()
        {
            if (_inputRows == null && CanBeGrouped())
            {
                _command.Bind(null, Parameters, 0);
                try
                {
                    _rowsChanged = GroupCommit.Write(_store, _command, StopToken, () => WriteVerboseMessage(Messages.VerboseWaitingForGate, _store.Target));
                }
                catch (OperationCanceledException)
                {
                    throw new PipelineStoppedException();
                }

                WriteVerboseMessage(Messages.VerboseCommitted, _store.Target);
                return;
            }

            if (_inputRows == null)
            {
                WriteRow(null);
            }
            else
            {
                int rowNumber = 0;
                foreach (object row in _inputRows)
                {
                    if (ShouldWriteRow(++rowNumber))
                    {
                        WriteRow(row);
                    }
                    else
                    {
                        _rowsSeen++;
                    }
                }
            }

            CommitBatch();

            // What a maintenance statement changed (the journal mode) shows in Get-MnesisPool.
            if (_store != null && _command.RunsOutsideTransaction)
            {
                _store.EngineImpl.AfterMaintenance(_store);
            }
        }

        // A per-call write where the process queues writers may be committed together with the writes
        // queued beside it; one nested in a -ScriptBlock write of this thread joins that one instead.
        private bool CanBeGrouped() =>
            _store.EngineImpl.QueuesWritersInProcess && !_store.Gate.IsHeldByCurrentThread
            && !_command.RunsOutsideTransaction && !_command.ChangesConnection && !_store.HasConnectionState;

        private void RunAgainOnConflict(Action write)
        {
            bool mayRunAgain = BatchSize == 0;
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    write();
                    return;
                }
                catch (Exception ex) when (mayRunAgain && attempt < ConflictAttempts && IsConflict(ex))
                {
                    RollBack();
                    _command?.DiscardQueued();
                    _store.RecordConflict();
                    _rowsChanged = 0;
                    _rowsSeen = 0;
                    _rowsInBatch = 0;
                    WriteVerboseMessage(Messages.VerboseRetryingConflict, _store.Target, attempt);
                    if (StopToken.WaitHandle.WaitOne(ConflictBackoffMilliseconds << attempt))
                    {
                        throw new PipelineStoppedException();
                    }
                }
            }
        }

        // The write form without input rows takes its values from -Parameters alone; pipeline rows are
        // queued (an engine with round trips sends many at once) and run at the latest at the commit.
        private void WriteRow(object row)
        {
            _rowsSeen++;
            if (_hasRows && (row == null || (row is PSObject ps && ps.BaseObject == null)))
            {
                throw new MnesisException(Messages.InputObjectNull, "InputObject", _rowsSeen);
            }

            if (_transaction == null)
            {
                _transaction = BeginWrite();
            }

            _command.Bind(row, Parameters, _hasRows ? _rowsSeen : 0);
            _rowsChanged += _hasRows ? _command.Queue(_transaction.Transaction) : _command.Execute(_transaction.Transaction);
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

        // Committing between batches also releases the gate, so other writers get a turn.
        private void CommitBatch()
        {
            if (_transaction == null)
            {
                return;
            }

            if (_command != null)
            {
                _rowsChanged += _command.Flush(_transaction.Transaction);
            }

            WriteTransaction committing = _transaction;
            _transaction = null;
            committing.Commit();
            if (!committing.IsNested)
            {
                WriteVerboseMessage(Messages.VerboseCommitted, _store.Target);
            }

            _rowsInBatch = 0;
        }

        private void RunScriptBlock()
        {
            Collection<PSObject> output;
            if (_store == null)
            {
                OpenTarget();
            }

            try
            {
                _transaction = BeginWrite();
                try
                {
                    output = ScriptBlock.Invoke(_transaction.Connection, _transaction.Transaction);
                }
                catch (RuntimeException ex) when (!(ex is PipelineStoppedException))
                {
                    // A block that lost a race with another writer gets the module's error for it: its
                    // code may have had other effects, so it is not run again.
                    Exception conflict = FindConflict(ex);
                    if (conflict != null)
                    {
                        Fail(conflict);
                    }

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
                bool singleStatement = !IsScriptBlockForm && !_hasRows && _command.IsSingleStatement;
                bool outsideTransaction = !IsScriptBlockForm && _command.RunsOutsideTransaction;
                if (IsScriptBlockForm || _command.ChangesConnection)
                {
                    // The block gets the connection itself; whatever it sets stays with this store.
                    _store.MarkConnectionState();
                }

                WriteTransaction write = WriteTransaction.Begin(_store, IsScriptBlockForm, singleStatement, outsideTransaction, StopToken,
                    () => WriteVerboseMessage(Messages.VerboseWaitingForGate, _store.Target));
                if (write.IsNested)
                {
                    WriteVerboseMessage(Messages.VerboseJoined, _store.Target);
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
                WriteVerboseMessage(Messages.VerboseRolledBack, _store.Target);
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
                string.Format(CultureInfo.CurrentCulture, Messages.ProgressActivity, _store.Target),
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

        private Exception FindConflict(Exception ex)
        {
            for (Exception e = ex; e != null; e = e.InnerException)
            {
                if (_store.EngineImpl.IsWriteConflict(e))
                {
                    return e;
                }
            }

            return null;
        }

        // A conflict at the commit arrives already translated, with the engine's exception inside.
        private bool IsConflict(Exception ex) =>
            _store.EngineImpl.IsWriteConflict(ex is MnesisException && ex.InnerException != null ? ex.InnerException : ex);

        private bool IsWriteFailure(Exception ex) =>
            ex is MnesisException || _store.EngineImpl.IsEngineError(ex) || (ex is InvalidOperationException && !_store.IsOpen);

        // Every failure inside a write rolls it back before it surfaces as a terminating error.
        private void Fail(Exception ex)
        {
            RollBack();
            _command?.DiscardQueued();
            MnesisException error;
            if (ex is MnesisException mnesis)
            {
                error = mnesis;
            }
            else if (_store.EngineImpl.IsEngineError(ex))
            {
                ThrowIfStopping();
                error = _store.EngineImpl.Translate(ex, EngineOperation.Write, _store.StoreTarget, _store);
            }
            else
            {
                error = new MnesisException(Messages.StoreClosed, _store, ex, _store.Target);
            }

            if (IsConflict(ex))
            {
                _store.RecordConflict();
            }

            _store.RecordError(error.Message);
            DiscardIfOpenedHere();
            ThrowMnesisError(error);
        }
    }
}
