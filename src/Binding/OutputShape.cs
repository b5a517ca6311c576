namespace Mnesis.PowerShell.Binding
{
    /// <summary>What a call returns.</summary>
    internal enum OutputShape
    {
        /// <summary>The number of rows the write changed.</summary>
        RowCount,

        /// <summary>Every row, as objects.</summary>
        Rows,

        /// <summary>The first column of the first row (-Scalar, -As SingleValue).</summary>
        Scalar,

        /// <summary>Every row, as the DataRows of a DataTable per result set (-As DataRow).</summary>
        DataRows,

        /// <summary>A DataTable per result set (-As DataTable).</summary>
        DataTable,
    }
}
