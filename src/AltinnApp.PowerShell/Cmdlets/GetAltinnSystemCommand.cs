using System.Management.Automation;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    /// <summary>Reads the vendor's systems in Altinn's system register: one by -SystemId, or all of them.</summary>
    [Cmdlet(VerbsCommon.Get, "AltinnSystem")]
    [OutputType(typeof(AltinnSystem))]
    public sealed class GetAltinnSystemCommand : AltinnCmdlet
    {
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(SystemIdCompleter))]
        public string SystemId { get; set; }

        [Parameter]
        public AltinnSession Session { get; set; }

        protected override void ProcessRecord()
        {
            var session = ResolveSession(Session);
            ForItem("GetSystem", SystemId, () =>
            {
                if (string.IsNullOrEmpty(SystemId))
                {
                    foreach (var system in Run(ct => session.Vendor.GetSystemsAsync(ct))) WriteObject(system);
                    return;
                }

                WriteObject(Run(ct => session.Vendor.GetSystemAsync(SystemId, ct)));
            });
        }
    }
}
