using System;
using System.Linq;
using System.Management.Automation;
using AltinnApp.Core;
using AltinnApp.Core.Models;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    [Cmdlet(VerbsLifecycle.Invoke, "AltinnProcessNext", SupportsShouldProcess = true, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(AltinnInstance))]
    public sealed class InvokeAltinnProcessNextCommand : AltinnInstanceCmdlet
    {
        /// <summary>write, confirm, sign, reject, or an app's own action; by default the task type decides.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(ProcessActionCompleter))]
        [ValidateNotNullOrEmpty]
        public string Action { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Language { get; set; } = "nb";

        protected override void ProcessRecord()
        {
            ForItem("ProcessNext", TargetObject, () =>
            {
                var target = ResolveTarget();
                var instance = Run(async ct =>
                {
                    var current = await target.GetInstanceAsync(ct).ConfigureAwait(false);
                    if (!ShouldProcess($"instance {current.Id} (task {current.CurrentTask ?? "none"})", Action == null ? "Move the process on" : $"Move the process on with '{Action}'")) return null;
                    try
                    {
                        await target.Session.Client.ProcessNextAsync(target.App, target.Id, current.CurrentTask, Action, Language, ct).ConfigureAwait(false);
                    }
                    catch (AltinnApiException ex) when (ex.StatusCode == 409)
                    {
                        throw Explain409(ex, current);
                    }

                    return await target.GetInstanceAsync(ct, refresh: true).ConfigureAwait(false);
                });
                if (instance == null) return;
                WriteVerbose(instance.Ended ? $"Instance {instance.Id}: the process has ended." : $"Instance {instance.Id} is now at {instance.CurrentTask}.");
                WriteObject(instance);
            });
        }

        /// <summary>A 409 means one of three things; each gets its own ErrorId and advice.</summary>
        internal static AltinnApiException Explain409(AltinnApiException ex, AltinnInstance instance)
        {
            var body = ex.Body;
            var text = ((body?.Title ?? string.Empty) + " " + (body?.Detail ?? string.Empty) + " " + (body?.Text ?? string.Empty)).Trim();
            if (ex.ValidationIssues.Count > 0 || text.IndexOf("Validation failed", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                var errors = ex.ValidationIssues.Where(i => i.Severity == AltinnValidationSeverity.Error).ToList();
                foreach (var issue in ex.ValidationIssues) issue.InstanceId = instance.Id;
                var lines = string.Join(Environment.NewLine, ex.ValidationIssues.Select(i => "  - " + i));
                return new AltinnApiException("Altinn.ProcessNext.ValidationFailed", AltinnErrorKind.InvalidData,
                    $"Instance {instance.Id} cannot leave task {instance.CurrentTask}: the app's validation found {errors.Count} error(s).{Environment.NewLine}{lines}{Environment.NewLine}Correct the data (Set-AltinnData) and try again; Test-AltinnInstance shows the same list.",
                    ex.StatusCode, body)
                {
                    ValidationIssues = ex.ValidationIssues,
                };
            }

            if (text.IndexOf("ended", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return new AltinnApiException("Altinn.ProcessNext.ProcessEnded", AltinnErrorKind.InvalidOperation,
                    $"The process of instance {instance.Id} has already ended: it was submitted before. Use Save-AltinnReceipt to fetch its receipt.", ex.StatusCode, body);
            }

            return new AltinnApiException("Altinn.ProcessNext.Concurrent", AltinnErrorKind.Conflict,
                $"Instance {instance.Id} is being moved on by another caller right now (Altinn holds a lock on it){(string.IsNullOrEmpty(body?.Summary) ? string.Empty : ": " + body.Summary)}. Wait a moment, read it again with Get-AltinnInstance, and move it on only if it is still at {instance.CurrentTask}.",
                ex.StatusCode, body);
        }
    }
}
