using System;
using System.Reflection;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Engines.Sqlite;

namespace Mnesis.PowerShell.Engines
{
    /// <summary>
    /// The engines reached through -ConnectionString. Each lives in an assembly of its own, loaded
    /// on first use, so importing Mnesis and using SQLite pays nothing for them.
    /// </summary>
    internal static class ServerEngines
    {
        private const string PostgreSqlAssembly = "Mnesis.PowerShell.PostgreSql";
        private const string PostgreSqlType = "Mnesis.PowerShell.Engines.PostgreSql.PostgreSqlEngine";

        private static readonly Lazy<ServerEngine> PostgreSqlEngine = new Lazy<ServerEngine>(LoadPostgreSql);

        /// <summary>The PostgreSQL engine; an error on Windows PowerShell 5.1, where Npgsql cannot run.</summary>
        internal static ServerEngine PostgreSql
        {
            get
            {
                if (PlatformRuntime.IsNetFramework)
                {
                    throw new MnesisException(Messages.EngineUnsupported, "ConnectionString", "PostgreSQL", Environment.Version);
                }

                return PostgreSqlEngine.Value;
            }
        }

        private static ServerEngine LoadPostgreSql()
        {
            try
            {
                Type type = Assembly.Load(new AssemblyName(PostgreSqlAssembly)).GetType(PostgreSqlType, throwOnError: true);
                return (ServerEngine)type.GetField("Instance", BindingFlags.NonPublic | BindingFlags.Static).GetValue(null);
            }
            catch (Exception ex) when (ex is System.IO.IOException || ex is BadImageFormatException || ex is TypeLoadException)
            {
                throw new MnesisException(Messages.EngineLoadFailed, "ConnectionString", ex, "PostgreSQL", PostgreSqlAssembly, ex.Message);
            }
        }
    }
}
