using System;
using System.Data.Common;
using System.Globalization;
using System.Threading;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Gates;
using Mnesis.PowerShell.Engines;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Writes
{
    /// <summary>
    /// A write transaction inside the database's gate, begun the engine's way (SQLite: BEGIN
    /// IMMEDIATE, so another process's writer makes it wait up to the busy timeout instead of
    /// failing halfway). A single statement needs no transaction of its own: the engine runs it
    /// atomically (SQLite takes the write lock when the statement starts, so it waits for other
    /// processes the same way), saving the BEGIN and COMMIT. A write started inside another write
    /// of the same store on the same thread joins it as a SAVEPOINT instead of waiting for itself.
    /// Disposing without Commit rolls back and releases the gate.
    /// </summary>
    internal sealed class WriteTransaction : IStoreWrite, IDisposable
    {
        private readonly MnesisStore _store;
        private readonly WriteTransaction _outer;
        private readonly Savepoint _savepoint;
        private bool _finished;

        private WriteTransaction(MnesisStore store, DbTransaction transaction, WriteTransaction outer, Savepoint savepoint, bool allowsJoin, int ownerThread)
        {
            AllowsJoin = allowsJoin;
            _store = store;
            Transaction = transaction;
            _outer = outer;
            _savepoint = savepoint;
            OwnerThread = ownerThread;
            Depth = outer == null ? 0 : outer.Depth + 1;
        }

        /// <summary>The transaction to enlist commands in; null for a single statement that runs on its own.</summary>
        internal DbTransaction Transaction { get; }

        internal DbConnection Connection => _store.Connection;

        internal bool IsNested => _outer != null;

        /// <summary>
        /// True for a -ScriptBlock write: code inside it is knowingly in its transaction, so a nested
        /// write may join. A pipeline write's upstream code is not, and may not join.
        /// </summary>
        internal bool AllowsJoin { get; }

        /// <summary>The thread that began the write; a nested write can only come from it.</summary>
        public int OwnerThread { get; }

        /// <summary>
        /// Set by a write that holds rows back to send many at once: a read inside the write calls it
        /// first, so that it sees every row the write was given.
        /// </summary>
        internal Action SendHeldRows { get; set; }

        private int Depth { get; }

        /// <summary>Takes the gate (waiting as long as needed, until cancelled) and begins.</summary>
        /// <param name="allowsJoin">True for a -ScriptBlock write, whose code may start nested writes that join it.</param>
        /// <param name="singleStatement">True when the write is one statement, which needs no transaction of its own.</param>
        /// <param name="outsideTransaction">True when the write must not run in any transaction (maintenance such as VACUUM).</param>
        /// <param name="cannotRunAgain">
        /// True for a write that cannot be run again after losing its connection (a -ScriptBlock, a
        /// pipeline): a connection that sat idle is asked first whether it still works.
        /// </param>
        /// <param name="onWait">Called once if the gate is busy and the caller has to wait.</param>
        internal static WriteTransaction Begin(MnesisStore store, bool allowsJoin, bool singleStatement, bool outsideTransaction,
            bool cannotRunAgain, CancellationToken cancellation, Action onWait)
        {
            store.ThrowIfClosed();
            store.ThrowIfReadOnly();
            if (store.OpenReaders > 0)
            {
                throw new MnesisException(Messages.WriteWhileReading, store, store.Target);
            }

            WriteTransaction outer = store.ActiveWrite as WriteTransaction;
            if (outer != null && outer.OwnerThread == WriteGate.CurrentThread)
            {
                if (!outer.AllowsJoin)
                {
                    throw new MnesisException(Messages.NestedWriteInBulkWrite, store, store.Target);
                }

                if (outsideTransaction)
                {
                    throw new MnesisException(Messages.MaintenanceInTransaction, store, store.Target);
                }

                return BeginNested(store, outer, allowsJoin);
            }

            WriteGate gate = store.Gate;
            if (gate.IsHeldByCurrentThread)
            {
                throw new MnesisException(Messages.NestedWriteOtherConnection, store, store.Target);
            }

            int thread = gate.TryEnter();
            if (thread == 0)
            {
                onWait?.Invoke();
                var waited = System.Diagnostics.Stopwatch.StartNew();
                try
                {
                    thread = gate.Enter(cancellation);
                }
                finally
                {
                    store.RecordGateWait(waited.Elapsed);
                }
            }

            bool connectionLocked = false;
            try
            {
                store.ConnectionLock.Wait(cancellation);
                connectionLocked = true;
                store.ThrowIfClosed();
                store.Main.EnsureConnected(cancellation, ask: cannotRunAgain);
                store.PrepareWrite();

                // A connection that may have died while idle gets a transaction even for one statement:
                // failing there, before any COMMIT, the write may run again; failing on its own, the
                // statement (its own commit) would leave the outcome unknown.
                bool ownTransaction = !outsideTransaction && (!singleStatement || store.Main.MayHaveDiedIdle);
                DbTransaction transaction = ownTransaction ? store.StoreEngine.BeginWrite(store.Connection) : null;
                var write = new WriteTransaction(store, transaction, null, default, allowsJoin, thread);
                store.ActiveWrite = write;
                return write;
            }
            catch (Exception ex)
            {
                if (connectionLocked)
                {
                    store.ConnectionLock.Release();
                }

                gate.Exit(thread);
                if (store.StoreEngine.IsEngineError(ex))
                {
                    throw store.TranslateError(ex, EngineOperation.Write);
                }

                throw;
            }
        }

        private static WriteTransaction BeginNested(MnesisStore store, WriteTransaction outer, bool allowsJoin)
        {
            Savepoint savepoint = Savepoint.Set(store, outer.Transaction, "nested_" + (outer.Depth + 1).ToString(CultureInfo.InvariantCulture));
            var nested = new WriteTransaction(store, outer.Transaction, outer, savepoint, allowsJoin, outer.OwnerThread);
            store.ActiveWrite = nested;
            return nested;
        }

        internal void Commit()
        {
            if (_finished)
            {
                return;
            }

            bool commitSent = false;
            try
            {
                if (IsNested)
                {
                    _savepoint.Release();
                }
                else if (Transaction == null)
                {
                    _store.RecordCommit();
                }
                else if (Transaction.Connection != null)
                {
                    // A script block that committed $Transaction itself leaves nothing to commit; one
                    // that caught a failed statement may have left a transaction that cannot commit.
                    if (AllowsJoin)
                    {
                        _store.StoreEngine.EnsureCommittable(_store.Connection, Transaction);
                    }

                    commitSent = true;
                    Transaction.Commit();
                    _store.RecordCommit();
                }
            }
            catch (Exception ex)
            {
                // Whatever failed, the transaction ends here and the gate is released.
                Rollback();
                if (commitSent && _store.Main.NoteFailure(ex, EngineOperation.Write) != ConnectionFault.None)
                {
                    // The COMMIT went out and its answer never came: it may have committed, or not.
                    throw new MnesisException(Messages.WriteOutcomeUnknown, _store, ex, _store.Target, ex.Message);
                }

                if (_store.StoreEngine.IsEngineError(ex))
                {
                    throw _store.TranslateError(ex, EngineOperation.Write);
                }

                // The engine rolled back on its own (a ROLLBACK in the SQL, a trigger's RAISE(ROLLBACK)):
                // nothing of the write was committed.
                throw new MnesisException(Messages.SqlFailed, _store, ex, _store.Target, _store.Engine, ex.Message);
            }

            Finish();
        }

        internal void Rollback()
        {
            if (_finished)
            {
                return;
            }

            try
            {
                if (IsNested)
                {
                    _savepoint.Undo();
                }
                else if (Transaction == null)
                {
                    // The engine undid the failed statement itself.
                    _store.RecordRollback();
                }
                else if (Transaction.Connection != null)
                {
                    Transaction.Rollback();
                    _store.RecordRollback();
                }
            }
            catch (Exception ex) when (_store.StoreEngine.IsEngineError(ex))
            {
                // The engine already rolled back (SQLite after SQLITE_FULL, PostgreSQL after a lost
                // connection); nothing is left to undo.
            }
            catch (InvalidOperationException)
            {
                // The connection was closed under us (the runspace is going away); the engine rolled back.
            }
            finally
            {
                Finish();
            }
        }

        public void Dispose() => Rollback();

        private void Finish()
        {
            _finished = true;
            _store.ActiveWrite = _outer;
            if (IsNested)
            {
                return;
            }

            try
            {
                Transaction?.Dispose();
            }
            catch (Exception ex) when (ex is DbException || ex is InvalidOperationException)
            {
                // Disposing rolls back again after a rollback that failed; the engine has already undone it.
            }
            finally
            {
                _store.ConnectionLock.Release();
                _store.Gate.Exit(OwnerThread);
            }
        }
    }
}
