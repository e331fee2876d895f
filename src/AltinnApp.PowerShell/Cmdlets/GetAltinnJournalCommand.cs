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
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        /// <summary>Only these keys (wildcards allowed).</summary>
        [Parameter(Position = 1)]
        [SupportsWildcards]
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

                if (!System.IO.File.Exists(path))
                {
                    throw new Core.AltinnException("Altinn.Journal.FileNotFound", Core.AltinnErrorKind.ObjectNotFound,
                        $"There is no journal at '{path}'. A journal is created by the first New-AltinnInstance -Journal '{Path}' -Key <key>.");
                }

                var patterns = Key?.Select(k => new WildcardPattern(k, WildcardOptions.IgnoreCase)).ToArray();
                foreach (var entry in SubmissionJournal.Open(path).Entries())
                {
                    if (patterns != null && !patterns.Any(p => p.IsMatch(entry.Key))) continue;
                    if (State != null && !State.Contains(entry.State)) continue;
                    WriteObject(entry);
                }
            });
        }
    }
}
