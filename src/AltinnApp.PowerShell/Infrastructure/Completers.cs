using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using AltinnApp.Core.Session;

namespace AltinnApp.PowerShell.Infrastructure
{
    /// <summary>Tab completion for -App: the session's default app and every app read in this session.</summary>
    public sealed class AppCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var session = (fakeBoundParameters?["Session"] as PSObject)?.BaseObject as AltinnSession ?? fakeBoundParameters?["Session"] as AltinnSession ?? SessionRegistry.Current;
            if (session == null) return Enumerable.Empty<CompletionResult>();
            var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
            var apps = new List<string>();
            if (session.DefaultApp != null) apps.Add(session.DefaultApp);
            apps.AddRange(session.CachedApplications);
            return apps.Distinct(StringComparer.OrdinalIgnoreCase)
                .Where(a => a.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .OrderBy(a => a, StringComparer.OrdinalIgnoreCase)
                .Select(a => new CompletionResult(a, a, CompletionResultType.ParameterValue, a));
        }
    }
}

namespace AltinnApp.PowerShell.Infrastructure
{
    /// <summary>Tab completion for -Action: the process actions Altinn knows (an app may define more).</summary>
    public sealed class ProcessActionCompleter : IArgumentCompleter
    {
        private static readonly string[] Actions = { "write", "confirm", "sign", "reject" };

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
            return Actions.Where(a => a.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(a => new CompletionResult(a, a, CompletionResultType.ParameterValue, a));
        }
    }
}

namespace AltinnApp.PowerShell.Infrastructure
{
    /// <summary>Tab completion for Get-AltinnJournal -Key: the keys the journal of -Path holds.</summary>
    public sealed class JournalKeyCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            try
            {
                var given = (fakeBoundParameters?["Path"] as PSObject)?.BaseObject as string ?? fakeBoundParameters?["Path"] as string;
                if (string.IsNullOrEmpty(given)) return Enumerable.Empty<CompletionResult>();
                var path = JournalPathCompleter.FullPath(given);
                if (path == null || !System.IO.File.Exists(path)) return Enumerable.Empty<CompletionResult>();
                var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
                return AltinnApp.Core.Journal.SubmissionJournal.Open(path).Entries()
                    .Where(e => e.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                    .Select(e => new CompletionResult(Quote(e.Key), e.Key, CompletionResultType.ParameterValue, $"{e.Key} ({e.State})"));
            }
            catch (Exception)
            {
                return Enumerable.Empty<CompletionResult>(); // completion must never throw at the prompt
            }
        }

        private static string Quote(string key) =>
            key.IndexOfAny(new[] { ' ', '\t', '\'', '"', '$', '`', ',', ';', '(', ')', '{', '}', '@', '#', '&', '|', '<', '>' }) >= 0
                ? "'" + key.Replace("'", "''") + "'"
                : key;
    }

    /// <summary>
    /// Tab completion for a journal's -Path: files and folders as PowerShell offers them, without the lock file a
    /// journal keeps beside it (it is not a journal).
    /// </summary>
    public sealed class JournalPathCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            try
            {
                return CompletionCompleters.CompleteFilename(wordToComplete ?? string.Empty)
                    .Where(r => !AltinnApp.Core.Journal.SubmissionJournal.IsLockFile(r.ListItemText))
                    .ToList();
            }
            catch (Exception)
            {
                return Enumerable.Empty<CompletionResult>();
            }
        }

        /// <summary>A path as typed at the prompt, resolved against the current PowerShell location; null when it cannot be.</summary>
        internal static string FullPath(string path)
        {
            var resolved = ScriptBlock.Create("param($p) $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($p)").Invoke(path);
            return resolved.Count == 1 ? resolved[0]?.BaseObject as string : null;
        }
    }
}
