using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AltinnApp.Core.Api;
using AltinnApp.Core.Http;
using AltinnApp.Core.Journal;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Submissions
{
    /// <summary>What a submission's instance is made with: the app, the owner, and either prefill or multipart parts.</summary>
    public sealed class InstanceRequest
    {
        public AppIdentifier App { get; set; }

        public InstanceOwnerSpec Owner { get; set; }

        /// <summary>Prefill values as Altinn takes them (text); null for none.</summary>
        public IDictionary<string, string> Prefill { get; set; }

        /// <summary>Form data and files for a multipart create; null for a simple create.</summary>
        public IReadOnlyList<MultipartPart> Parts { get; set; }

        public DateTime? DueBefore { get; set; }

        public DateTime? VisibleAfter { get; set; }

        public string Language { get; set; } = "nb";

        public override string ToString() => $"{App} for {Owner}";
    }

    /// <summary>
    /// The first step of a submission: its instance. Without a journal, a create (an unknown outcome reconciled by the
    /// client, so one call makes at most one instance). With a journal key: the key's instance when it has one (checked to
    /// be this row's app, owner and prefill, and not deleted); the instance a stopped run made without recording it; or a
    /// new one, recorded as begun before the request is sent (with the owner's party id, so a rerun can look for it) and
    /// as made after. With restart, the key's unsubmitted instance is deleted and the key begins again.
    /// </summary>
    public sealed class SubmissionStart
    {
        private const string Operation = "NewInstance";
        private readonly AltinnSession _session;
        private readonly ISubmissionConfirmation _confirm;

        public SubmissionStart(AltinnSession session, ISubmissionConfirmation confirm = null)
        {
            _session = session ?? throw new ArgumentNullException(nameof(session));
            _confirm = confirm ?? ConfirmAll.Instance;
        }

        private AltinnAppClient Client => _session.Client;

        private CreationReconciler Creations => _session.Creations;

        /// <returns>The instance (made, adopted or resumed), bound to <paramref name="journal"/>; null when the create was not confirmed.</returns>
        public async Task<AltinnInstance> StartAsync(InstanceRequest request, JournalContext journal, bool restart, CancellationToken cancellationToken)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            var fingerprint = JournalKeyCheck.PrefillFingerprint(request.Prefill);
            if (journal == null)
            {
                if (!await _confirm.ConfirmAsync(request.ToString(), CreateWhat(request), cancellationToken).ConfigureAwait(false)) return null;
                // known before the create, so a lost answer can be looked for among the party's instances rather than guessed at
                await ResolvePartyAsync(request.App, request.Owner, null, cancellationToken).ConfigureAwait(false);
                return await CreateAsync(request, null, cancellationToken).ConfigureAwait(false);
            }

            // one run at a time carries a key's start (a resume, a restart, a create), here and in other processes
            using (await journal.Journal.LockKeyAsync(journal.Key, cancellationToken).ConfigureAwait(false))
            {
                // a key stands for one submission: another app or owner is refused before anything is read or sent
                JournalKeyCheck.CheckRecorded(journal.Entry, request.App.ToString(), request.Owner, Operation);
                if (restart && !await RestartAsync(request, journal, cancellationToken).ConfigureAwait(false)) return null;

                var resumed = await ResumeAsync(request, journal, fingerprint, cancellationToken).ConfigureAwait(false);
                if (resumed != null)
                {
                    journal.Journal.BeginRow(journal);
                    // just read under the key's lock: the next step need not read it again
                    return SubmissionSteps.Stamp(resumed);
                }

                if (!await _confirm.ConfirmAsync($"{request} (key {journal.Key})", CreateWhat(request), cancellationToken).ConfigureAwait(false)) return null;
                var instance = await CreateJournaledAsync(request, journal, fingerprint, cancellationToken).ConfigureAwait(false);
                AltinnLog.Verbose($"Created instance {instance.Id} of {request.App} for {request.Owner} (key {journal.Key}).");
                journal.Journal.BeginRow(journal);
                return SubmissionSteps.Stamp(instance);
            }
        }

        private static string CreateWhat(InstanceRequest request) =>
            request.Parts == null ? "Create instance" : $"Create instance with {request.Parts.Count} data part(s)";

        /// <summary>
        /// Begins the key again: its unsubmitted instance is deleted (for good: it was never filed) and the journal records
        /// the restart, so the key's earlier steps no longer count. A submitted key is filed and is not begun again.
        /// </summary>
        private async Task<bool> RestartAsync(InstanceRequest request, JournalContext journal, CancellationToken cancellationToken)
        {
            var entry = journal.Entry;
            if (entry == null || (entry.Reached == null && entry.LastError == null)) return true; // nothing begun yet
            if (entry.Reached >= JournalState.Submitted)
            {
                throw new AltinnException(ErrorCatalogue.Id(Operation, ErrorReason.RestartSubmitted), AltinnErrorKind.InvalidOperation,
                    $"Key '{journal.Key}' was submitted (instance {entry.InstanceId}), so it is not begun again: that would file the submission twice. " +
                    "Nothing was deleted or created. To file corrected values, use a new key (as a correction, where the app takes one).");
            }

            if (entry.HasInstance)
            {
                var app = AppIdentifier.Parse(entry.App ?? request.App.ToString(), "App", Operation);
                var id = InstanceIdentifier.Parse(entry.InstanceId, "InstanceId", Operation);
                AltinnInstance existing = null;
                try
                {
                    existing = await Client.Instances.GetInstanceAsync(app, id, cancellationToken).ConfigureAwait(false);
                }
                catch (AltinnException ex) when (ex.ErrorId == ServerErrors.InstanceNotFoundOrForbiddenId)
                {
                    AltinnLog.Verbose($"Key '{journal.Key}': its instance {entry.InstanceId} is gone already.");
                }

                if (existing != null && existing.Ended)
                {
                    // the journal missed the submission (a run stopped after Altinn ended the process): record it, and refuse
                    journal.Record(JournalState.Submitted, existing.Id);
                    throw new AltinnException(ErrorCatalogue.Id(Operation, ErrorReason.RestartSubmitted), AltinnErrorKind.InvalidOperation,
                        $"Key '{journal.Key}' was submitted (instance {existing.Id} has ended), so it is not begun again: that would file the submission twice. Nothing was deleted or created. To file corrected values, use a new key.");
                }

                if (!await _confirm.ConfirmAsync($"instance {entry.InstanceId} (key {journal.Key})",
                    $"Delete the key's unsubmitted instance {entry.InstanceId} for good, then {CreateWhat(request).ToLowerInvariant()} under the key", cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }

                if (existing != null && !(existing.Status?.IsHardDeleted ?? false))
                {
                    await Client.Instances.DeleteInstanceAsync(app, id, hard: true, cancellationToken).ConfigureAwait(false);
                    AltinnLog.Verbose($"Key '{journal.Key}': deleted its unsubmitted instance {entry.InstanceId}.");
                }
            }
            else if (entry.CreatingSince != null)
            {
                // said before anything is looked for or deleted, so -WhatIf tells of the delete as well as of the create
                if (!await _confirm.ConfirmAsync($"key {journal.Key}",
                    $"Delete the instance the key's stopped create may have made (when it is found), then {CreateWhat(request).ToLowerInvariant()} under the key", cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }

                // a create was begun and never recorded: if it made an instance, that one is removed too, or it would stay a draft in the inbox
                var party = await ResolvePartyAsync(request.App, request.Owner, journal, cancellationToken).ConfigureAwait(false);
                if (party.HasValue)
                {
                    using (await journal.Journal.LockCreationAsync(GateOf(party, request.Owner), null, exclusive: true, cancellationToken).ConfigureAwait(false))
                    {
                        foreach (var orphan in await UnrecordedOfAsync(request, journal, party.Value, cancellationToken).ConfigureAwait(false))
                        {
                            await Client.Instances.DeleteInstanceAsync(request.App, InstanceIdentifier.Parse(orphan.Id), hard: true, cancellationToken).ConfigureAwait(false);
                            AltinnLog.Verbose($"Key '{journal.Key}': deleted instance {orphan.Id}, made by a run that stopped before recording it.");
                        }
                    }
                }
            }

            // -WhatIf writes nothing: the create's own question, asked next, says what would be made
            if (_confirm.WhatIf) return true;
            journal.Journal.Append(new JournalRecord { Key = journal.Key, State = JournalState.Restarted });
            AltinnLog.Verbose($"Key '{journal.Key}': begun again.");
            return true;
        }

        /// <summary>
        /// A key the journal already has an instance for: that instance, read again, instead of a new one, once it
        /// is certain to be this row's (app, owner), made with this row's prefill, and not deleted.
        /// </summary>
        private async Task<AltinnInstance> ResumeAsync(InstanceRequest request, JournalContext journal, string fingerprint, CancellationToken cancellationToken)
        {
            var entry = journal.Entry;
            if (entry == null || !entry.HasInstance) return null;
            var recordedApp = AppIdentifier.Parse(entry.App ?? request.App.ToString(), "App", Operation);
            AltinnInstance instance;
            try
            {
                instance = await Client.Instances.GetInstanceAsync(recordedApp, InstanceIdentifier.Parse(entry.InstanceId, "InstanceId", Operation), cancellationToken).ConfigureAwait(false);
            }
            catch (AltinnException ex) when (ex.ErrorId == ServerErrors.InstanceNotFoundOrForbiddenId)
            {
                throw JournalKeyCheck.InstanceNotReadable(entry, ex, Operation);
            }

            JournalKeyCheck.CheckInstance(entry, instance, request.App.ToString(), request.Owner, Operation);
            JournalKeyCheck.CheckNotDeleted(entry, instance, Operation);
            JournalKeyCheck.CheckPrefill(entry, instance.Id, fingerprint, Operation);
            instance.Journal = journal;
            Creations.Claim(instance);
            if (!_confirm.WhatIf && journal.RecordResumed(Operation, instance.Id))
            {
                AltinnLog.Verbose($"Key '{journal.Key}': the failure an earlier run recorded for this row is cleared; the key is at {entry.Reached} again.");
            }

            AltinnLog.Verbose($"Key '{journal.Key}': resuming instance {instance.Id} ({journal.Entry.State}) from the journal instead of creating another.");
            return instance;
        }

        /// <summary>
        /// A journaled create (the caller holds the key). It is recorded as begun, with the owner's party id and what the
        /// instance is made from, before it is sent, so that after a crash the rerun can tell whether the unrecorded instance
        /// exists. Creations of one party with the same content go ahead together, others of the party wait for them
        /// (<see cref="SubmissionJournal.LockCreationAsync"/>); a key whose last create was interrupted is reconciled alone.
        /// </summary>
        private async Task<AltinnInstance> CreateJournaledAsync(InstanceRequest request, JournalContext journal, string fingerprint, CancellationToken cancellationToken)
        {
            var party = await ResolvePartyAsync(request.App, request.Owner, journal, cancellationToken).ConfigureAwait(false);
            var content = ContentOf(request, party, fingerprint);
            var entry = journal.Entry;
            var interrupted = entry?.CreatingSince != null && !entry.HasInstance;
            using (await journal.Journal.LockCreationAsync(GateOf(party, request.Owner), content, interrupted, cancellationToken).ConfigureAwait(false))
            {
                // a run being stopped begins no create: the gate may have opened because the creations before this one were stopped
                cancellationToken.ThrowIfCancellationRequested();
                // a crashed run may have made the instance without recording it: adopt it rather than make a second
                if (interrupted)
                {
                    if (party == null)
                    {
                        throw new AltinnException(ErrorCatalogue.Id(Operation, ErrorReason.OutcomeUnknown), AltinnErrorKind.InvalidOperation,
                            $"Key '{journal.Key}' was being created when the last run stopped, and the party id of {request.Owner} is not known, so the module cannot look for the instance it may have made. " +
                            $"Nothing was created. Check whether {request.App} has an instance for {request.Owner} made since {entry.CreatingSince.Value.UtcDateTime:yyyy-MM-dd HH:mm} UTC " +
                            "(in Altinn, as the owner or in its inbox; with Get-AltinnInstance -Active -PartyId <its party id> -App " + request.App + " where the party id is known). " +
                            "Then run the row again with New-AltinnInstance -Restart: it files anew under this key, and an instance the stopped run made stays behind as an unsubmitted draft, " +
                            "so remove that one (Remove-AltinnInstance) if you found it. Or use a new key.");
                    }

                    var found = await UnrecordedOfAsync(request, journal, party.Value, cancellationToken).ConfigureAwait(false);
                    if (found.Count == 1)
                    {
                        var adopted = found[0];
                        Creations.Claim(adopted);
                        Record(journal, JournalState.Created, request.App, adopted);
                        adopted.Journal = journal;
                        AltinnLog.Verbose($"Key '{journal.Key}': the interrupted run had created {adopted.Id}; carrying on with it.");

                        // it was made with the prefill of the run that began it: say so when this row brings other values
                        JournalKeyCheck.CheckPrefill(journal.Entry, adopted.Id, fingerprint, Operation);
                        return adopted;
                    }
                }

                journal.Journal.Append(new JournalRecord
                {
                    Key = journal.Key,
                    State = JournalState.Creating,
                    App = request.App.ToString(),
                    PartyId = party,
                    OrganizationNumber = request.Owner.OrganizationNumber,
                    OwnerKind = JournalKeyCheck.KindOf(request.Owner),
                    PrefillFingerprint = fingerprint,
                    ContentFingerprint = content,
                });
                AltinnInstance instance;
                try
                {
                    instance = await CreateAsync(request, journal.Journal.ClaimedInstanceIds, cancellationToken).ConfigureAwait(false);
                }
                catch (AltinnApiException ex) when (IsRefusal(ex))
                {
                    // Altinn answered and made nothing (a client not delegated yet, a missing right): the key is not left
                    // being created, or a rerun after the cause is fixed would have to look for an instance it cannot find
                    journal.Journal.Append(new JournalRecord
                    {
                        Key = journal.Key,
                        State = JournalState.Failed,
                        Step = Operation,
                        Error = Redactor.Redact(ex.Message),
                        ErrorId = ex.ErrorId,
                        NothingCreated = true,
                    });
                    JournalContext.MarkRecorded(ex);
                    throw;
                }

                Record(journal, JournalState.Created, request.App, instance);
                instance.Journal = journal;
                return instance;
            }
        }

        /// <summary>
        /// The unrecorded instance a key's interrupted create made: none, or one (a list, so a restart deletes what it finds).
        /// Called with the party's creations held off, so every unclaimed instance of the party that appeared since the key's
        /// create began was made by an interrupted create (or by someone outside the journal). When other keys of the party
        /// were interrupted too, they were in flight together only if they made the same content (the creation gate lets no
        /// other content in beside them), so their instances are interchangeable: this key takes the earliest, and the others
        /// take the rest or create their own. Only a rival of other content that could have made one of the candidates, or
        /// more candidates than interrupted keys, leaves it undecided.
        /// </summary>
        private async Task<IReadOnlyList<AltinnInstance>> UnrecordedOfAsync(InstanceRequest request, JournalContext journal, int party, CancellationToken cancellationToken)
        {
            var entry = journal.Entry;
            var since = entry.CreatingSince.Value;
            var found = await Creations.FindCandidatesAsync(Client.Instances, request.App, party, since, journal.Journal.ClaimedInstanceIds, request.Parts != null, cancellationToken).ConfigureAwait(false);
            if (found.Count == 0) return found;

            var rivals = journal.Journal.InterruptedCreations(request.App.ToString(), party).Where(e => e.Key != entry.Key).ToList();

            // a rival of other content began its create before this key's group: it ended before this key's began, and can
            // have made a candidate only within the clock skew that the candidates' window allows for
            var others = rivals.Where(r => entry.ContentFingerprint == null || r.ContentFingerprint != entry.ContentFingerprint)
                .Where(r => r.CreatingSince.Value >= since - CreationReconciler.Skew - CreationReconciler.Skew).ToList();
            var alike = rivals.Count(r => entry.ContentFingerprint != null && r.ContentFingerprint == entry.ContentFingerprint);
            if (others.Count == 0 && found.Count <= 1 + alike)
            {
                return new[] { found.OrderBy(i => i.Created ?? DateTime.MaxValue).ThenBy(i => i.Id, StringComparer.Ordinal).First() };
            }

            var keys = others.Count > 0 ? $" Other keys of this owner were being created with other content at the time: {string.Join(", ", others.Select(r => "'" + r.Key + "'"))}." : string.Empty;
            throw new AltinnException(ErrorCatalogue.Id(Operation, ErrorReason.JournalAmbiguous), AltinnErrorKind.Conflict,
                $"Key '{journal.Key}' was being created when the last run stopped, and {found.Count} unrecorded instances appeared since: {string.Join(", ", found.Select(i => i.Id))}.{keys} " +
                "The module cannot tell which is this key's, so nothing was created or adopted. Check them with Get-AltinnInstance, remove the ones no key should keep with Remove-AltinnInstance, then run again.");
        }

        /// <summary>
        /// A create's definite refusal: a 4xx answer, given after any lost earlier attempt was looked for (a create whose
        /// outcome stays unknown ends in another exception, or a 5xx). Nothing was made by it.
        /// </summary>
        private static bool IsRefusal(AltinnApiException ex) => ex.StatusCode >= 400 && ex.StatusCode < 500;

        /// <summary>
        /// The name creations of an owner are gated by: the organisation number when the owner is given by one (the same
        /// whether or not its party id could be looked up, so a create without it never overlaps one with it), else the
        /// party id, else the owner as given.
        /// </summary>
        private static string GateOf(int? party, InstanceOwnerSpec owner) =>
            owner.OrganizationNumber != null ? "org:" + owner.OrganizationNumber
            : party.HasValue ? party.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : "owner:" + owner;

        /// <summary>
        /// Everything an instance is made from, as one fingerprint: two creates with the same one make instances that differ
        /// only by id. Null for a multipart create (its parts are not compared) and for an owner whose party id is not known
        /// (a rerun could not look for its instance anyway): such a create is made alone.
        /// </summary>
        private static string ContentOf(InstanceRequest request, int? party, string prefillFingerprint)
        {
            if (request.Parts != null || party == null) return null;
            return Fingerprints.OfText(string.Join("\n",
                request.App.ToString(),
                party.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
                prefillFingerprint ?? string.Empty,
                request.DueBefore?.ToUniversalTime().ToString("o", System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
                request.VisibleAfter?.ToUniversalTime().ToString("o", System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
                request.Language ?? string.Empty));
        }

        /// <summary>
        /// The owner's party id before a create, so the create's record holds it and a rerun can look for an instance whose
        /// answer was lost: given, or seen before (this session, the journal), or asked of the app (the parties the
        /// connected system user may act for). Null for an owner none of those know.
        /// </summary>
        private async Task<int?> ResolvePartyAsync(AppIdentifier app, InstanceOwnerSpec owner, JournalContext journal, CancellationToken cancellationToken)
        {
            var party = owner.PartyId ?? Creations.PartyOf(owner) ?? journal?.Journal.PartyOfOrganization(owner.OrganizationNumber);
            if (party == null && owner.OrganizationNumber != null) party = await LookUpPartyAsync(app, owner.OrganizationNumber, cancellationToken).ConfigureAwait(false);
            if (party.HasValue && owner.OrganizationNumber != null) Creations.LearnParty(owner.OrganizationNumber, party.Value);
            return party;
        }

        /// <summary>
        /// The party id of an organisation from the parties the session may act for (a system user: its own organisation).
        /// A failed lookup is not this row's failure: the create still goes ahead, and only a lost answer to it stays unresolvable.
        /// </summary>
        private async Task<int?> LookUpPartyAsync(AppIdentifier app, string organizationNumber, CancellationToken cancellationToken)
        {
            IReadOnlyList<AltinnParty> parties;
            try
            {
                parties = await Client.Applications.GetPartiesAsync(app, cancellationToken).ConfigureAwait(false);
            }
            catch (AltinnException ex)
            {
                AltinnLog.Verbose($"The party id of organisation {organizationNumber} could not be looked up ({ex.ErrorId}); creating without it.");
                return null;
            }

            return FindParty(parties, organizationNumber)?.PartyId;
        }

        private static AltinnParty FindParty(IEnumerable<AltinnParty> parties, string organizationNumber)
        {
            foreach (var party in parties ?? Enumerable.Empty<AltinnParty>())
            {
                if (party.OrgNumber == organizationNumber) return party;
                var child = FindParty(party.ChildParties, organizationNumber);
                if (child != null) return child;
            }

            return null;
        }

        private async Task<AltinnInstance> CreateAsync(InstanceRequest request, Func<ISet<string>> claimed, CancellationToken cancellationToken)
        {
            try
            {
                return request.Parts != null
                    ? await Client.Instances.CreateInstanceMultipartAsync(request.App, request.Owner, request.DueBefore, request.VisibleAfter, request.Parts, request.Language, claimed, cancellationToken).ConfigureAwait(false)
                    : await Client.Instances.CreateInstanceAsync(request.App, request.Owner, request.DueBefore, request.VisibleAfter, request.Prefill, request.Language, claimed, cancellationToken).ConfigureAwait(false);
            }
            catch (AltinnApiException ex) when (ex.StatusCode == 404 && (ex.Body?.Text ?? ex.Message).IndexOf("Cannot lookup party", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                // app-lib's InstancesController answers a failed party lookup with 404 and this text: the owner, not the app, is unknown
                throw new AltinnApiException(ErrorCatalogue.Id(Operation, ErrorReason.PartyNotFound), AltinnErrorKind.ObjectNotFound,
                    $"Altinn could not find the instance owner {request.Owner} in its register, so nothing was created. Check the number (a typing error, or an organisation that was deleted); " +
                    $"the app {request.App} itself was found. Altinn said: {ex.Body?.Text ?? ex.Message}", ex.StatusCode, ex.Body);
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
    }
}
