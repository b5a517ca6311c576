using System.Collections.Generic;
using System.Data.Common;
using System.Management.Automation;
using System.Threading;
using Mnesis.PowerShell.Binding;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Engines;
using Mnesis.PowerShell.Gates;
using Mnesis.PowerShell.Pool;
using Mnesis.PowerShell.Writes;

namespace Mnesis.PowerShell.Reads
{
    /// <summary>
    /// One read of a store, without the write gate: in WAL mode (and on PostgreSQL) it runs while
    /// other runspaces and processes write. Inside a write of this thread on the same store it runs
    /// in that write's transaction and sees its changes; otherwise the engine may give it a
    /// transaction of its own that refuses writes. Rows go out a few at a time as the engine returns them.
    /// </summary>
    internal static class ReadSession
    {
        private const int RowsPerOutput = 64;

        /// <summary>Runs <paramref name="command"/> (bound already) on <paramref name="store"/> as <paramref name="request"/> says.</summary>
        internal static void Run(MnesisStore store, CommandRequest request, BoundCommand command, IReadHost host)
        {
            if (command.MayWrite)
            {
                throw new MnesisException(Messages.QueryWrites, store, store.Target);
            }

            var active = store.ActiveWrite as WriteTransaction;
            bool insideWrite = active != null && active.OwnerThread == WriteGate.CurrentThread;
            if (insideWrite)
            {
                active.SendHeldRows?.Invoke();
                if (store.StoreEngine.Has(EngineCapabilities.FailedStatementAbortsTransaction) && active.Transaction != null)
                {
                    RunInSavepoint(store, request, command, active.Transaction, host);
                    return;
                }
            }

            DbTransaction ownTransaction = insideWrite ? null : store.StoreEngine.BeginRead(store.Connection);
            Stream(store, request, command, insideWrite ? active.Transaction : ownTransaction, ownTransaction, host);
        }

        // A failed read must not spoil the write it runs in (PostgreSQL aborts the whole transaction).
        private static void RunInSavepoint(MnesisStore store, CommandRequest request, BoundCommand command, DbTransaction transaction, IReadHost host)
        {
            Savepoint savepoint = Savepoint.Set(store, transaction, "read");
            try
            {
                Stream(store, request, command, transaction, ownTransaction: null, host);
            }
            catch
            {
                savepoint.Undo();
                throw;
            }

            savepoint.Release();
        }

        private static void Stream(MnesisStore store, CommandRequest request, BoundCommand command, DbTransaction transaction, DbTransaction ownTransaction,
            IReadHost host)
        {
            // Ctrl+C interrupts the read's own statement, never the savepoint or transaction around it;
            // so does the end of -CommandTimeout.
            CancellationTokenRegistration cancelOnStop = command.CancelOn(request.Cancellation);
            int seconds = request.CommandTimeout ?? store.CommandTimeout;
            command.LimitTime(seconds);
            StatementTimer timer = seconds > 0 ? new StatementTimer(command, seconds) : null;
            try
            {
                if (request.Output == OutputShape.Scalar)
                {
                    object value = command.ExecuteScalar(transaction);
                    timer?.Pause();
                    host.WriteValue(value is System.DBNull ? null : value);
                    return;
                }

                // While rows stream, a write through this connection would see its own rows (see WriteTransaction.Begin).
                store.ReaderOpened();
                try
                {
                    using (DbDataReader reader = command.ExecuteReader(transaction))
                    {
                        bool readToEnd = false;
                        try
                        {
                            // One WriteObject per row costs more than the row itself.
                            var pending = new List<PSObject>(RowsPerOutput);
                            do
                            {
                                var rows = new RowBuilder(reader);
                                while (reader.Read())
                                {
                                    pending.Add(rows.Build(reader));
                                    if (pending.Count == RowsPerOutput)
                                    {
                                        timer?.Pause();
                                        host.WriteRows(pending);
                                        timer?.Resume();
                                        pending.Clear();
                                    }
                                }
                            }
                            while (reader.NextResult());

                            readToEnd = true;
                            timer?.Pause();
                            host.WriteRows(pending);
                        }
                        finally
                        {
                            // Downstream stopped the pipeline (or a row failed): the rest is not wanted.
                            if (!readToEnd)
                            {
                                command.AbandonReader();
                            }
                        }
                    }
                }
                finally
                {
                    store.ReaderClosed();
                }
            }
            catch (System.Exception ex) when (timer != null && timer.Fired && StatementTimer.IsInterruption(store.StoreEngine, ex))
            {
                throw new MnesisException(Messages.CommandTimedOut, store, ex, Messages.TimedOutQuery, store.Target, seconds, string.Empty);
            }
            finally
            {
                timer?.Dispose();
                cancelOnStop.Dispose();

                // Nothing was written; ending it either way only frees the connection. Disposing rolls
                // back, and does not throw on a connection that broke meanwhile.
                ownTransaction?.Dispose();
            }
        }
    }
}
