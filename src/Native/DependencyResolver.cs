using System;
using System.IO;
using System.Reflection;

namespace Mnesis.PowerShell.Native
{
    /// <summary>
    /// Windows PowerShell 5.1 has no binding redirects for a module's dependencies; this loads
    /// them (Microsoft.Data.Sqlite, SQLitePCLRaw, System.Memory, ...) from the module's folder.
    /// PowerShell 7 probes the module folder itself.
    /// </summary>
    internal static class DependencyResolver
    {
        private static readonly string ModuleDirectory =
            Path.GetDirectoryName(typeof(DependencyResolver).Assembly.Location);

        internal static void Register() => AppDomain.CurrentDomain.AssemblyResolve += Resolve;

        internal static void Unregister() => AppDomain.CurrentDomain.AssemblyResolve -= Resolve;

        private static Assembly Resolve(object sender, ResolveEventArgs args)
        {
            string candidate = Path.Combine(ModuleDirectory, new AssemblyName(args.Name).Name + ".dll");
            return File.Exists(candidate) ? Assembly.LoadFrom(candidate) : null;
        }
    }
}
