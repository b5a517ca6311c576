using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Mnesis.PowerShell.Loader
{
    /// <summary>
    /// Where the module keeps ReadyToRun (precompiled) copies of its assemblies for this runtime and
    /// platform: r2r/net&lt;major&gt;.0/&lt;rid&gt;, with the rid of a portable .NET build
    /// (linux-x64, win-x64, osx-arm64, ...). Code is compiled against one .NET version for one
    /// platform, so only that version on that platform takes it; anywhere else the IL copies
    /// beside the manifest run.
    /// </summary>
    internal static class CompiledCode
    {
        /// <summary>The folder of this platform's copies, or null when the module ships none.</summary>
        internal static string? FolderIn(string moduleFolder)
        {
            string? rid = PortableRuntimeIdentifier();
            string? folder = rid == null ? null : Path.Combine(moduleFolder, "r2r", "net" + Environment.Version.Major + ".0", rid);
            return folder != null && Directory.Exists(folder) ? folder : null;
        }

        private static string? PortableRuntimeIdentifier()
        {
            string? os = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "win"
                : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "osx"
                : RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && !IsMusl() ? "linux"
                : null;
            return os == null ? null : os + "-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        }

        // musl (Alpine) is a platform of its own, which .NET builds for separately; the module ships
        // no code compiled for it. Its dynamic loader is the tell, whatever the runtime calls itself
        // (the cmdlet assembly's PlatformRuntime asks the same, for the native library).
        private static bool IsMusl()
        {
            try
            {
                return Directory.Exists("/lib") && Directory.GetFiles("/lib", "ld-musl-*.so.1").Length > 0;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return false;
            }
        }
    }
}
