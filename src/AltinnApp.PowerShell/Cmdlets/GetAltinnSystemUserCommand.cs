using System.Management.Automation;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    /// <summary>Lists the system users of the vendor's system: one per customer (and external reference) that approved a request.</summary>
    [Cmdlet(VerbsCommon.Get, "AltinnSystemUser")]
    [OutputType(typeof(AltinnSystemUser))]
    public sealed class GetAltinnSystemUserCommand : AltinnCmdlet
    {
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(SystemIdCompleter))]
        public string SystemId { get; set; }

        /// <summary>Only this customer's system users.</summary>
        [Parameter]
        [Alias("OrganizationNumber", "OrgNo")]
        public string CustomerOrganization { get; set; }

        [Parameter]
        public AltinnSession Session { get; set; }

        protected override void ProcessRecord()
        {
            var session = ResolveSession(Session);
            ForItem("GetSystemUser", SystemId, () =>
            {
                var customer = string.IsNullOrWhiteSpace(CustomerOrganization)
                    ? null
                    : Core.Validation.NorwegianIdentifiers.RequireOrganizationNumber(CustomerOrganization, nameof(CustomerOrganization), "GetSystemUser");
                foreach (var user in Run(ct => session.Vendor.GetSystemUsersAsync(SystemId, ct)))
                {
                    if (customer == null || user.CustomerOrganization == customer) WriteObject(user);
                }
            });
        }
    }
}
