using System.Management.Automation;

namespace Mnesis.PowerShell.Diagnostics
{
    /// <summary>
    /// Every error id and every user-facing message of the module. Ids are part of the public
    /// contract (scripts match on FullyQualifiedErrorId): never rename one.
    /// Verbose messages may name paths and pool events, never parameter values.
    /// </summary>
    internal static class Messages
    {
        // Paths
        internal static readonly ErrorDefinition PathEmpty = new ErrorDefinition(
            "MnesisPathEmpty", ErrorCategory.InvalidArgument,
            "The value of parameter '{0}' is empty or white space; give the path of a SQLite database file.");

        internal static readonly ErrorDefinition PathNotFileSystem = new ErrorDefinition(
            "MnesisPathNotFileSystem", ErrorCategory.InvalidArgument,
            "The path '{0}' is on the '{1}' provider. A Mnesis store must be a file on the FileSystem provider.");

        internal static readonly ErrorDefinition PathIsDirectory = new ErrorDefinition(
            "MnesisPathIsDirectory", ErrorCategory.InvalidArgument,
            "The path '{0}' is a directory. Give the path of a SQLite database file.");

        internal static readonly ErrorDefinition PathNotFound = new ErrorDefinition(
            "MnesisPathNotFound", ErrorCategory.ObjectNotFound,
            "No file matches the path '{0}'. Use -LiteralPath for a name that contains wildcard characters ([ ] * ?).");

        internal static readonly ErrorDefinition PathInvalid = new ErrorDefinition(
            "MnesisPathInvalid", ErrorCategory.InvalidArgument,
            "The path '{0}' cannot be used: {1}");

        internal static readonly ErrorDefinition PathIsConnectionString = new ErrorDefinition(
            "MnesisPathIsConnectionString", ErrorCategory.InvalidArgument,
            "The value of parameter '{0}' starts with '{1}': it is a connection string, not the path of a SQLite file; nothing was opened or created. Give a PostgreSQL database to -ConnectionString instead. For a file whose name really starts so, use -LiteralPath or put './' before the name.");

        internal static readonly ErrorDefinition PathConnectionStringOptions = new ErrorDefinition(
            "MnesisPathConnectionStringOptions", ErrorCategory.InvalidArgument,
            "The value of parameter '{0}' is a SQLite connection string with the option(s) {1}, which -Path does not take; nothing was opened or created. Give the file alone ('Data Source=' is read as the file) and use Open-MnesisStore's -ReadOnly, -BusyTimeout or -NoWal instead.");

        internal static readonly ErrorDefinition FolderNotFound = new ErrorDefinition(
            "MnesisFolderNotFound", ErrorCategory.ObjectNotFound,
            "The folder '{0}' does not exist, so the database '{1}' cannot be created; nothing was created. Check the path for a typo, or add -Force to create the missing folders.");

        // Server databases
        internal static readonly ErrorDefinition ConnectionStringEmpty = new ErrorDefinition(
            "MnesisConnectionStringEmpty", ErrorCategory.InvalidArgument,
            "The value of parameter 'ConnectionString' is empty or white space; give a PostgreSQL connection string (Host=...;Database=...) or a postgres:// URI.");

        internal static readonly ErrorDefinition ConnectionStringInvalid = new ErrorDefinition(
            "MnesisConnectionStringInvalid", ErrorCategory.InvalidArgument,
            "The connection string cannot be used: {0}");

        internal static readonly ErrorDefinition EngineUnsupported = new ErrorDefinition(
            "MnesisEngineUnsupported", ErrorCategory.NotImplemented,
            "{0} stores need PowerShell 7.4 or later; this is Windows PowerShell on .NET Framework {1}. SQLite stores (-Path) work here.");

        internal static readonly ErrorDefinition EngineLoadFailed = new ErrorDefinition(
            "MnesisEngineLoadFailed", ErrorCategory.NotInstalled,
            "Mnesis could not load its {0} engine ({1}); make sure the whole module folder was copied. {2}");

        internal static readonly ErrorDefinition ServerUnreachable = new ErrorDefinition(
            "MnesisServerUnreachable", ErrorCategory.ConnectionError,
            "The PostgreSQL server of '{0}' could not be reached: {1}");

        internal static readonly ErrorDefinition ConnectionLost = new ErrorDefinition(
            "MnesisConnectionLost", ErrorCategory.ConnectionError,
            "The connection to '{0}' was lost during the call ({1}). The server rolled back the transaction in progress (batches committed before it stay); this call was not run again because its input or its code may have done more than the database shows. The store opens a new connection at its next call.");

        internal static readonly ErrorDefinition WriteOutcomeUnknown = new ErrorDefinition(
            "MnesisWriteOutcomeUnknown", ErrorCategory.ConnectionError,
            "The connection to '{0}' was lost after the write's commit was sent, before the server answered ({1}). The write may or may not have been committed, so it was not run again. Check whether its changes are in the database (for example with Invoke-MnesisQuery) before you run it again. The store opens a new connection at its next call.");

        internal static readonly ErrorDefinition AuthenticationFailed = new ErrorDefinition(
            "MnesisAuthenticationFailed", ErrorCategory.AuthenticationError,
            "The PostgreSQL server of '{0}' refused the user's credentials: {1}");

        internal static readonly ErrorDefinition DatabaseNotFound = new ErrorDefinition(
            "MnesisDatabaseNotFound", ErrorCategory.ObjectNotFound,
            "The PostgreSQL database of '{0}' does not exist: {1}");

        internal static readonly ErrorDefinition TlsFailed = new ErrorDefinition(
            "MnesisTlsFailed", ErrorCategory.SecurityError,
            "The encrypted connection to '{0}' could not be made: {1}");

        internal static readonly ErrorDefinition ServerOpenFailed = new ErrorDefinition(
            "MnesisServerOpenFailed", ErrorCategory.OpenError,
            "Connecting to '{0}' failed: {1}");

        internal static readonly ErrorDefinition WriteConflict = new ErrorDefinition(
            "MnesisWriteConflict", ErrorCategory.WriteError,
            "The write to '{0}' lost a race with another writer ({1}) and was rolled back; run it again. PostgreSQL says: {2}");

        internal static readonly ErrorDefinition ArrayElementsMixed = new ErrorDefinition(
            "MnesisArrayElementsMixed", ErrorCategory.InvalidType,
            "The array for parameter '{0}' mixes [{1}] and [{2}] elements; a PostgreSQL array has one element type. Cast it, as in [int[]]$values.");

        internal static readonly ErrorDefinition ArrayElementTypeUnknown = new ErrorDefinition(
            "MnesisArrayElementTypeUnknown", ErrorCategory.InvalidType,
            "The array for parameter '{0}' is empty or all $null, so its element type is unknown. Give a typed array, as in [int[]]@().");

        // Opening
        internal static readonly ErrorDefinition NegativeBusyTimeout = new ErrorDefinition(
            "MnesisNegativeBusyTimeout", ErrorCategory.InvalidArgument,
            "The value {0} of parameter 'BusyTimeout' is negative. Give the number of seconds to wait for a locked database (0 or more).");

        internal static readonly ErrorDefinition NegativeCommandTimeout = new ErrorDefinition(
            "MnesisNegativeCommandTimeout", ErrorCategory.InvalidArgument,
            "The value {0} of parameter 'CommandTimeout' is negative. Give the number of seconds a statement may run (0 for no limit).");

        internal static readonly ErrorDefinition NotADatabase = new ErrorDefinition(
            "MnesisNotADatabase", ErrorCategory.InvalidData,
            "The file '{0}' is not a SQLite database; it was left unchanged. SQLite says: {1}");

        internal static readonly ErrorDefinition DatabaseReadOnly = new ErrorDefinition(
            "MnesisDatabaseReadOnly", ErrorCategory.PermissionDenied,
            "The database file '{0}' cannot be written (read-only file, folder or file system); it was left unchanged. A Mnesis store must be writable.");

        internal static readonly ErrorDefinition OpenFailed = new ErrorDefinition(
            "MnesisOpenFailed", ErrorCategory.OpenError,
            "Opening the SQLite database '{0}' failed at step '{1}': {2}");

        internal static readonly ErrorDefinition NativeLibraryMissing = new ErrorDefinition(
            "MnesisNativeLibraryMissing", ErrorCategory.NotInstalled,
            "Mnesis has no native SQLite library for this platform ({0}); expected '{1}'. Supported: {2}.");

        internal static readonly ErrorDefinition NativeLibraryLoadFailed = new ErrorDefinition(
            "MnesisNativeLibraryLoadFailed", ErrorCategory.ResourceUnavailable,
            "Mnesis could not load its native SQLite library '{0}': {1}");

        // Pool look-ups
        internal static readonly ErrorDefinition StoreNotOpen = new ErrorDefinition(
            "MnesisStoreNotOpen", ErrorCategory.ObjectNotFound,
            "No store is open for '{0}' in this pool. Open it first with Open-MnesisStore.");

        internal static readonly ErrorDefinition StoreClosed = new ErrorDefinition(
            "MnesisStoreClosed", ErrorCategory.InvalidOperation,
            "The store for '{0}' was closed. Open it again with Open-MnesisStore and use the new store.");

        internal static readonly ErrorDefinition TargetAmbiguous = new ErrorDefinition(
            "MnesisTargetAmbiguous", ErrorCategory.InvalidArgument,
            "The pool holds {0} open stores; {1}");

        internal static readonly ErrorDefinition PathMatchesSeveral = new ErrorDefinition(
            "MnesisPathMatchesSeveral", ErrorCategory.InvalidArgument,
            "The path '{0}' matches {1} files; a write goes to exactly one database.");

        internal static readonly ErrorDefinition CloseInsideWrite = new ErrorDefinition(
            "MnesisCloseInsideWrite", ErrorCategory.InvalidOperation,
            "The store '{0}' cannot be closed from inside one of its own write transactions.");

        internal static readonly ErrorDefinition StoreReadOnly = new ErrorDefinition(
            "MnesisStoreReadOnly", ErrorCategory.PermissionDenied,
            "The store '{0}' is read-only (opened with -ReadOnly, or its database cannot be written); nothing was written. Close it and open it again without -ReadOnly to write.");

        internal static readonly ErrorDefinition QueryWrites = new ErrorDefinition(
            "MnesisQueryWrites", ErrorCategory.InvalidOperation,
            "The query on '{0}' would change the database; nothing was run. Invoke-MnesisQuery only reads: write with Invoke-MnesisWrite, which serializes writes and makes each one transaction.");

        internal static readonly ErrorDefinition MaintenanceMixed = new ErrorDefinition(
            "MnesisMaintenanceMixed", ErrorCategory.InvalidArgument,
            "The query on '{0}' holds a statement that must run outside a transaction (such as VACUUM or PRAGMA journal_mode) together with other statements or input rows; nothing was run. Run it with Invoke-MnesisWrite on its own.");

        internal static readonly ErrorDefinition MaintenanceInTransaction = new ErrorDefinition(
            "MnesisMaintenanceInTransaction", ErrorCategory.InvalidOperation,
            "A statement that must run outside a transaction (such as VACUUM or PRAGMA journal_mode) was written to '{0}' inside a -ScriptBlock write, where it would fail or be ignored; nothing was run. Run it after that write.");

        // Writes
        internal static readonly ErrorDefinition QueryEmpty = new ErrorDefinition(
            "MnesisQueryEmpty", ErrorCategory.InvalidArgument,
            "The value of parameter 'Query' is empty or white space; give the SQL statement(s) to run.");

        internal static readonly ErrorDefinition PositionalParameter = new ErrorDefinition(
            "MnesisPositionalParameter", ErrorCategory.InvalidArgument,
            "The query uses the positional parameter '{0}'. Mnesis binds by name: write @name, $name or :name.");

        internal static readonly ErrorDefinition ParameterMissing = new ErrorDefinition(
            "MnesisParameterMissing", ErrorCategory.InvalidArgument,
            "The query uses the parameter '{0}' but {1} has no value named '{2}'. {3}");

        internal static readonly ErrorDefinition ParameterTypeUnsupported = new ErrorDefinition(
            "MnesisParameterTypeUnsupported", ErrorCategory.InvalidType,
            "The value for parameter '{0}' is of type [{1}], which {2} cannot store. Use a string, number, boolean, date, GUID or byte array.");

        internal static readonly ErrorDefinition InputObjectNull = new ErrorDefinition(
            "MnesisInputObjectNull", ErrorCategory.InvalidArgument,
            "Pipeline input {0} is null; each input object must carry the query's parameters as properties or keys.");

        internal static readonly ErrorDefinition OutputConflict = new ErrorDefinition(
            "MnesisOutputConflict", ErrorCategory.InvalidArgument,
            "Parameter 'Scalar' asks for one value but parameter 'As' asks for '{0}'; give one of them (-As SingleValue is the same as -Scalar).");

        internal static readonly ErrorDefinition BatchSizeInvalid = new ErrorDefinition(
            "MnesisBatchSizeInvalid", ErrorCategory.InvalidArgument,
            "The value {0} of parameter 'BatchSize' must be 1 or more.");

        internal static readonly ErrorDefinition TableNotFound = new ErrorDefinition(
            "MnesisTableNotFound", ErrorCategory.ObjectNotFound,
            "The table '{0}' given to -Table does not exist in '{1}'; nothing was written. Create it first, or check the name (a table, not a view).");

        internal static readonly ErrorDefinition TableColumnNotFound = new ErrorDefinition(
            "MnesisTableColumnNotFound", ErrorCategory.InvalidArgument,
            "The table '{0}' has no column for {1} '{2}'; nothing was written. Its columns are: {3}. Rename the property (Select-Object), or name the columns to write with -Column.");

        internal static readonly ErrorDefinition TableValueInvalid = new ErrorDefinition(
            "MnesisTableValueInvalid", ErrorCategory.InvalidData,
            "Row {0}: the [{3}] value for column '{1}' of table '{2}' cannot be converted to the column's type '{4}'; the write was rolled back.");

        internal static readonly ErrorDefinition TableNoColumns = new ErrorDefinition(
            "MnesisTableNoColumns", ErrorCategory.InvalidArgument,
            "Input object {0} has no property that names a column of table '{1}'; nothing was written. Its columns are: {2}.");

        internal static readonly ErrorDefinition SqlFailed = new ErrorDefinition(
            "MnesisSqlFailed", ErrorCategory.InvalidOperation,
            "The write to '{0}' failed and was rolled back. {1} says: {2}");

        internal static readonly ErrorDefinition NestedWriteInBulkWrite = new ErrorDefinition(
            "MnesisNestedWriteInBulkWrite", ErrorCategory.InvalidOperation,
            "A write to '{0}' started while a pipeline write to the same store is in progress in this pipeline; it would be rolled back with that write if a later row failed. Write before or after the pipeline, or use Invoke-MnesisWrite -ScriptBlock to make both one transaction.");

        internal static readonly ErrorDefinition WriteWhileReading = new ErrorDefinition(
            "MnesisWriteWhileReading", ErrorCategory.InvalidOperation,
            "'{0}' is being read by Invoke-MnesisQuery through the same connection (upstream in this pipeline); that query would see this write's own rows. Collect the rows first, as in @(Invoke-MnesisQuery ...), or write with INSERT ... SELECT.");

        internal static readonly ErrorDefinition QueryFailed = new ErrorDefinition(
            "MnesisQueryFailed", ErrorCategory.InvalidOperation,
            "The query on '{0}' failed. {1} says: {2}");

        internal static readonly ErrorDefinition DatabaseBusy = new ErrorDefinition(
            "MnesisDatabaseBusy", ErrorCategory.ResourceBusy,
            "The database '{0}' stayed locked by another connection for longer than the busy timeout ({1} s); nothing was written.");

        internal static readonly ErrorDefinition CommandTimedOut = new ErrorDefinition(
            "MnesisCommandTimeout", ErrorCategory.OperationTimeout,
            "The {0} on '{1}' ran longer than its command timeout of {2} s (parameter 'CommandTimeout', or the store's default from Open-MnesisStore) and was stopped{3}. Give a larger -CommandTimeout, or 0 for no limit. This is not the busy timeout, which limits the wait for another connection's lock.");

        internal const string TimedOutWrite = "write";
        internal const string TimedOutQuery = "query";
        internal const string TimedOutRolledBack = "; nothing of it was written";

        internal static readonly ErrorDefinition NestedWriteOtherConnection = new ErrorDefinition(
            "MnesisNestedWriteOtherConnection", ErrorCategory.DeadlockDetected,
            "This thread already holds the write gate of '{0}' through another pool's connection; a nested write through a second connection would wait for itself forever.");

        internal const string InputObjectDescription = "input object {0}";
        internal const string PathNotLocal = "it does not name a place on this computer's file system (a UNC path such as \\\\server\\share names a Windows network share).";
        internal const string DeferredConstraintFailed = "FOREIGN KEY constraint failed (a deferred constraint, checked at the commit)";
        internal const string ParametersDescription = "the -Parameters dictionary";
        internal const string TargetToWrite = "name the one to write to with -Path, -LiteralPath, -ConnectionString or -Store.";
        internal const string TargetToRead = "this is a read (Invoke-MnesisQuery): name the store to read from with -Path, -LiteralPath, -ConnectionString or -Store.";
        internal const string NamesSupplied = "The names supplied are: {0}.";
        internal const string NoNamesSupplied = "No names were supplied: give the values with -Parameters @{ name = value } or as properties of the piped objects.";
        internal const string DoubleQuotedWordHint =
            "In SQL, a double-quoted word (\"{0}\") names a column; a string takes single quotes ('{0}'). Better still, pass the value as a parameter (@name with -Parameters), which needs no quotes.";
        internal const string TablePropertyDescription = "the input property";
        internal const string TableColumnParameterDescription = "the -Column value";

        internal const string ProgressActivity = "Writing to {0}";
        internal const string ProgressStatus = "{0:N0} rows written";

        // Warnings
        internal const string ServerOptionsIgnored =
            "The store '{0}' is already open with other connection options; the first options stand. Close it first to reopen it with other options.";

        internal const string OptionsIgnored =
            "The store '{0}' is already open with WalMode={1} and BusyTimeout={2}; the first options stand. Close it first to reopen it with other options.";

        internal const string ForeignNativeLibrary =
            "Another module's native SQLite '{0}' (SQLite {1}) was loaded first and answers Mnesis's calls instead of '{2}'. Import Mnesis before that module, or run it in PowerShell 7, where each module keeps its own.";

        // Verbose: pool events and paths only, never parameter values.
        internal const string VerboseOpened = "Mnesis: opened store '{0}' (WalMode={1}, BusyTimeout={2} s) in pool {3}.";
        internal const string VerboseOpenedServer = "Mnesis: opened {0} store '{1}' (BusyTimeout={2} s) in pool {3}.";
        internal const string VerboseRetryingConflict = "Mnesis: the write to '{0}' lost a race with another writer (attempt {1}); rolled back, running it again.";
        internal const string VerboseRetryingLost = "Mnesis: the connection to '{0}' was lost before the call could commit (attempt {1}); running it again on a new connection.";
        internal const string VerboseReused = "Mnesis: reusing open store '{0}' from pool {1}.";
        internal const string VerboseClosed = "Mnesis: closed store '{0}' of pool {1}.";
        internal const string VerboseNothingToClose = "Mnesis: no open store for '{0}' in pool {1}; nothing to close.";
        internal const string VerboseWaitingForGate = "Mnesis: waiting for the write gate of '{0}'.";
        internal const string VerboseCommitted = "Mnesis: committed the write transaction to '{0}'.";
        internal const string VerboseRolledBack = "Mnesis: rolled back the write to '{0}'.";
        internal const string VerboseJoined = "Mnesis: joining the enclosing write transaction of '{0}'.";
        internal const string VerbosePoolCreated = "Mnesis: created pool {0}.";

        internal const string ShouldProcessCloseAction = "Close Mnesis store";
        internal const string ShouldProcessWriteQuery = "Write: {0}";
        internal const string ShouldProcessWriteRow = "Write input row {0}: {1}";
        internal const string ShouldProcessWriteScriptBlock = "Write: the -ScriptBlock, in one transaction";
        internal const string ShouldProcessCloseAllTarget = "all {0} open store(s) of pool {1}";
    }
}
