using System.Management.Automation;
using AltinnApp.Core.Session;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    [Cmdlet(VerbsCommunications.Disconnect, "Altinn")]
    [OutputType(typeof(void))]
    public sealed class DisconnectAltinnCommand : AltinnCmdlet
    {
        [Parameter(ValueFromPipeline = true)]
        public AltinnSession Session { get; set; }

        protected override void ProcessRecord()
        {
            var current = SessionRegistry.Current;
            var session = Session ?? current;
            if (session == null)
            {
                WriteVerbose("Not connected: nothing to disconnect.");
                return;
            }

            session.Dispose();
            if (ReferenceEquals(session, current)) SessionRegistry.Current = null;
            WriteVerbose($"Disconnected {session}; its tokens and key are dropped from memory.");
        }
    }

    [Cmdlet(VerbsCommon.Get, "AltinnSession")]
    [OutputType(typeof(AltinnSession))]
    public sealed class GetAltinnSessionCommand : AltinnCmdlet
    {
        protected override void ProcessRecord()
        {
            var session = SessionRegistry.Current;
            if (session != null) WriteObject(session);
        }
    }
}
