using System;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mnesis.PowerShell.Loader
{
    /// <summary>
    /// Loads the cmdlet assembly for Mnesis.psm1: on .NET into Mnesis's own load context, on .NET
    /// Framework (Windows PowerShell 5.1, which has no load contexts) from the module's folder. One
    /// cmdlet assembly serves the process: a second Mnesis folder of the same version runs on it
    /// (and so shares its write gates); another version is refused, as its cmdlets would run this
    /// version's code.
    /// </summary>
    public static class MnesisModuleLoader
    {
        private static readonly object s_sync = new object();
        private static readonly bool s_onNetFramework =
            RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

        private static string? s_folder;
        private static Assembly? s_module;

        /// <summary>The cmdlet assembly for the module in <paramref name="folder"/>.</summary>
        public static Assembly Load(string folder)
        {
            string fullFolder = Path.GetFullPath(folder);
            lock (s_sync)
            {
                if (s_module == null)
                {
                    // Registered only once an assembly has loaded: a folder that cannot serve leaves nothing behind.
                    Assembly module = s_onNetFramework ? Assembly.LoadFrom(ModuleAssembly.PathIn(fullFolder)) : LoadIntoOwnContext(fullFolder);
                    s_module = module;
                    s_folder = fullFolder;
                    if (s_onNetFramework)
                    {
                        AppDomain.CurrentDomain.AssemblyResolve += (sender, args) => ModuleAssembly.Answer(new AssemblyName(args.Name), module);
                    }
                    else
                    {
                        AnswerFromDefaultContext(module);
                    }
                }
                else if (!string.Equals(fullFolder, s_folder, StringComparison.Ordinal))
                {
                    Version? wanted = AssemblyName.GetAssemblyName(ModuleAssembly.PathIn(fullFolder)).Version;
                    Version? loaded = s_module.GetName().Version;
                    if (wanted != loaded)
                    {
                        // Said here, not in the module's message table: that table is in the assembly refused.
                        throw new InvalidOperationException(
                            $"Mnesis {wanted} from '{fullFolder}' cannot be imported: this process already uses Mnesis {loaded} from '{s_folder}', " +
                            "and one process holds one Mnesis version. Import it in a new PowerShell process.");
                    }
                }

                return s_module;
            }
        }

        // Methods of their own, compiled only on .NET: compiling a use of the load context type
        // would load System.Runtime.Loader, which .NET Framework does not have.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static Assembly LoadIntoOwnContext(string folder)
        {
            if (Environment.Version.Major < 8)
            {
                // Said here, not in the module's message table: the cmdlet assembly is not loaded.
                throw new PlatformNotSupportedException(
                    $"Mnesis needs PowerShell 7.4 or later (or Windows PowerShell 5.1); this PowerShell runs on .NET {Environment.Version}.");
            }

            return MnesisLoadContext.LoadModule(folder);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void AnswerFromDefaultContext(Assembly module) => MnesisLoadContext.AnswerFromDefaultContext(module);
    }
}
