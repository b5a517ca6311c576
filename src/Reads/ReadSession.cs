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
            // Ctrl+C interrupts the read's own statement, never the savepoint or transaction around it.
            CancellationTokenRegistration cancelOnStop = command.CancelOn(request.Cancellation);
            try
            {
                if (request.Output == OutputShape.Scalar)
                {
                    object value = command.ExecuteScalar(transaction);
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
                                        host.WriteRows(pending);
                                        pending.Clear();
                                    }
                                }
                            }
                            while (reader.NextResult());

                            readToEnd = true;
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
            finally
            {
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
