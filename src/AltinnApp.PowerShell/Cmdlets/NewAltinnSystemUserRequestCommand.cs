using System;
using System.Collections.Generic;
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

        // the requests this call has written: a customer listed twice in the input is one request, written once
        private readonly HashSet<string> _written = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

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
                // before the question, so -WhatIf shows the errors the real run gives
                session.Vendor.CheckRequest(definition);
                var target = $"{(Agent ? "agent " : string.Empty)}system user of '{SystemId}' for {CustomerOrganization}{(string.IsNullOrWhiteSpace(ExternalRef) ? string.Empty : " (reference '" + ExternalRef + "')")}";
                if (!ShouldProcess(target, "Ask the customer in Altinn for")) return;
                var request = Run(ct => session.Vendor.NewRequestAsync(definition, ct));
                if (!_written.Add(request.RequestId))
                {
                    WriteVerbose($"Request {request.RequestId} for {request.CustomerOrganization} is already in this output (the customer is in the input more than once); not written again.");
                    return;
                }

                if (request.Status == RequestStatus.Rejected || request.Status == RequestStatus.Denied)
                {
                    var reference = string.IsNullOrWhiteSpace(request.ExternalRef) ? request.CustomerOrganization : request.ExternalRef;
                    WriteWarning($"The customer {request.CustomerOrganization} {(request.Status == RequestStatus.Rejected ? "rejected" : "was denied")} request {request.RequestId} with reference '{reference}', " +
                        "and Altinn answers that request again for the same system, customer and reference. To ask again, give a new -ExternalRef (an ExternalRef column in the CSV).");
                }
                else
                {
                    WriteVerbose($"Request {request.RequestId} for {request.CustomerOrganization} is {request.Status}: the customer approves it at {request.ConfirmUrl}");
                }

                WriteObject(request);
            });
        }
    }
}
