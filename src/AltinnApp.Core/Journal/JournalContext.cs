using System;

namespace AltinnApp.Core.Journal
{
    /// <summary>
    /// The journal and key an instance object was made or resumed for. It travels with the instance down the
    /// pipeline, so every later step records its progress without being told the journal again.
    /// </summary>
    public sealed class JournalContext
    {
        private int _steps;

        /// <param name="key">The key as given; a person number in it is held as the journal stores it (<see cref="SubmissionJournal.StoredKey"/>).</param>
        public JournalContext(SubmissionJournal journal, string key)
        {
            Journal = journal;
            Key = journal.StoredKey(key);
        }

        /// <summary>
        /// The number of the next pipeline step taken on this key in this run (1, 2, ...). Each cmdlet after
        /// New-AltinnInstance takes one, in pipeline order, so a rerun of the same pipeline meets its steps again by number.
        /// </summary>
        public int TakeStepNumber() => System.Threading.Interlocked.Increment(ref _steps);

        // the fingerprint of the form data this row brings to each of its Set-AltinnData steps, by step number; made on the
        // first one, since the journal keeps the latest row of every key for the run's length
        private System.Collections.Generic.Dictionary<int, string> _dataHashes;

        /// <summary>Notes the form data this row brings to step <paramref name="number"/>.</summary>
        internal void RememberData(int number, string hash)
        {
            lock (this) (_dataHashes ?? (_dataHashes = new System.Collections.Generic.Dictionary<int, string>()))[number] = hash;
        }

        /// <summary>The form data this row has brought to its steps, by step number.</summary>
        internal System.Collections.Generic.KeyValuePair<int, string>[] DataSent()
        {
            lock (this) return _dataHashes == null ? new System.Collections.Generic.KeyValuePair<int, string>[0] : System.Linq.Enumerable.ToArray(_dataHashes);
        }

        /// <summary>New-AltinnInstance resumed or created the key's instance for this row (<see cref="SubmissionJournal.BeginRow"/>).</summary>
        internal bool Began { get; set; }

        /// <summary>Records a step's progress: <paramref name="state"/> with the step's number and what identifies it.</summary>
        public void RecordStep(int number, string operation, JournalState state, string instanceId, string dataType = null, string hash = null,
            System.Collections.Generic.List<JournalFile> files = null, string task = null) =>
            Journal.Append(new JournalRecord
            {
                Key = Key,
                State = state,
                InstanceId = instanceId,
                StepNumber = number,
                Step = operation,
                DataType = dataType,
                Hash = hash,
                Files = files,
                Task = task,
            });

        public SubmissionJournal Journal { get; }

        public string Key { get; }

        public JournalEntry Entry => Journal.Get(Key);

        public void Record(JournalState state, string instanceId = null, string receiptPath = null) =>
            Journal.Append(new JournalRecord { Key = Key, State = state, InstanceId = instanceId, ReceiptPath = receiptPath });

        /// <summary>
        /// Records, before the first byte is written, that this key's receipt goes to <paramref name="path"/> (a full path).
        /// Only for an instance whose process has ended, so the record also says the key is submitted.
        /// </summary>
        public void ClaimReceipt(string instanceId, string path) =>
            Journal.Append(new JournalRecord { Key = Key, State = JournalState.Submitted, InstanceId = instanceId, ReceiptClaim = path });

        /// <summary>Whether this key has claimed or saved a receipt at <paramref name="path"/>.</summary>
        public bool OwnsReceipt(string path) => Journal.KeyOfReceipt(path) == Key;

        private const string RecordedMark = "AltinnApp.Journal.Recorded";

        /// <summary>Marks a failure the engine has recorded on the key already, so the cmdlet does not record it twice.</summary>
        public static void MarkRecorded(Exception exception) => exception.Data[RecordedMark] = true;

        /// <summary>Whether the engine recorded <paramref name="exception"/> on the key already.</summary>
        public static bool IsRecorded(Exception exception) => exception?.Data[RecordedMark] is bool recorded && recorded;

        public void RecordFailure(string step, Exception exception)
        {
            // a row that a later row of the same key superseded fails alone: the key is the later row's to carry on
            // (a row refused before it began its key is recorded: that refusal is the key's news)
            if (Journal.IsSuperseded(this)) return;
            var altinn = exception as AltinnException;
            Journal.Append(new JournalRecord
            {
                Key = Key,
                State = JournalState.Failed,
                Step = step,
                Error = Http.Redactor.Redact(exception.Message),
                ErrorId = altinn?.ErrorId,
            });
        }

        /// <summary>
        /// The key's instance was resumed for a row that passed every check: a failure that <paramref name="step"/>
        /// recorded on an earlier run (a refused row) is cleared by recording again the state the key had reached,
        /// so the journal no longer lists the key as failed. Later steps' failures stay until those steps succeed.
        /// </summary>
        /// <returns>Whether a record was written.</returns>
        public bool RecordResumed(string step, string instanceId)
        {
            var entry = Entry;
            if (entry == null || entry.State != JournalState.Failed || entry.FailedStep != step || entry.Reached == null || entry.Reached < JournalState.Created) return false;
            Record(entry.Reached.Value, instanceId);
            return true;
        }

        public override string ToString() => $"{Key} in {Journal.Path}";
    }
}
