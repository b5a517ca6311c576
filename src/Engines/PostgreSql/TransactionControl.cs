using System.Text.RegularExpressions;
using Mnesis.PowerShell.Sql;

namespace Mnesis.PowerShell.Engines.PostgreSql
{
    /// <summary>
    /// Statements that end, start or change the transaction they run in, or the read-only mode of
    /// later ones. A read's own READ ONLY transaction does not stop them: COMMIT would end it, and
    /// what follows would run, and write, outside it.
    /// </summary>
    internal static class TransactionControl
    {
        private static readonly Regex s_statement = new Regex(
            @"^(?:BEGIN|COMMIT|END|ROLLBACK|ABORT|START\s+TRANSACTION|SAVEPOINT|RELEASE|PREPARE\s+TRANSACTION|" +
            @"SET\s+(?:SESSION\s+CHARACTERISTICS|TRANSACTION|(?:(?:SESSION|LOCAL)\s+)?(?:default_)?transaction_read_only))\b",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>True when any statement of <paramref name="sql"/> controls the transaction.</summary>
        internal static bool AnyIn(ParsedSql sql)
        {
            for (int i = 0; i < sql.StatementCount; i++)
            {
                if (s_statement.IsMatch(sql.StatementStart(i)))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
