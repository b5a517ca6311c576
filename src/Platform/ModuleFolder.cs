using System.IO;

namespace Mnesis.PowerShell.Platform
{
    /// <summary>
    /// The module's folder: the manifest, the IL assemblies and runtimes/. On PowerShell 7 the
    /// loader may load this assembly from its ReadyToRun copy in r2r/&lt;framework&gt;/&lt;rid&gt;/ under it.
    /// </summary>
    internal static class ModuleFolder
    {
        internal static readonly string FullPath = Of(typeof(ModuleFolder).Assembly.Location);

        private static string Of(string assemblyPath)
        {
            // r2r/<framework>/<rid>/ of a module folder, which holds the IL copy of the same file.
            var folder = new DirectoryInfo(Path.GetDirectoryName(assemblyPath));
            DirectoryInfo compiled = folder.Parent?.Parent;
            bool isCompiledCopy = compiled != null && compiled.Name == "r2r" && compiled.Parent != null
                && File.Exists(Path.Combine(compiled.Parent.FullName, Path.GetFileName(assemblyPath)));
            return isCompiledCopy ? compiled.Parent.FullName : folder.FullName;
        }
    }
}
