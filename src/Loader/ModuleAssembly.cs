using System;
using System.IO;
using System.Reflection;

namespace Mnesis.PowerShell.Loader
{
    /// <summary>
    /// The cmdlet assembly, and the answer to a request for it by name, which scripts make to reach
    /// its types (they cannot name types of Mnesis's own load context).
    /// </summary>
    internal static class ModuleAssembly
    {
        internal const string Name = "Mnesis.PowerShell";

        internal static string PathIn(string folder) => Path.Combine(folder, Name + ".dll");

        /// <summary>Null when <paramref name="requested"/> names another assembly or another version.</summary>
        internal static Assembly? Answer(AssemblyName requested, Lazy<Assembly> module)
        {
            if (!string.Equals(requested.Name, Name, StringComparison.Ordinal))
            {
                return null;
            }

            Assembly answer = module.Value;
            return requested.Version == null || requested.Version == answer.GetName().Version ? answer : null;
        }
    }
}
