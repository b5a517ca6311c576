using System.Collections.Generic;

namespace Mnesis.PowerShell.Engines
{
    /// <summary>A table found in the engine's catalog: its name ready for SQL and its columns in order.</summary>
    internal sealed class TableSchema
    {
        internal TableSchema(string display, string quotedName, IReadOnlyList<TableColumn> columns)
        {
            Display = display;
            QuotedName = quotedName;
            Columns = columns;
        }

        /// <summary>How messages name the table.</summary>
        internal string Display { get; }

        /// <summary>The table's name as the catalog spells it, quoted (schema-qualified where the engine has schemas).</summary>
        internal string QuotedName { get; }

        internal IReadOnlyList<TableColumn> Columns { get; }
    }
}
