using System;
using System.Collections;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Threading;
using Mnesis.PowerShell.Binding;
using Mnesis.PowerShell.Diagnostics;
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
        // A -Query write whose input is all in hand is run again after losing a race with another
        // writer (PostgreSQL's serialization failures and deadlocks), after a growing pause.
        private const int ConflictAttempts = 4;
        private const int ConflictBackoffMilliseconds = 25;

        private readonly BoundCommand _command;
        private readonly IDictionary _defaults;
        private readonly bool _hasRows;
        private readonly int _batchSize;
        private readonly IWriteHost _host;
        private WriteTransaction _transaction;
        private int _rowsInBatch;
        private bool _openedHere;
        private bool _completed;
        private bool _rollbackReported;

        /// <param name="command">The query's command; null for a -ScriptBlock write.</param>
        /// <param name="openedHere">True when this call opened the store: a failure then removes a database it created.</param>
        internal WriteSession(MnesisStore store, bool openedHere, BoundCommand command, IDictionary defaults, bool hasRows, int batchSize, IWriteHost host)
        {
            Store = store;
            _openedHere = openedHere;
            _command = command;
            _defaults = defaults;
            _hasRows = hasRows;
            _batchSize = batchSize;
            _host = host;
        }

        internal MnesisStore Store { get; }

        internal int RowsChanged { get; private set; }

        internal int RowsSeen { get; private set; }

        /// <summary>Binds one row (null: -Parameters alone) and writes it, committing every -BatchSize rows.</summary>
        internal void WriteRow(object row)
        {
            RowsSeen++;
            if (_hasRows && (row == null || (row is PSObject ps && ps.BaseObject == null)))
            {
                throw new MnesisException(Messages.InputObjectNull, "InputObject", RowsSeen);
            }

            if (_transaction == null)
            {
                _transaction = Begin(allowsJoin: false);
                WriteTransaction transaction = _transaction;
                transaction.SendHeldRows = () => RowsChanged += _command.Flush(transaction.Transaction);
            }

            // Rows are queued (an engine with round trips sends many at once) and run at the latest at the commit.
            _command.Bind(row, _defaults, _hasRows ? RowsSeen : 0);
            RowsChanged += _hasRows ? _command.Queue(_transaction.Transaction) : _command.Execute(_transaction.Transaction);
            _rowsInBatch++;
            if (_batchSize > 0 && _rowsInBatch >= _batchSize)
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
            if (_command.RunsOutsideTransaction)
            {
                Store.EngineImpl.AfterMaintenance(Store);
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
                Exception conflict = FindConflict(ex);
                if (conflict != null)
                {
                    throw conflict;
                }

                RollBack();
                Store.RecordError(ex.Message);
                DiscardIfOpenedHere();
                throw;
            }

            Commit();
            return output;
        }

        /// <summary>True for the failures a write turns into its own error (see <see cref="Fail"/>).</summary>
        internal bool IsFailure(Exception ex) =>
            ex is MnesisException || Store.EngineImpl.IsEngineError(ex) || (ex is InvalidOperationException && !Store.IsOpen);

        /// <summary>Rolls back and records a failure; returns the error to surface.</summary>
        internal MnesisException Fail(Exception ex)
        {
            RollBack();
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
            else if (Store.EngineImpl.IsEngineError(ex))
            {
                if (_host.StopToken.IsCancellationRequested)
                {
                    throw new PipelineStoppedException();
                }

                error = Store.EngineImpl.Translate(ex, EngineOperation.Write, Store.StoreTarget, Store);
            }
            else
            {
                error = new MnesisException(Messages.StoreClosed, Store, ex, Store.Target);
            }

            if (IsConflict(ex))
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
            Store.EngineImpl.QueuesWritersInProcess && !Store.Gate.IsHeldByCurrentThread
            && !_command.RunsOutsideTransaction && !_command.ChangesConnection && !Store.HasConnectionState;

        private void WriteGrouped()
        {
            RowsSeen++;
            _command.Bind(null, _defaults, 0);
            try
            {
                RowsChanged = GroupCommit.Write(Store, _command, _host.StopToken, () => _host.Verbose(Messages.VerboseWaitingForGate, Store.Target));
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }

            _host.Verbose(Messages.VerboseCommitted, Store.Target);
        }

        private void RunAgainOnConflict(Action write)
        {
            bool mayRunAgain = _batchSize == 0;
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
                    _command.DiscardQueued();
                    Store.RecordConflict();
                    RowsChanged = 0;
                    RowsSeen = 0;
                    _rowsInBatch = 0;
                    _host.Verbose(Messages.VerboseRetryingConflict, Store.Target, attempt);
                    if (_host.StopToken.WaitHandle.WaitOne(ConflictBackoffMilliseconds << attempt))
                    {
                        throw new PipelineStoppedException();
                    }
                }
            }
        }

        private WriteTransaction Begin(bool allowsJoin)
        {
            bool isScriptBlock = _command == null;
            bool singleStatement = !isScriptBlock && !_hasRows && _command.IsSingleStatement;
            bool outsideTransaction = !isScriptBlock && _command.RunsOutsideTransaction;
            if (isScriptBlock || _command.ChangesConnection)
            {
                // A block gets the connection itself; whatever it (or the statement) sets stays with this store.
                Store.MarkConnectionState();
            }

            try
            {
                WriteTransaction write = WriteTransaction.Begin(Store, allowsJoin, singleStatement, outsideTransaction, _host.StopToken,
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

        private void RollBack()
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

        private Exception FindConflict(Exception ex)
        {
            for (Exception e = ex; e != null; e = e.InnerException)
            {
                if (Store.EngineImpl.IsWriteConflict(e))
                {
                    return e;
                }
            }

            return null;
        }

        // A conflict at the commit arrives already translated, with the engine's exception inside.
        private bool IsConflict(Exception ex) =>
            Store.EngineImpl.IsWriteConflict(ex is MnesisException && ex.InnerException != null ? ex.InnerException : ex);
    }
}
