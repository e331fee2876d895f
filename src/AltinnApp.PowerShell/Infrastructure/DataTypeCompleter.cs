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
    /// <summary>
    /// Tab completion for -DataType from the app's metadata (cached per session, so completion makes at most one
    /// request). Set-AltinnData is offered form data types only, Add-AltinnAttachment file types only.
    /// </summary>
    public sealed class DataTypeCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            try
            {
                var instance = Unwrap(fakeBoundParameters?["Instance"]) as AltinnInstance;
                var session = Unwrap(fakeBoundParameters?["Session"]) as AltinnSession ?? instance?.Session ?? SessionRegistry.Current;
                if (session == null) return Enumerable.Empty<CompletionResult>();
                var appIds = AppsFor(instance, fakeBoundParameters, commandAst, session);
                var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
                var wanted = Wanted(commandName);
                var results = new List<CompletionResult>();
                foreach (var appId in appIds)
                {
                    // a prompt has no token to give: the read goes on after completion stops waiting, so the next Tab finds it cached
                    var task = session.Client.Applications.GetApplicationAsync(AppIdentifier.Parse(appId), System.Threading.CancellationToken.None);
                    if (!task.Wait(TimeSpan.FromSeconds(5))) continue;
                    foreach (var d in task.Result.DataTypes)
                    {
                        if (d.Id == "ref-data-as-pdf" || !wanted(d) || !d.Id.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) continue;
                        if (results.Any(r => string.Equals(r.CompletionText, d.Id, StringComparison.OrdinalIgnoreCase))) continue;
                        results.Add(new CompletionResult(d.Id, d.Id, CompletionResultType.ParameterValue,
                            d.IsFormData ? $"{d.Id} (form data)" : $"{d.Id} (files: {string.Join(", ", d.AllowedContentTypes ?? new List<string>())})"));
                    }
                }

                return results;
            }
            catch (Exception)
            {
                return Enumerable.Empty<CompletionResult>(); // completion must never throw at the prompt
            }
        }

        /// <summary>Set-AltinnData writes form data and Add-AltinnAttachment adds files: each is offered only what it can take.</summary>
        private static Func<AltinnDataType, bool> Wanted(string commandName)
        {
            if (string.Equals(commandName, "Set-AltinnData", StringComparison.OrdinalIgnoreCase)) return d => d.IsFormData;
            if (string.Equals(commandName, "Add-AltinnAttachment", StringComparison.OrdinalIgnoreCase)) return d => !d.IsFormData;
            return d => true;
        }

        /// <summary>
        /// The app of the line: the instance's, -App's, an -App earlier in the pipeline (<c>New-AltinnInstance -App x | …</c>);
        /// when the instance comes down the pipeline from elsewhere, every app the session has read (no request) and its default app.
        /// </summary>
        private static IEnumerable<string> AppsFor(AltinnInstance instance, IDictionary fakeBoundParameters, CommandAst commandAst, AltinnSession session)
        {
            var appId = instance?.AppId ?? Unwrap(fakeBoundParameters?["App"]) as string ?? AppEarlierInPipeline(commandAst);
            if (appId != null) return new[] { appId };
            var apps = new List<string>();
            if (session.DefaultApp != null) apps.Add(session.DefaultApp);
            apps.AddRange(session.CachedApplications.OrderBy(a => a, StringComparer.OrdinalIgnoreCase));
            return apps.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        }

        private static string AppEarlierInPipeline(CommandAst commandAst)
        {
            if (!(commandAst?.Parent is PipelineAst pipeline)) return null;
            string found = null;
            foreach (var element in pipeline.PipelineElements)
            {
                if (ReferenceEquals(element, commandAst)) break;
                if (!(element is CommandAst earlier)) continue;
                for (var i = 0; i < earlier.CommandElements.Count - 1; i++)
                {
                    if (earlier.CommandElements[i] is CommandParameterAst p && string.Equals(p.ParameterName, "App", StringComparison.OrdinalIgnoreCase)
                        && earlier.CommandElements[i + 1] is StringConstantExpressionAst value)
                    {
                        found = value.Value; // the nearest one wins
                    }
                }
            }

            return found;
        }

        private static object Unwrap(object value) => value is PSObject pso ? pso.BaseObject : value;
    }
}
