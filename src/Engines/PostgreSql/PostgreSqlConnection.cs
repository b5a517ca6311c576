using System;
using System.Data;
using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Mnesis.PowerShell.Engines.PostgreSql
{
    /// <summary>
    /// A store's connection to PostgreSQL. When the server restarts, fails over or ends the
    /// session, the same connection object is opened anew (from a pool cleared of the dead ones),
    /// so the store's prepared commands and a connection handed out by Get-MnesisConnection stay valid.
    /// </summary>
    internal sealed class PostgreSqlConnection : EngineConnection
    {
        // A connection used within this long is taken to be alive; one idle for longer may have died
        // unseen. No server restarts this fast, and calls in a tight loop come far more often.
        private static readonly long s_idleTicks = Stopwatch.Frequency / 10;

        private readonly NpgsqlConnection _connection;
        private readonly Action _forgetPool;
        private readonly int _busyTimeoutSeconds;
        private long _lastCall;
        private bool _idle;

        private PostgreSqlConnection(NpgsqlConnection connection, bool readOnly, Action forgetPool, int busyTimeoutSeconds)
            : base(connection, readOnly, removeCreated: null)
        {
            _connection = connection;
            _forgetPool = forgetPool;
            _busyTimeoutSeconds = busyTimeoutSeconds;
            _lastCall = Stopwatch.GetTimestamp();
        }

        /// <summary>Opens a connection from <paramref name="source"/> with the store's settings.</summary>
        internal static PostgreSqlConnection Open(NpgsqlDataSource source, bool readOnly, int busyTimeoutSeconds, Action forgetPool)
        {
            NpgsqlConnection connection = source.CreateConnection();
            try
            {
                var opened = new PostgreSqlConnection(connection, readOnly, forgetPool, busyTimeoutSeconds);
                opened.OpenAndConfigure();
                return opened;
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        internal override bool CanReopen => true;

        internal override TimeSpan ReopenWindow => TimeSpan.FromSeconds(Math.Max(1, _connection.ConnectionTimeout));

        // Npgsql marks a connection broken when its stream fails; its State then stops saying Open.
        internal override bool IsBroken => _connection.State != ConnectionState.Open;

        internal override bool MayHaveDiedIdle => _idle;

        internal override void CallStarting()
        {
            long now = Stopwatch.GetTimestamp();
            _idle = now - _lastCall > s_idleTicks;
            _lastCall = now;
        }

        internal override bool Answers()
        {
            try
            {
                ServerStatement.Run(_connection, null, "SELECT 1");
                return true;
            }
            catch (Exception ex) when (ex is NpgsqlException || ex is InvalidOperationException)
            {
                return false;
            }
        }

        internal override void Drop()
        {
            try
            {
                _connection.Close();
            }
            catch (Exception ex) when (ex is NpgsqlException || ex is InvalidOperationException)
            {
                // A broken connection has nothing left to close.
            }

            _forgetPool();
        }

        // The pool and the hosts' states are forgotten on every attempt: while a standby is being
        // promoted, what Npgsql learned of each host a moment ago is already wrong.
        internal override void Reopen()
        {
            Drop();
            OpenAndConfigure();
            _lastCall = Stopwatch.GetTimestamp();
            _idle = false;
        }

        private void OpenAndConfigure()
        {
            _connection.Open();
            try
            {
                // Waiting for another session's row or table lock is what the busy timeout limits here.
                ServerStatement.Run(_connection, null, "SELECT set_config('lock_timeout', $1, false)",
                    (Math.Max(1, _busyTimeoutSeconds) * 1000).ToString(CultureInfo.InvariantCulture));
            }
            catch
            {
                _connection.Close();
                throw;
            }
        }
    }
}
