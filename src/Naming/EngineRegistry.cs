using System;
using Mnesis.PowerShell.Engines;
using Mnesis.PowerShell.Engines.Sqlite;

namespace Mnesis.PowerShell.Naming
{
    /// <summary>
    /// The engines of the module, in one place: a path goes to the first engine that takes paths, a
    /// connection string to the engine of its URI scheme, else to the first that takes keywords.
    /// </summary>
    internal static class EngineRegistry
    {
        private static readonly EngineRegistration[] s_engines =
        {
            EngineRegistration.BuiltIn(SqliteEngine.Instance, takesPaths: true, takesKeywords: false),
            EngineRegistration.Deferred("PostgreSQL", "Mnesis.PowerShell.PostgreSql", "Mnesis.PowerShell.Engines.PostgreSql.PostgreSqlEngine",
                takesPaths: false, takesKeywords: true, "postgres", "postgresql"),
        };

        /// <summary>The engine that understands <paramref name="name"/>, loaded if it was not yet.</summary>
        internal static StoreEngine For(StoreName name)
        {
            EngineRegistration chosen = (name.IsPath ? First(r => r.TakesPaths) : ForConnectionString(name.Text))
                ?? throw new InvalidOperationException("No engine is registered for -" + name.ParameterName + ".");
            return chosen.Get(name.ParameterName);
        }

        /// <summary>Readies the built-in engines while the module imports; deferred ones stay unloaded until used.</summary>
        internal static void WarmUp()
        {
            foreach (EngineRegistration registration in s_engines)
            {
                if (!registration.IsDeferred)
                {
                    registration.Get(string.Empty).WarmUp();
                }
            }
        }

        private static EngineRegistration ForConnectionString(string text)
        {
            int schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
            if (schemeEnd > 0)
            {
                string scheme = text.Substring(0, schemeEnd).Trim();
                EngineRegistration byScheme = First(r => r.TakesUriScheme(scheme));
                if (byScheme != null)
                {
                    return byScheme;
                }
            }

            return First(r => r.TakesKeywordConnectionStrings);
        }

        private static EngineRegistration First(Func<EngineRegistration, bool> match)
        {
            foreach (EngineRegistration registration in s_engines)
            {
                if (match(registration))
                {
                    return registration;
                }
            }

            return null;
        }
    }
}
