using System;
using System.Collections;
using System.Management.Automation;
using Mnesis.PowerShell.Binding;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Engines;
using Mnesis.PowerShell.Naming;
using Mnesis.PowerShell.Pool;
using Mnesis.PowerShell.Writes;

namespace Mnesis.PowerShell.Cmdlets
{
    /// <summary>
    /// Runs a write in one transaction, inside the database's gate: a query with -Parameters, a
    /// query once per input object, or a script block given the connection and the transaction.
    /// Anything that does not finish (an error, Ctrl+C, a failing upstream command) rolls back.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "MnesisWrite", DefaultParameterSetName = QueryPoolSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(int), typeof(PSObject), ParameterSetName = new[] { QueryPathSet, QueryLiteralPathSet, QueryStoreSet, QueryPoolSet, QueryConnectionStringSet })]
    [OutputType(typeof(int), ParameterSetName = new[] { TablePathSet, TableLiteralPathSet, TableStoreSet, TablePoolSet, TableConnectionStringSet })]
    [OutputType(typeof(PSObject), ParameterSetName = new[] { ScriptPathSet, ScriptLiteralPathSet, ScriptStoreSet, ScriptPoolSet, ScriptConnectionStringSet })]
    public sealed class InvokeMnesisWriteCommand : MnesisCmdlet, IDisposable, IWriteHost
    {
        private const string QueryPathSet = "QueryPath";
        private const string QueryLiteralPathSet = "QueryLiteralPath";
        private const string QueryStoreSet = "QueryStore";
        private const string QueryPoolSet = "QueryPool";
        private const string QueryConnectionStringSet = "QueryConnectionString";
        private const string ScriptPathSet = "ScriptBlockPath";
        private const string ScriptLiteralPathSet = "ScriptBlockLiteralPath";
        private const string ScriptStoreSet = "ScriptBlockStore";
        private const string ScriptPoolSet = "ScriptBlockPool";
        private const string ScriptConnectionStringSet = "ScriptBlockConnectionString";
        private const string TablePathSet = "TablePath";
        private const string TableLiteralPathSet = "TableLiteralPath";
        private const string TableStoreSet = "TableStore";
        private const string TablePoolSet = "TablePool";
        private const string TableConnectionStringSet = "TableConnectionString";

        private CommandRequest _request;
        private WriteSession _session;
        private BoundCommand _command;
        private IEnumerable _inputRows;
        private bool _completed;

        // Decided once in BeginProcessing: they are read for every row.
        private WriteConfirmation _confirmation;
        private bool _declined;
        private bool _hasRows;
        private RowProgress _progress;

        [Parameter(ParameterSetName = QueryPathSet, Mandatory = true)]
        [Parameter(ParameterSetName = ScriptPathSet, Mandatory = true)]
        [Parameter(ParameterSetName = TablePathSet, Mandatory = true)]
        [ArgumentCompleter(typeof(OpenStorePathCompleter))]
        [Alias("DataSource")]
        [AllowEmptyString]
        public string Path { get; set; }

        [Parameter(ParameterSetName = QueryLiteralPathSet, Mandatory = true)]
        [Parameter(ParameterSetName = ScriptLiteralPathSet, Mandatory = true)]
        [Parameter(ParameterSetName = TableLiteralPathSet, Mandatory = true)]
        [Alias("PSPath", "LP")]
        [ArgumentCompleter(typeof(DatabaseFileCompleter))]
        [AllowEmptyString]
        public string LiteralPath { get; set; }

        /// <summary>A PostgreSQL database: Npgsql keywords or a postgres:// URI.</summary>
        [Parameter(ParameterSetName = QueryConnectionStringSet, Mandatory = true)]
        [Parameter(ParameterSetName = ScriptConnectionStringSet, Mandatory = true)]
        [Parameter(ParameterSetName = TableConnectionStringSet, Mandatory = true)]
        [AllowEmptyString]
        public string ConnectionString { get; set; }

        [Parameter(ParameterSetName = QueryConnectionStringSet)]
        [Parameter(ParameterSetName = ScriptConnectionStringSet)]
        [Parameter(ParameterSetName = TableConnectionStringSet)]
        [Credential]
        public PSCredential Credential { get; set; }

        [Parameter(ParameterSetName = QueryStoreSet, Mandatory = true)]
        [Parameter(ParameterSetName = ScriptStoreSet, Mandatory = true)]
        [Parameter(ParameterSetName = TableStoreSet, Mandatory = true)]
        public MnesisStore Store { get; set; }

        /// <summary>Create a new database's missing parent folders (as New-Item -Force does); without it a missing folder is an error.</summary>
        [Parameter(ParameterSetName = QueryPathSet)]
        [Parameter(ParameterSetName = QueryLiteralPathSet)]
        [Parameter(ParameterSetName = ScriptPathSet)]
        [Parameter(ParameterSetName = ScriptLiteralPathSet)]
        [Parameter(ParameterSetName = TablePathSet)]
        [Parameter(ParameterSetName = TableLiteralPathSet)]
        public SwitchParameter Force { get; set; }

        [Parameter(ParameterSetName = QueryPathSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = QueryLiteralPathSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = QueryStoreSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = QueryPoolSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = QueryConnectionStringSet, Mandatory = true, Position = 0)]
        [AllowNull]
        [AllowEmptyString]
        public string Query { get; set; }

        /// <summary>Values for the query's parameters, by name; for input rows, the values a row lacks.</summary>
        [Parameter(ParameterSetName = QueryPathSet)]
        [Parameter(ParameterSetName = QueryLiteralPathSet)]
        [Parameter(ParameterSetName = QueryStoreSet)]
        [Parameter(ParameterSetName = QueryPoolSet)]
        [Parameter(ParameterSetName = QueryConnectionStringSet)]
        [Alias("SqlParameters")]
        public IDictionary Parameters { get; set; }

        /// <summary>A row: its properties (or keys) are bound to the query's parameters by name.</summary>
        [Parameter(ParameterSetName = QueryPathSet, ValueFromPipeline = true)]
        [Parameter(ParameterSetName = QueryLiteralPathSet, ValueFromPipeline = true)]
        [Parameter(ParameterSetName = QueryStoreSet, ValueFromPipeline = true)]
        [Parameter(ParameterSetName = QueryPoolSet, ValueFromPipeline = true)]
        [Parameter(ParameterSetName = QueryConnectionStringSet, ValueFromPipeline = true)]
        [Parameter(ParameterSetName = TablePathSet, ValueFromPipeline = true)]
        [Parameter(ParameterSetName = TableLiteralPathSet, ValueFromPipeline = true)]
        [Parameter(ParameterSetName = TableStoreSet, ValueFromPipeline = true)]
        [Parameter(ParameterSetName = TablePoolSet, ValueFromPipeline = true)]
        [Parameter(ParameterSetName = TableConnectionStringSet, ValueFromPipeline = true)]
        [AllowNull]
        public PSObject InputObject { get; set; }

        /// <summary>Commit every this many rows instead of once at the end.</summary>
        [Parameter(ParameterSetName = QueryPathSet)]
        [Parameter(ParameterSetName = QueryLiteralPathSet)]
        [Parameter(ParameterSetName = QueryStoreSet)]
        [Parameter(ParameterSetName = QueryPoolSet)]
        [Parameter(ParameterSetName = QueryConnectionStringSet)]
        [Parameter(ParameterSetName = TablePathSet)]
        [Parameter(ParameterSetName = TableLiteralPathSet)]
        [Parameter(ParameterSetName = TableStoreSet)]
        [Parameter(ParameterSetName = TablePoolSet)]
        [Parameter(ParameterSetName = TableConnectionStringSet)]
        public int BatchSize { get; set; }

        /// <summary>Output only the first column of the first row that a statement returns (INSERT ... RETURNING id).</summary>
        [Parameter(ParameterSetName = QueryPathSet)]
        [Parameter(ParameterSetName = QueryLiteralPathSet)]
        [Parameter(ParameterSetName = QueryStoreSet)]
        [Parameter(ParameterSetName = QueryPoolSet)]
        [Parameter(ParameterSetName = QueryConnectionStringSet)]
        public SwitchParameter Scalar { get; set; }

        /// <summary>
        /// Seconds each run of the statement(s) may take before it is stopped and the write rolled back;
        /// 0 for no limit; the store's default (Open-MnesisStore -CommandTimeout) when not given.
        /// </summary>
        [Parameter(ParameterSetName = QueryPathSet)]
        [Parameter(ParameterSetName = QueryLiteralPathSet)]
        [Parameter(ParameterSetName = QueryStoreSet)]
        [Parameter(ParameterSetName = QueryPoolSet)]
        [Parameter(ParameterSetName = QueryConnectionStringSet)]
        [Alias("QueryTimeout")]
        public int CommandTimeout { get; set; }

        [Parameter(ParameterSetName = ScriptPathSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = ScriptLiteralPathSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = ScriptStoreSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = ScriptPoolSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = ScriptConnectionStringSet, Mandatory = true, Position = 0)]
        public ScriptBlock ScriptBlock { get; set; }

        /// <summary>Insert the rows into this table: its columns are matched to the rows' property names.</summary>
        [Parameter(ParameterSetName = TablePathSet, Mandatory = true)]
        [Parameter(ParameterSetName = TableLiteralPathSet, Mandatory = true)]
        [Parameter(ParameterSetName = TableStoreSet, Mandatory = true)]
        [Parameter(ParameterSetName = TablePoolSet, Mandatory = true)]
        [Parameter(ParameterSetName = TableConnectionStringSet, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string Table { get; set; }

        /// <summary>Only these columns of -Table are written; the rows' other properties are left out.</summary>
        [Parameter(ParameterSetName = TablePathSet)]
        [Parameter(ParameterSetName = TableLiteralPathSet)]
        [Parameter(ParameterSetName = TableStoreSet)]
        [Parameter(ParameterSetName = TablePoolSet)]
        [Parameter(ParameterSetName = TableConnectionStringSet)]
        [ValidateNotNullOrEmpty]
        public string[] Column { get; set; }

        private bool IsScriptBlockForm => ScriptBlock != null;

        private bool IsTableForm => Table != null;

        private StoreChoice Choice => StoreChoice.From(Store, Path, LiteralPath, ConnectionString, Credential);

        protected override void BeginProcessing()
        {
            if (!IsScriptBlockForm && !IsTableForm && string.IsNullOrWhiteSpace(Query))
            {
                ThrowMnesisError(new MnesisException(Messages.QueryEmpty, "Query"));
            }

            if (MyInvocation.BoundParameters.ContainsKey(nameof(BatchSize)) && BatchSize < 1)
            {
                ThrowMnesisError(new MnesisException(Messages.BatchSizeInvalid, "BatchSize", BatchSize));
            }

            bool timeoutGiven = MyInvocation.BoundParameters.ContainsKey(nameof(CommandTimeout));
            if (timeoutGiven && CommandTimeout < 0)
            {
                ThrowMnesisError(new MnesisException(Messages.NegativeCommandTimeout, "CommandTimeout", CommandTimeout));
            }

            _hasRows = MyInvocation.ExpectingInput || MyInvocation.BoundParameters.ContainsKey(nameof(InputObject));
            if (IsTableForm && !_hasRows)
            {
                // -Table without input rows has nothing to insert, like an empty pipeline. (-InputObject is not
                // mandatory there: a mandatory pipeline parameter costs PowerShell's binder a check per row.)
                _declined = true;
                WriteObject(0);
                return;
            }

            _request = new CommandRequest(IsScriptBlockForm ? null : Query, Parameters, _hasRows, Scalar ? OutputShape.Scalar : OutputShape.RowCount, BatchSize,
                StopToken, timeoutGiven ? CommandTimeout : (int?)null);
            _progress = new RowProgress(this, _hasRows);

            // -WhatIf and -Confirm are asked before the store opens: opening may create the database.
            _confirmation = new WriteConfirmation(this, IsTableForm ? "INSERT INTO " + Table + " (-Table)" : _request.Sql);
            if (_confirmation.InEffect)
            {
                try
                {
                    _confirmation.Target = Resolver.Describe(Choice);
                }
                catch (MnesisException ex)
                {
                    ThrowMnesisError(ex);
                }

                if (!_hasRows && !_confirmation.Allows(0))
                {
                    _declined = true;
                    return;
                }

                if (_hasRows)
                {
                    // Opened at the first row the user lets through.
                    return;
                }
            }

            OpenSession();
        }

        protected override void ProcessRecord()
        {
            if (IsScriptBlockForm || !_hasRows || _declined)
            {
                return;
            }

            if (!MyInvocation.ExpectingInput)
            {
                // -InputObject: every row is in hand, so the write runs in EndProcessing, where it can be run again.
                _inputRows = LanguagePrimitives.GetEnumerable(InputObject?.BaseObject) ?? new object[] { InputObject };
                _progress.KnownRowCount = _inputRows is ICollection collection ? collection.Count : 0;
                return;
            }

            int rowNumber = (_session?.RowsSeen ?? _skippedBeforeOpen) + 1;
            if (!ShouldWriteRow(rowNumber))
            {
                if (_session != null)
                {
                    _session.SkipRow();
                }
                else
                {
                    _skippedBeforeOpen++;
                }

                return;
            }

            try
            {
                _session.WriteRow(InputObject);
            }
            catch (Exception ex) when (_session.IsFailure(ex))
            {
                ThrowMnesisError(_session.Fail(ex));
            }
        }

        protected override void EndProcessing()
        {
            if (_declined)
            {
                return;
            }

            if (IsScriptBlockForm)
            {
                RunScriptBlock();
                return;
            }

            try
            {
                if (MyInvocation.ExpectingInput)
                {
                    _session?.Commit();
                }
                else
                {
                    if (_session == null && (_inputRows == null || !_confirmation.InEffect))
                    {
                        OpenSession();
                    }

                    WriteInHand();
                }
            }
            catch (Exception ex) when (_session != null && _session.IsFailure(ex))
            {
                ThrowMnesisError(_session.Fail(ex));
            }

            Complete();
            _progress.Complete(_session?.Store.Target, _session?.RowsSeen ?? 0);

            // Under -WhatIf (or rows all declined) nothing was opened, and nothing is reported. A write
            // whose statements returned rows has output them after each commit instead of the count.
            if (_session != null && !_session.ReturnedRows)
            {
                WriteObject(_session.RowsChanged);
            }
            else if (_session != null && Scalar && !_session.ScalarTaken)
            {
                WriteObject(null);
            }
        }

        /// <summary>Whatever did not commit is rolled back here, and the gate released.</summary>
        public void Dispose()
        {
            _session?.Dispose();
            if (_command != null)
            {
                // A command that was interrupted or failed is not worth keeping.
                if (_completed)
                {
                    _session.Store.Commands.Return(_command);
                }
                else
                {
                    _command.Dispose();
                }

                _command = null;
            }
        }

        void IWriteHost.RowWritten(int rowsSeen) => _progress.RowWritten(_session?.Store.Target, rowsSeen);

        void IWriteHost.WriteReturned(System.Collections.Generic.List<object> rows) => WriteObject(rows, enumerateCollection: true);

        private int _skippedBeforeOpen;

        private void OpenSession()
        {
            MnesisStore store = null;
            bool openedHere = false;
            try
            {
                store = Resolver.ResolveSingleStore(Choice, mayCreate: true, out openedHere, createFolders: Force);
                if (!IsScriptBlockForm && !IsTableForm)
                {
                    _command = store.Commands.Rent(_request.Sql);
                    if (_command.MixesOutsideTransaction || (_command.RunsOutsideTransaction && _hasRows))
                    {
                        throw new MnesisException(Messages.MaintenanceMixed, "Query", store.Target);
                    }
                }
            }
            catch (MnesisException ex)
            {
                if (openedHere)
                {
                    store.Pool.DiscardIfUnused(store);
                }

                ThrowMnesisError(ex);
            }

            _session = IsTableForm
                ? new WriteSession(store, openedHere, _request, new TableWrite(store, Table, Column), this)
                : new WriteSession(store, openedHere, _request, _command, this);
            for (int i = 0; i < _skippedBeforeOpen; i++)
            {
                _session.SkipRow();
            }
        }

        private void WriteInHand()
        {
            if (_session == null)
            {
                // Every -InputObject row is asked about first; the store opens at the first one let through.
                int rowNumber = 0;
                var approved = new System.Collections.Generic.List<object>();
                foreach (object row in _inputRows)
                {
                    if (_confirmation.Allows(++rowNumber))
                    {
                        approved.Add(row);
                    }
                }

                if (approved.Count == 0)
                {
                    return;
                }

                OpenSession();
                _session.WriteAllInHand(approved, _ => true);
                return;
            }

            _session.WriteAllInHand(_inputRows, _confirmation.Allows);
        }

        private void RunScriptBlock()
        {
            if (_session == null)
            {
                OpenSession();
            }

            System.Collections.ObjectModel.Collection<PSObject> output;
            try
            {
                output = _session.RunScriptBlock(ScriptBlock, InvokeCommand);
            }
            catch (Exception ex) when (_session.IsFailure(ex))
            {
                ThrowMnesisError(_session.Fail(ex));
                return;
            }

            Complete();
            WriteObject(output, enumerateCollection: true);
        }

        private void Complete()
        {
            _completed = true;
            _session?.Complete();
        }

        // Each pipeline row the user declines under -Confirm is skipped; the store opens at the first one let through.
        private bool ShouldWriteRow(int rowNumber)
        {
            if (!_confirmation.InEffect)
            {
                return true;
            }

            if (!_confirmation.Allows(rowNumber))
            {
                return false;
            }

            if (_session == null)
            {
                OpenSession();
            }

            return true;
        }
    }
}
