using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;
using Mnesis.PowerShell.Binding;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Gates;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Writes
{
    /// <summary>
    /// Per-call writes to a database whose writers queue at one gate (SQLite). The writer that
    /// gets in runs its own statement and then the per-call writes queued right behind it, on its
    /// own connection, in one transaction: one commit for many callers instead of a gate hand-over
    /// and a commit each. Every write runs in a savepoint of its own, so a failing one is undone
    /// alone and only its caller hears of it; every caller returns only after the commit that holds
    /// its write. A queued write withdrawn by Ctrl+C before it was taken never runs.
    /// </summary>
    internal static class GroupCommit
    {
        private const int MaxWritesPerCommit = 64;

        /// <summary>
        /// Runs <paramref name="command"/> (bound already) as a write of <paramref name="store"/>;
        /// returns the rows it changed. Throws the engine's exception when the write failed.
        /// </summary>
        internal static int Write(MnesisStore store, BoundCommand command, CancellationToken cancellation, Action onWait)
        {
            store.ThrowIfClosed();
            store.ThrowIfReadOnly();
            if (store.OpenReaders > 0)
            {
                throw new MnesisException(Messages.WriteWhileReading, store, store.Target);
            }

            var work = new GroupedWrite(store, command.Sql, command.Values);
            WriteGate gate = store.Gate;
            var clock = Stopwatch.StartNew();
            bool inside = gate.EnterOrHandOver(work, cancellation, onWait);
            store.RecordGateWait(clock.Elapsed);
            if (!inside)
            {
                return Outcome(work);
            }

            int thread = WriteGate.CurrentThread;
            try
            {
                return Lead(store, command, work, cancellation);
            }
            finally
            {
                gate.Exit(thread);
            }
        }

        private static int Lead(MnesisStore store, BoundCommand own, GroupedWrite ownWork, CancellationToken cancellation)
        {
            store.ConnectionLock.Wait(cancellation);
            try
            {
                store.ThrowIfClosed();
                store.PrepareWrite();
                List<GroupedWrite> queued = store.Gate.TakeQueuedWrites<GroupedWrite>(MaxWritesPerCommit - 1);
                if (queued.Count == 0 && own.IsSingleStatement)
                {
                    // Alone: the statement runs on its own, which SQLite makes one transaction.
                    int rows;
                    try
                    {
                        rows = own.Execute(null);
                    }
                    catch
                    {
                        store.RecordRollback();
                        throw;
                    }

                    store.RecordCommit();
                    return rows;
                }

                RunTogether(store, own, ownWork, queued);
                return Outcome(ownWork);
            }
            finally
            {
                store.ConnectionLock.Release();
            }
        }

        // Every write of the batch, the leader's own first, ends here with an outcome; the others are woken.
        private static void RunTogether(MnesisStore store, BoundCommand own, GroupedWrite ownWork, List<GroupedWrite> queued)
        {
            var batch = new List<GroupedWrite>(queued.Count + 1) { ownWork };
            batch.AddRange(queued);
            var rows = new int[MaxWritesPerCommit];
            var errors = new Exception[MaxWritesPerCommit];
            Exception failure = null;
            DbTransaction transaction = null;
            try
            {
                transaction = store.StoreEngine.BeginWrite(store.Connection);
                for (int i = 0; i < batch.Count; i++)
                {
                    RunOne(store, transaction, batch[i] == ownWork ? own : null, batch[i], out rows[i], out errors[i]);

                    // Ctrl+C of the leader stops its own statement only, never the others'.
                    own.HoldInterrupts(true);
                    if (i == batch.Count - 1 && batch.Count < MaxWritesPerCommit)
                    {
                        // Writes that queued meanwhile join this commit too.
                        batch.AddRange(store.Gate.TakeQueuedWrites<GroupedWrite>(MaxWritesPerCommit - batch.Count));
                    }
                }

                transaction.Commit();
            }
            catch (Exception ex)
            {
                failure = ex;
                TryRollback(transaction);
            }
            finally
            {
                own.HoldInterrupts(false);
                TryDispose(transaction);

                // Every write taken ends with an outcome, whatever happened above: its caller waits for it.
                int committed = 0;
                for (int i = 0; i < batch.Count; i++)
                {
                    committed += failure == null && errors[i] == null ? 1 : 0;
                }

                for (int i = 0; i < batch.Count; i++)
                {
                    Exception error = AsWriteError(store, batch[i], failure ?? errors[i]);
                    batch[i].Finish(error == null ? rows[i] : 0, error, error == null ? committed : 0);
                }
            }
        }

        private static void RunOne(MnesisStore store, DbTransaction transaction, BoundCommand own, GroupedWrite work, out int rows, out Exception error)
        {
            rows = 0;
            error = null;
            BoundCommand command = own ?? store.Commands.Rent(work.Sql);
            bool reusable = true;
            Savepoint savepoint = Savepoint.Set(store, transaction, "grouped");
            try
            {
                if (own == null)
                {
                    command.SetValues(work.Values);
                }

                rows = command.Execute(transaction);

                // Run alone, this write's COMMIT would fail on a deferred foreign key; so it fails alone here.
                if (store.StoreEngine.HasDeferredViolations(store.Connection))
                {
                    throw new MnesisException(Messages.SqlFailed, work.Store, work.Store.Target, store.Engine, Messages.DeferredConstraintFailed);
                }

                savepoint.Release();
            }
            catch (Exception ex) when (ex is MnesisException || store.StoreEngine.IsEngineError(ex))
            {
                error = ex;
                reusable = false;
                savepoint.Undo();
            }
            finally
            {
                if (own == null)
                {
                    if (reusable)
                    {
                        store.Commands.Return(command);
                    }
                    else
                    {
                        command.Dispose();
                    }
                }
            }
        }

        // The engine's errors and the module's reach the caller as they are; anything else (the SQL
        // ended the transaction itself with ROLLBACK) is a failed write all the same.
        private static Exception AsWriteError(MnesisStore store, GroupedWrite work, Exception error) =>
            error == null || error is MnesisException || store.StoreEngine.IsEngineError(error)
                ? error
                : new MnesisException(Messages.SqlFailed, work.Store, error, work.Store.Target, store.Engine, error.Message);

        private static void TryRollback(DbTransaction transaction)
        {
            try
            {
                transaction?.Rollback();
            }
            catch (Exception ex) when (ex is DbException || ex is InvalidOperationException)
            {
                // The engine already rolled back (a failed COMMIT, a closed connection).
            }
        }

        private static void TryDispose(DbTransaction transaction)
        {
            try
            {
                transaction?.Dispose();
            }
            catch (Exception ex) when (ex is DbException || ex is InvalidOperationException)
            {
                // Disposing rolls back again after a rollback that failed; the engine has already undone it.
            }
        }

        // The caller's side of a finished write: its store counts it, and its error surfaces on its thread.
        private static int Outcome(GroupedWrite work)
        {
            if (work.Error != null)
            {
                work.Store.RecordRollback();
                ExceptionDispatchInfo.Capture(work.Error).Throw();
            }

            work.Store.RecordCommit();
            if (work.CommittedWith > 1)
            {
                work.Store.RecordGrouped();
            }

            return work.RowsChanged;
        }
    }
}
