using System.Management.Automation;
using AltinnApp.Core;
using AltinnApp.Core.Models;
using AltinnApp.Core.Validation;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    [Cmdlet(VerbsCommon.Get, "AltinnInstance", DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(AltinnInstance), typeof(AltinnActiveInstance))]
    public sealed class GetAltinnInstanceCommand : AltinnInstanceCmdlet
    {
        private const string ActiveSet = "Active";

        [Parameter(Mandatory = true, ParameterSetName = ActiveSet)]
        public SwitchParameter Active { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ActiveSet)]
        [ValidateRange(1, int.MaxValue)]
        public int PartyId { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = ActiveSet)]
        [ArgumentCompleter(typeof(AppCompleter))]
        [Alias("ActiveApp")]
        public string ForApp { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ActiveSet)
            {
                ForItem("GetActiveInstances", PartyId, () =>
                {
                    var session = ResolveSession(Session);
                    var appId = ForApp ?? session.DefaultApp ?? throw new AltinnArgumentException("Altinn.MissingApp",
                        "No app given. Pass -ForApp org/app, or set a default with Connect-Altinn -App.");
                    var app = AppIdentifier.Parse(appId, nameof(ForApp));
                    var list = Run(ct => session.Client.GetActiveInstancesAsync(app, PartyId, ct));
                    foreach (var item in list) WriteObject(item);
                });
                return;
            }

            ForItem("GetInstance", TargetObject, () =>
            {
                var target = ResolveTarget();
                WriteObject(Run(ct => target.GetInstanceAsync(ct, refresh: true)));
            });
        }
    }
}
