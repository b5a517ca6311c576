using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using Mnesis.PowerShell.Diagnostics;
using Npgsql;

namespace Mnesis.PowerShell.Engines.PostgreSql
{
    /// <summary>
    /// Turns what a user wrote (Npgsql keywords or a postgres:// URI, and -Credential) into a
    /// target. Values a connection string leaves out come from the PG* environment variables as
    /// Npgsql itself takes them, so the key names the database Npgsql will really reach.
    /// </summary>
    internal static class ConnectionStringParser
    {
        private const int DefaultPort = 5432;

        // Keywords that name the database, not how to talk to it; the rest are "options".
        private static readonly HashSet<string> s_identityKeywords = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "Host", "Port", "Database", "Username", "Password", "Passfile",
        };

        internal static PostgreSqlTarget Parse(string connectionString, PSCredential credential)
        {
            NpgsqlConnectionStringBuilder builder;
            try
            {
                builder = PostgresUri.IsUri(connectionString)
                    ? PostgresUri.ToBuilder(connectionString)
                    : new NpgsqlConnectionStringBuilder(connectionString);
            }
            catch (Exception ex) when (ex is ArgumentException || ex is FormatException || ex is UriFormatException || ex is InvalidCastException)
            {
                // Npgsql's message may quote the string, password and all; name the problem only.
                throw new MnesisException(Messages.ConnectionStringInvalid, "ConnectionString", ex, Redact(ex.Message, connectionString));
            }

            if (credential != null)
            {
                builder.Username = credential.UserName.TrimStart('\\');
                builder.Password = credential.GetNetworkCredential().Password;
            }

            // What the string leaves out comes from libpq's environment variables, written into the
            // string so that the key and the connection Npgsql makes name the same database.
            builder.Username = builder.Username ?? Environment("PGUSER") ?? System.Environment.UserName;
            builder.Host = builder.Host ?? Environment("PGHOST");
            builder.Database = builder.Database ?? Environment("PGDATABASE") ?? builder.Username;
            if (!ExplicitlySet(builder, "Port") && int.TryParse(Environment("PGPORT"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int environmentPort))
            {
                builder.Port = environmentPort;
            }

            if (builder.Password == null && Environment("PGPASSWORD") != null)
            {
                builder.Password = Environment("PGPASSWORD");
            }

            if (builder.Password == null && builder.Passfile == null && Environment("PGPASSFILE") != null)
            {
                builder.Passfile = Environment("PGPASSFILE");
            }

            if (string.IsNullOrWhiteSpace(builder.Host))
            {
                throw new MnesisException(Messages.ConnectionStringInvalid, "ConnectionString", "it names no host (Host=... or PGHOST)");
            }

            TargetSessionAttributes? session = SessionAttributesOf(builder);
            string[] hosts = NormalizeHosts(builder.Host, builder.Port);
            string key = "postgresql://" + builder.Username + "@" + string.Join(",", hosts) + "/" + builder.Database;
            return new PostgreSqlTarget(key, builder.ConnectionString, Options(builder), hosts.Length > 1 || session != null, session);
        }

        // libpq's names (read-write, prefer-standby) and Npgsql's (ReadWrite, PreferStandby) alike.
        private static TargetSessionAttributes? SessionAttributesOf(NpgsqlConnectionStringBuilder builder)
        {
            string text = builder.TargetSessionAttributes;
            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }

            if (Enum.TryParse(text.Replace("-", string.Empty).Trim(), ignoreCase: true, out TargetSessionAttributes session)
                && Enum.IsDefined(typeof(TargetSessionAttributes), session))
            {
                builder.TargetSessionAttributes = s_sessionNames[session];
                return session;
            }

            throw new MnesisException(Messages.ConnectionStringInvalid, "ConnectionString",
                "'" + text + "' is not a target session attribute; use one of " + string.Join(", ", s_sessionNames.Values) + ".");
        }

        private static readonly Dictionary<TargetSessionAttributes, string> s_sessionNames = new Dictionary<TargetSessionAttributes, string>
        {
            [TargetSessionAttributes.Any] = "any",
            [TargetSessionAttributes.Primary] = "primary",
            [TargetSessionAttributes.Standby] = "standby",
            [TargetSessionAttributes.PreferPrimary] = "prefer-primary",
            [TargetSessionAttributes.PreferStandby] = "prefer-standby",
            [TargetSessionAttributes.ReadWrite] = "read-write",
            [TargetSessionAttributes.ReadOnly] = "read-only",
        };

        // A set of hosts is one database whatever their order: Npgsql tries them all for the kind of server it wants.
        private static string[] NormalizeHosts(string hosts, int defaultPort)
        {
            IEnumerable<string> normalized = hosts.Split(',').Select(h => h.Trim()).Where(h => h.Length > 0).Select(host =>
            {
                // A Unix socket folder keeps its case; host names do not have one.
                string name = host;
                int port = defaultPort;
                int colon = host.LastIndexOf(':');
                if (colon > 0 && host[0] != '[' && int.TryParse(host.Substring(colon + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out int own))
                {
                    name = host.Substring(0, colon);
                    port = own;
                }

                if (!name.StartsWith("/", StringComparison.Ordinal))
                {
                    name = name.ToLowerInvariant();
                }

                return name + ":" + port.ToString(CultureInfo.InvariantCulture);
            });
            return normalized.Distinct(StringComparer.Ordinal).OrderBy(host => host, StringComparer.Ordinal).ToArray();
        }

        private static string Options(NpgsqlConnectionStringBuilder builder)
        {
            IEnumerable<string> options = builder.Keys
                .Where(keyword => !s_identityKeywords.Contains(keyword) && ExplicitlySet(builder, keyword))
                .OrderBy(keyword => keyword, StringComparer.OrdinalIgnoreCase)
                .Select(keyword => keyword + "=" + Convert.ToString(builder[keyword], CultureInfo.InvariantCulture));
            return string.Join(";", options);
        }

        private static bool ExplicitlySet(NpgsqlConnectionStringBuilder builder, string keyword) =>
            builder.ShouldSerialize(keyword);

        private static string Environment(string name)
        {
            string value = System.Environment.GetEnvironmentVariable(name);
            return string.IsNullOrEmpty(value) ? null : value;
        }

        // Npgsql's messages may quote a value; whatever stands as a password is masked.
        private static string Redact(string message, string connectionString)
        {
            foreach (string secret in PostgresUri.PasswordsIn(connectionString))
            {
                message = message.Replace(secret, "***");
            }

            return message;
        }
    }
}
