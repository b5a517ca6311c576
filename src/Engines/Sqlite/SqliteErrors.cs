using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Mnesis.PowerShell.Diagnostics;

namespace Mnesis.PowerShell.Engines.Sqlite
{
    /// <summary>The one place where SQLite's exceptions become the module's errors, keeping SQLite's message.</summary>
    internal static class SqliteErrors
    {
        private const int Busy = 5;
        private const int Locked = 6;
        private const int NotADatabase = 26;

        // SQLite 3.41+ keeps the quotes of a double-quoted word it could not find as a column.
        private static readonly Regex s_noSuchQuotedColumn = new Regex(@"no such column: ""([^""]*)""", RegexOptions.CultureInvariant);

        internal static MnesisException Translate(SqliteException ex, EngineOperation operation, ErrorSite site)
        {
            StoreTarget target = site.Target;
            object errorTarget = site.ErrorTarget;
            switch (operation)
            {
                case EngineOperation.Open:
                    return OpenFailed(ex, target, "open");
                case EngineOperation.Read:
                    return new MnesisException(Messages.QueryFailed, errorTarget, ex, target.Display, SqliteEngine.Instance.Name, WithHint(ex.Message));
                default:
                    int primary = ex.SqliteErrorCode & 0xFF;
                    if (primary == Busy || primary == Locked)
                    {
                        return new MnesisException(Messages.DatabaseBusy, errorTarget, ex, target.Display, site.BusyTimeoutSeconds);
                    }

                    return new MnesisException(Messages.SqlFailed, errorTarget, ex, target.Display, SqliteEngine.Instance.Name, WithHint(ex.Message));
            }
        }

        // SQLite takes "word" as a column name; a PowerShell user most likely meant a string
        // ("... WHERE name = "$name"" is easy to write in a double-quoted PowerShell string).
        private static string WithHint(string message)
        {
            Match quoted = s_noSuchQuotedColumn.Match(message);
            return quoted.Success
                ? message + " " + string.Format(CultureInfo.CurrentCulture, Messages.DoubleQuotedWordHint, quoted.Groups[1].Value)
                : message;
        }

        /// <summary>An open that failed at <paramref name="step"/>; a file that is not a database says so.</summary>
        internal static MnesisException OpenFailed(SqliteException ex, StoreTarget target, string step)
        {
            return ex.SqliteErrorCode == NotADatabase
                ? new MnesisException(Messages.NotADatabase, target.Display, ex, target.Display, ex.Message)
                : new MnesisException(Messages.OpenFailed, target.Display, ex, target.Display, step, ex.Message);
        }
    }
}
