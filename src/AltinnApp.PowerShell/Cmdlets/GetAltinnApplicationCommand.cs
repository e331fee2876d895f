using System.Management.Automation;
using AltinnApp.Core;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;
using AltinnApp.Core.Validation;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    [Cmdlet(VerbsCommon.Get, "AltinnApplication")]
    [OutputType(typeof(AltinnApplication))]
    public sealed class GetAltinnApplicationCommand : AltinnCmdlet
    {
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(AppCompleter))]
        public string App { get; set; }

        [Parameter]
        public AltinnSession Session { get; set; }

        protected override void ProcessRecord()
        {
            var session = ResolveSession(Session);
            ForItem("GetApplication", App, () =>
            {
                var appId = string.IsNullOrEmpty(App) ? session.DefaultApp : App;
                if (string.IsNullOrEmpty(appId))
                {
                    throw new AltinnArgumentException("Altinn.GetApplication.MissingApp", "No app given. Pass -App org/app, or set a default with Connect-Altinn -App.");
                }

                var app = AppIdentifier.Parse(appId, nameof(App), "GetApplication");
                WriteObject(Run(ct => session.Client.Applications.DescribeApplicationAsync(app, ct)));
            });
        }
    }
}
