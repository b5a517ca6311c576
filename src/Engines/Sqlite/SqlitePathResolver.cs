using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using Mnesis.PowerShell.Diagnostics;

namespace Mnesis.PowerShell.Engines.Sqlite
{
    /// <summary>
    /// Turns what a user typed into database paths the PowerShell way: relative to the current
    /// location, '~' and PSDrives expanded, wildcards only for -Path. Never touches the disk
    /// beyond asking whether things exist.
    /// </summary>
    internal static class SqlitePathResolver
    {
        /// <param name="onItemError">
        /// Gets the error of one match of a wildcard (a folder among files) so the other matches
        /// still resolve; without it the first such error is thrown.
        /// </param>
        internal static List<SqliteTarget> Resolve(SessionState sessionState, string input, bool literal, string parameterName,
            Action<MnesisException> onItemError = null)
        {
            if (string.IsNullOrWhiteSpace(input))
            {
                throw new MnesisException(Messages.PathEmpty, parameterName, parameterName);
            }

            var result = new List<SqliteTarget>();
            foreach (string providerPath in ToProviderPaths(sessionState.Path, input, literal))
            {
                try
                {
                    result.Add(ToTarget(input, providerPath));
                }
                catch (MnesisException ex) when (onItemError != null)
                {
                    onItemError(ex);
                }
            }

            return result;
        }

        private static IEnumerable<string> ToProviderPaths(PathIntrinsics paths, string input, bool literal)
        {
            ProviderInfo provider;
            try
            {
                if (!literal && WildcardPattern.ContainsWildcardCharacters(input))
                {
                    IList<string> matches = paths.GetResolvedProviderPathFromPSPath(input, out provider);
                    EnsureFileSystem(input, provider);
                    if (matches.Count == 0)
                    {
                        throw new MnesisException(Messages.PathNotFound, input, input);
                    }

                    return matches;
                }

                string single = paths.GetUnresolvedProviderPathFromPSPath(input, out provider, out _);
                EnsureFileSystem(input, provider);
                return new[] { single };
            }
            catch (ItemNotFoundException)
            {
                throw new MnesisException(Messages.PathNotFound, input, input);
            }
            catch (Exception ex) when (ex is System.Management.Automation.DriveNotFoundException || ex is ProviderNotFoundException
                || ex is ProviderInvocationException || ex is NotSupportedException || ex is ArgumentException
                || ex is PSInvalidOperationException)
            {
                throw new MnesisException(Messages.PathInvalid, input, ex, input, ex.Message);
            }
        }

        private static void EnsureFileSystem(string input, ProviderInfo provider)
        {
            if (!string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
            {
                throw new MnesisException(Messages.PathNotFileSystem, input, input, provider.Name);
            }
        }

        private static SqliteTarget ToTarget(string input, string providerPath)
        {
            // PowerShell hands back what it cannot place (\\server\share on Linux) unchanged; GetFullPath
            // would then resolve it against the process's working folder, which the user never chose.
            if (!Path.IsPathRooted(providerPath))
            {
                throw new MnesisException(Messages.PathInvalid, input, input, Messages.PathNotLocal);
            }

            string fullPath;
            try
            {
                fullPath = Path.GetFullPath(providerPath);
            }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is PathTooLongException)
            {
                throw new MnesisException(Messages.PathInvalid, input, ex, input, ex.Message);
            }

            if (Directory.Exists(fullPath))
            {
                throw new MnesisException(Messages.PathIsDirectory, input, fullPath);
            }

            return PathCanonicalizer.Canonicalize(fullPath);
        }
    }
}
