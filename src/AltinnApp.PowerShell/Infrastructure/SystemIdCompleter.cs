using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using AltinnApp.Core.Session;

namespace AltinnApp.PowerShell.Infrastructure
{
    /// <summary>Tab completion for -SystemId: the systems the session has read or registered (no call to Altinn while typing).</summary>
    public sealed class SystemIdCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var session = (fakeBoundParameters?["Session"] as PSObject)?.BaseObject as AltinnSession ?? fakeBoundParameters?["Session"] as AltinnSession ?? SessionRegistry.Current;
            if (session == null || !session.IsVendor) return Enumerable.Empty<CompletionResult>();
            var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
            return session.Vendor.KnownSystemIds
                .Where(s => s.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .OrderBy(s => s, StringComparer.OrdinalIgnoreCase)
                .Select(s => new CompletionResult(s, s, CompletionResultType.ParameterValue, s));
        }
    }
}
