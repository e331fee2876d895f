using System.Management.Automation;
using AltinnApp.Core;
using AltinnApp.Core.Api;
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

        protected override string Operation => "ProcessNext";

        protected override void ProcessRecord()
        {
            ForJournaledItem(() =>
            {
                var target = ResolveTarget();
                var current = Run(ct => target.GetInstanceAsync(ct));
                if (current.Journal != null && current.Ended)
                {
                    // a rerun: this key was submitted before; moving on again would be refused (409) and is not needed
                    if (current.Journal.Entry?.Reached < Core.Journal.JournalState.Submitted) current.Journal.Record(Core.Journal.JournalState.Submitted, current.Id);
                    WriteVerbose($"Key '{current.JournalKey}': instance {current.Id} is already submitted.");
                    PassOn(current);
                    return;
                }

                var move = Action == null ? "Move the process on" : $"Move the process on with '{Action}'";
                if (!ShouldProcess($"instance {current.Id} (task {current.CurrentTask ?? "none"})", move)) return;

                var instance = Run(async ct =>
                {
                    try
                    {
                        await target.Session.Client.ProcessNextAsync(target.App, target.Id, current.CurrentTask, Action, Language, ct).ConfigureAwait(false);
                    }
                    catch (AltinnApiException ex) when (ex.StatusCode == 409 || ex.StatusCode == 403 || ex.StatusCode == 500)
                    {
                        throw ServerErrors.ExplainProcessNext(ex, current, Action);
                    }

                    return await target.GetInstanceAsync(ct, refresh: true).ConfigureAwait(false);
                });
                if (instance.Ended) instance.Journal?.Record(Core.Journal.JournalState.Submitted, instance.Id);
                WriteVerbose(instance.Ended ? $"Instance {instance.Id}: the process has ended." : $"Instance {instance.Id} is now at {instance.CurrentTask}.");
                PassOn(instance);
            });
        }
    }
}
