using System;
using System.Data.Common;
using System.Globalization;
using System.Management.Automation;

namespace Mnesis.PowerShell.Binding
{
    /// <summary>
    /// Turns reader rows into PSCustomObjects: columns in select order, NULL as $null. Column
    /// names are read once per result set; a repeated name gets a numeric suffix, as in
    /// Export-Csv's headers, instead of silently overwriting the earlier column.
    /// </summary>
    internal sealed class RowBuilder
    {
        private readonly string[] _names;

        internal RowBuilder(DbDataReader reader)
        {
            _names = new string[reader.FieldCount];
            for (int i = 0; i < _names.Length; i++)
            {
                string name = reader.GetName(i);
                if (string.IsNullOrEmpty(name))
                {
                    name = "Column" + (i + 1).ToString(CultureInfo.InvariantCulture);
                }

                string unique = name;
                for (int n = 2; Array.IndexOf(_names, unique, 0, i) >= 0; n++)
                {
                    unique = name + n.ToString(CultureInfo.InvariantCulture);
                }

                _names[i] = unique;
            }
        }

        internal PSObject Build(DbDataReader reader)
        {
            var row = new PSObject();
            PSMemberInfoCollection<PSPropertyInfo> properties = row.Properties;
            for (int i = 0; i < _names.Length; i++)
            {
                object value = reader.GetValue(i);

                // The names are unique and a PSCustomObject has no properties of its own to clash with.
                properties.Add(new PSNoteProperty(_names[i], value is DBNull ? null : value), preValidated: true);
            }

            return row;
        }
    }
}
