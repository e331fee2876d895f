using System.Management.Automation;
using AltinnApp.Core;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;
using AltinnApp.Core.Validation;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    /// <summary>
    /// The parties the session may represent in an app, as the app lists them (<c>GET api/v1/parties</c>). For a system
    /// user that is its own organisation: an agent system user's clients are never listed there.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "AltinnParty")]
    [OutputType(typeof(AltinnParty))]
    public sealed class GetAltinnPartyCommand : AltinnCmdlet
    {
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(AppCompleter))]
        public string App { get; set; }

        [Parameter]
        public SwitchParameter AllowedToInstantiate { get; set; }

        [Parameter]
        public AltinnSession Session { get; set; }

        protected override void ProcessRecord()
        {
            var session = ResolveSession(Session);
            ForItem("GetParties", App, () =>
            {
                var appId = string.IsNullOrEmpty(App) ? session.DefaultApp : App;
                if (string.IsNullOrEmpty(appId))
                {
                    throw new AltinnArgumentException(ErrorCatalogue.Id("GetParties", ErrorReason.MissingApp),
                        "No app given. Pass -App org/app (the app whose parties to list), or set a default with Connect-Altinn -App.");
                }

                var app = AppIdentifier.Parse(appId, nameof(App), "GetParties");
                foreach (var party in Run(ct => session.Client.Applications.GetPartiesAsync(app, AllowedToInstantiate.IsPresent, ct)))
                {
                    WriteObject(party);
                }
            });
        }
    }
}
