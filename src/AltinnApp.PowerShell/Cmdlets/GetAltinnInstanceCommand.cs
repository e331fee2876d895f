using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using AltinnApp.Core;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;
using AltinnApp.Core.Validation;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    // the default set has no mandatory parameter: called with none, the cmdlet reports an error instead of prompting,
    // which would hang an unattended job
    [Cmdlet(VerbsCommon.Get, "AltinnInstance", DefaultParameterSetName = NoTargetSet)]
    [OutputType(typeof(AltinnInstance), ParameterSetName = new[] { ObjectSet, IdSet })]
    [OutputType(typeof(AltinnActiveInstance), ParameterSetName = new[] { ActiveSet, ActiveOrganizationSet, ActivePersonSet })]
    public sealed class GetAltinnInstanceCommand : AltinnInstanceCmdlet
    {
        private const string ActiveSet = "Active";
        private const string ActiveOrganizationSet = "ActiveOrganization";
        private const string ActivePersonSet = "ActivePerson";
        private const string NoTargetSet = "NoTarget";

        // organisation number -> party id, per session: the parties a session may act for do not change while it lives
        private static readonly ConditionalWeakTable<AltinnSession, ConcurrentDictionary<string, int>> PartyIds =
            new ConditionalWeakTable<AltinnSession, ConcurrentDictionary<string, int>>();

        [Parameter(Mandatory = true, ParameterSetName = ActiveSet)]
        [Parameter(Mandatory = true, ParameterSetName = ActiveOrganizationSet)]
        [Parameter(Mandatory = true, ParameterSetName = ActivePersonSet)]
        public SwitchParameter Active { get; set; }

        /// <summary>With -Active: the organisation whose active instances to list, looked up among the session's parties.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ActiveOrganizationSet)]
        public string OrganizationNumber { get; set; }

        /// <summary>With -Active: the person whose active instances to list (eleven digits), found among the owners the session has met.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ActivePersonSet)]
        public string PersonNumber { get; set; }

        // not from the pipeline: a mandatory by-property-name parameter in this set stops PowerShell from binding CSV rows
        // (InstanceId, App) to the -InstanceId set
        [Parameter(Mandatory = true, ParameterSetName = ActiveSet)]
        [ValidateRange(1, int.MaxValue)]
        public int PartyId { get; set; }

        /// <summary>The app (org/app): of -InstanceId, or the app whose active instances -Active lists.</summary>
        [Parameter(ParameterSetName = ObjectSet)]
        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
        [Parameter(ParameterSetName = ActiveSet)]
        [Parameter(ParameterSetName = ActiveOrganizationSet)]
        [Parameter(ParameterSetName = ActivePersonSet)]
        [Parameter(ParameterSetName = NoTargetSet)]
        [ArgumentCompleter(typeof(AppCompleter))]
        [Alias("ForApp")] // the name -Active's app had first; scripts written with it keep working
        public override string App { get; set; }

        [Parameter(ParameterSetName = ObjectSet)]
        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
        [Parameter(ParameterSetName = ActiveSet)]
        [Parameter(ParameterSetName = ActiveOrganizationSet)]
        [Parameter(ParameterSetName = ActivePersonSet)]
        [Parameter(ParameterSetName = NoTargetSet)]
        public override AltinnSession Session { get; set; }

        private bool IsActive => ParameterSetName == ActiveSet || ParameterSetName == ActiveOrganizationSet || ParameterSetName == ActivePersonSet;

        protected override string Operation => IsActive ? "GetActiveInstances" : "GetInstance";

        protected override void ProcessRecord()
        {
            if (ParameterSetName == NoTargetSet)
            {
                ThrowTerminatingError(ErrorRecords.From(new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.NoInstanceGiven),
                    "No instance given. Pass an instance (… | Get-AltinnInstance), -InstanceId partyId/guid with -App org/app, " +
                    "or -Active with -PartyId, -OrganizationNumber or -PersonNumber to list the active instances of a party."), null));
            }

            if (IsActive)
            {
                // a person number is masked wherever it is shown, the error record's target too
                var target = PersonNumber != null ? NorwegianIdentifiers.MaskPersonNumber(PersonNumber.Replace(" ", string.Empty)) : (object)OrganizationNumber ?? PartyId;
                ForItem(Operation, target, () =>
                {
                    var session = ResolveSession(Session);
                    var appId = string.IsNullOrEmpty(App) ? session.DefaultApp : App;
                    if (string.IsNullOrEmpty(appId))
                    {
                        throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.MissingApp), "No app given. Pass -App org/app, or set a default with Connect-Altinn -App.");
                    }

                    var app = AppIdentifier.Parse(appId, nameof(App), Operation);
                    var partyId = ParameterSetName == ActiveOrganizationSet ? ResolvePartyId(session, app)
                        : ParameterSetName == ActivePersonSet ? ResolvePersonPartyId(session)
                        : PartyId;
                    var list = Run(ct => session.Client.Instances.GetActiveInstancesAsync(app, partyId, ct));
                    WriteVerbose($"Party {partyId} has {list.Count} active instance(s) of {app}.");
                    foreach (var item in list) WriteObject(item);
                });
                return;
            }

            ForItem(Operation, TargetObject, () =>
            {
                var target = ResolveTarget();
                WriteObject(Run(ct => target.GetInstanceAsync(ct, refresh: true)));
            });
        }

        /// <summary>The party id of -OrganizationNumber among the parties the session may act for (a system user: its own organisation).</summary>
        private int ResolvePartyId(AltinnSession session, AppIdentifier app)
        {
            var organization = NorwegianIdentifiers.RequireOrganizationNumber(OrganizationNumber, nameof(OrganizationNumber), Operation);
            var known = PartyIds.GetOrCreateValue(session);
            if (known.TryGetValue(organization, out var cached)) return cached;
            if (KnownOwners.TryGetPartyOfOrganization(session, organization, out var met))
            {
                // a client an agent filed for: Altinn's party list names only the firm, the client's instances name its party
                WriteVerbose($"Organisation {organization} is party {met} (an instance this session met).");
                return met;
            }

            var parties = Run(ct => session.Client.Applications.GetPartiesAsync(app, ct));
            var party = Flatten(parties).FirstOrDefault(p => p.OrgNumber == organization);
            if (party == null)
            {
                var mine = string.Join(", ", Flatten(parties).Select(p => p.OrgNumber).Where(o => o != null).Distinct());
                throw new AltinnException(ErrorCatalogue.Id(Operation, ErrorReason.NotAPartyOfSession), AltinnErrorKind.PermissionDenied,
                    $"Organisation {organization} is not one this session can act for (it acts as the system user of {session.SystemUserOrganization}; " +
                    $"its parties: {(mine.Length == 0 ? "none" : mine)}). Pass one of those, or connect with Connect-Altinn -SystemUserOrganization {organization}. " +
                    $"If {organization} is a client of this system user (one for client relationships), Altinn lists only the firm: pass the client's party id with -PartyId " +
                    "(the PartyId of an instance filed for it), or create or read one of its instances in this session first; it is then known here.");
            }

            known[organization] = party.PartyId;
            WriteVerbose($"Organisation {organization} is party {party.PartyId}.");
            return party.PartyId;
        }

        /// <summary>
        /// The party id of -PersonNumber. The app masks person numbers in its party list (app-lib <c>PartySsnMasking</c>), so
        /// the person is found among the owners of instances this session has created or read.
        /// </summary>
        private int ResolvePersonPartyId(AltinnSession session)
        {
            var person = NorwegianIdentifiers.RequirePersonNumber(PersonNumber, nameof(PersonNumber));
            var masked = NorwegianIdentifiers.MaskPersonNumber(person);
            if (KnownOwners.TryGetPartyOfPerson(session, person, out var partyId))
            {
                WriteVerbose($"Person {masked} is party {partyId}.");
                return partyId;
            }

            throw new AltinnException(ErrorCatalogue.Id(Operation, ErrorReason.NotAPartyOfSession), AltinnErrorKind.PermissionDenied,
                $"Person {masked} is not an owner this session has met: Altinn's party list masks person numbers, so a person's party is known " +
                $"only from an instance the person owns that this session created or read (it acts as the system user of {session.SystemUserOrganization}). " +
                "Read one of the person's instances first (Get-AltinnInstance -InstanceId partyId/guid), or pass the person's party with -PartyId.");
        }

        private static IEnumerable<AltinnParty> Flatten(IEnumerable<AltinnParty> parties)
        {
            foreach (var party in parties ?? Enumerable.Empty<AltinnParty>())
            {
                yield return party;
                foreach (var child in Flatten(party.ChildParties)) yield return child;
            }
        }
    }
}
