using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;
using AltinnApp.Core.Validation;

namespace AltinnApp.PowerShell.Infrastructure
{
    /// <summary>Tab completion for -DataType from the app's metadata (cached per session, so completion makes at most one request).</summary>
    public sealed class DataTypeCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            try
            {
                var instance = Unwrap(fakeBoundParameters?["Instance"]) as AltinnInstance;
                var session = Unwrap(fakeBoundParameters?["Session"]) as AltinnSession ?? instance?.Session ?? SessionRegistry.Current;
                var appId = instance?.AppId ?? Unwrap(fakeBoundParameters?["App"]) as string ?? session?.DefaultApp;
                if (session == null || appId == null) return Enumerable.Empty<CompletionResult>();
                var app = AppIdentifier.Parse(appId);
                // a prompt has no token to give: the read goes on after completion stops waiting, so the next Tab finds it cached
                var task = session.Client.Applications.GetApplicationAsync(app, System.Threading.CancellationToken.None);
                if (!task.Wait(TimeSpan.FromSeconds(5))) return Enumerable.Empty<CompletionResult>();
                var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
                return task.Result.DataTypes
                    .Where(d => d.Id != "ref-data-as-pdf" && d.Id.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                    .Select(d => new CompletionResult(d.Id, d.Id, CompletionResultType.ParameterValue, d.IsFormData ? $"{d.Id} (form data)" : $"{d.Id} (files: {string.Join(", ", d.AllowedContentTypes ?? new List<string>())})"));
            }
            catch (Exception)
            {
                return Enumerable.Empty<CompletionResult>(); // completion must never throw at the prompt
            }
        }

        private static object Unwrap(object value) => value is PSObject pso ? pso.BaseObject : value;
    }
}
