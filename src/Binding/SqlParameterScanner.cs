using System;
using System.Collections.Generic;

namespace Mnesis.PowerShell.Binding
{
    /// <summary>
    /// Finds the parameters a SQL text uses (@name, $name, :name, ?, ?NNN) the way SQLite's
    /// tokenizer does, skipping string literals, quoted identifiers and comments. Preparing the
    /// text instead is not possible: a later statement may use a table an earlier one creates.
    /// </summary>
    internal static class SqlParameterScanner
    {
        /// <summary>Named parameters as written (with prefix), each once, in order of appearance.</summary>
        internal static IReadOnlyList<string> Scan(string sql, out string firstPositional)
        {
            var names = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            firstPositional = null;
            int i = 0;
            while (i < sql.Length)
            {
                char c = sql[i];
                switch (c)
                {
                    case '\'':
                    case '"':
                    case '`':
                        i = SkipQuoted(sql, i, c);
                        break;
                    case '[':
                        i = SkipPast(sql, i + 1, "]");
                        break;
                    case '-' when Next(sql, i) == '-':
                        i = SkipPast(sql, i + 2, "\n");
                        break;
                    case '/' when Next(sql, i) == '*':
                        i = SkipPast(sql, i + 2, "*/");
                        break;
                    case '?':
                        int end = i + 1;
                        while (end < sql.Length && char.IsDigit(sql[end]))
                        {
                            end++;
                        }

                        firstPositional = firstPositional ?? sql.Substring(i, end - i);
                        i = end;
                        break;
                    case '@':
                    case '$':
                    case ':':
                        int nameEnd = i + 1;
                        while (nameEnd < sql.Length && IsIdentifierChar(sql[nameEnd]))
                        {
                            nameEnd++;
                        }

                        if (nameEnd > i + 1)
                        {
                            string token = sql.Substring(i, nameEnd - i);
                            if (seen.Add(token))
                            {
                                names.Add(token);
                            }
                        }

                        i = nameEnd;
                        break;
                    default:
                        i++;
                        break;
                }
            }

            return names;
        }

        /// <summary>The name a value is looked up by: the token without its prefix.</summary>
        internal static string BareName(string token) => token.Substring(1);

        private static char Next(string sql, int i) => i + 1 < sql.Length ? sql[i + 1] : '\0';

        private static bool IsIdentifierChar(char c) => char.IsLetterOrDigit(c) || c == '_' || c > '\u007f';

        // A doubled quote inside a quoted run is an escaped quote, not its end.
        private static int SkipQuoted(string sql, int start, char quote)
        {
            int i = start + 1;
            while (i < sql.Length)
            {
                if (sql[i] == quote)
                {
                    if (Next(sql, i) != quote)
                    {
                        return i + 1;
                    }

                    i++;
                }

                i++;
            }

            return sql.Length;
        }

        private static int SkipPast(string sql, int start, string terminator)
        {
            int found = sql.IndexOf(terminator, start, StringComparison.Ordinal);
            return found < 0 ? sql.Length : found + terminator.Length;
        }
    }
}
