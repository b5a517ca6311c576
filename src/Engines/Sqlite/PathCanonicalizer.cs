using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Mnesis.PowerShell.Platform;

namespace Mnesis.PowerShell.Engines.Sqlite
{
    /// <summary>
    /// Gives every spelling of one file the same key: symbolic links resolved through the deepest
    /// part of the path that exists, case folded where the platform ignores case.
    /// </summary>
    internal static class PathCanonicalizer
    {
        // Linux's own limit on links followed in one lookup.
        private const int MaxLinkHops = 40;

        private static bool s_realPathUnavailable;

        internal static SqliteTarget Canonicalize(string fullPath)
        {
            string canonical = PlatformRuntime.IsWindows ? fullPath : ResolveLinks(fullPath);
            string key = PlatformRuntime.HasCaseInsensitivePaths ? canonical.ToUpperInvariant() : canonical;
            if (PlatformRuntime.IsWindows)
            {
                key = WithoutLongPathPrefix(key);
            }

            return new SqliteTarget(canonical, key);
        }

        // \\?\C:\x and \\?\UNC\server\share\x name the files C:\x and \\server\share\x: one key for
        // both spellings (one store, one write gate). The path SQLite opens keeps the prefix, which
        // lifts Windows's 260-character limit for it.
        private static string WithoutLongPathPrefix(string path)
        {
            const string Unc = @"\\?\UNC\";
            const string Prefix = @"\\?\";
            if (path.StartsWith(Unc, StringComparison.OrdinalIgnoreCase))
            {
                return @"\\" + path.Substring(Unc.Length);
            }

            return path.StartsWith(Prefix, StringComparison.Ordinal) ? path.Substring(Prefix.Length) : path;
        }

        // realpath(3) resolves the deepest part of the path that exists; it does not follow a link whose
        // target is missing (a store about to be created through a symlink), so the next component is
        // read with readlink(2) and, if it is such a link, resolution starts over at its target.
        // Neither call opens the file.
        private static string ResolveLinks(string fullPath)
        {
            string path = fullPath;
            for (int hop = 0; hop < MaxLinkHops; hop++)
            {
                string existing = path;
                var rest = new List<string>();
                while (!string.IsNullOrEmpty(existing) && !File.Exists(existing) && !Directory.Exists(existing))
                {
                    rest.Insert(0, Path.GetFileName(existing));
                    existing = Path.GetDirectoryName(existing);
                }

                if (string.IsNullOrEmpty(existing))
                {
                    return path;
                }

                string resolved = RealPath(existing);
                if (resolved == null)
                {
                    // .NET counts a dangling link as existing; realpath cannot resolve it, readlink can.
                    string danglingTarget = ReadLink(existing);
                    if (danglingTarget == null)
                    {
                        return path;
                    }

                    rest.Insert(0, Path.GetFullPath(Path.Combine(Path.GetDirectoryName(existing), danglingTarget)));
                    path = Path.Combine(rest.ToArray());
                    continue;
                }

                if (rest.Count == 0)
                {
                    return resolved;
                }

                string next = Path.Combine(resolved, rest[0]);
                string target = ReadLink(next);
                if (target == null)
                {
                    return Path.Combine(resolved, Path.Combine(rest.ToArray()));
                }

                rest[0] = Path.GetFullPath(Path.Combine(resolved, target));
                path = Path.Combine(rest.ToArray());
            }

            return path;
        }

        private static string ReadLink(string path)
        {
            if (s_realPathUnavailable)
            {
                return null;
            }

            var buffer = new byte[4096];
            long length = readlink(path, buffer, (IntPtr)buffer.Length).ToInt64();
            return length <= 0 ? null : Encoding.UTF8.GetString(buffer, 0, (int)length);
        }

        private static string RealPath(string path)
        {
            if (s_realPathUnavailable)
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
                s_realPathUnavailable = true;
                return null;
            }
        }

        [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false)]
        private static extern IntPtr realpath(string path, IntPtr resolvedPath);

        [DllImport("libc")]
        private static extern void free(IntPtr pointer);

        [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false)]
        private static extern IntPtr readlink(string path, byte[] buffer, IntPtr size);
    }
}
