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
