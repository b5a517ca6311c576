using System;
using System.ComponentModel;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Platform;
using SQLitePCL;

namespace Mnesis.PowerShell.Engines.Sqlite
{
    /// <summary>
    /// Makes SQLitePCLRaw use the e_sqlite3 library shipped in the module's own runtimes/ folder.
    /// PowerShell does not probe runtimes/&lt;rid&gt;/native, so without this the first
    /// SqliteConnection fails with "type initializer ... threw an exception".
    /// </summary>
    internal static class NativeLibraryLoader
    {
        private static readonly object s_sync = new object();
        private static string s_loadedPath;
        private static IntPtr s_handle;

        /// <summary>The full path of the native library in use, once loaded.</summary>
        internal static string LoadedPath => Volatile.Read(ref s_loadedPath);

        /// <summary>
        /// Set when another module's e_sqlite3 answers Mnesis's calls (Windows PowerShell 5.1, where
        /// a library loaded first under the same name wins); null when Mnesis uses its own.
        /// </summary>
        internal static string ForeignLibraryWarning { get; private set; }

        internal static void EnsureLoaded()
        {
            // Set last, after the provider (often by the import's warm-up thread): seeing it set means
            // everything it stands for is visible to this thread too.
            if (Volatile.Read(ref s_loadedPath) != null)
            {
                return;
            }

            lock (s_sync)
            {
                if (s_loadedPath != null)
                {
                    return;
                }

                string moduleDirectory = ModuleFolder.FullPath;
                string rid = PlatformRuntime.Identifier;
                string libraryPath = Path.Combine(moduleDirectory, "runtimes", rid, "native", PlatformRuntime.NativeFileName);
                if (!File.Exists(libraryPath))
                {
                    throw new MnesisException(Messages.NativeLibraryMissing, rid, rid, libraryPath,
                        string.Join(", ", PlatformRuntime.Shipped));
                }

                try
                {
                    s_handle = PlatformRuntime.IsNetFramework
                        ? PreloadOnWindows(libraryPath)
                        : RegisterResolver(libraryPath);
                }
                catch (Exception ex) when (!(ex is MnesisException))
                {
                    throw new MnesisException(Messages.NativeLibraryLoadFailed, libraryPath, ex, libraryPath, ex.Message);
                }

                raw.SetProvider(new SQLite3Provider_e_sqlite3());
                if (PlatformRuntime.IsNetFramework)
                {
                    ForeignLibraryWarning = DescribeForeignLibrary(libraryPath);
                }

                Volatile.Write(ref s_loadedPath, libraryPath);
            }
        }

        // .NET (PowerShell 7): answer the provider assembly's DllImport("e_sqlite3") with our file.
        // NativeLibrary is not in netstandard2.0, hence reflection.
        private static IntPtr RegisterResolver(string libraryPath)
        {
            Type nativeLibrary = Type.GetType("System.Runtime.InteropServices.NativeLibrary", throwOnError: true);
            MethodInfo load = nativeLibrary.GetMethod("Load", new[] { typeof(string) });
            IntPtr handle = (IntPtr)load.Invoke(null, new object[] { libraryPath });

            Type resolverType = Type.GetType("System.Runtime.InteropServices.DllImportResolver", throwOnError: true);
            var resolver = new ProviderResolver(handle);
            Delegate callback = Delegate.CreateDelegate(resolverType, resolver,
                typeof(ProviderResolver).GetMethod(nameof(ProviderResolver.Resolve)));
            MethodInfo setResolver = nativeLibrary.GetMethod("SetDllImportResolver");
            try
            {
                setResolver.Invoke(null, new object[] { typeof(SQLite3Provider_e_sqlite3).Assembly, callback });
            }
            catch (TargetInvocationException ex) when (ex.InnerException is InvalidOperationException)
            {
                // Another copy of Mnesis in this process registered first; its resolver serves us too.
            }

            return handle;
        }

        // Windows PowerShell 5.1: a module loaded by full path satisfies later loads by base name.
        private static IntPtr PreloadOnWindows(string libraryPath)
        {
            IntPtr handle = LoadLibraryW(libraryPath);
            if (handle == IntPtr.Zero)
            {
                throw new Win32Exception(Marshal.GetLastWin32Error());
            }

            return handle;
        }

        // The module that answers DllImport("e_sqlite3") is the first one loaded under that name.
        private static string DescribeForeignLibrary(string libraryPath)
        {
            IntPtr answering = GetModuleHandleW(PlatformRuntime.NativeFileName);
            if (answering == IntPtr.Zero || answering == s_handle)
            {
                return null;
            }

            var file = new System.Text.StringBuilder(1024);
            string answeringPath = GetModuleFileNameW(answering, file, file.Capacity) > 0 ? file.ToString() : PlatformRuntime.NativeFileName;
            return string.Format(System.Globalization.CultureInfo.CurrentCulture, Messages.ForeignNativeLibrary,
                answeringPath, raw.sqlite3_libversion().utf8_to_string(), libraryPath);
        }

        [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern IntPtr LoadLibraryW(string fileName);

        [DllImport("kernel32", CharSet = CharSet.Unicode)]
        private static extern IntPtr GetModuleHandleW(string moduleName);

        [DllImport("kernel32", CharSet = CharSet.Unicode)]
        private static extern int GetModuleFileNameW(IntPtr module, System.Text.StringBuilder fileName, int size);

        private sealed class ProviderResolver
        {
            private readonly IntPtr _handle;

            internal ProviderResolver(IntPtr handle)
            {
                _handle = handle;
            }

            public IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
                libraryName == "e_sqlite3" ? _handle : IntPtr.Zero;
        }
    }
}
