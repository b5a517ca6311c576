using System;
using System.Linq;
using System.Reflection;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Engines;
using Mnesis.PowerShell.Platform;

namespace Mnesis.PowerShell.Naming
{
    /// <summary>
    /// One engine as the registry knows it: which names it takes, and how to get it. An engine in
    /// an assembly of its own is loaded at its first use, so importing Mnesis pays nothing for it.
    /// </summary>
    internal sealed class EngineRegistration
    {
        private readonly Lazy<StoreEngine> _engine;
        private readonly string[] _uriSchemes;
        private readonly string _assemblyName;

        private EngineRegistration(string name, bool takesPaths, bool takesKeywords, string[] uriSchemes, Func<StoreEngine> load, string assemblyName)
        {
            _assemblyName = assemblyName;
            Name = name;
            TakesPaths = takesPaths;
            TakesKeywordConnectionStrings = takesKeywords;
            _uriSchemes = uriSchemes;
            _engine = new Lazy<StoreEngine>(load);
        }

        internal string Name { get; }

        /// <summary>Takes -Path and -LiteralPath.</summary>
        internal bool TakesPaths { get; }

        /// <summary>Takes a -ConnectionString of keywords (no URI scheme).</summary>
        internal bool TakesKeywordConnectionStrings { get; }

        /// <summary>True for an engine in an assembly of its own, loaded at its first use.</summary>
        internal bool IsDeferred => _assemblyName != null;

        /// <summary>The engine; loads its assembly on first use. Errors name <paramref name="parameterName"/>.</summary>
        internal StoreEngine Get(string parameterName)
        {
            // A deferred engine is built for .NET: Windows PowerShell 5.1 cannot load it.
            if (IsDeferred && PlatformRuntime.IsNetFramework)
            {
                throw new MnesisException(Messages.EngineUnsupported, parameterName, Name, Environment.Version);
            }

            try
            {
                return _engine.Value;
            }
            catch (Exception ex) when (ex is System.IO.IOException || ex is BadImageFormatException || ex is TypeLoadException)
            {
                // The failure is kept: every later use reports it again, naming its own parameter.
                throw new MnesisException(Messages.EngineLoadFailed, parameterName, ex, Name, _assemblyName, ex.Message);
            }
        }

        internal bool TakesUriScheme(string scheme) => _uriSchemes.Contains(scheme, StringComparer.OrdinalIgnoreCase);

        /// <summary>An engine compiled into the module.</summary>
        internal static EngineRegistration BuiltIn(StoreEngine engine, bool takesPaths, bool takesKeywords, params string[] uriSchemes) =>
            new EngineRegistration(engine.Name, takesPaths, takesKeywords, uriSchemes, () => engine, assemblyName: null);

        /// <summary>
        /// An engine in an assembly of its own beside the module's (built for .NET, not .NET Framework),
        /// found by the static 'Instance' field of <paramref name="typeName"/>.
        /// </summary>
        internal static EngineRegistration Deferred(string name, string assemblyName, string typeName, bool takesPaths, bool takesKeywords,
            params string[] uriSchemes) =>
            new EngineRegistration(name, takesPaths, takesKeywords, uriSchemes, () => Load(assemblyName, typeName), assemblyName);

        private static StoreEngine Load(string assemblyName, string typeName)
        {
            Type type = Assembly.Load(new AssemblyName(assemblyName)).GetType(typeName, throwOnError: true);
            return (StoreEngine)type.GetField("Instance", BindingFlags.NonPublic | BindingFlags.Static).GetValue(null);
        }
    }
}
