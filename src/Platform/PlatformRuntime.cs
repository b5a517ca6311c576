using System;
using System.IO;
using System.Runtime.InteropServices;

namespace Mnesis.PowerShell.Platform
{
    /// <summary>Names the running platform the way NuGet's runtimes/ folders do.</summary>
    internal static class PlatformRuntime
    {
        internal static readonly string[] Shipped =
        {
            "win-x64", "win-x86", "win-arm64",
            "linux-x64", "linux-arm64", "linux-musl-x64", "linux-musl-arm64",
            "osx-x64", "osx-arm64",
        };

        internal static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        internal static bool IsMacOS => RuntimeInformation.IsOSPlatform(OSPlatform.OSX);

        /// <summary>True where file names differ only in case refer to one file (by default).</summary>
        internal static bool HasCaseInsensitivePaths => IsWindows || IsMacOS;

        /// <summary>True on .NET Framework (Windows PowerShell 5.1), where there is no NativeLibrary API.</summary>
        internal static bool IsNetFramework =>
            RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

        internal static string Identifier
        {
            get
            {
                string arch = ArchitectureName(RuntimeInformation.ProcessArchitecture);
                if (IsWindows)
                {
                    return "win-" + arch;
                }

                if (IsMacOS)
                {
                    return "osx-" + arch;
                }

                return (IsMusl() ? "linux-musl-" : "linux-") + arch;
            }
        }

        internal static string NativeFileName =>
            IsWindows ? "e_sqlite3.dll" : IsMacOS ? "libe_sqlite3.dylib" : "libe_sqlite3.so";

        private static string ArchitectureName(Architecture architecture)
        {
            switch (architecture)
            {
                case Architecture.X64: return "x64";
                case Architecture.X86: return "x86";
                case Architecture.Arm64: return "arm64";
                case Architecture.Arm: return "arm";
                default: return architecture.ToString().ToLowerInvariant();
            }
        }

        // musl's dynamic loader is the one reliable mark of a musl distribution (Alpine and kin).
        private static bool IsMusl()
        {
            try
            {
                return Directory.Exists("/lib")
                    && Directory.GetFiles("/lib", "ld-musl-*.so.1").Length > 0;
            }
            catch (IOException)
            {
                return false;
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        }
    }
}
