using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using AltinnApp.Core;
using AltinnApp.Core.Models;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    [Cmdlet(VerbsData.Save, "AltinnReceipt", SupportsShouldProcess = true, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(FileInfo), typeof(AltinnInstance))]
    public sealed class SaveAltinnReceiptCommand : AltinnInstanceCmdlet
    {
        internal const string ReceiptDataType = "ref-data-as-pdf";

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
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            ForItem("SaveReceipt", TargetObject, () =>
            {
                var target = ResolveTarget();
                var destination = ResolvePath(Path);
                var (instance, files) = Run(async ct =>
                {
                    var current = await target.GetInstanceAsync(ct).ConfigureAwait(false);
                    var receipts = current.GetDataElements(ReceiptDataType);
                    if (receipts.Length == 0)
                    {
                        current = await target.GetInstanceAsync(ct, refresh: true).ConfigureAwait(false);
                        receipts = current.GetDataElements(ReceiptDataType);
                    }

                    if (!current.Ended && receipts.Length == 0)
                    {
                        throw new AltinnException("Altinn.Receipt.ProcessNotEnded", AltinnErrorKind.InvalidOperation,
                            $"Instance {current.Id} has not been submitted yet (it is at {current.CurrentTask ?? "no task"}), so there is no receipt. Move it on with Invoke-AltinnProcessNext first.");
                    }

                    if (receipts.Length == 0)
                    {
                        var application = await target.Session.Client.GetApplicationAsync(target.App, ct).ConfigureAwait(false);
                        if (application.FindDataType(ReceiptDataType) == null)
                        {
                            throw new AltinnException("Altinn.Receipt.NotProduced", AltinnErrorKind.ObjectNotFound,
                                $"The app {target.App} makes no PDF receipt (it has no '{ReceiptDataType}' data type). Get-AltinnInstance shows what the instance holds.");
                        }

                        var deadline = DateTime.UtcNow.AddSeconds(TimeoutSec);
                        while (receipts.Length == 0)
                        {
                            if (DateTime.UtcNow >= deadline)
                            {
                                throw new AltinnException("Altinn.Receipt.Timeout", AltinnErrorKind.OperationTimeout,
                                    $"Instance {current.Id} has ended but its receipt did not appear within {TimeoutSec} s. Run Save-AltinnReceipt again later, or raise -TimeoutSec.");
                            }

                            await Task.Delay(TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);
                            current = await target.GetInstanceAsync(ct, refresh: true).ConfigureAwait(false);
                            receipts = current.GetDataElements(ReceiptDataType);
                        }
                    }

                    var saved = new List<string>();
                    var index = 0;
                    foreach (var receipt in receipts)
                    {
                        index++;
                        var finalPath = FinalPath(destination, current, receipt, index, receipts.Length);
                        if (File.Exists(finalPath) && !Force)
                        {
                            throw new AltinnException("Altinn.Receipt.FileExists", AltinnErrorKind.WriteError,
                                $"'{finalPath}' already exists. Use -Force to overwrite it, or choose another -Path.");
                        }

                        if (!ShouldProcess(finalPath, $"Save the receipt of instance {current.Id}")) continue;
                        await AtomicFile.WriteAsync(finalPath, Force, stream =>
                            target.Session.Client.DownloadAsync(target.App, target.Id, receipt.Id, stream, null, ct), ct).ConfigureAwait(false);
                        saved.Add(finalPath);
                    }

                    return (current, saved);
                });

                foreach (var file in files) WriteVerbose($"Saved the receipt of {instance.Id} to {file}.");
                if (PassThru) WriteObject(instance);
                else foreach (var file in files) WriteObject(new FileInfo(file));
            });
        }

        private static string FinalPath(string destination, AltinnInstance instance, AltinnDataElement receipt, int index, int count)
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
                throw new AltinnArgumentException("Altinn.Receipt.FolderMissing", $"The folder '{parent}' does not exist. Create it first, or give an existing folder as -Path.");
            }

            if (count == 1) return destination;
            var name = System.IO.Path.GetFileNameWithoutExtension(destination);
            var extension = System.IO.Path.GetExtension(destination);
            return System.IO.Path.Combine(parent ?? string.Empty, index == 1 ? name + extension : $"{name}-{index}{extension}");
        }
    }
}
