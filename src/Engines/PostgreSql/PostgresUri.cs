using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Mnesis.PowerShell.Engines.PostgreSql
{
    /// <summary>
    /// libpq's URI form, postgres[ql]://[user[:password]@][host[:port][,host[:port]...]][/database][?param=value&amp;...],
    /// turned into Npgsql's keywords. Query parameters take libpq's names (sslmode, connect_timeout,
    /// application_name, host for a socket folder, ...) or Npgsql's own keywords.
    /// </summary>
    internal static class PostgresUri
    {
        private static readonly Dictionary<string, string> s_libpqNames = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["host"] = "Host",
            ["port"] = "Port",
            ["dbname"] = "Database",
            ["user"] = "Username",
            ["password"] = "Password",
            ["passfile"] = "Passfile",
            ["sslmode"] = "SSL Mode",
            ["sslcert"] = "SSL Certificate",
            ["sslkey"] = "SSL Key",
            ["sslrootcert"] = "Root Certificate",
            ["connect_timeout"] = "Timeout",
            ["application_name"] = "Application Name",
            ["target_session_attrs"] = "Target Session Attributes",
            ["options"] = "Options",
            ["keepalives_idle"] = "Keepalive",
        };

        private static readonly Regex s_passwordKeyword = new Regex(@"(?:^|;)\s*(?:password|pwd|psw)\s*=\s*(""[^""]*""|'[^']*'|[^;]*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        internal static bool IsUri(string text) =>
            text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase);

        internal static NpgsqlConnectionStringBuilder ToBuilder(string uri)
        {
            var builder = new NpgsqlConnectionStringBuilder();
            string rest = uri.Substring(uri.IndexOf("://", StringComparison.Ordinal) + 3);

            // The user part ends at the last '@' before the query, so that a password with an
            // unencoded '/' or '#' stays a password rather than becoming a host or a database.
            string userInfo = UserInfoOf(rest, out rest);
            if (userInfo != null)
            {
                int colon = userInfo.IndexOf(':');
                builder.Username = Decode(colon >= 0 ? userInfo.Substring(0, colon) : userInfo);
                if (colon >= 0)
                {
                    builder.Password = Decode(userInfo.Substring(colon + 1));
                }
            }

            string query = null;
            int questionMark = rest.IndexOf('?');
            if (questionMark >= 0)
            {
                query = rest.Substring(questionMark + 1);
                rest = rest.Substring(0, questionMark);
            }

            int slash = rest.IndexOf('/');
            string authority = slash >= 0 ? rest.Substring(0, slash) : rest;
            string database = slash >= 0 ? Decode(rest.Substring(slash + 1)) : null;

            if (authority.Length > 0)
            {
                builder.Host = Decode(authority);
            }

            if (!string.IsNullOrEmpty(database))
            {
                builder.Database = database;
            }

            if (query != null)
            {
                foreach (string pair in query.Split(new[] { '&' }, StringSplitOptions.RemoveEmptyEntries))
                {
                    int equals = pair.IndexOf('=');
                    string name = Decode(equals >= 0 ? pair.Substring(0, equals) : pair);
                    string value = equals >= 0 ? Decode(pair.Substring(equals + 1)) : string.Empty;
                    builder[s_libpqNames.TryGetValue(name, out string keyword) ? keyword : name] = MapValue(name, value);
                }
            }

            return builder;
        }

        /// <summary>Every value that stands as a password in <paramref name="connectionString"/>, in either form.</summary>
        internal static IEnumerable<string> PasswordsIn(string connectionString)
        {
            foreach (Match match in s_passwordKeyword.Matches(connectionString))
            {
                string value = match.Groups[1].Value.Trim().Trim('"', '\'');
                if (value.Length > 0)
                {
                    yield return value;
                }
            }

            if (IsUri(connectionString))
            {
                string userInfo = UserInfoOf(connectionString.Substring(connectionString.IndexOf("://", StringComparison.Ordinal) + 3), out _);
                int colon = userInfo?.IndexOf(':') ?? -1;
                if (colon >= 0 && colon < userInfo.Length - 1)
                {
                    string raw = userInfo.Substring(colon + 1);
                    yield return raw;
                    yield return Decode(raw);
                }
            }
        }

        private static string UserInfoOf(string afterScheme, out string rest)
        {
            int query = afterScheme.IndexOf('?');
            int at = afterScheme.LastIndexOf('@', query < 0 ? afterScheme.Length - 1 : query);
            rest = at >= 0 ? afterScheme.Substring(at + 1) : afterScheme;
            return at >= 0 ? afterScheme.Substring(0, at) : null;
        }

        // libpq's sslmode names are Npgsql's enum names without the dash (verify-full -> VerifyFull).
        private static string MapValue(string name, string value) =>
            string.Equals(name, "sslmode", StringComparison.OrdinalIgnoreCase)
                ? CultureInfo.InvariantCulture.TextInfo.ToTitleCase(value.Replace('-', ' ')).Replace(" ", string.Empty)
                : value;

        private static string Decode(string text) => Uri.UnescapeDataString(text);
    }
}
