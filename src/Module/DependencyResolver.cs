using System;
using System.IO;
using System.Reflection;
using Mnesis.PowerShell.Platform;

namespace Mnesis.PowerShell.Module
{
    /// <summary>
    /// Windows PowerShell 5.1 has no load contexts and no binding redirects for a module's
    /// dependencies; this answers Mnesis's own failed binds (Microsoft.Data.Sqlite, SQLitePCLRaw,
    /// System.Memory, ...) with the files of the module's folder. Other modules' binds are left
    /// alone: only a request made by an assembly of this folder, or one for exactly the identity of
    /// a file here, is answered.
    /// </summary>
    internal static class DependencyResolver
    {
        private static readonly string s_moduleDirectory = ModuleFolder.FullPath;

        internal static void Register() => AppDomain.CurrentDomain.AssemblyResolve += Resolve;

        private static Assembly Resolve(object sender, ResolveEventArgs args)
        {
            var requested = new AssemblyName(args.Name);
            string candidate = Path.Combine(s_moduleDirectory, requested.Name + ".dll");
            if (!File.Exists(candidate))
            {
                return null;
            }

            bool askedByMnesis = args.RequestingAssembly != null && IsInModuleDirectory(args.RequestingAssembly);
            bool askedForThisFile = args.RequestingAssembly == null
                && string.Equals(AssemblyName.GetAssemblyName(candidate).FullName, requested.FullName, StringComparison.OrdinalIgnoreCase);
            return askedByMnesis || askedForThisFile ? Assembly.LoadFrom(candidate) : null;
        }

        private static bool IsInModuleDirectory(Assembly assembly) =>
            !assembly.IsDynamic
            && string.Equals(Path.GetDirectoryName(assembly.Location), s_moduleDirectory, StringComparison.OrdinalIgnoreCase);
    }
}
