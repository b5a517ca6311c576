using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;

namespace Mnesis.PowerShell.Loader
{
    /// <summary>
    /// The private load context of one Mnesis module folder. The module's assembly and the data
    /// stack it ships (an explicit list of assembly names) load here, so another module's
    /// Microsoft.Data.Sqlite, SQLitePCLRaw or Npgsql, older or newer, never meets them. Every other
    /// name (PowerShell, netstandard, the framework) is left to the default context: the cmdlets
    /// must share PowerShell's own types. Non-collectible and made once per folder, so the
    /// process-wide state of the module (write gates, open files) exists once.
    /// </summary>
    public sealed class MnesisLoadContext : AssemblyLoadContext
    {
        private static readonly object Sync = new object();
        private static readonly List<MnesisLoadContext> Contexts = new List<MnesisLoadContext>();

        private readonly string _folder;
        private readonly HashSet<string> _isolated;
        private readonly Assembly _module;

        private MnesisLoadContext(string folder, string moduleAssemblyName, IEnumerable<string> isolatedAssemblyNames)
            : base("Mnesis: " + folder, isCollectible: false)
        {
            _folder = folder;
            _isolated = new HashSet<string>(isolatedAssemblyNames, StringComparer.OrdinalIgnoreCase) { moduleAssemblyName };
            _module = LoadFromAssemblyPath(Path.Combine(folder, moduleAssemblyName + ".dll"));
        }

        /// <summary>The module folders whose contexts exist in this process, first loaded first.</summary>
        /// <remarks>More than one means several Mnesis copies, each with its own write gates.</remarks>
        public static string[] LoadedFolders
        {
            get
            {
                lock (Sync)
                {
                    return Contexts.Select(context => context._folder).ToArray();
                }
            }
        }

        /// <summary>
        /// The module assembly of <paramref name="folder"/>, loaded into that folder's context,
        /// which is created on the first call for the folder and reused by every later import.
        /// </summary>
        public static Assembly LoadModule(string folder, string moduleAssemblyName, string[] isolatedAssemblyNames)
        {
            string fullFolder = Path.GetFullPath(folder);
            lock (Sync)
            {
                MnesisLoadContext? context = Contexts.FirstOrDefault(c => string.Equals(c._folder, fullFolder, StringComparison.Ordinal));
                if (context == null)
                {
                    context = new MnesisLoadContext(fullFolder, moduleAssemblyName, isolatedAssemblyNames);
                    Contexts.Add(context);
                }

                return context._module;
            }
        }

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

            return LoadFromAssemblyPath(path);
        }
    }
}
