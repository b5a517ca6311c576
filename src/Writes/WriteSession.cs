using System;
using System.Collections;
using System.Collections.ObjectModel;
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
        private WriteTransaction _transaction;
        private int _rowsInBatch;
        private bool _openedHere;
        private bool _completed;
        private bool _rollbackReported;

        /// <param name="command">The request's SQL, prepared; null for a -ScriptBlock write.</param>
        /// <param name="openedHere">True when this call opened the store: a failure then removes a database it created.</param>
        internal WriteSession(MnesisStore store, bool openedHere, CommandRequest request, BoundCommand command, IWriteHost host)
        {
            Store = store;
            _openedHere = openedHere;
            _request = request;
            _command = command;
            _host = host;
            if (command != null)
            {
                _cancelOnStop = command.CancelOn(request.Cancellation);
            }
        }

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
                    : () => RowsChanged += _command.Flush(transaction.Transaction);
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
            RowsChanged += _request.HasRows ? _command.Queue(_transaction.Transaction) : _command.Execute(_transaction.Transaction);
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
                RowsChanged += _command.Flush(_transaction.Transaction);
            }

            if (_table != null)
            {
                RowsChanged += _table.Finish(_transaction.Transaction);
            }

            WriteTransaction committing = _transaction;
            _transaction = null;
            committing.Commit();
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
        }

        /// <summary>Runs the block with the connection and the transaction; commits when it ends.</summary>
        internal Collection<PSObject> RunScriptBlock(ScriptBlock block)
        {
            _transaction = Begin(allowsJoin: true);
            Collection<PSObject> output;
            try
            {
                output = block.Invoke(_transaction.Connection, _transaction.Transaction);
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

                error = Store.TranslateError(ex, EngineOperation.Write);
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
            && !_command.RunsOutsideTransaction && !_command.ChangesConnection && !Store.HasConnectionState;

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
        // writer, after a growing pause.
        private void RunAgainOnConflict(Action write)
        {
            bool mayRunAgain = _request.BatchSize == 0 && Store.StoreEngine.Has(EngineCapabilities.ConflictRetry);
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    write();
                    return;
                }
                catch (Exception ex) when (mayRunAgain && attempt < WriteConflicts.Attempts && WriteConflicts.Is(Store.StoreEngine, ex))
                {
                    _table?.Discard();
                    Rollback();
                    _command?.DiscardQueued();
                    Store.RecordConflict();
                    RowsChanged = 0;
                    RowsSeen = 0;
                    _rowsInBatch = 0;
                    _host.Verbose(Messages.VerboseRetryingConflict, Store.Target, attempt);
                    if (_request.Cancellation.WaitHandle.WaitOne(WriteConflicts.PauseAfter(attempt)))
                    {
                        throw new PipelineStoppedException();
                    }
                }
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
                WriteTransaction write = WriteTransaction.Begin(Store, allowsJoin, singleStatement, outsideTransaction, _request.Cancellation,
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
