using System;
using System.Data;
using System.Data.Common;
using System.IO;
using System.Net.Sockets;
using System.Security.Authentication;
using Mnesis.PowerShell.Diagnostics;
using Npgsql;

namespace Mnesis.PowerShell.Engines.PostgreSql
{
    /// <summary>The one place where Npgsql's and PostgreSQL's exceptions become the module's errors.</summary>
    internal static class PostgreSqlErrors
    {
        internal const string SerializationFailure = "40001";
        internal const string DeadlockDetected = "40P01";
        private const string LockNotAvailable = "55P03";
        private const string ReadOnlyTransaction = "25006";
        private const string InvalidPassword = "28P01";
        private const string InvalidAuthorization = "28000";
        private const string InvalidCatalogName = "3D000";

        internal static bool IsConflict(Exception error) =>
            error is PostgresException pg && (pg.SqlState == SerializationFailure || pg.SqlState == DeadlockDetected);

        /// <summary>
        /// What a failure says about the connection. The server's own answer that it ended the
        /// session (shutdown, a terminated backend) or no longer takes writes (a standby, a demoted
        /// primary) means nothing committed; a connection that broke without an answer may have
        /// committed what it sent.
        /// </summary>
        internal static ConnectionFault FaultOf(Exception error, EngineOperation operation, DbConnection connection)
        {
            if (error is PostgresException pg)
            {
                if (pg.SqlState == ReadOnlyTransaction)
                {
                    // A read's own READ ONLY transaction refusing a write is the statement's fault. A
                    // write refused by a server that is (or has become) a standby is the connection's
                    // when other hosts may take it; with one host, there is nowhere else to go.
                    return operation != EngineOperation.Read && HasSeveralHosts(connection) ? ConnectionFault.Refused : ConnectionFault.None;
                }

                if (IsSessionEnded(pg.SqlState) || connection.State != ConnectionState.Open)
                {
                    return ConnectionFault.Refused;
                }

                return ConnectionFault.None;
            }

            bool npgsql = error is NpgsqlException || error.Source == "Npgsql";
            if (!npgsql || IsTlsFailure(error))
            {
                return ConnectionFault.None;
            }

            if (operation == EngineOperation.Open || connection.State != ConnectionState.Open
                || HasInner<IOException>(error) || HasInner<SocketException>(error) || HasInner<TimeoutException>(error))
            {
                return ConnectionFault.AnswerLost;
            }

            return ConnectionFault.None;
        }

        private static bool HasSeveralHosts(DbConnection connection) =>
            (new NpgsqlConnectionStringBuilder(connection.ConnectionString).Host ?? string.Empty).IndexOf(',') >= 0;

        internal static MnesisException Translate(Exception error, EngineOperation operation, ErrorSite site)
        {
            object errorTarget = site.ErrorTarget;
            string where = site.Target.Display;
            if (error is PostgresException pg)
            {
                switch (pg.SqlState)
                {
                    case InvalidPassword:
                    case InvalidAuthorization:
                        return new MnesisException(Messages.AuthenticationFailed, errorTarget, error, where, pg.MessageText);
                    case InvalidCatalogName:
                        return new MnesisException(Messages.DatabaseNotFound, errorTarget, error, where, pg.MessageText);
                    case SerializationFailure:
                    case DeadlockDetected:
                        return new MnesisException(Messages.WriteConflict, errorTarget, error, where, pg.SqlState, pg.MessageText);
                    case ReadOnlyTransaction:
                        // A read's own READ ONLY transaction refused a write; a write met a read-only server (a standby).
                        return operation == EngineOperation.Read
                            ? new MnesisException(Messages.QueryWrites, errorTarget, error, where)
                            : new MnesisException(Messages.StoreReadOnly, errorTarget, error, where);
                    case LockNotAvailable:
                        return new MnesisException(Messages.DatabaseBusy, errorTarget, error, where, site.BusyTimeoutSeconds);
                }

                if (IsSessionEnded(pg.SqlState))
                {
                    return new MnesisException(Messages.ServerUnreachable, errorTarget, error, where, pg.MessageText);
                }

                return ByOperation(error, operation, errorTarget, where, pg.SqlState + ": " + pg.MessageText);
            }

            if (IsTlsFailure(error))
            {
                return new MnesisException(Messages.TlsFailed, errorTarget, error, where, Innermost(error).Message);
            }

            // Opening fails this way too when every host is down or none is of the kind asked for (a standby being promoted).
            if (HasInner<SocketException>(error) || HasInner<IOException>(error) || HasInner<TimeoutException>(error)
                || (operation == EngineOperation.Open && error is NpgsqlException))
            {
                return new MnesisException(Messages.ServerUnreachable, errorTarget, error, where, Innermost(error).Message);
            }

            if (error is InvalidOperationException || error is ObjectDisposedException)
            {
                // Npgsql refuses a call on a connection that broke under an earlier one.
                return new MnesisException(Messages.ConnectionLost, errorTarget, error, where, error.Message);
            }

            return ByOperation(error, operation, errorTarget, where, error.Message);
        }

        // Connection errors (08...) and the server's own end of the session (57P01 shutdown, 57P02
        // crash, 57P03 starting up, 57P05 idle session timeout...).
        private static bool IsSessionEnded(string sqlState) =>
            sqlState.StartsWith("08", StringComparison.Ordinal) || sqlState.StartsWith("57P", StringComparison.Ordinal);

        private static MnesisException ByOperation(Exception error, EngineOperation operation, object errorTarget, string where, string says)
        {
            switch (operation)
            {
                case EngineOperation.Open:
                    return new MnesisException(Messages.ServerOpenFailed, errorTarget, error, where, says);
                case EngineOperation.Read:
                    return new MnesisException(Messages.QueryFailed, errorTarget, error, where, PostgreSqlEngine.Instance.Name, says);
                default:
                    return new MnesisException(Messages.SqlFailed, errorTarget, error, where, PostgreSqlEngine.Instance.Name, says);
            }
        }

        // Npgsql says so in its own words when the server will not speak TLS; the handshake itself fails with AuthenticationException.
        private static bool IsTlsFailure(Exception error) =>
            HasInner<AuthenticationException>(error)
            || (error is NpgsqlException && error.Message.IndexOf("SSL", StringComparison.Ordinal) >= 0);

        private static bool HasInner<T>(Exception error)
            where T : Exception
        {
            for (Exception e = error; e != null; e = e.InnerException)
            {
                if (e is T)
                {
                    return true;
                }
            }

            return false;
        }

        private static Exception Innermost(Exception error)
        {
            Exception e = error;
            while (e.InnerException != null)
            {
                e = e.InnerException;
            }

            return e;
        }
    }
}
