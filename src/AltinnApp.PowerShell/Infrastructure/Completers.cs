using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using AltinnApp.Core.Session;

namespace AltinnApp.PowerShell.Infrastructure
{
    /// <summary>
    /// Tab completion for -App: the session's default app, every app read in this session, the apps the journals this
    /// process has opened name, and the apps Altinn lists for the owners those name or the typed text starts with
    /// (<c>storage/api/v1/applications/{org}</c>). The list is asked once a session per owner and waited for briefly:
    /// a slow answer completes later, and the Tab after it offers what came.
    /// </summary>
    public sealed class AppCompleter : IArgumentCompleter
    {
        private static readonly TimeSpan ListWait = TimeSpan.FromSeconds(1.5);
        private static readonly TimeSpan ListTimeout = TimeSpan.FromSeconds(5);

        // owner -> the listing of its apps, per session (a failure is kept as an empty list: Tab must not ask again and wait again)
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<AltinnSession, System.Collections.Concurrent.ConcurrentDictionary<string, System.Threading.Tasks.Task<IReadOnlyList<string>>>> Listings =
            new System.Runtime.CompilerServices.ConditionalWeakTable<AltinnSession, System.Collections.Concurrent.ConcurrentDictionary<string, System.Threading.Tasks.Task<IReadOnlyList<string>>>>();

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var session = (fakeBoundParameters?["Session"] as PSObject)?.BaseObject as AltinnSession ?? fakeBoundParameters?["Session"] as AltinnSession ?? SessionRegistry.Current;
            var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
            var apps = new List<string>();
            if (session?.DefaultApp != null) apps.Add(session.DefaultApp);
            if (session != null) apps.AddRange(session.CachedApplications);
            if (session != null && !session.IsDisconnected)
            {
                apps.AddRange(JournalApps());
                var owners = apps.Select(OwnerOf).Where(o => o != null).ToList();
                var typed = prefix.IndexOf('/') > 0 ? prefix.Substring(0, prefix.IndexOf('/')) : null;
                if (typed != null) owners.Add(typed);
                foreach (var owner in owners.Distinct(StringComparer.OrdinalIgnoreCase)) apps.AddRange(Listed(session, owner));
            }

            return apps.Where(a => !string.IsNullOrEmpty(a)).Distinct(StringComparer.OrdinalIgnoreCase)
                .Where(a => a.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .OrderBy(a => a, StringComparer.OrdinalIgnoreCase)
                .Select(a => new CompletionResult(a, a, CompletionResultType.ParameterValue, a));
        }

        private static string OwnerOf(string app)
        {
            var slash = app?.IndexOf('/') ?? -1;
            return slash > 0 ? app.Substring(0, slash) : null;
        }

        private static IEnumerable<string> JournalApps()
        {
            var apps = new List<string>();
            foreach (var journal in Core.Journal.SubmissionJournal.OpenJournals)
            {
                try
                {
                    apps.AddRange(journal.Entries().Select(e => e.App));
                }
                catch (Exception ex) when (ex is System.IO.IOException || ex is UnauthorizedAccessException || ex is Core.AltinnException)
                {
                    // a journal that cannot be read now offers nothing; completion goes on without it
                }
            }

            return apps;
        }

        private static IReadOnlyList<string> Listed(AltinnSession session, string owner)
        {
            var listings = Listings.GetOrCreateValue(session);
            var listing = listings.GetOrAdd(owner.ToLowerInvariant(), key => ListAsync(session, key));
            return listing.Wait(ListWait) ? listing.Result : new string[0];
        }

        private static async System.Threading.Tasks.Task<IReadOnlyList<string>> ListAsync(AltinnSession session, string owner)
        {
            using (var timeout = new System.Threading.CancellationTokenSource(ListTimeout))
            {
                try
                {
                    return await session.Client.Applications.ListApplicationIdsAsync(owner, timeout.Token).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    return new string[0]; // completion offers what else it knows; the cmdlet itself reports a real failure
                }
            }
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
