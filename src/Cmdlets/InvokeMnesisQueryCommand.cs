using System;
using System.Collections;
using System.Management.Automation;
using Microsoft.Data.Sqlite;
using Mnesis.PowerShell.Binding;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Cmdlets
{
    /// <summary>
    /// Reads without the write gate: in WAL mode a read runs while other runspaces and
    /// processes write. Rows stream out one by one as SQLite returns them. Inside a -ScriptBlock
    /// write on the same store, the read runs in that transaction and sees its changes.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "MnesisQuery", DefaultParameterSetName = PoolSet)]
    [OutputType(typeof(PSObject))]
    public sealed class InvokeMnesisQueryCommand : MnesisCmdlet
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const string StoreSet = "Store";
        private const string PoolSet = "Pool";

        private SqliteCommand _running;

        [Parameter(ParameterSetName = PathSet, Mandatory = true)]
        [ArgumentCompleter(typeof(OpenStorePathCompleter))]
        [AllowEmptyString]
        public string Path { get; set; }

        [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true)]
        [Alias("PSPath", "LP")]
        [AllowEmptyString]
        public string LiteralPath { get; set; }

        [Parameter(ParameterSetName = StoreSet, Mandatory = true, ValueFromPipeline = true)]
        public MnesisStore Store { get; set; }

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
                store = ResolveSingleStore(Store, Path, LiteralPath, mayCreate: false, out _);
                BoundCommand command = store.Commands.Rent(Query);
                bool completed = false;
                try
                {
                    command.Bind(null, Parameters, rowNumber: 0);
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
            catch (SqliteException ex)
            {
                ThrowIfStopping();
                var error = new MnesisException(Messages.QueryFailed, store, ex, store.Path, ex.Message);
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
            // A write of this thread on this store holds the connection's transaction; read inside it.
            WriteTransaction active = store.Gate.IsHeldByCurrentThread ? store.ActiveWrite : null;
            _running = command.ForTransaction(active?.Transaction);
            try
            {
                if (Scalar)
                {
                    object value = _running.ExecuteScalar();
                    WriteObject(value is DBNull ? null : value);
                    return;
                }

                // While rows stream, a write through this connection would see its own rows (see WriteTransaction.Begin).
                store.ReaderOpened();
                try
                {
                    using (SqliteDataReader reader = _running.ExecuteReader())
                    {
                        do
                        {
                            var rows = new RowBuilder(reader);
                            while (reader.Read())
                            {
                                WriteObject(rows.Build(reader));
                            }
                        }
                        while (reader.NextResult());
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
            }
        }
    }
}
