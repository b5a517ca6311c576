using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Cmdlets
{
    /// <summary>
    /// Tab completion for -Path of the cmdlets that act on open stores: the paths open in the
    /// pool named by -Pool (when it is already a value) or in the runspace's default pool, then
    /// files and folders (see DatabaseFileCompleter), since -Path also opens databases.
    /// </summary>
    public sealed class OpenStorePathCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            MnesisPool pool = (fakeBoundParameters?["Pool"] as PSObject)?.BaseObject as MnesisPool
                ?? fakeBoundParameters?["Pool"] as MnesisPool
                ?? RunspacePools.DefaultFor(Runspace.DefaultRunspace);
            string typed = (wordToComplete ?? string.Empty).Trim('\'', '"');
            List<string> open = pool.Stores
                .Select(store => store.Path)
                .Where(path => path != null && path.IndexOf(typed, StringComparison.OrdinalIgnoreCase) >= 0)
                .OrderBy(path => path, StringComparer.Ordinal)
                .ToList();

            // Then files and folders, as for any path (a file completion's tooltip is its full path).
            return open
                .Select(path => new CompletionResult("'" + path.Replace("'", "''") + "'", path, CompletionResultType.ParameterValue, path))
                .Concat(DatabaseFileCompleter.Complete(wordToComplete).Where(file => !open.Contains(file.ToolTip, StringComparer.Ordinal)))
                .ToList();
        }
    }
}
