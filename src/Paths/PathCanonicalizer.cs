using System;
using System.IO;
using System.Runtime.InteropServices;
using Mnesis.PowerShell.Native;

namespace Mnesis.PowerShell.Paths
{
    /// <summary>
    /// Gives every spelling of one file the same key: symbolic links resolved through the deepest
    /// part of the path that exists, case folded where the platform ignores case.
    /// </summary>
    internal static class PathCanonicalizer
    {
        private static bool _realPathUnavailable;

        internal static StorePath Canonicalize(string fullPath)
        {
            string canonical = PlatformRuntime.IsWindows ? fullPath : ResolveLinks(fullPath);
            string key = PlatformRuntime.HasCaseInsensitivePaths ? canonical.ToUpperInvariant() : canonical;
            return new StorePath(canonical, key);
        }

        // realpath(3) needs an existing path, so resolve the deepest existing ancestor and
        // re-append the rest. realpath reads links with lstat/readlink and never opens the file.
        private static string ResolveLinks(string fullPath)
        {
            string existing = fullPath;
            string rest = string.Empty;
            while (!string.IsNullOrEmpty(existing) && !File.Exists(existing) && !Directory.Exists(existing))
            {
                string name = Path.GetFileName(existing);
                rest = rest.Length == 0 ? name : Path.Combine(name, rest);
                existing = Path.GetDirectoryName(existing);
            }

            if (string.IsNullOrEmpty(existing))
            {
                return fullPath;
            }

            string resolved = RealPath(existing) ?? existing;
            return rest.Length == 0 ? resolved : Path.Combine(resolved, rest);
        }

        private static string RealPath(string path)
        {
            if (_realPathUnavailable)
            {
                return null;
            }

            try
            {
                IntPtr buffer = realpath(path, IntPtr.Zero);
                if (buffer == IntPtr.Zero)
                {
                    return null;
                }

                try
                {
                    return Marshal.PtrToStringAnsi(buffer);
                }
                finally
                {
                    free(buffer);
                }
            }
            catch (Exception ex) when (ex is DllNotFoundException || ex is EntryPointNotFoundException)
            {
                _realPathUnavailable = true;
                return null;
            }
        }

        [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false)]
        private static extern IntPtr realpath(string path, IntPtr resolvedPath);

        [DllImport("libc")]
        private static extern void free(IntPtr pointer);
    }
}
