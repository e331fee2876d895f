using System.Management.Automation;
using AltinnApp.Core;
using AltinnApp.Core.Api;
using AltinnApp.Core.Models;
using AltinnApp.Core.Submissions;
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
                if (PassPlanned(Action == null ? "Move the process on" : $"Move the process on with '{Action}'")) return;
                var target = ResolveTarget();
                var current = Run(ct => target.GetInstanceAsync(ct));
                var instance = Run(ct => new SubmissionSteps(target.Session, Confirmation).MoveNextAsync(current, Action, Language, ct));
                if (instance == null)
                {
                    if (WhatIfInEffect()) PassOn(current.AsPlanned()); // the next step says what it would do
                    return;
                }

                PassOn(instance);
            });
        }
    }
}
