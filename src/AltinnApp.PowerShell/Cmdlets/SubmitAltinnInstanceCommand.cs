using System.Management.Automation;
using AltinnApp.Core.Models;
using AltinnApp.Core.Submissions;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    /// <summary>
    /// Submits an instance: moves its process on through every task until it has ended, each task with the action its
    /// type needs (none for a data task, confirm, sign). What Invoke-AltinnProcessNext does one task at a time, for the
    /// common case where the later tasks need nothing but their action.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Submit, "AltinnInstance", SupportsShouldProcess = true, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(AltinnInstance))]
    public sealed class SubmitAltinnInstanceCommand : AltinnInstanceCmdlet
    {
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Language { get; set; } = "nb";

        /// <summary>How many tasks a process may pass before the command gives up (a process that loops back never ends).</summary>
        [Parameter]
        [ValidateRange(1, 100)]
        public int MaximumTasks { get; set; } = 10;

        protected override string Operation => "Submit";

        protected override void ProcessRecord()
        {
            ForJournaledItem(() =>
            {
                if (PassPlanned("Submit: finish every task until the process has ended")) return;
                var target = ResolveTarget();
                // the instance as it is now: the tasks left to finish are read from Altinn, not from an older pipeline object
                // (a journaled one is read again by the engine once it holds the key, so not here as well)
                var current = Run(ct => target.GetInstanceAsync(ct, refresh: !(Instance?.Ended ?? false) && Instance?.Journal == null));
                var submitted = Run(ct => new SubmissionSteps(target.Session, Confirmation).SubmitAsync(current, Language, MaximumTasks, ct));
                if (submitted == null)
                {
                    if (WhatIfInEffect()) PassOn(current.AsPlanned()); // the next step says what it would do
                    return;
                }

                PassOn(submitted);
            });
        }
    }
}
