using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Mnesis.PowerShell.Cmdlets
{
    /// <summary>
    /// Tab completion of database files: files and folders as PowerShell completes them, without
    /// SQLite's own side files (-wal, -shm, -journal), which are never a database to open and
    /// would corrupt one if opened as a database of their own.
    /// </summary>
    public sealed class DatabaseFileCompleter : IArgumentCompleter
    {
        private static readonly string[] s_sideFileSuffixes = { "-wal", "-shm", "-journal" };

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters) => Complete(wordToComplete);

        /// <summary>Files and folders that start with <paramref name="wordToComplete"/>, side files left out.</summary>
        internal static IEnumerable<CompletionResult> Complete(string wordToComplete)
        {
            IEnumerable<CompletionResult> found;
            try
            {
                found = CompletionCompleters.CompleteFilename(wordToComplete ?? string.Empty) ?? Enumerable.Empty<CompletionResult>();
            }
            catch (Exception ex) when (ex is PSInvalidOperationException || ex is InvalidOperationException)
            {
                // No runspace on this thread: nothing to complete from.
                return Enumerable.Empty<CompletionResult>();
            }

            return found.Where(result => !IsSideFile(result)).ToList();
        }

        private static bool IsSideFile(CompletionResult result)
        {
            if (result.ResultType == CompletionResultType.ProviderContainer)
            {
                return false;
            }

            string name = result.ListItemText ?? string.Empty;
            return s_sideFileSuffixes.Any(suffix => name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase));
        }
    }
}
