using System;
using System.Diagnostics;
using System.Threading;
using Mnesis.PowerShell.Engines;

namespace Mnesis.PowerShell.Binding
{
    /// <summary>
    /// A call's -CommandTimeout for one run of its command. When the time runs out, the running
    /// statement is interrupted the way Ctrl+C interrupts it (SQLite: sqlite3_interrupt, since
    /// Microsoft.Data.Sqlite's CommandTimeout only bounds its wait for a lock; PostgreSQL: a cancel
    /// request), and the session reports MnesisCommandTimeout instead of the engine's error. It
    /// is a timer, not a setting sent to the server, so a call without a limit costs nothing more.
    /// </summary>
    internal sealed class StatementTimer : IDisposable
    {
        private const int MaxSeconds = 4000000;

        private readonly BoundCommand _command;
        private readonly Timer _timer;
        private readonly object _lock = new object();
        private readonly Stopwatch _running = new Stopwatch();
        private TimeSpan _left;
        private bool _stopped;
        private volatile bool _fired;

        /// <param name="seconds">The limit; 0 for none, which leaves the command as it was.</param>
        internal StatementTimer(BoundCommand command, int seconds)
        {
            _command = command;
            command.LimitTime(seconds);
            if (seconds > 0)
            {
                // A Timer takes at most about 49 days; a longer limit is no limit in practice.
                _left = TimeSpan.FromSeconds(Math.Min(seconds, MaxSeconds));
                _running.Start();
                _timer = new Timer(Fire, null, _left, Timeout.InfiniteTimeSpan);
            }
        }

        /// <summary>
        /// True for what an interrupted statement throws: the engine's error (SQLite: interrupted), or
        /// OperationCanceledException, which Npgsql throws for a statement it cancelled.
        /// </summary>
        internal static bool IsInterruption(StoreEngine engine, Exception error) => error is OperationCanceledException || engine.IsEngineError(error);

        /// <summary>True once the limit interrupted the statement: its failure is a timeout.</summary>
        internal bool Fired => _fired;

        /// <summary>Stops the clock while rows are handed downstream: a slow consumer is not the statement's time.</summary>
        internal void Pause()
        {
            if (_timer == null)
            {
                return;
            }

            lock (_lock)
            {
                if (!_stopped && !_fired && _running.IsRunning)
                {
                    _timer.Change(Timeout.Infinite, Timeout.Infinite);
                    _running.Stop();
                }
            }
        }

        internal void Resume()
        {
            if (_timer == null)
            {
                return;
            }

            lock (_lock)
            {
                if (!_stopped && !_fired && !_running.IsRunning)
                {
                    TimeSpan left = _left - _running.Elapsed;
                    _running.Start();
                    _timer.Change(left > TimeSpan.Zero ? left : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
                }
            }
        }

        // Under the lock, so that an interrupt never lands after Dispose, on the connection's next statement.
        private void Fire(object state)
        {
            lock (_lock)
            {
                if (_stopped)
                {
                    return;
                }

                _fired = true;
                _command.Cancel();
            }
        }

        public void Dispose()
        {
            if (_timer == null)
            {
                return;
            }

            lock (_lock)
            {
                _stopped = true;
            }

            _timer.Dispose();
        }
    }
}
