using System;
using System.Collections.Generic;
using System.Data.Common;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Mnesis.PowerShell.Diagnostics;

namespace Mnesis.PowerShell.Engines.Sqlite
{
    /// <summary>
    /// Recognizes a connection string or URI given to -Path, where it would otherwise silently
    /// become a new file named after it (scripts ported from PSSQLite and SimplySql pass
    /// 'Data Source=...' and PostgreSQL users 'Host=...;...'). Only a value that starts with a
    /// known keyword and '=' (or a postgres:// URI) is one, so an ordinary file name with '=' in
    /// it ('a=b.db') stays a path, and an existing file is always taken as the file it is.
    /// </summary>
    internal static class ConnectionStringInPath
    {
        private static readonly string[] s_uriSchemes = { "postgres://", "postgresql://" };

        // Keywords that start server connection strings (Npgsql, SQL Server, MySQL, ODBC): never a SQLite file.
        private static readonly HashSet<string> s_serverKeywords = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "Host", "Server", "Port", "Database", "Initial Catalog", "User ID", "UserID", "User Id", "Username", "User Name",
            "Uid", "Password", "Pwd", "Address", "Addr", "Network Address", "Integrated Security", "Trusted_Connection",
            "SSL Mode", "SslMode", "Dsn", "Driver",
        };

        // Keywords that name a SQLite file (Microsoft.Data.Sqlite and System.Data.SQLite spell it so).
        private static readonly HashSet<string> s_fileKeywords = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "Data Source", "DataSource", "Filename",
        };

        // System.Data.SQLite's 'Version=3' (in nearly every PSSQLite script) names the file format, which is always 3.
        private static readonly HashSet<string> s_harmlessKeywords = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Version" };

        /// <summary>
        /// The file a -Path value names: the value itself for a path, the file of a SQLite connection
        /// string ('Data Source=x.db'); throws for a server connection string or URI.
        /// </summary>
        /// <param name="isFile">True when the value, taken as a path, names an existing file: then it is that file.</param>
        internal static string FileOf(string input, string parameterName, Func<bool> isFile)
        {
            string text = input.TrimStart();
            string uriScheme = s_uriSchemes.FirstOrDefault(s => text.StartsWith(s, StringComparison.OrdinalIgnoreCase));
            string keyword = uriScheme == null ? FirstKeyword(text) : null;
            bool looksLikeOne = uriScheme != null || (keyword != null && (s_serverKeywords.Contains(keyword) || s_fileKeywords.Contains(keyword)));
            if (!looksLikeOne || isFile())
            {
                return input;
            }

            // Only the keyword is shown: the rest may hold a password.
            if (uriScheme != null || s_serverKeywords.Contains(keyword))
            {
                throw new MnesisException(Messages.PathIsConnectionString, parameterName, parameterName, uriScheme ?? keyword + "=");
            }

            var builder = new DbConnectionStringBuilder();
            try
            {
                builder.ConnectionString = text;
            }
            catch (ArgumentException ex)
            {
                throw new MnesisException(Messages.PathInvalid, parameterName, ex, "-" + parameterName + " value", ex.Message);
            }

            string file = null;
            var others = new List<string>();
            foreach (string key in builder.Keys)
            {
                if (s_fileKeywords.Contains(key))
                {
                    file = Convert.ToString(builder[key], System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (!s_harmlessKeywords.Contains(key))
                {
                    others.Add("'" + key + "'");
                }
            }

            if (others.Count > 0)
            {
                throw new MnesisException(Messages.PathConnectionStringOptions, parameterName, parameterName, string.Join(", ", others));
            }

            if (string.IsNullOrWhiteSpace(file))
            {
                throw new MnesisException(Messages.PathEmpty, parameterName, parameterName);
            }

            return file;
        }

        // The keyword before the first '=' of the first ';'-separated part, or null when there is none.
        private static string FirstKeyword(string text)
        {
            int end = text.IndexOf(';');
            string first = end < 0 ? text : text.Substring(0, end);
            int equals = first.IndexOf('=');
            return equals <= 0 ? null : first.Substring(0, equals).Trim();
        }

        /// <summary>True when <paramref name="input"/>, taken literally as a PowerShell path, names an existing file.</summary>
        internal static bool NamesExistingFile(SessionState session, string input)
        {
            try
            {
                string path = session.Path.GetUnresolvedProviderPathFromPSPath(input, out ProviderInfo provider, out _);
                return string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase) && Path.IsPathRooted(path) && File.Exists(path);
            }
            catch (Exception ex) when (ex is ItemNotFoundException || ex is System.Management.Automation.DriveNotFoundException
                || ex is ProviderNotFoundException || ex is ProviderInvocationException || ex is NotSupportedException
                || ex is ArgumentException || ex is PSInvalidOperationException)
            {
                return false;
            }
        }
    }
}
