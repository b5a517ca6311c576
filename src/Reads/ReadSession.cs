using System.Collections.Generic;
using System.Data;
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

        /// <summary>
        /// The connection a read of <paramref name="store"/> runs on now: the write's, inside a write of
        /// this thread; otherwise the one the store reads on. Rent the read's command from its cache.
        /// </summary>
        internal static StoreConnection RouteOf(MnesisStore store) => ActiveWriteOfThisThread(store) != null ? store.Main : store.ForReads();

        /// <summary>Runs <paramref name="command"/> (bound already, rented from <paramref name="route"/>) on <paramref name="store"/> as <paramref name="request"/> says.</summary>
        internal static void Run(MnesisStore store, StoreConnection route, CommandRequest request, BoundCommand command, IReadHost host)
        {
            if (command.MayWrite)
            {
                throw new MnesisException(Messages.QueryWrites, store, store.Target);
            }

            WriteTransaction active = ActiveWriteOfThisThread(store);
            bool insideWrite = active != null && route == store.Main;
            if (insideWrite)
            {
                active.SendHeldRows?.Invoke();
                if (store.StoreEngine.Has(EngineCapabilities.FailedStatementAbortsTransaction) && active.Transaction != null)
                {
                    RunOrExplainLoss(store, () => RunInSavepoint(store, request, command, active.Transaction, host));
                    return;
                }
            }

            if (insideWrite)
            {
                bool unused = false;
                RunOrExplainLoss(store, () => Stream(store, request, command, active.Transaction, null, host, ref unused));
                return;
            }

            RunAgainOnLostConnection(store, route, request, command, host);
        }

        private static WriteTransaction ActiveWriteOfThisThread(MnesisStore store) =>
            store.ActiveWrite is WriteTransaction active && active.OwnerThread == WriteGate.CurrentThread ? active : null;

        // A read that lost its connection before it output a row runs again on a new one, for as
        // long as the engine's connection timeout; one that already output rows cannot.
        private static void RunAgainOnLostConnection(MnesisStore store, StoreConnection route, CommandRequest request, BoundCommand command, IReadHost host)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (int attempt = 1; ; attempt++)
            {
                bool output = false;
                try
                {
                    try
                    {
                        route.EnsureConnected(request.Cancellation);
                    }
                    catch (System.OperationCanceledException)
                    {
                        throw new PipelineStoppedException();
                    }

                    DbTransaction ownTransaction = store.StoreEngine.BeginRead(route.Connection);
                    Stream(store, request, command, ownTransaction, ownTransaction, host, ref output);
                    return;
                }
                catch (System.Exception ex) when (!(ex is MnesisException) && store.StoreEngine.IsEngineError(ex) && !request.Cancellation.IsCancellationRequested)
                {
                    ConnectionFault fault = route.NoteFailure(ex, EngineOperation.Read);
                    if (fault == ConnectionFault.None)
                    {
                        throw;
                    }

                    if (output || clock.Elapsed > route.ReconnectWindow)
                    {
                        throw new MnesisException(Messages.ConnectionLost, store, ex, store.Target, ex.Message);
                    }

                    host.Verbose(Messages.VerboseRetryingLost, store.Target, attempt);
                    if (request.Cancellation.WaitHandle.WaitOne(System.Math.Min(1000, 50 << System.Math.Min(attempt, 5))))
                    {
                        throw new PipelineStoppedException();
                    }
                }
            }
        }

        // Inside a write the connection is the write's: a lost one fails the read with the module's error for it.
        private static void RunOrExplainLoss(MnesisStore store, System.Action read)
        {
            try
            {
                read();
            }
            catch (System.Exception ex) when (!(ex is MnesisException) && store.Main.NoteFailure(ex, EngineOperation.Read) != ConnectionFault.None)
            {
                throw new MnesisException(Messages.ConnectionLost, store, ex, store.Target, ex.Message);
            }
        }

        // A failed read must not spoil the write it runs in (PostgreSQL aborts the whole transaction).
        private static void RunInSavepoint(MnesisStore store, CommandRequest request, BoundCommand command, DbTransaction transaction, IReadHost host)
        {
            Savepoint savepoint = Savepoint.Set(store, transaction, "read");
            try
            {
                bool unused = false;
                Stream(store, request, command, transaction, ownTransaction: null, host, ref unused);
            }
            catch
            {
                savepoint.Undo();
                throw;
            }

            savepoint.Release();
        }

        private static void Stream(MnesisStore store, CommandRequest request, BoundCommand command, DbTransaction transaction, DbTransaction ownTransaction,
            IReadHost host, ref bool output)
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
                    output = true;
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
                            if (request.Output == OutputShape.DataRows || request.Output == OutputShape.DataTable)
                            {
                                WriteTables(reader, request.Output, host);
                                readToEnd = true;
                                return;
                            }

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
                                        output = true;
                                        timer?.Pause();
                                        host.WriteRows(pending);
                                        timer?.Resume();
                                        pending.Clear();
                                    }
                                }
                            }
                            while (reader.NextResult());

                            readToEnd = true;
                            output = true;
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

        // A table per result set: its column types are known only once all its rows are in.
        private static void WriteTables(DbDataReader reader, OutputShape output, IReadHost host)
        {
            do
            {
                DataTable table = DataTableBuilder.Load(reader);
                if (output == OutputShape.DataTable)
                {
                    host.WriteValue(table);
                    continue;
                }

                var rows = new List<PSObject>(table.Rows.Count);
                foreach (DataRow row in table.Rows)
                {
                    rows.Add(PSObject.AsPSObject(row));
                }

                host.WriteRows(rows);
            }
            while (reader.NextResult());
        }
    }
}
