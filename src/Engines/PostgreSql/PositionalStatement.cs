using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Mnesis.PowerShell.Sql;

namespace Mnesis.PowerShell.Engines.PostgreSql
{
    /// <summary>
    /// One statement of a SQL text with its named parameters (@x, :x, $x) rewritten to PostgreSQL's
    /// own $1..$n, and which of the text's names each $k takes its value from.
    /// </summary>
    internal sealed class PositionalStatement
    {
        internal PositionalStatement(string text, int[] parameters)
        {
            Text = text;
            Parameters = parameters;
        }

        internal string Text { get; }

        /// <summary>For each $k (k - 1), the index of its name in the parsed text's names.</summary>
        internal int[] Parameters { get; }

        /// <summary>
        /// The statements of <paramref name="sql"/>, each with its own $1..$n: a name used twice in a
        /// statement is one positional parameter.
        /// </summary>
        internal static PositionalStatement[] Split(ParsedSql sql)
        {
            var statements = new List<PositionalStatement>();
            int start = 0;
            int occurrence = 0;
            var ends = new List<int>(sql.StatementEnds) { sql.Text.Length };
            foreach (int end in ends)
            {
                var text = new StringBuilder();
                var positions = new List<int>();
                int copied = start;
                for (; occurrence < sql.Occurrences.Count && sql.Occurrences[occurrence].Start < end; occurrence++)
                {
                    ParameterOccurrence found = sql.Occurrences[occurrence];
                    int nameIndex = IndexOf(sql.Names, found.Token);
                    int position = positions.IndexOf(nameIndex);
                    if (position < 0)
                    {
                        positions.Add(nameIndex);
                        position = positions.Count - 1;
                    }

                    text.Append(sql.Text, copied, found.Start - copied);
                    text.Append('$').Append((position + 1).ToString(CultureInfo.InvariantCulture));
                    copied = found.Start + found.Token.Length;
                }

                text.Append(sql.Text, copied, end - copied);
                string statementText = text.ToString();
                if (statementText.Trim().Length > 0)
                {
                    statements.Add(new PositionalStatement(statementText, positions.ToArray()));
                }

                start = end + 1;
            }

            if (statements.Count == 0)
            {
                statements.Add(new PositionalStatement(sql.Text, new int[0]));
            }

            return statements.ToArray();
        }

        private static int IndexOf(IReadOnlyList<string> names, string token)
        {
            for (int i = 0; i < names.Count; i++)
            {
                if (string.Equals(names[i], token, StringComparison.Ordinal))
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
