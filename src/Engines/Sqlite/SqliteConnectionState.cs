using System;
using Microsoft.Data.Sqlite;

namespace Mnesis.PowerShell.Engines.Sqlite
{
    /// <summary>A store's SQLite connection and its journal mode, which a write or a maintenance statement may change.</summary>
    internal sealed class SqliteConnectionState : EngineConnection
    {
        private readonly SqliteConnection _connection;
        private volatile bool _walPending;
        private volatile bool _walMode;

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
    }
}
