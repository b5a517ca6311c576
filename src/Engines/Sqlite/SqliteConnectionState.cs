using System;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Mnesis.PowerShell.Engines.Sqlite
{
    /// <summary>A store's SQLite connection and its journal mode, which a write or a maintenance statement may change.</summary>
    internal sealed class SqliteConnectionState : EngineConnection
    {
        private readonly SqliteConnection _connection;
        private volatile bool _walPending;
        private volatile bool _walMode;
        private volatile int _busyTimeoutSeconds = -1;

        internal SqliteConnectionState(SqliteConnection connection, bool walMode, Action removeCreated, bool readOnly, bool walPending)
            : base(connection, readOnly, removeCreated)
        {
            _connection = connection;
            _walMode = walMode;
            _walPending = walPending;
        }

        internal override bool? WalMode => _walMode;

        // A store a read opened left the journal mode alone; its first write switches to WAL.
        internal override void PrepareWrite()
        {
            if (_walPending)
            {
                _walMode = SqliteOpener.SwitchToWal(_connection);
                _walPending = false;
            }
        }

        // What a maintenance statement changed (PRAGMA journal_mode) shows in Get-MnesisPool.
        internal override void AfterMaintenance()
        {
            _walMode = SqliteOpener.IsWal(_connection);
            _walPending = false;
        }

        internal override int? BusyTimeoutSeconds => _busyTimeoutSeconds < 0 ? (int?)null : _busyTimeoutSeconds;

        // A script's PRAGMA busy_timeout = ms is the wait in force from then on: Get-MnesisPool and
        // MnesisDatabaseBusy show it (in whole seconds, rounded up), and Microsoft.Data.Sqlite's own
        // retry loop, which would otherwise keep retrying for the timeout of the open, follows it.
        internal override void AfterSettingChange()
        {
            long milliseconds;
            using (SqliteCommand command = _connection.CreateCommand())
            {
                command.CommandText = "PRAGMA busy_timeout";
                milliseconds = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
            }

            int seconds = (int)Math.Min(int.MaxValue, (milliseconds + 999) / 1000);
            if (seconds != _busyTimeoutSeconds)
            {
                _busyTimeoutSeconds = seconds;
                _connection.DefaultTimeout = Math.Max(1, seconds);
            }
        }
    }
}
