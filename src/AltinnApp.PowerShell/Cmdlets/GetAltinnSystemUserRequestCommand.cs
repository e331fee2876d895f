using System;
using System.Management.Automation;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    /// <summary>
    /// Reads a system user request by id, or by system, customer and external reference; with -Wait, reads it again
    /// until the customer has answered (Accepted, Rejected, Denied) or it has timed out.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "AltinnSystemUserRequest", DefaultParameterSetName = ByIdSet)]
    [OutputType(typeof(AltinnSystemUserRequest))]
    public sealed class GetAltinnSystemUserRequestCommand : AltinnCmdlet
    {
        private const string ByIdSet = "ById";
        private const string ByExternalRefSet = "ByExternalRef";

        [Parameter(Position = 0, ParameterSetName = ByIdSet, ValueFromPipelineByPropertyName = true)]
        [Alias("Id")]
        public string RequestId { get; set; }

        [Parameter(ParameterSetName = ByExternalRefSet, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(SystemIdCompleter))]
        public string SystemId { get; set; }

        [Parameter(ParameterSetName = ByExternalRefSet, ValueFromPipelineByPropertyName = true)]
        [Alias("OrganizationNumber", "OrgNo", "PartyOrgNo")]
        public string CustomerOrganization { get; set; }

        [Parameter(ParameterSetName = ByExternalRefSet, ValueFromPipelineByPropertyName = true)]
        public string ExternalRef { get; set; }

        /// <summary>Standard or Agent; a request piped in (or a CSV row) brings its own.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public AltinnSystemUserKind Kind { get; set; }

        [Parameter]
        public SwitchParameter Agent { get; set; }

        [Parameter]
        public SwitchParameter Wait { get; set; }

        [Parameter]
        [ValidateRange(1, 7 * 24 * 3600)]
        public int Timeout { get; set; } = 600;

        [Parameter]
        [ValidateRange(1, 3600)]
        public int PollIntervalSec { get; set; } = 5;

        [Parameter]
        public AltinnSession Session { get; set; }

        protected override void ProcessRecord()
        {
            var session = ResolveSession(Session);
            var kind = Agent ? AltinnSystemUserKind.Agent : Kind;
            var target = ParameterSetName == ByIdSet ? RequestId : $"{SystemId}/{CustomerOrganization}/{ExternalRef}";
            ForItem("GetSystemUserRequest", target, () =>
            {
                var request = ParameterSetName == ByIdSet
                    ? Run(ct => session.Vendor.GetRequestAsync(RequestId, kind, ct))
                    : Run(ct => session.Vendor.GetRequestByExternalRefAsync(SystemId, CustomerOrganization, ExternalRef, kind, ct));
                if (Wait && !request.IsFinal)
                {
                    WriteVerbose($"Waiting up to {Timeout} s for {request.CustomerOrganization} to answer at {request.ConfirmUrl}");
                    request = Run(ct => session.Vendor.WaitForAnswerAsync(request, TimeSpan.FromSeconds(Timeout), TimeSpan.FromSeconds(PollIntervalSec), ct));
                }

                WriteObject(request);
            });
        }
    }
}
