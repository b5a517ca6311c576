using System;
using System.Collections.Generic;

namespace Mnesis.PowerShell.Sql
{
    /// <summary>
    /// Finds the parameters a SQL text uses (@name, $name, :name, and the positional forms of the
    /// dialect) the way the engine's tokenizer does, skipping string literals, quoted identifiers
    /// and comments. Preparing the text instead is not possible: a later statement may use a table
    /// an earlier one creates.
    /// </summary>
    internal static class SqlParameterScanner
    {
        internal static ParsedSql Scan(string sql, SqlDialect dialect)
        {
            var occurrences = new List<ParameterOccurrence>();
            var names = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var statementEnds = new List<int>();
            string firstPositional = null;
            var statementStarts = new List<int>();
            bool inStatement = false;
            int i = 0;
            while (i < sql.Length)
            {
                char c = sql[i];
                bool isComment = (c == '-' && Next(sql, i) == '-') || (c == '/' && Next(sql, i) == '*');
                if (!inStatement && c != ';' && !char.IsWhiteSpace(c) && !isComment)
                {
                    inStatement = true;
                    statementStarts.Add(i);
                }

                switch (c)
                {
                    case '\'':
                        i = SkipQuoted(sql, i, c, backslashEscapes: dialect.EscapeStrings && IsEscapeStringPrefix(sql, i));
                        break;
                    case '"':
                        i = SkipQuoted(sql, i, c, backslashEscapes: false);
                        break;
                    case '`' when dialect.BackticksQuote:
                        i = SkipQuoted(sql, i, c, backslashEscapes: false);
                        break;
                    case '[' when dialect.BracketsQuote:
                        i = SkipPast(sql, i + 1, "]");
                        break;
                    case '-' when Next(sql, i) == '-':
                        i = SkipPast(sql, i + 2, "\n");
                        break;
                    case '/' when Next(sql, i) == '*':
                        i = dialect.NestedComments ? SkipNestedComment(sql, i) : SkipPast(sql, i + 2, "*/");
                        break;
                    case ':' when Next(sql, i) == ':':
                        // A cast (x::text), not a parameter named ":text".
                        i += 2;
                        break;
                    case '@':
                    case '$':
                    case ':':
                    case '?' when dialect.QuestionMarkIsPositional:
                        if (i > 0 && ContinuesName(sql[i - 1]))
                        {
                            // Inside a name (a$b, both engines) or a slice (arr[lo:hi]): not a parameter.
                            i++;
                            break;
                        }

                        i = ScanParameter(sql, i, dialect, occurrences, names, seen, ref firstPositional);
                        break;
                    case ';':
                        statementEnds.Add(i);
                        inStatement = false;
                        i++;
                        break;
                    default:
                        i++;
                        break;
                }
            }

            return new ParsedSql(sql, occurrences, names, statementEnds, statementStarts, firstPositional);
        }

        // At '@', '$', ':' or '?' that does not continue a name: a positional or named parameter, or a
        // dollar-quoted string. Returns where scanning goes on.
        private static int ScanParameter(string sql, int i, SqlDialect dialect, List<ParameterOccurrence> occurrences, List<string> names,
            HashSet<string> seen, ref string firstPositional)
        {
            char c = sql[i];
            if (c == '?' || (c == '$' && dialect.DollarDigitsArePositional && char.IsDigit(Next(sql, i))))
            {
                int end = SkipDigits(sql, i + 1);
                firstPositional = firstPositional ?? sql.Substring(i, end - i);
                return end;
            }

            if (c == '$' && dialect.DollarQuotedStrings && TryDollarQuoteTag(sql, i, out string tag))
            {
                return SkipPast(sql, i + tag.Length, tag);
            }

            int nameEnd = i + 1;
            while (nameEnd < sql.Length && IsIdentifierChar(sql[nameEnd]))
            {
                nameEnd++;
            }

            // In PostgreSQL a(1:2) is a slice, so a name must not start with a digit there.
            bool named = nameEnd > i + 1 && !(dialect.DollarDigitsArePositional && char.IsDigit(sql[i + 1]));
            if (named)
            {
                string token = sql.Substring(i, nameEnd - i);
                occurrences.Add(new ParameterOccurrence(token, i));
                if (seen.Add(token))
                {
                    names.Add(token);
                }
            }

            return nameEnd;
        }

        // PostgreSQL's block comments nest: /* a /* b */ still a comment */.
        private static int SkipNestedComment(string sql, int start)
        {
            int depth = 0;
            int i = start;
            while (i < sql.Length)
            {
                if (sql[i] == '/' && Next(sql, i) == '*')
                {
                    depth++;
                    i += 2;
                }
                else if (sql[i] == '*' && Next(sql, i) == '/')
                {
                    i += 2;
                    if (--depth == 0)
                    {
                        return i;
                    }
                }
                else
                {
                    i++;
                }
            }

            return sql.Length;
        }

        /// <summary>The name a value is looked up by: the token without its prefix.</summary>
        internal static string BareName(string token) => token.Substring(1);

        private static char Next(string sql, int i) => i + 1 < sql.Length ? sql[i + 1] : '\0';

        private static bool IsIdentifierChar(char c) => char.IsLetterOrDigit(c) || c == '_' || c > '\u007f';

        // Names may also hold '$' after their first character (a$b in both engines).
        private static bool ContinuesName(char c) => IsIdentifierChar(c) || c == '$';

        private static int SkipDigits(string sql, int i)
        {
            while (i < sql.Length && char.IsDigit(sql[i]))
            {
                i++;
            }

            return i;
        }

        // E'...' (any case), not the end of an identifier such as "name'".
        private static bool IsEscapeStringPrefix(string sql, int quote) =>
            quote > 0 && (sql[quote - 1] == 'E' || sql[quote - 1] == 'e')
            && (quote == 1 || !IsIdentifierChar(sql[quote - 2]));

        // $$ or $tag$ where tag is an identifier that does not start with a digit.
        private static bool TryDollarQuoteTag(string sql, int start, out string tag)
        {
            int i = start + 1;
            if (i < sql.Length && (char.IsLetter(sql[i]) || sql[i] == '_' || sql[i] > '\u007f'))
            {
                while (i < sql.Length && IsIdentifierChar(sql[i]))
                {
                    i++;
                }
            }

            bool isTag = i < sql.Length && sql[i] == '$';
            tag = isTag ? sql.Substring(start, i - start + 1) : null;
            return isTag;
        }

        // A doubled quote inside a quoted run is an escaped quote, not its end; so is \' in an E'...' literal.
        private static int SkipQuoted(string sql, int start, char quote, bool backslashEscapes)
        {
            int i = start + 1;
            while (i < sql.Length)
            {
                if (backslashEscapes && sql[i] == '\\')
                {
                    i += 2;
                    continue;
                }

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
