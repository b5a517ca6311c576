namespace Mnesis.PowerShell.Engines
{
    /// <summary>
    /// What a failed call says about its connection, which decides whether the call may run again
    /// on a new one: only what the server is known not to have committed may.
    /// </summary>
    internal enum ConnectionFault
    {
        /// <summary>The connection is fine; the failure is the statement's own.</summary>
        None = 0,

        /// <summary>
        /// The server ended the session or refused the work with an answer of its own (shutting
        /// down, a terminated backend, a server that no longer accepts writes): nothing of what was
        /// sent committed, and the connection is of no further use.
        /// </summary>
        Refused = 1,

        /// <summary>
        /// The connection broke with no answer (reset, end of stream, a server that vanished): what
        /// was sent may or may not have run, and a commit among it may or may not have happened.
        /// </summary>
        AnswerLost = 2,
    }
}
