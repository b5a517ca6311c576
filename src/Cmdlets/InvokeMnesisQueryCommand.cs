using System;
using System.Collections;
using System.Collections.Generic;
using System.Data.Common;
using System.Management.Automation;
using Mnesis.PowerShell.Binding;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Engines;
using Mnesis.PowerShell.Pool;
using Mnesis.PowerShell.Writes;

namespace Mnesis.PowerShell.Cmdlets
{
    /// <summary>
    /// Reads without the write gate: in WAL mode (and on PostgreSQL) a read runs while other
    /// runspaces and processes write. Rows stream out one by one as the engine returns them. Inside
    /// a -ScriptBlock write on the same store, the read runs in that transaction and sees its changes.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "MnesisQuery", DefaultParameterSetName = PoolSet)]
    [OutputType(typeof(PSObject))]
    public sealed class InvokeMnesisQueryCommand : MnesisCmdlet
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const string StoreSet = "Store";
        private const string ConnectionStringSet = "ConnectionString";
        private const string PoolSet = "Pool";

        private const int RowsPerOutput = 64;

        private BoundCommand _running;
        private int _inputs;

        [Parameter(ParameterSetName = PathSet, Mandatory = true)]
        [ArgumentCompleter(typeof(OpenStorePathCompleter))]
        [AllowEmptyString]
        public string Path { get; set; }

        [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true)]
        [Alias("PSPath", "LP")]
        [AllowEmptyString]
        public string LiteralPath { get; set; }

        /// <summary>A PostgreSQL database: Npgsql keywords or a postgres:// URI.</summary>
        [Parameter(ParameterSetName = ConnectionStringSet, Mandatory = true)]
        [AllowEmptyString]
        public string ConnectionString { get; set; }

        [Parameter(ParameterSetName = ConnectionStringSet)]
        [Credential]
        public PSCredential Credential { get; set; }

        [Parameter(ParameterSetName = StoreSet, Mandatory = true, ValueFromPipeline = true)]
        public MnesisStore Store { get; set; }

        /// <summary>An object whose properties (or keys) give the query's parameters; each one runs the query once.</summary>
        [Parameter(ValueFromPipeline = true)]
        [AllowNull]
        public PSObject InputObject { get; set; }

        [Parameter(Mandatory = true, Position = 0)]
        [AllowNull]
        [AllowEmptyString]
        public string Query { get; set; }

        [Parameter]
        public IDictionary Parameters { get; set; }

        /// <summary>Return only the first column of the first row.</summary>
        [Parameter]
        public SwitchParameter Scalar { get; set; }

        protected override void BeginProcessing()
        {
            if (string.IsNullOrWhiteSpace(Query))
            {
                ThrowMnesisError(new MnesisException(Messages.QueryEmpty, "Query"));
            }
        }

        protected override void ProcessRecord()
        {
            MnesisStore store = null;
            try
            {
                store = ResolveSingleStore(new StoreNaming(Store, Path, LiteralPath, ConnectionString, Credential), mayCreate: false, out _);
                BoundCommand command = store.Commands.Rent(Query);
                bool completed = false;
                try
                {
                    // A piped object gives the parameters (a store piped to -Store is not a row).
                    object row = MyInvocation.ExpectingInput && !ReferenceEquals(InputObject?.BaseObject, Store) ? InputObject : null;
                    if (MyInvocation.ExpectingInput && row == null && Store == null)
                    {
                        throw new MnesisException(Messages.InputObjectNull, "InputObject", ++_inputs);
                    }

                    command.Bind(row, Parameters, row == null ? 0 : ++_inputs);
                    Read(store, command);
                    completed = true;
                }
                finally
                {
                    if (completed)
                    {
                        store.Commands.Return(command);
                    }
                    else
                    {
                        command.Dispose();
                    }
                }
            }
            catch (MnesisException ex)
            {
                store?.RecordError(ex.Message);
                ThrowMnesisError(ex);
            }
            catch (Exception ex) when (store != null && store.EngineImpl.IsEngineError(ex))
            {
                ThrowIfStopping();
                MnesisException error = store.EngineImpl.Translate(ex, EngineOperation.Read, store.StoreTarget, store);
                store.RecordError(error.Message);
                ThrowMnesisError(error);
            }
        }

        protected override void StopProcessing()
        {
            base.StopProcessing();
            _running?.Cancel();
        }

        private void Read(MnesisStore store, BoundCommand command)
        {
            if (command.MayWrite)
            {
                throw new MnesisException(Messages.QueryWrites, store, store.Target);
            }

            // A write of this thread on this store holds the connection's transaction; read inside it.
            // Otherwise the engine may give the read a transaction of its own that refuses writes.
            WriteTransaction active = store.ActiveWrite;
            bool insideWrite = active != null && active.OwnerThread == WriteGate.CurrentThread;
            if (insideWrite)
            {
                active.SendHeldRows?.Invoke();
                if (store.EngineImpl.FailedStatementAbortsTransaction && active.Transaction != null)
                {
                    ReadInSavepoint(store, command, active.Transaction);
                    return;
                }
            }

            DbTransaction ownTransaction = insideWrite ? null : store.EngineImpl.BeginRead(store.Connection);
            DbTransaction transaction = insideWrite ? active.Transaction : ownTransaction;
            Stream(store, command, transaction, ownTransaction);
        }

        // A failed read must not spoil the write it runs in (PostgreSQL aborts the whole transaction).
        private void ReadInSavepoint(MnesisStore store, BoundCommand command, DbTransaction transaction)
        {
            RunInTransaction(store, transaction, "SAVEPOINT mnesis_read");
            try
            {
                Stream(store, command, transaction, ownTransaction: null);
            }
            catch
            {
                RunInTransaction(store, transaction, "ROLLBACK TO SAVEPOINT mnesis_read");
                throw;
            }

            RunInTransaction(store, transaction, "RELEASE SAVEPOINT mnesis_read");
        }

        private static void RunInTransaction(MnesisStore store, DbTransaction transaction, string sql)
        {
            using (DbCommand command = store.Connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = sql;
                command.ExecuteNonQuery();
            }
        }

        private void Stream(MnesisStore store, BoundCommand command, DbTransaction transaction, DbTransaction ownTransaction)
        {
            _running = command;
            try
            {
                if (Scalar)
                {
                    object value = command.ExecuteScalar(transaction);
                    WriteObject(value is DBNull ? null : value);
                    return;
                }

                // While rows stream, a write through this connection would see its own rows (see WriteTransaction.Begin).
                store.ReaderOpened();
                try
                {
                    using (DbDataReader reader = command.ExecuteReader(transaction))
                    {
                        // Rows go out a few at a time: one WriteObject per row costs more than the row itself.
                        var pending = new List<PSObject>(RowsPerOutput);
                        do
                        {
                            var rows = new RowBuilder(reader);
                            while (reader.Read())
                            {
                                pending.Add(rows.Build(reader));
                                if (pending.Count == RowsPerOutput)
                                {
                                    WriteObject(pending, enumerateCollection: true);
                                    pending.Clear();
                                }
                            }
                        }
                        while (reader.NextResult());

                        WriteObject(pending, enumerateCollection: true);
                    }
                }
                finally
                {
                    store.ReaderClosed();
                }
            }
            finally
            {
                _running = null;
                if (ownTransaction != null)
                {
                    // Nothing was written; ending it either way only frees the connection. Disposing
                    // rolls back, and does not throw on a connection that broke meanwhile.
                    ownTransaction.Dispose();
                }
            }
        }
    }
}
