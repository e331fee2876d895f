using System.Linq;
using System.Management.Automation;
using AltinnApp.Core.Api;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    /// <summary>
    /// Changes the vendor's system: what is given replaces what the register holds, what is left out stays.
    /// Altinn keeps every client id a system has had; a given -ClientId list is added to them.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "AltinnSystem", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(AltinnSystem))]
    public sealed class SetAltinnSystemCommand : AltinnCmdlet
    {
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(SystemIdCompleter))]
        public string SystemId { get; set; }

        [Parameter]
        public object Name { get; set; }

        [Parameter]
        public object Description { get; set; }

        [Parameter]
        public string[] Right { get; set; }

        [Parameter]
        public string[] AccessPackage { get; set; }

        [Parameter]
        public string[] ClientId { get; set; }

        [Parameter]
        public string[] AllowedRedirectUrl { get; set; }

        [Parameter]
        public SwitchParameter Visible { get; set; }

        [Parameter]
        public AltinnSession Session { get; set; }

        protected override void ProcessRecord()
        {
            var session = ResolveSession(Session);
            ForItem("SetSystem", SystemId, () =>
            {
                var current = Run(ct => session.Vendor.GetSystemAsync(SystemId, ct));
                var definition = new SystemDefinition
                {
                    SystemId = current.SystemId,
                    Names = Given(nameof(Name)) ? VendorParameters.Languages(Name, nameof(Name), "SetSystem", required: true) : current.Names.ToDictionary(p => p.Key, p => p.Value),
                    Descriptions = Given(nameof(Description)) ? VendorParameters.Languages(Description, nameof(Description), "SetSystem", required: true) : current.Descriptions.ToDictionary(p => p.Key, p => p.Value),
                    Rights = Given(nameof(Right)) ? VendorParameters.List(Right) : current.Rights,
                    AccessPackages = Given(nameof(AccessPackage)) ? VendorParameters.List(AccessPackage) : current.AccessPackages,
                    ClientIds = Given(nameof(ClientId)) ? VendorParameters.List(ClientId) : current.ClientIds,
                    AllowedRedirectUrls = Given(nameof(AllowedRedirectUrl)) ? VendorParameters.List(AllowedRedirectUrl) : current.AllowedRedirectUrls,
                    IsVisible = Given(nameof(Visible)) ? Visible.IsPresent : current.IsVisible,
                };

                var changes = string.Join(", ", MyInvocation.BoundParameters.Keys.Where(k => k != nameof(SystemId) && k != nameof(Session) && !Cmdlet.CommonParameters.Contains(k) && !Cmdlet.OptionalCommonParameters.Contains(k)));
                if (!ShouldProcess($"system '{current.SystemId}'", $"Update in Altinn's system register ({(changes.Length == 0 ? "nothing given" : changes)})")) return;
                WriteObject(Run(ct => session.Vendor.UpdateSystemAsync(definition, ct)));
            });
        }

        private bool Given(string parameterName) => MyInvocation.BoundParameters.ContainsKey(parameterName);
    }
}
