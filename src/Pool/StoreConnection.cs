using System;
using System.Data.Common;
using System.Diagnostics;
using System.Threading;
using Mnesis.PowerShell.Binding;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Engines;

namespace Mnesis.PowerShell.Pool
{
    /// <summary>
    /// One connection of a store, with its prepared commands: one that can be lost (a server that
    /// restarted, failed over or ended the session) is dropped when a call finds it so, and opened
    /// anew as the next call starts.
    /// </summary>
    internal sealed class StoreConnection : IDisposable
    {
        private readonly MnesisStore _store;
        private readonly EngineConnection _opened;
        private readonly object _reopening = new object();
        private long _reconnects;
        private volatile bool _lost;

        internal StoreConnection(MnesisStore store, EngineConnection opened)
        {
            _store = store;
            _opened = opened;
            Commands = new CommandCache(store.StoreEngine, opened.Connection);
        }

        internal EngineConnection Opened => _opened;

        internal DbConnection Connection => _opened.Connection;

        internal CommandCache Commands { get; }

        internal long Reconnects => Interlocked.Read(ref _reconnects);

        /// <summary>False from a lost connection until a call has replaced it; nothing is sent to find out.</summary>
        internal bool IsUsable => !_lost && !_opened.IsBroken;

        /// <summary>
        /// True when the connection sat unused long enough to have died unseen: a single statement
        /// then runs in a transaction, so that its failure on a dead connection cannot leave its outcome unknown.
        /// </summary>
        internal bool MayHaveDiedIdle => _opened.MayHaveDiedIdle;

        /// <summary>How long a call keeps trying to replace a lost connection: the engine's connection timeout.</summary>
        internal TimeSpan ReconnectWindow => _opened.ReopenWindow;

        /// <summary>
        /// Readies the connection for a call that is not part of a write in progress: a connection that
        /// was lost is opened anew first. Costs no round trip when the connection is fine.
        /// </summary>
        /// <param name="ask">True to ask the server whether a connection that sat idle still works (a round trip).</param>
        internal void EnsureConnected(CancellationToken cancellation, bool ask = false)
        {
            _opened.CallStarting();
            if (!_opened.CanReopen)
            {
                return;
            }

            if (!_lost && ask && _opened.MayHaveDiedIdle && !_opened.Answers())
            {
                MarkLost();
            }

            if (_lost || _opened.IsBroken)
            {
                Reconnect(cancellation);
            }
        }

        /// <summary>
        /// What a failed call says about the connection; a lost one is dropped at once (with the dead
        /// connections pooled beside it), and the next call opens a new one.
        /// </summary>
        internal ConnectionFault NoteFailure(Exception error, EngineOperation operation)
        {
            if (!_store.StoreEngine.IsEngineError(error))
            {
                return ConnectionFault.None;
            }

            ConnectionFault fault = _store.StoreEngine.FaultOf(error, operation, Connection);
            if (fault != ConnectionFault.None && _opened.CanReopen && !_lost)
            {
                MarkLost();
            }

            return fault;
        }

        public void Dispose()
        {
            Commands.Dispose();
            Connection.Dispose();
        }

        private void MarkLost()
        {
            _lost = true;
            _opened.Drop();
        }

        // Tries again with growing pauses while the server cannot be reached, until the engine's
        // connection timeout has passed; then the last error stands.
        private void Reconnect(CancellationToken cancellation)
        {
            lock (_reopening)
            {
                Stopwatch clock = Stopwatch.StartNew();
                for (int attempt = 0; ; attempt++)
                {
                    _store.ThrowIfClosed();
                    try
                    {
                        _opened.Reopen();
                        _lost = false;
                        Interlocked.Increment(ref _reconnects);
                        return;
                    }
                    catch (Exception ex) when (_store.StoreEngine.IsEngineError(ex))
                    {
                        _lost = true;
                        TimeSpan pause = TimeSpan.FromMilliseconds(Math.Min(1000, 100 << Math.Min(attempt, 4)));
                        bool mayTryAgain = _store.StoreEngine.FaultOf(ex, EngineOperation.Open, Connection) != ConnectionFault.None;
                        if (!mayTryAgain || clock.Elapsed + pause > ReconnectWindow)
                        {
                            MnesisException error = _store.TranslateError(ex, EngineOperation.Open);
                            _store.RecordError(error.Message);
                            throw error;
                        }

                        if (cancellation.WaitHandle.WaitOne(pause))
                        {
                            throw new OperationCanceledException(cancellation);
                        }
                    }
                }
            }
        }
    }
}
