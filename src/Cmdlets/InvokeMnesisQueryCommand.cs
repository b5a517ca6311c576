using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using Mnesis.PowerShell.Binding;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Engines;
using Mnesis.PowerShell.Naming;
using Mnesis.PowerShell.Pool;
using Mnesis.PowerShell.Reads;

namespace Mnesis.PowerShell.Cmdlets
{
    /// <summary>Reads a store (see ReadSession): rows stream out as the engine returns them, or one value with -Scalar.</summary>
    [Cmdlet(VerbsLifecycle.Invoke, "MnesisQuery", DefaultParameterSetName = PoolSet)]
    [OutputType(typeof(PSObject))]
    public sealed class InvokeMnesisQueryCommand : MnesisCmdlet, IReadHost
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const string StoreSet = "Store";
        private const string ConnectionStringSet = "ConnectionString";
        private const string PoolSet = "Pool";

        private int _inputs;

        [Parameter(ParameterSetName = PathSet, Mandatory = true)]
        [ArgumentCompleter(typeof(OpenStorePathCompleter))]
        [Alias("DataSource")]
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
        [Alias("SqlParameters")]
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
                store = Resolver.ResolveSingleStore(StoreChoice.From(Store, Path, LiteralPath, ConnectionString, Credential), mayCreate: false, out _);
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
                    var request = new CommandRequest(Query, Parameters, row != null, Scalar ? OutputShape.Scalar : OutputShape.Rows, 0, StopToken);
                    ReadSession.Run(store, request, command, this);
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
            catch (Exception ex) when (store != null && store.StoreEngine.IsEngineError(ex))
            {
                ThrowIfStopping();
                MnesisException error = store.TranslateError(ex, EngineOperation.Read);
                store.RecordError(error.Message);
                ThrowMnesisError(error);
            }
        }

        void IReadHost.WriteRows(List<PSObject> rows) => WriteObject(rows, enumerateCollection: true);

        void IReadHost.WriteValue(object value) => WriteObject(value);
    }
}
