namespace Mnesis.PowerShell.Engines
{
    /// <summary>A column of a table as the engine's catalog describes it.</summary>
    internal sealed class TableColumn
    {
        internal TableColumn(string name, string dataType)
        {
            Name = name;
            DataType = dataType;
        }

        /// <summary>The column's name exactly as the catalog spells it (quoted before it goes into SQL).</summary>
        internal string Name { get; }

        /// <summary>The declared type as the engine names it ('integer', 'timestamp with time zone'; SQLite: the declared type, maybe empty).</summary>
        internal string DataType { get; }
    }
}
