using System.Management.Automation;
using AltinnApp.Core;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;
using AltinnApp.Core.Validation;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    [Cmdlet(VerbsCommon.Get, "AltinnInstance", DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(AltinnInstance), ParameterSetName = new[] { ObjectSet, IdSet })]
    [OutputType(typeof(AltinnActiveInstance), ParameterSetName = new[] { ActiveSet })]
    public sealed class GetAltinnInstanceCommand : AltinnInstanceCmdlet
    {
        private const string ActiveSet = "Active";

        [Parameter(Mandatory = true, ParameterSetName = ActiveSet)]
        public SwitchParameter Active { get; set; }

        // not from the pipeline: a mandatory by-property-name parameter in this set stops PowerShell from binding CSV rows
        // (InstanceId, App) to the -InstanceId set
        [Parameter(Mandatory = true, ParameterSetName = ActiveSet)]
        [ValidateRange(1, int.MaxValue)]
        public int PartyId { get; set; }

        /// <summary>The app (org/app): of -InstanceId, or the app whose active instances -Active lists.</summary>
        [Parameter(ParameterSetName = ObjectSet)]
        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
        [Parameter(ParameterSetName = ActiveSet)]
        [ArgumentCompleter(typeof(AppCompleter))]
        [Alias("ForApp")] // the name -Active's app had first; scripts written with it keep working
        public override string App { get; set; }

        [Parameter(ParameterSetName = ObjectSet)]
        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
        [Parameter(ParameterSetName = ActiveSet)]
        public override AltinnSession Session { get; set; }

        protected override string Operation => ParameterSetName == ActiveSet ? "GetActiveInstances" : "GetInstance";

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ActiveSet)
            {
                ForItem(Operation, PartyId, () =>
                {
                    var session = ResolveSession(Session);
                    var appId = string.IsNullOrEmpty(App) ? session.DefaultApp : App;
                    if (string.IsNullOrEmpty(appId))
                    {
                        throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.MissingApp), "No app given. Pass -App org/app, or set a default with Connect-Altinn -App.");
                    }

                    var app = AppIdentifier.Parse(appId, nameof(App), Operation);
                    var list = Run(ct => session.Client.Instances.GetActiveInstancesAsync(app, PartyId, ct));
                    WriteVerbose($"Party {PartyId} has {list.Count} active instance(s) of {app}.");
                    foreach (var item in list) WriteObject(item);
                });
                return;
            }

            ForItem(Operation, TargetObject, () =>
            {
                var target = ResolveTarget();
                WriteObject(Run(ct => target.GetInstanceAsync(ct, refresh: true)));
            });
        }
    }
}
