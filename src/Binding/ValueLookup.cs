using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace Mnesis.PowerShell.Binding
{
    /// <summary>
    /// Finds a parameter's value in a dictionary or in an object's properties, by name and
    /// ignoring case, as PowerShell users expect from hashtables and properties.
    /// </summary>
    internal static class ValueLookup
    {
        /// <param name="name">The parameter's name without its prefix, which properties and keys are matched against.</param>
        /// <param name="token">The parameter as written, a key a dictionary may also use.</param>
        internal static bool TryGet(object source, string name, string token, out object value)
        {
            object unwrapped = source is PSObject ps ? ps.BaseObject : source;
            if (unwrapped is IDictionary dictionary)
            {
                return TryGetFromDictionary(dictionary, name, token, out value);
            }

            PSObject wrapper = source as PSObject ?? PSObject.AsPSObject(source);
            PSPropertyInfo property = wrapper.Properties[name];
            if (property != null)
            {
                value = property.Value;
                return true;
            }

            foreach (PSPropertyInfo candidate in wrapper.Properties)
            {
                if (MatchesAsParameterName(candidate.Name, name))
                {
                    value = candidate.Value;
                    return true;
                }
            }

            value = null;
            return false;
        }

        /// <summary>The names <paramref name="source"/> offers: a dictionary's keys or an object's properties.</summary>
        internal static IEnumerable<string> NamesOf(object source)
        {
            object unwrapped = source is PSObject ps ? ps.BaseObject : source;
            if (unwrapped is IDictionary dictionary)
            {
                foreach (object key in dictionary.Keys)
                {
                    yield return Convert.ToString(key, System.Globalization.CultureInfo.InvariantCulture);
                }

                yield break;
            }

            foreach (PSPropertyInfo property in (source as PSObject ?? PSObject.AsPSObject(source)).Properties)
            {
                yield return property.Name;
            }
        }

        /// <summary>
        /// A name with characters a parameter name cannot hold (Import-Csv's 'Host Name', 'os-version')
        /// matches the parameter spelled with '_' for each of them (@Host_Name, @os_version).
        /// </summary>
        internal static bool MatchesAsParameterName(string key, string name)
        {
            if (key == null || key.Length != name.Length)
            {
                return false;
            }

            for (int i = 0; i < key.Length; i++)
            {
                char k = key[i];
                char n = name[i];
                bool same = char.ToUpperInvariant(k) == char.ToUpperInvariant(n)
                    || (n == '_' && !char.IsLetterOrDigit(k) && k != '_');
                if (!same)
                {
                    return false;
                }
            }

            return true;
        }

        private static bool TryGetFromDictionary(IDictionary dictionary, string name, string token, out object value)
        {
            if (dictionary.Contains(name))
            {
                value = dictionary[name];
                return true;
            }

            if (dictionary.Contains(token))
            {
                value = dictionary[token];
                return true;
            }

            // Case-sensitive dictionaries (a [Dictionary[string,object]]) still match regardless of case.
            foreach (DictionaryEntry entry in dictionary)
            {
                if (entry.Key is string key
                    && (MatchesAsParameterName(key, name) || string.Equals(key, token, StringComparison.OrdinalIgnoreCase)))
                {
                    value = entry.Value;
                    return true;
                }
            }

            value = null;
            return false;
        }
    }
}
