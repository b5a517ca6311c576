using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;

namespace Mnesis.PowerShell.Loader
{
    /// <summary>
    /// Mnesis's private load context: the cmdlet assembly and the data stack it ships (the names in
    /// IsolatedAssemblies.txt, written by the build from Mnesis.psd1) load here, so another module's
    /// Microsoft.Data.Sqlite, SQLitePCLRaw or Npgsql, older or newer, never meets them. Every other
    /// name (PowerShell, netstandard, the framework) is left to the default context: the cmdlets
    /// must share PowerShell's own types. One per process and never unloaded, so the process-wide
    /// state of the module (write gates, open files) exists once. Each assembly loads from the
    /// platform's ReadyToRun folder when the module ships it there (see <see cref="CompiledCode"/>).
    /// </summary>
    internal sealed class MnesisLoadContext : AssemblyLoadContext
    {
        internal const string IsolatedListFile = "IsolatedAssemblies.txt";

        private readonly string _folder;
        private readonly string? _compiled;
        private readonly HashSet<string> _isolated;

        private MnesisLoadContext(string folder, IEnumerable<string> isolated)
        {
            _folder = folder;
            _compiled = CompiledCode.FolderIn(folder);
            _isolated = new HashSet<string>(isolated, StringComparer.OrdinalIgnoreCase) { ModuleAssembly.Name };
        }

        /// <summary>A new context for <paramref name="folder"/>, and the cmdlet assembly loaded into it.</summary>
        internal static Assembly LoadModule(string folder)
        {
            var isolated = File.ReadAllLines(Path.Combine(folder, IsolatedListFile)).Select(line => line.Trim()).Where(line => line.Length > 0);
            var context = new MnesisLoadContext(folder, isolated);
            return context.LoadFromAssemblyPath(context.PathOf(ModuleAssembly.Name));
        }

        /// <summary>Makes the default context answer requests for the cmdlet assembly with <paramref name="module"/>.</summary>
        internal static void AnswerFromDefaultContext(Assembly module) =>
            Default.Resolving += (defaultContext, requested) => ModuleAssembly.Answer(requested, module);

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (assemblyName.Name == null || !_isolated.Contains(assemblyName.Name))
            {
                return null;
            }

            // A listed name that the folder does not ship is refused rather than left to the default
            // context: Microsoft.Data.Sqlite would otherwise pick up another module's
            // SQLitePCLRaw.batteries_v2 there and initialise that module's provider.
            string path = Path.Combine(_folder, assemblyName.Name + ".dll");
            if (!File.Exists(path))
            {
                throw new FileNotFoundException("Mnesis does not ship " + assemblyName.Name + ".", path);
            }

            return LoadFromAssemblyPath(PathOf(assemblyName.Name));
        }

        private string PathOf(string name)
        {
            string? compiled = _compiled == null ? null : Path.Combine(_compiled, name + ".dll");
            return compiled != null && File.Exists(compiled) ? compiled : Path.Combine(_folder, name + ".dll");
        }
    }
}
