using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using AltinnApp.Core.Api;
using AltinnApp.Core.Models;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Journal
{
    /// <summary>
    /// A journal key stands for one submission: the app and the instance owner it was started for, and the
    /// prefill its instance was made with. A rerun that brings the key with another app or owner is refused
    /// before anything is sent (it would otherwise file this row's data into another owner's instance), and a
    /// rerun with other prefill values is refused rather than resumed as if the new values had been applied.
    /// </summary>
    public static class JournalKeyCheck
    {
        /// <summary>The fingerprint recorded for a create without prefill.</summary>
        public const string NoPrefill = "none";

        public const string Organization = "organisation";
        public const string Person = "person";
        public const string Party = "party";

        /// <summary>
        /// A fingerprint of the prefill values (<c>sha256:</c> and the hash of the pairs in key order), so the
        /// journal can tell whether a rerun brings the same values without holding them: the journal keeps no
        /// personal data. <see cref="NoPrefill"/> when there are none.
        /// </summary>
        public static string PrefillFingerprint(IDictionary<string, string> prefill)
        {
            if (prefill == null || prefill.Count == 0) return NoPrefill;
            var pairs = prefill.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new[] { p.Key, p.Value }).ToArray();
            var canonical = JsonSerializer.Serialize(pairs);
            return Submissions.Fingerprints.OfText(canonical);
        }

        /// <summary>Which of the three ways the owner was given: <see cref="Organization"/>, <see cref="Person"/> or <see cref="Party"/>.</summary>
        public static string KindOf(InstanceOwnerSpec owner) =>
            owner.OrganizationNumber != null ? Organization : owner.PersonNumber != null ? Person : Party;

        /// <summary>
        /// Before anything is sent: what the journal recorded for the key (when a create was first attempted)
        /// against what this row asks for. A key that never reached a create (only refusals) is not bound yet.
        /// </summary>
        /// <exception cref="AltinnArgumentException"><c>Altinn.&lt;operation&gt;.KeyMismatch</c></exception>
        public static void CheckRecorded(JournalEntry entry, string app, InstanceOwnerSpec owner, string operation)
        {
            if (entry == null || entry.App == null) return;
            var sameApp = string.Equals(entry.App, app, StringComparison.OrdinalIgnoreCase);
            if (!sameApp || RecordedOwnerDiffers(entry, owner)) throw Mismatch(entry, null, app, owner, operation);
        }

        /// <summary>
        /// After the key's instance is read (nothing changed yet): its app and owner as Altinn holds them against
        /// what this row asks for. This settles what the journal cannot, such as a person, whose number it never holds.
        /// </summary>
        /// <exception cref="AltinnArgumentException"><c>Altinn.&lt;operation&gt;.KeyMismatch</c></exception>
        public static void CheckInstance(JournalEntry entry, AltinnInstance instance, string app, InstanceOwnerSpec owner, string operation)
        {
            if (instance == null) return;
            var sameApp = instance.AppId == null || string.Equals(instance.AppId, app, StringComparison.OrdinalIgnoreCase);
            if (!sameApp || InstanceOwnerDiffers(instance, owner)) throw Mismatch(entry, instance, app, owner, operation);
        }

        /// <summary>
        /// The key already has an instance: the prefill this row gives must be the one the instance was made with,
        /// since resuming never applies prefill. Entries written before fingerprints were recorded are not checked.
        /// </summary>
        /// <exception cref="AltinnException"><c>Altinn.&lt;operation&gt;.PrefillChanged</c></exception>
        public static void CheckPrefill(JournalEntry entry, string instanceId, string fingerprint, string operation)
        {
            if (entry?.PrefillFingerprint == null || fingerprint == null) return;
            if (string.Equals(entry.PrefillFingerprint, fingerprint, StringComparison.Ordinal)) return;

            var given = fingerprint == NoPrefill ? "no -Prefill" : "other -Prefill values";
            var began = entry.PrefillFingerprint == NoPrefill ? "without prefill" : "with other prefill values";
            var submitted = entry.Reached >= JournalState.Submitted;
            var what = submitted
                ? $"It was submitted with the values it was made with. To file the new values, use a new key (a correction, if the app takes one)."
                : $"To carry the key on, give the same -Prefill as when it began. To file the new values instead, begin the key again with New-AltinnInstance -Restart: its unsubmitted instance {instanceId} is deleted and a new one made with these values.";
            throw new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.PrefillChanged), AltinnErrorKind.Conflict,
                $"Key '{entry.Key}' already has instance {instanceId} ({entry.Reached}), made {began}; this row gives {given}. " +
                $"The new prefill was not applied and nothing was changed: a resumed key carries on with the instance it has. {what}");
        }

        /// <summary>ErrorId suffix for a key whose instance was deleted or can no longer be read.</summary>
        public const string InstanceGone = ErrorReason.KeyInstanceGone;

        /// <summary>
        /// The key's instance was deleted before it was submitted. Altinn would still take a process/next for a soft-deleted
        /// instance (Storage keeps it, and the process routes do not look at <c>isSoftDeleted</c>) and so file what the user
        /// threw away: a resumed key never carries one on. A submitted instance deleted afterwards is history, and resumes.
        /// </summary>
        /// <exception cref="AltinnException"><c>Altinn.&lt;operation&gt;.KeyInstanceGone</c></exception>
        public static void CheckNotDeleted(JournalEntry entry, AltinnInstance instance, string operation)
        {
            if (instance?.Status == null || !instance.Status.IsSoftDeleted || instance.Ended) return;
            var when = instance.Status.SoftDeleted.HasValue ? " on " + instance.Status.SoftDeleted.Value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : string.Empty;
            throw Gone(entry?.Key, instance.Id, $"was deleted{when} before it was submitted", operation);
        }

        /// <summary>The key's instance cannot be read any more: deleted for good, or not this system user's.</summary>
        public static AltinnException InstanceNotReadable(JournalEntry entry, AltinnException inner, string operation) =>
            Gone(entry?.Key, entry?.InstanceId, "can no longer be read (deleted for good, or not this system user's: Altinn's answer does not tell them apart)", operation, inner);

        private static AltinnException Gone(string key, string instanceId, string what, string operation, Exception inner = null) =>
            new AltinnException(ErrorCatalogue.Id(operation, InstanceGone), AltinnErrorKind.InvalidOperation,
                $"Key '{key}' stands for instance {instanceId}, which {what}. A resumed key carries on with its own instance only, so nothing was created or sent. " +
                "To file this submission, begin the key again with New-AltinnInstance -Restart (the journal keeps its history), or use a new key.", inner);

        /// <summary>What the key was started for, in words (a person number masked).</summary>
        public static string Describe(JournalEntry entry, AltinnInstance instance = null)
        {
            var app = instance?.AppId ?? entry?.App ?? "an app the journal does not name";
            string owner;
            if (instance?.InstanceOwner?.OrganisationNumber != null) owner = "organisation " + instance.InstanceOwner.OrganisationNumber;
            else if (instance?.InstanceOwner?.PersonNumber != null) owner = "person " + NorwegianIdentifiers.MaskPersonNumber(instance.InstanceOwner.PersonNumber);
            else if (entry?.OrganizationNumber != null) owner = "organisation " + entry.OrganizationNumber;
            else if (entry?.OwnerKind == Person) owner = "a person";
            else if (entry?.PartyId != null) owner = "party " + entry.PartyId.Value.ToString(CultureInfo.InvariantCulture);
            else if (instance != null) owner = "party " + instance.PartyId.ToString(CultureInfo.InvariantCulture);
            else owner = "an owner the journal does not name";

            var id = instance?.Id ?? entry?.InstanceId;
            return $"{app} for {owner}{(id != null ? $" (instance {id})" : string.Empty)}";
        }

        private static bool RecordedOwnerDiffers(JournalEntry entry, InstanceOwnerSpec owner)
        {
            if (owner.OrganizationNumber != null)
            {
                if (entry.OrganizationNumber != null) return entry.OrganizationNumber != owner.OrganizationNumber;
                return entry.OwnerKind == Person;
            }

            if (owner.PersonNumber != null)
            {
                // the journal never holds a person number: which person is settled on the instance
                return entry.OrganizationNumber != null || entry.OwnerKind == Organization;
            }

            return entry.PartyId != null && entry.PartyId != owner.PartyId;
        }

        private static bool InstanceOwnerDiffers(AltinnInstance instance, InstanceOwnerSpec owner)
        {
            var held = instance.InstanceOwner;
            if (owner.OrganizationNumber != null)
            {
                if (held?.OrganisationNumber != null) return held.OrganisationNumber != owner.OrganizationNumber;
                return held?.PersonNumber != null;
            }

            if (owner.PersonNumber != null)
            {
                if (held?.PersonNumber != null) return held.PersonNumber != owner.PersonNumber;
                return held?.OrganisationNumber != null;
            }

            return owner.PartyId != null && instance.Id != null && instance.PartyId != owner.PartyId;
        }

        private static AltinnArgumentException Mismatch(JournalEntry entry, AltinnInstance instance, string app, InstanceOwnerSpec owner, string operation)
        {
            var key = entry?.Key;
            return new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.KeyMismatch),
                $"Key '{key}' was started for {Describe(entry, instance)}, but this row asks for {app} for {owner}. " +
                "A key stands for one submission, so nothing was created or changed, for either. " +
                "Give each submission a key that names it, not a row number: the organisation, the period and the form, " +
                "such as -Key \"$($_.OrgNumber)-$year-aarsregnskap\". To file this row now, run it with such a key.");
        }
    }
}
