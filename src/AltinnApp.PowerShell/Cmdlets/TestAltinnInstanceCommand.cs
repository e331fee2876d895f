using System.Linq;
using System.Management.Automation;
using AltinnApp.Core;
using AltinnApp.Core.Models;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    [Cmdlet(VerbsDiagnostic.Test, "AltinnInstance", DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(AltinnValidationIssue), typeof(bool))]
    public sealed class TestAltinnInstanceCommand : AltinnInstanceCmdlet
    {
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Language { get; set; } = "nb";

        /// <summary>$true when the app's validation finds no errors, $false otherwise; no issue objects.</summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        protected override string Operation => "TestInstance";

        protected override void ProcessRecord()
        {
            ForItem(Operation, TargetObject, () =>
            {
                var target = ResolveTarget();
                var issues = Run(async ct =>
                {
                    try
                    {
                        return await target.Session.Client.Process.ValidateAsync(target.App, target.Id, Language, ct).ConfigureAwait(false);
                    }
                    catch (AltinnApiException ex) when (ex.StatusCode == 409)
                    {
                        throw new AltinnApiException(ErrorCatalogue.Id(Operation, ErrorReason.NoCurrentTask), AltinnErrorKind.InvalidOperation,
                            $"Instance {target.Id} is not at a task (its process has ended, or has not started), so there is nothing to validate{(string.IsNullOrEmpty(ex.Body?.Summary) ? string.Empty : " (Altinn: " + ex.Body.Summary + ")")}.",
                            ex.StatusCode, ex.Body);
                    }
                });

                var errors = issues.Count(i => i.Severity == AltinnValidationSeverity.Error);
                WriteVerbose($"Instance {target.Id}: {issues.Count} validation issue(s), {errors} of them error(s).");
                if (Quiet)
                {
                    WriteObject(errors == 0);
                    return;
                }

                foreach (var issue in issues) WriteObject(issue);
            });
        }
    }
}
