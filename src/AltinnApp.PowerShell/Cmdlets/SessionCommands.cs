using System.Management.Automation;
using System.Security;
using AltinnApp.Core;
using AltinnApp.Core.Auth;
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
            else WriteVerbose("Not connected in this runspace: run Connect-Altinn.");
        }
    }

    /// <summary>
    /// The session's current Altinn token, for calling an endpoint the module does not cover. A SecureString
    /// unless -AsPlainText, so it does not land on screen or in a transcript by accident.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "AltinnAccessToken")]
    [OutputType(typeof(SecureString), typeof(string))]
    public sealed class GetAltinnAccessTokenCommand : AltinnCmdlet
    {
        [Parameter(ValueFromPipeline = true)]
        public AltinnSession Session { get; set; }

        [Parameter]
        public SwitchParameter AsPlainText { get; set; }

        [Parameter]
        public SwitchParameter ForceRefresh { get; set; }

        protected override void ProcessRecord()
        {
            var session = ResolveSession(Session);
            AccessToken token;
            try
            {
                if (ForceRefresh && !session.CanRenewToken)
                {
                    throw new AltinnException("Altinn.AccessToken.CannotRefresh", AltinnErrorKind.InvalidOperation,
                        "This session was connected with -AccessToken, so it cannot get a new token. Connect with the client's key to renew tokens, or leave out -ForceRefresh.");
                }

                token = Run(ct => session.GetTokenAsync(ForceRefresh, ct));
            }
            catch (AltinnException ex)
            {
                ThrowTerminatingError(ErrorRecordFor(ex, null));
                return;
            }

            WriteVerbose($"Altinn token valid until {token.ExpiresOn:u}.");
            if (AsPlainText)
            {
                WriteObject(token.Reveal());
                return;
            }

            var secure = new SecureString();
            foreach (var c in token.Reveal()) secure.AppendChar(c);
            secure.MakeReadOnly();
            WriteObject(secure);
        }
    }
}
