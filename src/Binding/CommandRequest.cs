using System.Collections;
using System.Threading;

namespace Mnesis.PowerShell.Binding
{
    /// <summary>
    /// One call's SQL and everything that goes with it, made once by the cmdlet and carried as one
    /// value to the write or read session: the values of its parameters, whether rows come as
    /// input, how many rows a transaction holds, what the call returns, and the token that Ctrl+C
    /// cancels, which the session hands to the engine's command (BoundCommand.CancelOn), and the
    /// time each run of the command may take (StatementTimer).
    /// </summary>
    internal sealed class CommandRequest
    {
        internal CommandRequest(string sql, IDictionary parameters, bool hasRows, OutputShape output, int batchSize, CancellationToken cancellation,
            int? commandTimeout = null)
        {
            CommandTimeout = commandTimeout;
            Sql = sql;
            Parameters = parameters;
            HasRows = hasRows;
            Output = output;
            BatchSize = batchSize;
            Cancellation = cancellation;
        }

        /// <summary>The SQL text; null for a -ScriptBlock write, whose code runs its own.</summary>
        internal string Sql { get; }

        /// <summary>Values by parameter name (-Parameters); with input rows, the values a row lacks.</summary>
        internal IDictionary Parameters { get; }

        /// <summary>True when rows come from the pipeline or -InputObject, each bound and run in turn.</summary>
        internal bool HasRows { get; }

        internal OutputShape Output { get; }

        /// <summary>Rows per transaction; 0 for one transaction around all of them.</summary>
        internal int BatchSize { get; }

        /// <summary>Cancelled by Ctrl+C: the running statement is interrupted, a waiting writer stops waiting.</summary>
        internal CancellationToken Cancellation { get; }

        /// <summary>Seconds a run of the command may take (-CommandTimeout); 0 for no limit, null for the store's default.</summary>
        internal int? CommandTimeout { get; }
    }
}
