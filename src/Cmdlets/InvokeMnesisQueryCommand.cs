using System;
using System.Collections;
using System.Collections.Generic;
using System.Data;
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
    [OutputType(typeof(PSObject), typeof(DataRow), typeof(DataTable))]
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
        [ArgumentCompleter(typeof(DatabaseFileCompleter))]
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

        /// <summary>
        /// What the rows come as, by the names PSSQLite and dbatools use: PSObject (the default),
        /// DataRow, DataTable, or SingleValue (the same as -Scalar).
        /// </summary>
        [Parameter]
        [ValidateSet(AsPSObject, AsDataRow, AsDataTable, AsSingleValue)]
        public string As { get; set; } = AsPSObject;

        private const string AsPSObject = "PSObject";
        private const string AsDataRow = "DataRow";
        private const string AsDataTable = "DataTable";
        private const string AsSingleValue = "SingleValue";

        private OutputShape _output;

        /// <summary>
        /// Seconds the query may run (until its last row is read, not counting the time downstream
        /// commands take) before it is stopped; 0 for no limit; the store's default when not given.
        /// </summary>
        [Parameter]
        [Alias("QueryTimeout")]
        public int CommandTimeout { get; set; }

        private int? _commandTimeout;

        protected override void BeginProcessing()
        {
            if (string.IsNullOrWhiteSpace(Query))
            {
                ThrowMnesisError(new MnesisException(Messages.QueryEmpty, "Query"));
            }

            _output = OutputOf(As);
            if (Scalar && MyInvocation.BoundParameters.ContainsKey(nameof(As)) && _output != OutputShape.Scalar)
            {
                ThrowMnesisError(new MnesisException(Messages.OutputConflict, "As", As));
            }

            if (Scalar)
            {
                _output = OutputShape.Scalar;
            }

            if (MyInvocation.BoundParameters.ContainsKey(nameof(CommandTimeout)))
            {
                if (CommandTimeout < 0)
                {
                    ThrowMnesisError(new MnesisException(Messages.NegativeCommandTimeout, "CommandTimeout", CommandTimeout));
                }

                _commandTimeout = CommandTimeout;
            }
        }

        private static OutputShape OutputOf(string value)
        {
            switch (value?.ToUpperInvariant())
            {
                case "DATAROW":
                    return OutputShape.DataRows;
                case "DATATABLE":
                    return OutputShape.DataTable;
                case "SINGLEVALUE":
                    return OutputShape.Scalar;
                default:
                    return OutputShape.Rows;
            }
        }

        protected override void ProcessRecord()
        {
            MnesisStore store = null;
            try
            {
                store = Resolver.ResolveSingleStore(StoreChoice.From(Store, Path, LiteralPath, ConnectionString, Credential), mayCreate: false, out _);
                StoreConnection route = ReadSession.RouteOf(store);
                BoundCommand command = route.Commands.Rent(Query);
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
                    var request = new CommandRequest(Query, Parameters, row != null, _output, 0, StopToken, _commandTimeout);
                    ReadSession.Run(store, route, request, command, this);
                    completed = true;
                }
                finally
                {
                    if (completed)
                    {
                        route.Commands.Return(command);
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
