using System;
using System.Linq;
using System.Management.Automation;
using AltinnApp.Core.Journal;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    /// <summary>Shows how far each key of a journaled batch has come.</summary>
    [Cmdlet(VerbsCommon.Get, "AltinnJournal")]
    [OutputType(typeof(JournalEntry))]
    public sealed class GetAltinnJournalCommand : AltinnCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Journal", "FullName")]
        [ArgumentCompleter(typeof(JournalPathCompleter))]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        /// <summary>Only these keys (wildcards allowed).</summary>
        [Parameter(Position = 1)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(JournalKeyCompleter))]
        public string[] Key { get; set; }

        /// <summary>Only keys in these states (e.g. Failed, or everything not yet ReceiptSaved).</summary>
        [Parameter]
        public JournalState[] State { get; set; }

        protected override void ProcessRecord()
        {
            ForItem("GetJournal", Path, () =>
            {
                var path = ResolvePath(Path);
                if (System.IO.Directory.Exists(path))
                {
                    throw new Core.AltinnArgumentException("Altinn.Journal.PathIsFolder",
                        $"-Path '{path}' is a folder. Give the journal file that New-AltinnInstance -Journal wrote, for example {System.IO.Path.Combine(path, "batch.journal")}.");
                }

                var literalKeys = Key?.Where(k => !WildcardPattern.ContainsWildcardCharacters(k)).ToList() ?? new System.Collections.Generic.List<string>();
                if (!System.IO.File.Exists(path) && Key != null && literalKeys.Count == Key.Length && System.IO.Directory.Exists(System.IO.Path.GetDirectoryName(path)))
                {
                    // no row of the batch reached New-AltinnInstance: each key asked for is NotStarted
                    foreach (var key in literalKeys.Distinct(StringComparer.Ordinal))
                    {
                        var missing = JournalEntry.NotStarted(AltinnApp.Core.Journal.JournalKeys.Mask(key));
                        if (State == null || State.Contains(missing.State)) WriteObject(missing);
                    }

                    return;
                }

                if (!System.IO.File.Exists(path))
                {
                    throw new Core.AltinnException("Altinn.Journal.FileNotFound", Core.AltinnErrorKind.ObjectNotFound,
                        $"There is no journal at '{path}'. A journal is created by the first New-AltinnInstance -Journal '{Path}' -Key <key>.");
                }

                var journal = SubmissionJournal.Open(path);
                if (Key != null && literalKeys.Count == Key.Length)
                {
                    // keys by name: one entry per key, in the order given (the rows of a batch), a key never seen as NotStarted
                    foreach (var key in literalKeys.Distinct(StringComparer.Ordinal))
                    {
                        var entry = journal.Get(key) ?? JournalEntry.NotStarted(AltinnApp.Core.Journal.JournalKeys.Mask(key));
                        if (State == null || State.Contains(entry.State)) WriteObject(entry);
                    }

                    return;
                }

                var patterns = Key?.Select(k => new WildcardPattern(k, WildcardOptions.IgnoreCase)).ToArray();
                var states = State;
                Func<JournalEntry, bool> where = null;
                if (patterns != null || states != null)
                {
                    // tested on the journal's own entries: only those asked for are copied out
                    where = e => (patterns == null || patterns.Any(p => p.IsMatch(e.Key))) && (states == null || states.Contains(e.State));
                }

                foreach (var entry in journal.Entries(where))
                {
                    WriteObject(entry);
                }

                // a key asked for by name that the journal has never seen: a row that never reached New-AltinnInstance
                // (a script error before it, a missing column) is listed too, so a batch's check of its keys misses none
                foreach (var key in literalKeys.Distinct(StringComparer.Ordinal))
                {
                    if (journal.Get(key) != null) continue;
                    var missing = JournalEntry.NotStarted(AltinnApp.Core.Journal.JournalKeys.Mask(key));
                    if (State == null || State.Contains(missing.State)) WriteObject(missing);
                }
            });
        }
    }
}
