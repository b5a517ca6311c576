using System;
using System.Reflection;

namespace Mnesis.PowerShell.Loader
{
    /// <summary>
    /// Windows PowerShell 5.1 (.NET Framework) has no load contexts: the cmdlet assembly loads from
    /// the module's folder, where it resolves its own dependencies (Mnesis.PowerShell's
    /// DependencyResolver), and a request for it by name is answered with it.
    /// </summary>
    internal static class FrameworkModuleResolver
    {
        internal static Lazy<Assembly> Register(string folder)
        {
            var module = new Lazy<Assembly>(() => Assembly.LoadFrom(ModuleAssembly.PathIn(folder)));
            AppDomain.CurrentDomain.AssemblyResolve += (sender, args) => ModuleAssembly.Answer(new AssemblyName(args.Name), module);
            return module;
        }
    }
}
