using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Engines.Sqlite;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Module
{
    /// <summary>What runs when the module is imported into a runspace and when it is removed from one.</summary>
    public sealed class ModuleLifecycle : IModuleAssemblyInitializer
    {
        private static readonly object Sync = new object();
        private static bool _resolverRegistered;

        /// <summary>Runs on the first Import-Module of this assembly in each runspace.</summary>
        public void OnImport()
        {
            lock (Sync)
            {
                if (PlatformRuntime.IsNetFramework && !_resolverRegistered)
                {
                    DependencyResolver.Register();
                    _resolverRegistered = true;
                }
            }

            // Loading the native library is deferred to the first open so that an import never fails;
            // a missing library then surfaces as an ErrorRecord naming the platform.
        }

        /// <summary>The warning Mnesis.psm1 gives when other copies of Mnesis are loaded in the process.</summary>
        public static string OtherCopiesWarning(string[] otherFolders) =>
            string.Format(CultureInfo.CurrentCulture, Messages.OtherCopiesLoaded, string.Join("', '", otherFolders));

        /// <summary>The error Mnesis.psm1 stops with when another copy of Mnesis is imported in the same session.</summary>
        public static ErrorRecord OtherCopyImportedError(string importedFolder, string thisFolder) =>
            new MnesisException(Messages.OtherCopyImported, thisFolder, importedFolder, thisFolder).ToErrorRecord();

        /// <summary>
        /// Makes <paramref name="inner"/>'s cmdlets exports of <paramref name="outer"/> (Mnesis.psm1's
        /// module). Import-Module -Assembly of an assembly already loaded (Import-Module -Force, or
        /// Remove-Module then Import-Module) returns the cached module without adding its cmdlets to
        /// the importing one (PowerShell issue 20710). A PowerShell without the internal method keeps
        /// its own behaviour.
        /// </summary>
        public static void ExportCmdlets(PSModuleInfo outer, PSModuleInfo inner)
        {
            MethodInfo add = typeof(PSModuleInfo).GetMethod("AddExportedCmdlet", BindingFlags.Instance | BindingFlags.NonPublic);
            if (add == null || inner == null)
            {
                return;
            }

            foreach (CmdletInfo cmdlet in inner.ExportedCmdlets.Values.ToArray())
            {
                add.Invoke(outer, new object[] { cmdlet });
            }
        }

        /// <summary>
        /// Closes the stores of the calling runspace. Mnesis.psm1 calls it from its OnRemove: on a
        /// re-import PowerShell reuses the cached binary module without making it a nested module
        /// again, so an IModuleAssemblyCleanup would not run on the later Remove-Module.
        /// </summary>
        public static void OnRemove()
        {
            Runspace runspace = Runspace.DefaultRunspace;
            if (runspace != null)
            {
                RunspacePools.CloseAllFor(runspace);
            }
        }
    }
}
