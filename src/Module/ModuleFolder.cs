using System.IO;

namespace Mnesis.PowerShell.Module
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
            var folder = new DirectoryInfo(Path.GetDirectoryName(assemblyPath));
            DirectoryInfo compiled = folder.Parent?.Parent;
            return compiled != null && compiled.Name == "r2r" && compiled.Parent != null ? compiled.Parent.FullName : folder.FullName;
        }
    }
}
