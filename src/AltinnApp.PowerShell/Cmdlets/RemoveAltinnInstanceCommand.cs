using System.Management.Automation;
using AltinnApp.Core.Models;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    [Cmdlet(VerbsCommon.Remove, "AltinnInstance", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(AltinnInstance))]
    public sealed class RemoveAltinnInstanceCommand : AltinnInstanceCmdlet
    {
        /// <summary>Delete for good (Altinn's hard delete) rather than marking the instance deleted.</summary>
        [Parameter]
        public SwitchParameter Hard { get; set; }

        /// <summary>Output the instance as Altinn returned it after the deletion.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override string Operation => "RemoveInstance";

        protected override void ProcessRecord()
        {
            ForItem(Operation, TargetObject, () =>
            {
                var target = ResolveTarget();
                var owner = target.Instance?.Owner;
                var description = $"instance {target.Id} of {target.App}{(owner != null ? " owned by " + owner : string.Empty)}";
                if (!ShouldProcess(description, Hard ? "Remove permanently (hard delete)" : "Remove (soft delete)")) return;

                var deleted = Run(ct => target.Session.Client.Instances.DeleteInstanceAsync(target.App, target.Id, Hard, ct));
                WriteVerbose($"Removed {description}{(Hard ? " permanently" : string.Empty)}.");
                if (PassThru) WriteObject(deleted);
            });
        }
    }
}
