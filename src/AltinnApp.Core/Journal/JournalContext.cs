using System;

namespace AltinnApp.Core.Journal
{
    /// <summary>
    /// The journal and key an instance object was made or resumed for. It travels with the instance down the
    /// pipeline, so every later step records its progress without being told the journal again.
    /// </summary>
    public sealed class JournalContext
    {
        public JournalContext(SubmissionJournal journal, string key)
        {
            Journal = journal;
            Key = key;
        }

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

        public void RecordFailure(string step, Exception exception)
        {
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

        public override string ToString() => $"{Key} in {Journal.Path}";
    }
}
