using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace AltinnApp.Core.Journal
{
    /// <summary>How far a key has come. Order matters: a later state implies the earlier ones.</summary>
    public enum JournalState
    {
        /// <summary>A create request is about to be sent; the instance id is not known yet.</summary>
        Creating = 0,
        Created = 1,
        DataSet = 2,
        Submitted = 3,
        ReceiptSaved = 4,

        /// <summary>The last step failed; <see cref="JournalRecord.Error"/> says why. The key resumes from its last good state.</summary>
        Failed = 9,
    }

    /// <summary>One line of the journal: a key reached a state.</summary>
    public sealed class JournalRecord
    {
        [JsonPropertyName("key")] public string Key { get; set; }
        [JsonPropertyName("state")] public JournalState State { get; set; }
        [JsonPropertyName("at")] public DateTimeOffset At { get; set; }
        [JsonPropertyName("app")] public string App { get; set; }
        [JsonPropertyName("partyId")] public int? PartyId { get; set; }

        /// <summary>The owner's organisation number (never a person number: the journal holds no personal data).</summary>
        [JsonPropertyName("org")] public string OrganizationNumber { get; set; }

        /// <summary>How the owner was given when the key began: organisation, person or party (see <see cref="JournalKeyCheck"/>).</summary>
        [JsonPropertyName("owner")] public string OwnerKind { get; set; }

        /// <summary>The fingerprint of the prefill a create was sent with (<see cref="JournalKeyCheck.PrefillFingerprint"/>), never the values.</summary>
        [JsonPropertyName("prefill")] public string PrefillFingerprint { get; set; }
        [JsonPropertyName("instanceId")] public string InstanceId { get; set; }
        [JsonPropertyName("receipt")] public string ReceiptPath { get; set; }

        /// <summary>
        /// A receipt file this key is about to write (full path), recorded before the first byte: a rerun after a kill
        /// adopts a whole file at that path as its own, and no other key may write there.
        /// </summary>
        [JsonPropertyName("receiptClaim")] public string ReceiptClaim { get; set; }
        [JsonPropertyName("step")] public string Step { get; set; }
        [JsonPropertyName("error")] public string Error { get; set; }
        [JsonPropertyName("errorId")] public string ErrorId { get; set; }
        [JsonPropertyName("pid")] public int ProcessId { get; set; }
    }

    /// <summary>A key's progress as the journal knows it: the latest good state, and the latest failure after it.</summary>
    public sealed class JournalEntry
    {
        private readonly List<string> _receiptFiles = new List<string>();

        public string Key { get; internal set; }

        /// <summary>The furthest state reached (never <see cref="JournalState.Failed"/>).</summary>
        public JournalState? Reached { get; internal set; }

        /// <summary>Failed when the latest record is a failure; otherwise the state reached.</summary>
        public JournalState State => LastError != null ? JournalState.Failed : Reached ?? JournalState.Creating;

        public string App { get; internal set; }
        public int? PartyId { get; internal set; }
        public string OrganizationNumber { get; internal set; }

        /// <summary>How the owner was given when the key began (organisation, person, party); null in entries of older versions.</summary>
        public string OwnerKind { get; internal set; }

        /// <summary>The fingerprint of the prefill the key's latest create was sent with; null in entries of older versions (not checked).</summary>
        public string PrefillFingerprint { get; internal set; }

        public string InstanceId { get; internal set; }
        public string ReceiptPath { get; internal set; }

        /// <summary>Every receipt file this key has claimed (about to write, or written); full paths.</summary>
        public IReadOnlyCollection<string> ReceiptFiles => _receiptFiles;

        public DateTimeOffset Started { get; internal set; }
        public DateTimeOffset Updated { get; internal set; }

        /// <summary>When the latest <see cref="JournalState.Creating"/> record was written: the earliest an unrecorded instance can have been made.</summary>
        public DateTimeOffset? CreatingSince { get; internal set; }

        public string LastError { get; internal set; }
        public string LastErrorId { get; internal set; }
        public string FailedStep { get; internal set; }
        public int Attempts { get; internal set; }

        public bool HasInstance => InstanceId != null;

        public bool IsDone => Reached == JournalState.ReceiptSaved && LastError == null;

        internal void Apply(JournalRecord record)
        {
            if (Key == null)
            {
                Key = record.Key;
                Started = record.At;
            }

            Updated = record.At;
            if (record.App != null) App = record.App;
            if (record.PartyId != null) PartyId = record.PartyId;
            if (record.OrganizationNumber != null) OrganizationNumber = record.OrganizationNumber;
            if (record.OwnerKind != null) OwnerKind = record.OwnerKind;
            if (record.PrefillFingerprint != null) PrefillFingerprint = record.PrefillFingerprint;
            if (record.InstanceId != null) InstanceId = record.InstanceId;
            if (record.ReceiptPath != null)
            {
                ReceiptPath = record.ReceiptPath;
                if (!_receiptFiles.Contains(record.ReceiptPath)) _receiptFiles.Add(record.ReceiptPath);
            }

            if (record.ReceiptClaim != null && !_receiptFiles.Contains(record.ReceiptClaim)) _receiptFiles.Add(record.ReceiptClaim);

            if (record.State == JournalState.Failed)
            {
                LastError = record.Error ?? "failed";
                LastErrorId = record.ErrorId;
                FailedStep = record.Step;
                return;
            }

            LastError = null;
            LastErrorId = null;
            FailedStep = null;
            if (record.State == JournalState.Creating)
            {
                Attempts++;
                CreatingSince = record.At;
            }

            if (Reached == null || record.State > Reached) Reached = record.State;
        }

        public override string ToString() => $"{Key}: {State}{(InstanceId != null ? " " + InstanceId : string.Empty)}";
    }
}
