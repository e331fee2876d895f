using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using AltinnApp.Core;
using AltinnApp.Core.Files;
using AltinnApp.Core.Api;
using AltinnApp.Core.Http;
using AltinnApp.Core.Models;
using AltinnApp.Core.Submissions;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    [Cmdlet(VerbsData.Save, "AltinnReceipt", SupportsShouldProcess = true, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(FileInfo), typeof(AltinnInstance))]
    public sealed class SaveAltinnReceiptCommand : AltinnInstanceCmdlet
    {
        /// <summary>A folder (file names from the server, unique per instance) or a file name.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>How long to wait for the receipt to appear after the process has ended.</summary>
        [Parameter]
        [ValidateRange(0, 3600)]
        public int TimeoutSec { get; set; } = 60;

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Language { get; set; } = "nb";

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override string Operation => "SaveReceipt";

        // the receipts this command has written, by file: two instances of one pipeline never share a file, even with -Force
        private readonly System.Collections.Generic.Dictionary<string, string> _written =
            new System.Collections.Generic.Dictionary<string, string>(Environment.OSVersion.Platform == PlatformID.Win32NT ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);

        protected override void ProcessRecord()
        {
            ForJournaledItem(() =>
            {
                if (PassPlanned($"Save the receipt in {Path}")) return;
                var target = ResolveTarget();
                var destination = ReceiptDestination.Decide(Path, ResolvePath(Path), Operation);

                // the instance as it is now: an ended process never starts again, so an object that says it has ended is
                // believed; any other (a pipeline object from before a task was finished elsewhere, or only an id) is read again
                var current = Run(ct => target.GetInstanceAsync(ct, refresh: !(Instance?.Ended ?? false)));
                var outcome = Run(ct => new SubmissionReceipts(target.Session, Confirmation).SaveAsync(current, destination, Force, TimeSpan.FromSeconds(TimeoutSec), Language, _written, ct));
                if (PassThru)
                {
                    if (outcome.Files.Count > 0) WriteObject(outcome.Instance);
                    return;
                }

                foreach (var file in outcome.Files) WriteObject(new FileInfo(file));
            });
        }
    }
}
