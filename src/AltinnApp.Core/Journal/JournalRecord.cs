using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace AltinnApp.Core.Journal
{
    /// <summary>How far a key has come. Order matters: a later state implies the earlier ones.</summary>
    // long-based: ConvertTo-Json (Windows PowerShell 5.1 and PowerShell 7) writes such an enum by its name, not its number,
    // so an exported journal or instance says "Failed", not 9
    public enum JournalState : long
    {
        /// <summary>A create request is about to be sent; the instance id is not known yet.</summary>
        Creating = 0,
        Created = 1,
        DataSet = 2,

        /// <summary>Files are about to be uploaded (their names, sizes and hashes are recorded); the upload's outcome is not known yet.</summary>
        Attaching = 3,

        /// <summary>Every file of an upload step arrived (each with its data element id).</summary>
        Attached = 4,

        /// <summary>A process/next is about to be sent from the task recorded; its outcome is not known yet.</summary>
        Moving = 5,

        /// <summary>The process moved on to the task recorded.</summary>
        Moved = 6,
        Submitted = 7,
        ReceiptSaved = 8,

        /// <summary>The last step failed; <see cref="JournalRecord.Error"/> says why. The key resumes from its last good state.</summary>
        Failed = 9,

        /// <summary>The key was begun again (New-AltinnInstance -Restart): what it recorded before no longer counts.</summary>
        Restarted = 10,

        /// <summary>Never in a record: Get-AltinnJournal -Key lists a key the journal has no record of (a row that never reached New-AltinnInstance) with this state.</summary>
        NotStarted = 11,
    }

    /// <summary>One file of an upload step, as the journal holds it: never its content, only what identifies it.</summary>
    public sealed class JournalFile
    {
        [JsonPropertyName("name")] public string Name { get; set; }
        [JsonPropertyName("size")] public long Size { get; set; }
        [JsonPropertyName("hash")] public string Hash { get; set; }

        /// <summary>The data element the file became; null until it is known to have arrived.</summary>
        [JsonPropertyName("elementId")] public string ElementId { get; set; }

        public override string ToString() => Name;
    }

    /// <summary>
    /// One step of a key's pipeline (Set-AltinnData, Add-AltinnAttachment, Invoke-AltinnProcessNext, Submit-AltinnInstance),
    /// numbered in the order the pipeline takes it. A rerun takes the same steps in the same order, so step N of the rerun
    /// is step N of the run that was stopped: done, it is not repeated; begun, it is reconciled; changed, it is reported.
    /// </summary>
    public sealed class JournalStep
    {
        public int Number { get; internal set; }

        /// <summary>The operation (SetData, AddAttachment, ProcessNext, Submit).</summary>
        public string Operation { get; internal set; }

        public string DataType { get; internal set; }

        /// <summary>The fingerprint of the form data a SetData step sent.</summary>
        public string Hash { get; internal set; }

        public IReadOnlyList<JournalFile> Files { get; internal set; }

        /// <summary>The task a move began from (the latest move of the step).</summary>
        public string FromTask { get; internal set; }

        /// <summary>The task the latest move reached; null when the process ended.</summary>
        public string ToTask { get; internal set; }

        /// <summary>Whether the step's outcome is known and recorded.</summary>
        public bool Done { get; internal set; }

        internal JournalStep Copy() => (JournalStep)MemberwiseClone();

        public override string ToString() => $"{Number}: {Operation}{(DataType != null ? " " + DataType : string.Empty)}{(Done ? string.Empty : " (begun)")}";
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

        /// <summary>
        /// For Creating: the fingerprint of everything the instance is made from (app, owner, prefill, dates, language),
        /// null when it cannot be compared (a multipart create). Creations of the same content may run at once; after a
        /// kill, their unrecorded instances are interchangeable, so any of them may be adopted by any of those keys.
        /// </summary>
        [JsonPropertyName("content")] public string ContentFingerprint { get; set; }
        [JsonPropertyName("instanceId")] public string InstanceId { get; set; }
        [JsonPropertyName("receipt")] public string ReceiptPath { get; set; }

        /// <summary>
        /// A receipt file this key is about to write (full path), recorded before the first byte: a rerun after a kill
        /// adopts a whole file at that path as its own, and no other key may write there.
        /// </summary>
        [JsonPropertyName("receiptClaim")] public string ReceiptClaim { get; set; }
        [JsonPropertyName("step")] public string Step { get; set; }

        /// <summary>The number of the pipeline step this record belongs to (<see cref="JournalStep"/>); null for the create and the receipt.</summary>
        [JsonPropertyName("seq")] public int? StepNumber { get; set; }

        [JsonPropertyName("dataType")] public string DataType { get; set; }

        /// <summary>The fingerprint of the form data sent (never the data).</summary>
        [JsonPropertyName("hash")] public string Hash { get; set; }

        [JsonPropertyName("files")] public List<JournalFile> Files { get; set; }

        /// <summary>For Moving: the task the move begins from; for Moved: the task reached.</summary>
        [JsonPropertyName("task")] public string Task { get; set; }
        [JsonPropertyName("error")] public string Error { get; set; }
        [JsonPropertyName("errorId")] public string ErrorId { get; set; }

        /// <summary>
        /// For Failed: the key's create was answered with a refusal (a 4xx: Altinn received it and made nothing), so the
        /// key is no longer being created and a rerun creates without looking for an instance. Null for any other failure.
        /// </summary>
        [JsonPropertyName("nothingCreated")] public bool? NothingCreated { get; set; }
        [JsonPropertyName("pid")] public int ProcessId { get; set; }
    }

    /// <summary>A key's progress as the journal knows it: the latest good state, and the latest failure after it.</summary>
    public sealed class JournalEntry
    {
        private static readonly List<string> NoFiles = new List<string>();
        private static readonly List<JournalStep> NoSteps = new List<JournalStep>();

        // shared empty lists until a key has receipts or steps, and a list in step order rather than a sorted dictionary: a
        // large journal holds an entry per key, and each collection object is memory the GC walks while the file is read
        private List<string> _receiptFiles = NoFiles;
        private List<JournalStep> _steps = NoSteps;

        public string Key { get; internal set; }

        /// <summary>The furthest state reached: a step known to have ended (never <see cref="JournalState.Failed"/>, Attaching or Moving).</summary>
        public JournalState? Reached { get; internal set; }

        /// <summary>Failed when the latest record is a failure; otherwise the state reached.</summary>
        public JournalState State => _neverStarted ? JournalState.NotStarted : LastError != null ? JournalState.Failed : Begun ?? Reached ?? JournalState.Creating;

        /// <summary>A step begun and not known to have ended (Attaching, Moving): a run stopped in it, and the next run reconciles it.</summary>
        public JournalState? Begun { get; internal set; }

        private bool _neverStarted;

        /// <summary>
        /// A copy that later records do not change: the journal's own entry is updated under its lock as lines arrive (from
        /// this process's other runspaces, or other processes), and a caller reads or enumerates its copy without that lock.
        /// </summary>
        internal JournalEntry Snapshot()
        {
            var copy = (JournalEntry)MemberwiseClone();
            // MemberwiseClone shares the collections: the copy gets its own
            copy._receiptFiles = _receiptFiles.Count == 0 ? NoFiles : new List<string>(_receiptFiles);
            copy._steps = _steps.Count == 0 ? NoSteps : _steps.ConvertAll(step => step.Copy());
            return copy;
        }

        /// <summary>The entry of a key the journal has no record of.</summary>
        public static JournalEntry NotStarted(string key) => new JournalEntry { Key = key, _neverStarted = true };

        public string App { get; internal set; }
        public int? PartyId { get; internal set; }
        public string OrganizationNumber { get; internal set; }

        /// <summary>How the owner was given when the key began (organisation, person, party); null in entries of older versions.</summary>
        public string OwnerKind { get; internal set; }

        /// <summary>The fingerprint of the prefill the key's latest create was sent with; null in entries of older versions (not checked).</summary>
        public string PrefillFingerprint { get; internal set; }

        /// <summary>The content fingerprint of the key's latest create (<see cref="JournalRecord.ContentFingerprint"/>); null when not comparable.</summary>
        public string ContentFingerprint { get; internal set; }

        public string InstanceId { get; internal set; }
        public string ReceiptPath { get; internal set; }

        /// <summary>Every receipt file this key has claimed (about to write, or written); full paths.</summary>
        public IReadOnlyCollection<string> ReceiptFiles => new ReadableList<string>(_receiptFiles);

        public DateTimeOffset Started { get; internal set; }
        public DateTimeOffset Updated { get; internal set; }

        /// <summary>When the latest <see cref="JournalState.Creating"/> record was written: the earliest an unrecorded instance can have been made.</summary>
        public DateTimeOffset? CreatingSince { get; internal set; }

        public string LastError { get; internal set; }
        public string LastErrorId { get; internal set; }
        public string FailedStep { get; internal set; }
        public int Attempts { get; internal set; }

        public bool HasInstance => InstanceId != null;

        /// <summary>The pipeline steps the key has begun, by number.</summary>
        public IReadOnlyCollection<JournalStep> Steps => new ReadableList<JournalStep>(_steps);

        /// <summary>Step <paramref name="number"/> as recorded, or null.</summary>
        public JournalStep StepAt(int number)
        {
            var at = IndexOfStep(number);
            return at >= 0 ? _steps[at] : null;
        }

        [System.Runtime.CompilerServices.MethodImpl(JournalRecordReader.Optimized)]
        private int IndexOfStep(int number)
        {
            int low = 0, high = _steps.Count - 1;
            while (low <= high)
            {
                var middle = (low + high) / 2;
                var found = _steps[middle].Number;
                if (found == number) return middle;
                if (found < number) low = middle + 1; else high = middle - 1;
            }

            return ~low;
        }

        /// <summary>How many times the key was begun again with -Restart.</summary>
        public int Restarts { get; internal set; }

        public bool IsDone => Reached == JournalState.ReceiptSaved && LastError == null;

        /// <summary>How many records of the key the journal has read: a change means another step (of any run) was recorded.</summary>
        internal long Records { get; private set; }

        [System.Runtime.CompilerServices.MethodImpl(JournalRecordReader.Optimized)]
        internal void Apply(JournalRecord record)
        {
            Records++;
            if (Key == null)
            {
                Key = record.Key;
                Started = record.At;
            }

            Updated = record.At;
            if (record.State == JournalState.Restarted)
            {
                // the key begins again: its instance was removed, and nothing it recorded counts any more
                Restarts++;
                Reached = null;
                Begun = null;
                InstanceId = null;
                PrefillFingerprint = null;
                ContentFingerprint = null;
                CreatingSince = null;
                LastError = null;
                LastErrorId = null;
                FailedStep = null;
                _steps = NoSteps;
                return;
            }

            if (record.App != null) App = record.App;
            if (record.PartyId != null) PartyId = record.PartyId;
            if (record.OrganizationNumber != null) OrganizationNumber = record.OrganizationNumber;
            if (record.OwnerKind != null) OwnerKind = record.OwnerKind;
            if (record.PrefillFingerprint != null) PrefillFingerprint = record.PrefillFingerprint;
            if (record.InstanceId != null) InstanceId = record.InstanceId;
            if (record.ReceiptPath != null)
            {
                ReceiptPath = record.ReceiptPath;
                AddReceiptFile(record.ReceiptPath);
            }

            if (record.ReceiptClaim != null) AddReceiptFile(record.ReceiptClaim);

            if (record.State == JournalState.Failed)
            {
                LastError = record.Error ?? "failed";
                LastErrorId = record.ErrorId;
                FailedStep = record.Step;
                // a refused create made nothing: the key is not left being created, so a rerun creates rather than looks
                if (record.NothingCreated == true && !HasInstance) CreatingSince = null;
                return;
            }

            LastError = null;
            LastErrorId = null;
            FailedStep = null;
            if (record.StepNumber.HasValue) ApplyStep(record);
            if (record.State == JournalState.Creating)
            {
                Attempts++;
                CreatingSince = record.At;
                ContentFingerprint = record.ContentFingerprint;
            }

            if (record.State == JournalState.Attaching || record.State == JournalState.Moving)
            {
                Begun = record.State;
                return;
            }

            Begun = null;
            if (Reached == null || record.State > Reached) Reached = record.State;
        }

        private void AddReceiptFile(string path)
        {
            if (_receiptFiles.Contains(path)) return;
            if (_receiptFiles == NoFiles) _receiptFiles = new List<string>(2);
            _receiptFiles.Add(path);
        }

        [System.Runtime.CompilerServices.MethodImpl(JournalRecordReader.Optimized)]
        private void ApplyStep(JournalRecord record)
        {
            var number = record.StepNumber.Value;
            var at = IndexOfStep(number);
            JournalStep step;
            if (at >= 0)
            {
                step = _steps[at];
            }
            else
            {
                step = new JournalStep { Number = number };
                if (_steps == NoSteps) _steps = new List<JournalStep>(4);
                _steps.Insert(~at, step);
            }

            if (record.Step != null) step.Operation = record.Step;
            if (record.DataType != null) step.DataType = record.DataType;
            switch (record.State)
            {
                case JournalState.DataSet:
                    step.Hash = record.Hash;
                    step.Done = true;
                    break;
                case JournalState.Attaching:
                    step.Files = record.Files;
                    step.Done = false;
                    break;
                case JournalState.Attached:
                    step.Files = record.Files;
                    step.Done = true;
                    break;
                case JournalState.Moving:
                    step.FromTask = record.Task;
                    step.Done = false;
                    break;
                case JournalState.Moved:
                    step.ToTask = record.Task;
                    step.Done = true;
                    break;
                case JournalState.Submitted:
                    step.ToTask = null;
                    step.Done = true;
                    break;
            }
        }

        public override string ToString() => $"{Key}: {State}{(InstanceId != null ? " " + InstanceId : string.Empty)}";
    }
}
