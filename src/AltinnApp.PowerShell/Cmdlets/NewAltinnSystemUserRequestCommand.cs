using System.Management.Automation;
using AltinnApp.Core.Api;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    /// <summary>
    /// Asks a customer for a system user of the vendor's system: standard (rights, access packages) or, with -Agent,
    /// an agent system user (access packages) that acts for the customer's clients. The customer approves at ConfirmUrl.
    /// A rerun for the same system, customer and reference returns the request Altinn already holds.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "AltinnSystemUserRequest", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(AltinnSystemUserRequest))]
    public sealed class NewAltinnSystemUserRequestCommand : AltinnCmdlet
    {
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(SystemIdCompleter))]
        public string SystemId { get; set; }

        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("OrganizationNumber", "OrgNo", "PartyOrgNo")]
        public string CustomerOrganization { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string ExternalRef { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Rights")]
        public string[] Right { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("AccessPackages")]
        public string[] AccessPackage { get; set; }

        [Parameter]
        public SwitchParameter Agent { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string RedirectUrl { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string IntegrationTitle { get; set; }

        [Parameter]
        public AltinnSession Session { get; set; }

        protected override void ProcessRecord()
        {
            var session = ResolveSession(Session);
            ForItem("NewSystemUserRequest", CustomerOrganization, () =>
            {
                var definition = new SystemUserRequestDefinition
                {
                    Kind = Agent ? AltinnSystemUserKind.Agent : AltinnSystemUserKind.Standard,
                    SystemId = SystemId,
                    CustomerOrganization = CustomerOrganization,
                    ExternalRef = ExternalRef,
                    IntegrationTitle = IntegrationTitle,
                    Rights = VendorParameters.List(Right),
                    AccessPackages = VendorParameters.List(AccessPackage),
                    RedirectUrl = RedirectUrl,
                };
                var target = $"{(Agent ? "agent " : string.Empty)}system user of '{SystemId}' for {CustomerOrganization}{(string.IsNullOrWhiteSpace(ExternalRef) ? string.Empty : " (reference '" + ExternalRef + "')")}";
                if (!ShouldProcess(target, "Ask the customer in Altinn for")) return;
                var request = Run(ct => session.Vendor.NewRequestAsync(definition, ct));
                WriteVerbose($"Request {request.RequestId} for {request.CustomerOrganization} is {request.Status}: the customer approves it at {request.ConfirmUrl}");
                WriteObject(request);
            });
        }
    }
}
