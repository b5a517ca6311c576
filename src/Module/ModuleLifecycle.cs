using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using Mnesis.PowerShell.Naming;
using Mnesis.PowerShell.Platform;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Module
{
    /// <summary>What runs when the module is imported into a runspace and when it is removed from one.</summary>
    public sealed class ModuleLifecycle : IModuleAssemblyInitializer
    {
        // Found by assembly name: scripts cannot name types of Mnesis's own load context, but the
        // loader answers a request for this assembly with it.
        private const string CloseStoresScript =
            "[System.Type]::GetType('Mnesis.PowerShell.Module.ModuleLifecycle, Mnesis.PowerShell', $true)::CloseRunspaceStores()";

        private static readonly object s_sync = new object();
        private static bool s_resolverRegistered;

        /// <summary>Runs on each Import-Module of the cmdlet assembly.</summary>
        public void OnImport()
        {
            lock (s_sync)
            {
                if (PlatformRuntime.IsNetFramework && !s_resolverRegistered)
                {
                    DependencyResolver.Register();
                    s_resolverRegistered = true;
                }
            }

            // Engines ready themselves (SQLite loads its native library) in the background and keep
            // their errors to themselves, so an import never fails on them: a missing library
            // surfaces at the first open as an ErrorRecord naming the platform.
            EngineRegistry.WarmUp();
        }

        /// <summary>
        /// Finishes Mnesis.psm1's import: <paramref name="inner"/>'s cmdlets become exports of
        /// <paramref name="outer"/> (Mnesis.psm1's module), and removing it closes the runspace's
        /// stores.
        /// </summary>
        /// <remarks>
        /// Import-Module -Assembly of an assembly already loaded (Import-Module -Force, or
        /// Remove-Module then Import-Module) returns the cached module without adding its cmdlets to
        /// the importing one (PowerShell issue 20710); a PowerShell without the internal method
        /// keeps its own behaviour. The stores are closed from the script module's OnRemove rather
        /// than an IModuleAssemblyCleanup, which a re-imported (cached) binary module never runs.
        /// </remarks>
        public static void Imported(PSModuleInfo outer, PSModuleInfo inner)
        {
            MethodInfo add = typeof(PSModuleInfo).GetMethod("AddExportedCmdlet", BindingFlags.Instance | BindingFlags.NonPublic);
            if (add != null && inner != null)
            {
                foreach (CmdletInfo cmdlet in inner.ExportedCmdlets.Values.ToArray())
                {
                    add.Invoke(outer, new object[] { cmdlet });
                }
            }

            outer.OnRemove = ScriptBlock.Create(CloseStoresScript);
        }

        /// <summary>Closes the stores of the calling runspace.</summary>
        public static void CloseRunspaceStores()
        {
            Runspace runspace = Runspace.DefaultRunspace;
            if (runspace != null)
            {
                RunspacePools.CloseAllFor(runspace);
            }
        }
    }
}
