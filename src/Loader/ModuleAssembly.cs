using System;
using System.IO;
using System.Reflection;

namespace Mnesis.PowerShell.Loader
{
    /// <summary>
    /// The cmdlet assembly, and the answer to a request for it by name, which scripts make to reach
    /// its types (they cannot name types of Mnesis's own load context). On .NET Framework, where it
    /// is loaded from a file, the runtime asks through AppDomain.AssemblyResolve.
    /// </summary>
    internal static class ModuleAssembly
    {
        internal const string Name = "Mnesis.PowerShell";

        internal static string PathIn(string folder) => Path.Combine(folder, Name + ".dll");

        /// <summary>Null when <paramref name="requested"/> names another assembly or another version.</summary>
        internal static Assembly? Answer(AssemblyName requested, Assembly module) =>
            string.Equals(requested.Name, Name, StringComparison.Ordinal)
            && (requested.Version == null || requested.Version == module.GetName().Version)
                ? module
                : null;
    }
}
