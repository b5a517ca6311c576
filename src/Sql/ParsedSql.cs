using System.Collections.Generic;

namespace Mnesis.PowerShell.Sql
{
    /// <summary>What the parameter scanner found in a SQL text.</summary>
    internal sealed class ParsedSql
    {
        internal ParsedSql(string text, IReadOnlyList<ParameterOccurrence> occurrences, IReadOnlyList<string> names,
            IReadOnlyList<int> statementEnds, IReadOnlyList<int> statementStarts, string firstPositional)
        {
            StatementStarts = statementStarts;
            Text = text;
            Occurrences = occurrences;
            Names = names;
            StatementEnds = statementEnds;
            FirstPositional = firstPositional;
        }

        internal string Text { get; }

        /// <summary>Every named parameter where it stands, in order; a name used twice appears twice.</summary>
        internal IReadOnlyList<ParameterOccurrence> Occurrences { get; }

        /// <summary>The named parameters as written (with prefix), each once, in order of first appearance.</summary>
        internal IReadOnlyList<string> Names { get; }

        /// <summary>Where each ';' that ends a statement stands (outside literals and comments).</summary>
        internal IReadOnlyList<int> StatementEnds { get; }

        /// <summary>Where each statement's first word stands; statements of only white space and comments have none.</summary>
        internal IReadOnlyList<int> StatementStarts { get; }

        internal int StatementCount => StatementStarts.Count;

        /// <summary>The beginning of statement <paramref name="index"/>, enough to tell what kind of statement it is.</summary>
        internal string StatementStart(int index)
        {
            int start = StatementStarts[index];
            return Text.Substring(start, System.Math.Min(200, Text.Length - start));
        }

        /// <summary>The first positional parameter ('?', '?1', '$1'), or null when there is none.</summary>
        internal string FirstPositional { get; }
    }
}
