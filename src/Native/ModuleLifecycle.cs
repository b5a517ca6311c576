using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Native
{
    /// <summary>Import and Remove-Module hooks.</summary>
    public sealed class ModuleLifecycle : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly object Sync = new object();
        private static bool _resolverRegistered;

        /// <summary>Runs on every Import-Module, in every runspace.</summary>
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

        /// <summary>Remove-Module closes the stores this runspace opened.</summary>
        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            Runspace runspace = Runspace.DefaultRunspace;
            if (runspace != null)
            {
                RunspacePools.CloseAllFor(runspace);
            }
        }
    }
}
