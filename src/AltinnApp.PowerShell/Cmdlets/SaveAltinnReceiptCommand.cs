using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using AltinnApp.Core;
using AltinnApp.Core.Api;
using AltinnApp.Core.Http;
using AltinnApp.Core.Models;
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

        protected override void ProcessRecord()
        {
            ForJournaledItem(() =>
            {
                var target = ResolveTarget();
                var destination = ResolvePath(Path);
                var saved = Instance?.Journal?.Entry?.ReceiptPath;
                if (saved != null && File.Exists(saved) && new FileInfo(saved).Length > 0 && !Force)
                {
                    // a rerun: this key's receipt was saved before (files are written whole or not at all)
                    WriteVerbose($"Key '{Instance.JournalKey}': the receipt is already saved at {saved}.");
                    WriteObject(PassThru ? (object)Instance : new FileInfo(saved));
                    return;
                }

                var (instance, receipts) = Run(ct => FindReceiptsAsync(target, ct));

                var savedCount = 0;
                string firstPath = null;
                var index = 0;
                foreach (var receipt in receipts)
                {
                    index++;
                    var finalPath = FinalPath(destination, instance, receipt, index, receipts.Length);
                    if (File.Exists(finalPath) && !Force && instance.Journal != null)
                    {
                        // a rerun that crashed after the file was in place but before the journal said so: files are whole or absent
                        firstPath = firstPath ?? finalPath;
                        WriteVerbose($"Key '{instance.JournalKey}': the receipt is already saved at {finalPath}.");
                        if (!PassThru) WriteObject(new FileInfo(finalPath));
                        continue;
                    }

                    if (File.Exists(finalPath) && !Force)
                    {
                        throw new AltinnException($"Altinn.{Operation}.FileExists", AltinnErrorKind.WriteError,
                            $"'{finalPath}' already exists. Use -Force to overwrite it, or choose another -Path.");
                    }

                    if (!ShouldProcess(finalPath, $"Save the receipt of instance {instance.Id}")) continue;
                    // a journaled rerun may follow a run that was killed while writing this very file
                    if (instance.Journal != null) AtomicFile.RemoveLeftovers(finalPath);
                    Run(ct => AtomicFile.WriteAsync(finalPath, Force, Operation, stream =>
                        target.Session.Client.DownloadAsync(target.App, target.Id, receipt, "application/pdf", Language, Operation, stream, null, ct), ct));
                    savedCount++;
                    firstPath = firstPath ?? finalPath;
                    WriteVerbose($"Saved the receipt of {instance.Id} to {finalPath}.");
                    if (!PassThru) WriteObject(new FileInfo(finalPath));
                }

                if (firstPath != null) instance.Journal?.Record(Core.Journal.JournalState.ReceiptSaved, instance.Id, firstPath);
                if (PassThru && savedCount > 0) WriteObject(instance);
            });
        }

        /// <summary>The instance and its receipt elements; waits (up to -TimeoutSec) when the process has ended but the PDF is not there yet.</summary>
        private async Task<(AltinnInstance, AltinnDataElement[])> FindReceiptsAsync(InstanceTarget target, System.Threading.CancellationToken ct)
        {
            var current = await target.GetInstanceAsync(ct).ConfigureAwait(false);
            var receipts = current.GetDataElements(MetadataRules.ReceiptDataType);
            if (receipts.Length == 0)
            {
                // the object may be older than the submission: look again
                current = await target.GetInstanceAsync(ct, refresh: true).ConfigureAwait(false);
                receipts = current.GetDataElements(MetadataRules.ReceiptDataType);
            }

            if (!current.Ended && receipts.Length == 0)
            {
                throw new AltinnException($"Altinn.{Operation}.ProcessNotEnded", AltinnErrorKind.InvalidOperation,
                    $"Instance {current.Id} has not been submitted yet (it is at {current.CurrentTask ?? "no task"}), so there is no receipt. Move it on with Invoke-AltinnProcessNext first.");
            }

            if (receipts.Length > 0) return (current, receipts);

            var application = await target.Session.Client.GetApplicationAsync(target.App, ct).ConfigureAwait(false);
            if (application.FindDataType(MetadataRules.ReceiptDataType) == null)
            {
                throw new AltinnException($"Altinn.{Operation}.NotProduced", AltinnErrorKind.ObjectNotFound,
                    $"The app {target.App} makes no PDF receipt (it has no '{MetadataRules.ReceiptDataType}' data type). Get-AltinnInstance shows what the instance holds; Save-AltinnData saves any of it.");
            }

            var deadline = DateTime.UtcNow.AddSeconds(TimeoutSec);
            while (receipts.Length == 0)
            {
                if (DateTime.UtcNow >= deadline)
                {
                    throw new AltinnException($"Altinn.{Operation}.Timeout", AltinnErrorKind.OperationTimeout,
                        $"Instance {current.Id} has ended but its receipt did not appear within {TimeoutSec} s. Run Save-AltinnReceipt again later, or raise -TimeoutSec.");
                }

                AltinnLog.Verbose($"Instance {current.Id} has ended; waiting for its receipt.");
                var left = deadline - DateTime.UtcNow;
                await Task.Delay(left < TimeSpan.FromSeconds(2) ? (left > TimeSpan.Zero ? left : TimeSpan.Zero) : TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);
                current = await target.GetInstanceAsync(ct, refresh: true).ConfigureAwait(false);
                receipts = current.GetDataElements(MetadataRules.ReceiptDataType);
            }

            return (current, receipts);
        }

        private string FinalPath(string destination, AltinnInstance instance, AltinnDataElement receipt, int index, int count)
        {
            var isFolder = Directory.Exists(destination) || destination.EndsWith("/", StringComparison.Ordinal) || destination.EndsWith("\\", StringComparison.Ordinal);
            if (isFolder)
            {
                Directory.CreateDirectory(destination);
                var serverName = SafeFileName.From(receipt.Filename, "receipt.pdf");
                if (!serverName.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase)) serverName += ".pdf";
                // unique per instance: the server's name is the same for every instance of an app
                var unique = $"{instance.PartyId}-{instance.InstanceGuid:D}-{(count > 1 ? index + "-" : string.Empty)}{serverName}";
                return System.IO.Path.Combine(destination, unique);
            }

            var parent = System.IO.Path.GetDirectoryName(destination);
            if (!string.IsNullOrEmpty(parent) && !Directory.Exists(parent))
            {
                throw new AltinnArgumentException($"Altinn.{Operation}.FolderMissing", $"The folder '{parent}' does not exist. Create it first, or give an existing folder as -Path.");
            }

            if (count == 1) return destination;
            var name = System.IO.Path.GetFileNameWithoutExtension(destination);
            var extension = System.IO.Path.GetExtension(destination);
            return System.IO.Path.Combine(parent ?? string.Empty, index == 1 ? name + extension : $"{name}-{index}{extension}");
        }
    }
}
