namespace Mnesis.PowerShell.Sql
{
    /// <summary>How an engine's SQL spells what the parameter scanner must skip or refuse.</summary>
    internal sealed class SqlDialect
    {
        internal SqlDialect(bool questionMarkIsPositional, bool dollarDigitsArePositional, bool bracketsQuote, bool backticksQuote,
            bool dollarQuotedStrings, bool escapeStrings, bool nestedComments)
        {
            NestedComments = nestedComments;
            QuestionMarkIsPositional = questionMarkIsPositional;
            DollarDigitsArePositional = dollarDigitsArePositional;
            BracketsQuote = bracketsQuote;
            BackticksQuote = backticksQuote;
            DollarQuotedStrings = dollarQuotedStrings;
            EscapeStrings = escapeStrings;
        }

        /// <summary>'?' and '?NNN' are positional parameters (SQLite); elsewhere '?' may be an operator.</summary>
        internal bool QuestionMarkIsPositional { get; }

        /// <summary>'$1' is a positional parameter (PostgreSQL).</summary>
        internal bool DollarDigitsArePositional { get; }

        /// <summary>[name] quotes an identifier (SQLite); elsewhere brackets are subscripts.</summary>
        internal bool BracketsQuote { get; }

        internal bool BackticksQuote { get; }

        /// <summary>$$...$$ and $tag$...$tag$ are string literals (PostgreSQL).</summary>
        internal bool DollarQuotedStrings { get; }

        /// <summary>E'...' literals take backslash escapes (PostgreSQL).</summary>
        internal bool EscapeStrings { get; }

        /// <summary>Block comments nest (PostgreSQL).</summary>
        internal bool NestedComments { get; }
    }
}
