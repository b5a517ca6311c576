using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Data.Common;
using System.Management.Automation;
using System.Threading;
using Mnesis.PowerShell.Binding;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Gates;
using Mnesis.PowerShell.Engines;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Writes
{
    /// <summary>
    /// One Invoke-MnesisWrite on one store: its rows, batches and commits, its script block, the
    /// group commit of a per-call write, runs again after a lost race, and what a failure becomes.
    /// Anything that does not commit is rolled back when the session is disposed.
    /// </summary>
    internal sealed class WriteSession : IDisposable
    {
        private readonly BoundCommand _command;
        private readonly TableWrite _table;
        private readonly CommandRequest _request;
        private readonly IWriteHost _host;
        private readonly CancellationTokenRegistration _cancelOnStop;
        private readonly Action<DbDataReader> _readRows;
        private readonly List<object> _returned = new List<object>();
        private readonly int _timeoutSeconds;
        private WriteTransaction _transaction;
        private int _rowsInBatch;
        private bool _openedHere;
        private bool _completed;
        private bool _rollbackReported;
        private bool _commitSent;
        private bool _allInHand;

        /// <param name="command">The request's SQL, prepared; null for a -ScriptBlock write.</param>
        /// <param name="openedHere">True when this call opened the store: a failure then removes a database it created.</param>
        internal WriteSession(MnesisStore store, bool openedHere, CommandRequest request, BoundCommand command, IWriteHost host)
        {
            Store = store;
            _openedHere = openedHere;
            _request = request;
            _command = command;
            _host = host;
            _timeoutSeconds = request.CommandTimeout ?? store.CommandTimeout;
            if (command != null)
            {
                _cancelOnStop = command.CancelOn(request.Cancellation);
                _readRows = ReadReturnedRows;

                // The command is cached for later calls: each call sets its own limit, none included.
                command.LimitTime(_timeoutSeconds);
            }
        }

        /// <summary>True once a statement returned rows (a result with columns): the write outputs them instead of the count.</summary>
        internal bool ReturnedRows { get; private set; }

        /// <summary>True once -Scalar has its value; a write that returned rows but none at all outputs $null instead.</summary>
        internal bool ScalarTaken { get; private set; }

        /// <summary>A write of -Table rows: the table write stands where the prepared command would.</summary>
        internal WriteSession(MnesisStore store, bool openedHere, CommandRequest request, TableWrite table, IWriteHost host)
            : this(store, openedHere, request, (BoundCommand)null, host)
        {
            _table = table;
        }

        internal MnesisStore Store { get; }

        internal int RowsChanged { get; private set; }

        internal int RowsSeen { get; private set; }

        /// <summary>Binds one row (null: -Parameters alone) and writes it, committing every -BatchSize rows.</summary>
        internal void WriteRow(object row)
        {
            RowsSeen++;
            if (_request.HasRows && (row == null || (row is PSObject ps && ps.BaseObject == null)))
            {
                throw new MnesisException(Messages.InputObjectNull, "InputObject", RowsSeen);
            }

            if (_transaction == null)
            {
                _transaction = Begin(allowsJoin: false);
                WriteTransaction transaction = _transaction;
                transaction.SendHeldRows = _table != null
                    ? (Action)(() => RowsChanged += _table.Finish(transaction.Transaction))
                    : () => RowsChanged += Run(transaction.Transaction, RunKind.Flush);
            }

            if (_table != null)
            {
                _table.Write(_transaction.Transaction, row, RowsSeen);
                if (_request.BatchSize > 0 && ++_rowsInBatch >= _request.BatchSize)
                {
                    Commit();
                }

                _host.RowWritten(RowsSeen);
                return;
            }

            // Rows are queued (an engine with round trips sends many at once) and run at the latest at the commit.
            _command.Bind(row, _request.Parameters, _request.HasRows ? RowsSeen : 0);

            // Without a transaction the statement carries its own commit.
            _commitSent |= _transaction.Transaction == null;
            RowsChanged += Run(_transaction.Transaction, _request.HasRows ? RunKind.Queue : RunKind.Execute);
            _rowsInBatch++;
            if (_request.BatchSize > 0 && _rowsInBatch >= _request.BatchSize)
            {
                Commit();
            }

            _host.RowWritten(RowsSeen);
        }

        /// <summary>Counts a row the user declined under -Confirm.</summary>
        internal void SkipRow() => RowsSeen++;

        /// <summary>Commits what is written so far; between batches this also lets other writers in.</summary>
        internal void Commit()
        {
            if (_transaction == null)
            {
                return;
            }

            if (_command != null)
            {
                RowsChanged += Run(_transaction.Transaction, RunKind.Flush);
            }

            if (_table != null)
            {
                RowsChanged += _table.Finish(_transaction.Transaction);
            }

            WriteTransaction committing = _transaction;
            _transaction = null;
            committing.Commit();

            // Rows the statements returned go out once the commit that holds them is done, so code
            // downstream may write to the same store (as a -ScriptBlock's output does).
            if (_returned.Count > 0)
            {
                _host.WriteReturned(_returned);
                _returned.Clear();
            }

            if (!committing.IsNested)
            {
                _host.Verbose(Messages.VerboseCommitted, Store.Target);
            }

            _rowsInBatch = 0;
        }

        /// <summary>
        /// Writes input that is all in hand (-Parameters alone when <paramref name="rows"/> is null,
        /// or the -InputObject rows) and commits, running it again after a lost race.
        /// </summary>
        internal void WriteAllInHand(IEnumerable rows, Func<int, bool> shouldWriteRow)
        {
            _allInHand = true;
            RunAgainOnConflict(() =>
            {
                if (rows == null && CanBeGrouped())
                {
                    WriteGrouped();
                    return;
                }

                if (rows == null)
                {
                    WriteRow(null);
                }
                else
                {
                    int rowNumber = 0;
                    foreach (object row in rows)
                    {
                        if (shouldWriteRow(++rowNumber))
                        {
                            WriteRow(row);
                        }
                        else
                        {
                            SkipRow();
                        }
                    }
                }

                Commit();
            });

            // What a maintenance statement changed (the journal mode) shows in Get-MnesisPool.
            if (_command != null && _command.RunsOutsideTransaction)
            {
                Store.AfterMaintenance();
            }
            else if (_command != null && _command.ChangesConnection)
            {
                Store.AfterSettingChange();
            }
        }

        /// <summary>
        /// Runs the block with the connection and the transaction; commits when it ends. The block is
        /// dot-sourced, as ForEach-Object runs its blocks: in the scope current in the session state it
        /// was made in (the caller's, or a module function's), so what it assigns is there afterwards.
        /// ScriptBlock.Invoke would give it a child scope, and its assignments would vanish.
        /// </summary>
        internal Collection<PSObject> RunScriptBlock(ScriptBlock block, CommandInvocationIntrinsics invoker)
        {
            _transaction = Begin(allowsJoin: true);
            Collection<PSObject> output;
            try
            {
                output = invoker.InvokeScript(false, block, null, _transaction.Connection, _transaction.Transaction);
            }
            catch (RuntimeException ex) when (!(ex is PipelineStoppedException))
            {
                // A block that lost a race with another writer gets the module's error for it: its
                // code may have had other effects, so it is not run again.
                Exception conflict = WriteConflicts.FindIn(Store.StoreEngine, ex);
                if (conflict != null)
                {
                    throw conflict;
                }

                MnesisException lost = LostConnectionIn(ex);
                if (lost != null)
                {
                    throw lost;
                }

                Rollback();
                Store.RecordError(ex.Message);
                DiscardIfOpenedHere();
                throw;
            }

            Commit();
            return output;
        }

        /// <summary>True for the failures a write turns into its own error (see <see cref="Fail"/>).</summary>
        internal bool IsFailure(Exception ex) =>
            ex is MnesisException || Store.StoreEngine.IsEngineError(ex) || (ex is InvalidOperationException && !Store.IsOpen);

        /// <summary>Rolls back and records a failure; returns the error to surface.</summary>
        internal MnesisException Fail(Exception ex)
        {
            // A COPY in progress is abandoned first: the connection takes no ROLLBACK in the middle of one.
            _table?.Discard();
            Rollback();
            _returned.Clear();
            if (!_rollbackReported)
            {
                // A single statement or a grouped write has no transaction of its own to roll back;
                // what it did is undone all the same, and -Verbose says so.
                _host.Verbose(Messages.VerboseRolledBack, Store.Target);
                _rollbackReported = true;
            }

            _command?.DiscardQueued();
            MnesisException error;
            if (ex is MnesisException mnesis)
            {
                error = mnesis;
            }
            else if (Store.StoreEngine.IsEngineError(ex))
            {
                if (_request.Cancellation.IsCancellationRequested)
                {
                    throw new PipelineStoppedException();
                }

                error = LostConnectionError(ex, Store.Main.NoteFailure(ex, EngineOperation.Write)) ?? Store.TranslateError(ex, EngineOperation.Write);
            }
            else
            {
                error = new MnesisException(Messages.StoreClosed, Store, ex, Store.Target);
            }

            if (WriteConflicts.Is(Store.StoreEngine, ex))
            {
                Store.RecordConflict();
            }

            Store.RecordError(error.Message);
            DiscardIfOpenedHere();
            return error;
        }

        /// <summary>Marks the write as done: its command may serve the next call.</summary>
        internal void Complete() => _completed = true;

        /// <summary>Whatever did not commit is rolled back, and the gate released.</summary>
        public void Dispose()
        {
            _cancelOnStop.Dispose();
            _table?.Dispose();
            _transaction?.Dispose();
            _transaction = null;
            if (!_completed)
            {
                DiscardIfOpenedHere();
            }
        }

        // A per-call write where the process queues writers may be committed together with the writes
        // queued beside it; one nested in a -ScriptBlock write of this thread joins that one instead.
        private bool CanBeGrouped() =>
            Store.StoreEngine.Has(EngineCapabilities.ProcessWriteGate) && !Store.Gate.IsHeldByCurrentThread
            && !_command.RunsOutsideTransaction && !_command.ChangesConnection && !Store.HasConnectionState
            && _timeoutSeconds <= 0 && !_command.MayReturnRows;

        private void WriteGrouped()
        {
            RowsSeen++;
            _command.Bind(null, _request.Parameters, 0);
            try
            {
                RowsChanged = GroupCommit.Write(Store, _command, _request.Cancellation, () => _host.Verbose(Messages.VerboseWaitingForGate, Store.Target));
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }

            _host.Verbose(Messages.VerboseCommitted, Store.Target);
        }

        // A -Query write whose input is all in hand is run again after losing a race with another
        // writer, and after losing its connection before anything could commit (on a new
        // connection, for as long as the engine's connection timeout), each time after a growing pause.
        private void RunAgainOnConflict(Action write)
        {
            bool mayRunAgain = _request.BatchSize == 0 && Store.StoreEngine.Has(EngineCapabilities.ConflictRetry);
            bool ownsConnection = Store.ActiveWrite == null;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    _commitSent = false;
                    write();
                    return;
                }
                catch (Exception ex) when (mayRunAgain && attempt < WriteConflicts.Attempts && WriteConflicts.Is(Store.StoreEngine, ex))
                {
                    StartAgain();
                    Store.RecordConflict();
                    _host.Verbose(Messages.VerboseRetryingConflict, Store.Target, attempt);
                    PauseBeforeAttempt(WriteConflicts.PauseAfter(attempt));
                }
                catch (Exception ex) when (mayRunAgain && ownsConnection && !(ex is MnesisException) && Store.StoreEngine.IsEngineError(ex))
                {
                    // The server's own answer that it ended the session says nothing committed; silence
                    // says so only when no commit had gone out.
                    ConnectionFault fault = Store.Main.NoteFailure(ex, EngineOperation.Write);
                    bool nothingCommitted = fault == ConnectionFault.Refused || (fault == ConnectionFault.AnswerLost && !_commitSent);
                    if (!nothingCommitted || clock.Elapsed > Store.Main.ReconnectWindow)
                    {
                        throw;
                    }

                    StartAgain();
                    _host.Verbose(Messages.VerboseRetryingLost, Store.Target, attempt);
                    PauseBeforeAttempt(Math.Min(1000, 50 << Math.Min(attempt, 5)));
                }
            }
        }

        private void StartAgain()
        {
            _table?.Discard();
            Rollback();
            _command?.DiscardQueued();
            _returned.Clear();
            ReturnedRows = false;
            ScalarTaken = false;
            RowsChanged = 0;
            RowsSeen = 0;
            _rowsInBatch = 0;
        }

        private void PauseBeforeAttempt(int milliseconds)
        {
            if (_request.Cancellation.WaitHandle.WaitOne(milliseconds))
            {
                throw new PipelineStoppedException();
            }
        }

        // A write that lost its connection fails with its own error: outcome unknown when a commit
        // went out unanswered, otherwise rolled back by the server; null when the connection is fine.
        private MnesisException LostConnectionError(Exception ex, ConnectionFault fault)
        {
            if (fault == ConnectionFault.None)
            {
                return null;
            }

            // A server that no longer takes writes is said so, even when it cost the connection.
            MnesisException translated = Store.TranslateError(ex, EngineOperation.Write);
            if (translated.Definition == Messages.StoreReadOnly)
            {
                return translated;
            }

            return fault == ConnectionFault.AnswerLost && _commitSent
                ? new MnesisException(Messages.WriteOutcomeUnknown, Store, ex, Store.Target, ex.Message)
                : new MnesisException(Messages.ConnectionLost, Store, ex, Store.Target, ex.Message);
        }

        // A block whose calls failed because the connection was lost (whether the block let the
        // error out or caught it): the module's error for that, whatever the block's own error says.
        private MnesisException LostConnectionIn(RuntimeException ex)
        {
            for (Exception e = ex; e != null; e = e.InnerException)
            {
                if (e is MnesisException mnesis && (mnesis.Definition == Messages.ConnectionLost || mnesis.Definition == Messages.WriteOutcomeUnknown))
                {
                    Rollback();
                    return mnesis;
                }

                if (Store.Main.NoteFailure(e, EngineOperation.Write) != ConnectionFault.None)
                {
                    Rollback();
                    return new MnesisException(Messages.ConnectionLost, Store, e, Store.Target, e.Message);
                }
            }

            return null;
        }

        private enum RunKind
        {
            Execute,
            Queue,
            Flush,
        }

        // One run of the command, within the call's -CommandTimeout when it has one.
        private int Run(DbTransaction transaction, RunKind kind)
        {
            StatementTimer timer = _timeoutSeconds > 0 ? new StatementTimer(_command, _timeoutSeconds) : null;
            try
            {
                switch (kind)
                {
                    case RunKind.Queue:
                        return _command.Queue(transaction, _readRows);
                    case RunKind.Flush:
                        return _command.Flush(transaction, _readRows);
                    default:
                        return _command.ExecuteWrite(transaction, _readRows);
                }
            }
            catch (Exception ex) when (timer != null && timer.Fired && StatementTimer.IsInterruption(Store.StoreEngine, ex))
            {
                throw new MnesisException(Messages.CommandTimedOut, Store, ex, Messages.TimedOutWrite, Store.Target, _timeoutSeconds, Messages.TimedOutRolledBack);
            }
            finally
            {
                timer?.Dispose();
            }
        }

        // Rows of a statement that returns some (INSERT ... RETURNING, a SELECT) are kept for output after the commit.
        private void ReadReturnedRows(DbDataReader reader)
        {
            ReturnedRows = true;
            if (_request.Output == OutputShape.Scalar)
            {
                if (!ScalarTaken && reader.Read())
                {
                    ScalarTaken = true;
                    _returned.Add(reader.IsDBNull(0) ? null : reader.GetValue(0));
                }

                return;
            }

            var rows = new RowBuilder(reader);
            while (reader.Read())
            {
                _returned.Add(rows.Build(reader));
            }
        }

        private WriteTransaction Begin(bool allowsJoin)
        {
            bool isScriptBlock = _command == null && _table == null;
            bool singleStatement = _command != null && !_request.HasRows && _command.IsSingleStatement;
            bool outsideTransaction = _command != null && _command.RunsOutsideTransaction;
            if (isScriptBlock || (_command != null && _command.ChangesConnection))
            {
                // A block gets the connection itself; whatever it (or the statement) sets stays with this store.
                Store.MarkConnectionState();
            }

            try
            {
                WriteTransaction write = WriteTransaction.Begin(Store, allowsJoin, singleStatement, outsideTransaction, !_allInHand, _request.Cancellation,
                    () => _host.Verbose(Messages.VerboseWaitingForGate, Store.Target));
                if (write.IsNested)
                {
                    _host.Verbose(Messages.VerboseJoined, Store.Target);
                }

                return write;
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }
        }

        private void Rollback()
        {
            if (_transaction != null)
            {
                _transaction.Rollback();
                _transaction = null;
                _host.Verbose(Messages.VerboseRolledBack, Store.Target);
                _rollbackReported = true;
            }
        }

        // Bad input leaves nothing behind: not even the database that opening its path created.
        private void DiscardIfOpenedHere()
        {
            if (_openedHere)
            {
                _openedHere = false;
                Store.Pool.DiscardIfUnused(Store);
            }
        }
    }
}
