using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using AltinnApp.Core.Http;
using AltinnApp.Core.Journal;
using AltinnApp.Core;
using AltinnApp.Core.Api;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;
using AltinnApp.Core.Validation;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    [Cmdlet(VerbsCommon.New, "AltinnInstance", SupportsShouldProcess = true, DefaultParameterSetName = OrganizationSet)]
    [OutputType(typeof(AltinnInstance))]
    public sealed class NewAltinnInstanceCommand : AltinnCmdlet
    {
        private const string Operation = "NewInstance";
        private const string OrganizationSet = "Organization";
        private const string PersonSet = "Person";
        private const string PartySet = "Party";

        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(AppCompleter))]
        public string App { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = OrganizationSet)]
        [Alias("OrgNumber", "Org")]
        [ValidateNotNullOrEmpty]
        public string OrganizationNumber { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PersonSet)]
        [Alias("Ssn")]
        [ValidateNotNullOrEmpty]
        public string PersonNumber { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PartySet)]
        [ValidateRange(1, int.MaxValue)]
        public int PartyId { get; set; }

        /// <summary>Field values for the app's prefill (hashtable or object).</summary>
        [Parameter]
        public object Prefill { get; set; }

        /// <summary>Form data per data type, e.g. @{ model = $xml }: sends a multipart create.</summary>
        [Parameter]
        public IDictionary Data { get; set; }

        /// <summary>Files per data type, e.g. @{ attachment = 'a.pdf', 'b.png' }: sends a multipart create.</summary>
        [Parameter]
        public IDictionary Attachment { get; set; }

        /// <summary>The content type of every file of -Attachment, for the rare file whose type its extension does not give; default: from each extension.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string ContentType { get; set; }

        [Parameter]
        public DateTime? DueBefore { get; set; }

        [Parameter]
        public DateTime? VisibleAfter { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Language { get; set; } = "nb";

        [Parameter]
        public AltinnSession Session { get; set; }

        /// <summary>A journal file that records each key's progress, so a rerun after a crash creates nothing twice.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Journal { get; set; }

        /// <summary>The key of this submission in the journal: one that names the submission (organisation, period, form), the same on every rerun, never a row number.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Key { get; set; }

        private string _contentType;

        protected override void BeginProcessing()
        {
            try
            {
                _contentType = FileUploads.RequireContentType(ContentType, Operation);
                if (_contentType != null && Attachment == null)
                {
                    throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.ContentTypeWithoutAttachment),
                        "-ContentType is the content type of the files in -Attachment, and there is no -Attachment. Give the files in -Attachment, or leave -ContentType out (form data in -Data is sent as JSON or XML by itself).");
                }
            }
            catch (AltinnException ex)
            {
                // a parameter problem: nothing is created
                ThrowTerminatingError(ErrorRecords.From(ex, ContentType));
            }

            base.BeginProcessing();
        }

        protected override void ProcessRecord()
        {
            var session = ResolveSession(Session);
            ForItem(Operation, OwnerTarget(), () =>
            {
                // a journal that cannot be opened cannot hold this row's failure: that error is the row's only report
                var journal = OpenJournal();
                try
                {
                    Submit(session, journal);
                }
                catch (Exception ex) when (journal != null && !(ex is PipelineStoppedException) && !WhatIfInEffect())
                {
                    // every refused row reaches the journal, before a create as well as after, so that
                    // Get-AltinnJournal -State Failed lists it; a later good run of the key records over it.
                    // A key that is done stays done: a row refused for it (another owner, changed prefill) is reported
                    // here, and an operator working through the Failed list must not file that submission again.
                    try
                    {
                        if (journal.Entry?.IsDone != true) journal.RecordFailure(Operation, ex);
                    }
                    catch (AltinnException journalError)
                    {
                        // the row's own error is the one to report; the journal's problem goes beside it
                        WriteWarning(journalError.Message);
                    }

                    throw;
                }
            });
        }

        private void Submit(AltinnSession session, JournalContext journal)
        {
            var owner = new InstanceOwnerSpec();
            switch (ParameterSetName)
            {
                case OrganizationSet:
                    owner.OrganizationNumber = NorwegianIdentifiers.RequireOrganizationNumber(OrganizationNumber, nameof(OrganizationNumber));
                    break;
                case PersonSet:
                    owner.PersonNumber = NorwegianIdentifiers.RequirePersonNumber(PersonNumber, nameof(PersonNumber));
                    break;
                default:
                    owner.PartyId = PartyId;
                    break;
            }

            var appId = string.IsNullOrEmpty(App) ? session.DefaultApp : App;
            if (string.IsNullOrEmpty(appId))
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.MissingApp), "No app given. Pass -App org/app, or set a default with Connect-Altinn -App.");
            }

            var app = AppIdentifier.Parse(appId, nameof(App), Operation);
            var multipart = Data != null || Attachment != null;
            if (multipart && Prefill != null)
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.PrefillWithData),
                    "-Prefill cannot be combined with -Data or -Attachment: Altinn's multipart create takes the form data itself. Put the values into -Data instead.");
            }

            // the engine turns the values into the text Altinn's prefill takes, before anything is created
            var prefill = Prefill == null ? null : Run(ct => Task.FromResult(PrefillValues.ToStrings(PayloadConverter.ToPrefill(Prefill, Operation), Operation)));
            var parts = multipart ? MultipartBuilder.Build(Data, Attachment, Operation, ResolvePath, _contentType) : null;
            if (parts != null)
            {
                // what the app allows is checked before anything is created, so a bad row sends nothing
                Run(async ct =>
                {
                    var application = await session.Client.GetApplicationAsync(app, ct).ConfigureAwait(false);
                    MetadataRules.CheckParts(application, parts, Operation);
                });
            }

            var what = parts == null ? "Create instance" : $"Create instance with {parts.Count} data part(s)";
            var fingerprint = JournalKeyCheck.PrefillFingerprint(prefill);
            if (journal != null)
            {
                // a key stands for one submission: another app or owner is refused before anything is read or sent
                JournalKeyCheck.CheckRecorded(journal.Entry, app.ToString(), owner, Operation);
                var resumed = ResumeFromJournal(session, journal, app, owner, fingerprint);
                if (resumed != null)
                {
                    WriteObject(resumed);
                    return;
                }
            }

            if (!ShouldProcess($"{app} for {owner}{(journal != null ? " (key " + Key + ")" : string.Empty)}", what)) return;

            var instance = journal == null
                ? Run(ct => Create(session, app, owner, parts, prefill, null, ct))
                : Run(ct => CreateJournaledAsync(session, journal, app, owner, parts, prefill, fingerprint, ct));

            WriteVerbose($"Created instance {instance.Id} of {app} for {owner}{(journal != null ? " (key " + Key + ")" : string.Empty)}.");
            WriteObject(instance);
        }

        /// <summary>-WhatIf given, or $WhatIfPreference set: nothing may be written, the journal included.</summary>
        private bool WhatIfInEffect()
        {
            if (MyInvocation.BoundParameters.TryGetValue("WhatIf", out var bound))
            {
                return bound is SwitchParameter flag ? flag.IsPresent : LanguagePrimitives.IsTrue(bound);
            }

            return LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
        }

        private Task<AltinnInstance> Create(AltinnSession session, AppIdentifier app, InstanceOwnerSpec owner, IReadOnlyList<MultipartPart> parts,
            IDictionary<string, string> prefill, Func<ISet<string>> claimed, CancellationToken ct) =>
            parts != null
                ? session.Client.CreateInstanceMultipartAsync(app, owner, DueBefore, VisibleAfter, parts, Language, ct, claimed)
                : session.Client.CreateInstanceAsync(app, owner, DueBefore, VisibleAfter, prefill, Language, ct, claimed);

        private JournalContext OpenJournal()
        {
            if (Journal == null && Key == null) return null;
            if (Journal == null || Key == null)
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.JournalNeedsKey),
                    "-Journal and -Key go together: the journal records each key's progress. Give both (for example -Journal ./batch.journal -Key $row.Id), or neither.");
            }

            return new JournalContext(SubmissionJournal.Open(ResolvePath(Journal)), Key);
        }

        /// <summary>
        /// A key the journal already has an instance for: that instance, read again, instead of a new one, once it
        /// is certain to be this row's (app, owner) and to have been made with this row's prefill.
        /// </summary>
        private AltinnInstance ResumeFromJournal(AltinnSession session, JournalContext journal, AppIdentifier app, InstanceOwnerSpec owner, string fingerprint)
        {
            var entry = journal.Entry;
            if (entry == null || !entry.HasInstance) return null;
            var recordedApp = AppIdentifier.Parse(entry.App ?? app.ToString(), "App", Operation);
            AltinnInstance instance;
            try
            {
                instance = Run(ct => session.Client.GetInstanceAsync(recordedApp, InstanceIdentifier.Parse(entry.InstanceId, "InstanceId", Operation), ct));
            }
            catch (AltinnException ex) when (ex.ErrorId == ServerErrors.InstanceNotFoundOrForbiddenId)
            {
                throw JournalKeyCheck.InstanceNotReadable(entry, ex, Operation);
            }

            JournalKeyCheck.CheckInstance(entry, instance, app.ToString(), owner, Operation);
            JournalKeyCheck.CheckNotDeleted(entry, instance, Operation);
            JournalKeyCheck.CheckPrefill(entry, instance.Id, fingerprint, Operation);
            instance.Journal = journal;
            session.Creations.Claim(instance);
            if (!WhatIfInEffect() && journal.RecordResumed(Operation, instance.Id))
            {
                WriteVerbose($"Key '{Key}': the failure an earlier run recorded for this row is cleared; the key is at {entry.Reached} again.");
            }

            WriteVerbose($"Key '{Key}': resuming instance {instance.Id} ({journal.Entry.State}) from the journal instead of creating another.");
            return instance;
        }

        /// <summary>
        /// A journaled create. Creations are made one at a time per journal, and each is recorded as started
        /// before it is sent, so that after a crash the rerun can tell whether the unrecorded instance exists.
        /// </summary>
        private async Task<AltinnInstance> CreateJournaledAsync(AltinnSession session, JournalContext journal, AppIdentifier app, InstanceOwnerSpec owner,
            IReadOnlyList<MultipartPart> parts, IDictionary<string, string> prefill, string fingerprint, CancellationToken ct)
        {
            using (await journal.Journal.LockCreationAsync(ct).ConfigureAwait(false))
            {
                var entry = journal.Entry;
                JournalKeyCheck.CheckRecorded(entry, app.ToString(), owner, Operation); // another runspace may have begun the key meanwhile
                if (entry != null && entry.HasInstance)
                {
                    // another runspace carried the same key while this one waited
                    var existing = await session.Client.GetInstanceAsync(app, InstanceIdentifier.Parse(entry.InstanceId, "InstanceId", Operation), ct).ConfigureAwait(false);
                    JournalKeyCheck.CheckInstance(entry, existing, app.ToString(), owner, Operation);
                    JournalKeyCheck.CheckPrefill(entry, existing.Id, fingerprint, Operation);
                    existing.Journal = journal;
                    return existing;
                }

                var party = owner.PartyId ?? session.Creations.PartyOf(owner) ?? journal.Journal.PartyOfOrganization(owner.OrganizationNumber);
                if (party.HasValue && owner.OrganizationNumber != null) session.Creations.LearnParty(owner.OrganizationNumber, party.Value);

                // a crashed run may have made the instance without recording it: adopt it rather than make a second
                if (entry?.CreatingSince != null && party.HasValue)
                {
                    var found = await session.Creations.FindCandidatesAsync(session.Client, app, party.Value, entry.CreatingSince.Value, journal.Journal.ClaimedInstanceIds, ct).ConfigureAwait(false);
                    if (found.Count == 1)
                    {
                        var adopted = found[0];
                        session.Creations.Claim(adopted);
                        Record(journal, JournalState.Created, app, adopted);
                        adopted.Journal = journal;
                        AltinnLog.Verbose($"Key '{Key}': the interrupted run had created {adopted.Id}; carrying on with it.");

                        // it was made with the prefill of the run that began it: say so when this row brings other values
                        JournalKeyCheck.CheckPrefill(journal.Entry, adopted.Id, fingerprint, Operation);
                        return adopted;
                    }

                    if (found.Count > 1)
                    {
                        throw new AltinnException(ErrorCatalogue.Id(Operation, ErrorReason.JournalAmbiguous), AltinnErrorKind.Conflict,
                            $"Key '{Key}' was being created when the last run stopped, and {found.Count} unrecorded instances appeared since: {string.Join(", ", found.Select(i => i.Id))}. Check them with Get-AltinnInstance, remove the extra ones with Remove-AltinnInstance, then run again.");
                    }
                }

                journal.Journal.Append(new JournalRecord
                {
                    Key = Key,
                    State = JournalState.Creating,
                    App = app.ToString(),
                    PartyId = party,
                    OrganizationNumber = owner.OrganizationNumber,
                    OwnerKind = JournalKeyCheck.KindOf(owner),
                    PrefillFingerprint = fingerprint,
                });
                var instance = await Create(session, app, owner, parts, prefill, journal.Journal.ClaimedInstanceIds, ct).ConfigureAwait(false);
                Record(journal, JournalState.Created, app, instance);
                instance.Journal = journal;
                return instance;
            }
        }

        private static void Record(JournalContext journal, JournalState state, AppIdentifier app, AltinnInstance instance) =>
            journal.Journal.Append(new JournalRecord
            {
                Key = journal.Key,
                State = state,
                App = app.ToString(),
                InstanceId = instance.Id,
                PartyId = instance.PartyId,
                OrganizationNumber = instance.InstanceOwner?.OrganisationNumber,
            });

        /// <summary>The error record's target: the owner as given, with a person number masked.</summary>
        private object OwnerTarget()
        {
            switch (ParameterSetName)
            {
                case OrganizationSet: return OrganizationNumber;
                case PersonSet: return NorwegianIdentifiers.MaskPersonNumber((PersonNumber ?? string.Empty).Replace(" ", string.Empty));
                default: return PartyId;
            }
        }
    }
}
