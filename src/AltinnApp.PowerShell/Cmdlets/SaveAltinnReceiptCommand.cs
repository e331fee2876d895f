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

        // the receipts this command has written, by file: two instances of one pipeline never share a file, even with -Force
        private readonly System.Collections.Generic.Dictionary<string, string> _written =
            new System.Collections.Generic.Dictionary<string, string>(Environment.OSVersion.Platform == PlatformID.Win32NT ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);

        protected override void ProcessRecord()
        {
            ForJournaledItem(() =>
            {
                var target = ResolveTarget();
                var destination = Destination.Decide(Path, ResolvePath(Path), Operation);

                // the instance as it is now: an ended process never starts again, so an object that says it has ended is
                // believed; any other (a pipeline object from before a task was finished elsewhere, or only an id) is read again
                var current = Run(ct => target.GetInstanceAsync(ct, refresh: !(Instance?.Ended ?? false)));
                if (!current.Ended) throw NotEnded(current);

                var journal = current.Journal;
                var entry = journal?.Entry;
                var saved = entry?.Reached == Core.Journal.JournalState.ReceiptSaved ? entry.ReceiptPath : null;
                if (saved != null && File.Exists(saved) && new FileInfo(saved).Length > 0 && !Force)
                {
                    // a rerun: this key's receipt was saved before (files are written whole or not at all)
                    WriteVerbose($"Key '{journal.Key}': the receipt is already saved at {saved}.");
                    WriteObject(PassThru ? (object)current : new FileInfo(saved));
                    return;
                }

                var (instance, receipts) = Run(ct => FindReceiptsAsync(target, current, ct));

                var savedCount = 0;
                string firstPath = null;
                var index = 0;
                foreach (var receipt in receipts)
                {
                    index++;
                    var finalPath = destination.FileFor(instance, receipt, index, receipts.Length);
                    if (_written.TryGetValue(finalPath, out var writtenFor) && !string.Equals(writtenFor, instance.Id, StringComparison.OrdinalIgnoreCase))
                    {
                        throw new AltinnException($"Altinn.{Operation}.FileExists", AltinnErrorKind.WriteError,
                            $"'{finalPath}' already holds the receipt of instance {writtenFor}, saved by this command; the receipt of {instance.Id} is not written over it, even with -Force. " +
                            "Give -Path a folder (each instance gets a file of its own there), or save one receipt per file name.");
                    }

                    var owner = journal?.Journal.KeyOfReceipt(finalPath);
                    if (owner != null && owner != journal.Key)
                    {
                        throw new AltinnException($"Altinn.{Operation}.FileExists", AltinnErrorKind.WriteError,
                            $"'{finalPath}' is the receipt of key '{owner}' in the journal {journal.Journal.Path}; the receipt of key '{journal.Key}' (instance {instance.Id}) is not written over it, even with -Force. " +
                            "Give -Path a folder (each instance gets a file of its own there), or a file name of its own for each key.");
                    }

                    if (File.Exists(finalPath) && !Force)
                    {
                        // a journaled rerun that was killed after the file was in place but before the journal said so: files are
                        // whole or absent, and the file is this key's when the key claimed it before writing, or when its name
                        // (in a folder) is made of this instance's id
                        if (journal != null && (owner == journal.Key || destination.IsFolder))
                        {
                            if (owner == null) journal.ClaimReceipt(instance.Id, finalPath);
                            firstPath = firstPath ?? finalPath;
                            WriteVerbose($"Key '{journal.Key}': the receipt is already saved at {finalPath}.");
                            if (!PassThru) WriteObject(new FileInfo(finalPath));
                            continue;
                        }

                        throw new AltinnException($"Altinn.{Operation}.FileExists", AltinnErrorKind.WriteError,
                            $"'{finalPath}' already exists. Use -Force to overwrite it, or choose another -Path.");
                    }

                    if (!ShouldProcess(finalPath, $"Save the receipt of instance {instance.Id}")) continue;
                    destination.EnsureFolder(Operation);
                    // claimed before the first byte, so a rerun after a kill knows the file is its own, and no other key writes there
                    journal?.ClaimReceipt(instance.Id, finalPath);
                    // a journaled rerun may follow a run that was killed while writing this very file
                    if (journal != null) AtomicFile.RemoveLeftovers(finalPath);
                    Run(ct => AtomicFile.WriteAsync(finalPath, Force, Operation, stream =>
                        target.Session.Client.DownloadAsync(target.App, target.Id, receipt, "application/pdf", Language, Operation, stream, null, ct), ct));
                    _written[finalPath] = instance.Id;
                    savedCount++;
                    firstPath = firstPath ?? finalPath;
                    WriteVerbose($"Saved the receipt of {instance.Id} to {finalPath}.");
                    if (!PassThru) WriteObject(new FileInfo(finalPath));
                }

                if (firstPath != null) journal?.Record(Core.Journal.JournalState.ReceiptSaved, instance.Id, firstPath);
                if (PassThru && savedCount > 0) WriteObject(instance);
            });
        }

        /// <summary>ProcessNotEnded, naming the task the instance is at and what finishes it.</summary>
        private AltinnException NotEnded(AltinnInstance current)
        {
            string where;
            var finish = "Invoke-AltinnProcessNext";
            if (current.CurrentTask == null)
            {
                where = "its process has not started";
            }
            else
            {
                var type = current.CurrentTaskType;
                where = $"it is at {current.CurrentTask}{(string.IsNullOrEmpty(type) ? string.Empty : $", a {type} task")}";
                var action = ServerErrors.DefaultAction(type);
                if (action != null && action != "write") finish += " -Action " + action;
            }

            return new AltinnException($"Altinn.{Operation}.ProcessNotEnded", AltinnErrorKind.InvalidOperation,
                $"Instance {current.Id} has not been submitted: {where}, so it has no receipt yet (a PDF made when an earlier task ended is not the receipt). " +
                $"Finish the task with {finish}, then run Save-AltinnReceipt again.");
        }

        /// <summary>The instance and its receipt elements; waits (up to -TimeoutSec) when the process has ended but the PDF is not there yet.</summary>
        private async Task<(AltinnInstance, AltinnDataElement[])> FindReceiptsAsync(InstanceTarget target, AltinnInstance current, System.Threading.CancellationToken ct)
        {
            var receipts = current.GetDataElements(MetadataRules.ReceiptDataType);
            if (receipts.Length == 0)
            {
                // the object may be older than the submission: look again
                current = await target.GetInstanceAsync(ct, refresh: true).ConfigureAwait(false);
                receipts = current.GetDataElements(MetadataRules.ReceiptDataType);
            }

            if (receipts.Length > 0) return (current, receipts);

            var application = await target.Session.Client.GetApplicationAsync(target.App, ct).ConfigureAwait(false);
            if (application.FindDataType(MetadataRules.ReceiptDataType) == null)
            {
                throw new AltinnException($"Altinn.{Operation}.NotProduced", AltinnErrorKind.ObjectNotFound,
                    $"The app {target.App} makes no PDF receipt (it has no '{MetadataRules.ReceiptDataType}' data type). Get-AltinnInstance shows what the instance holds; Save-AltinnData saves any of it.");
            }

            var clock = target.Session.Clock;
            var deadline = clock.UtcNow.AddSeconds(TimeoutSec);
            while (receipts.Length == 0)
            {
                if (clock.UtcNow >= deadline)
                {
                    throw new AltinnException($"Altinn.{Operation}.Timeout", AltinnErrorKind.OperationTimeout,
                        $"Instance {current.Id} has ended but its receipt did not appear within {TimeoutSec} s. Run Save-AltinnReceipt again later, or raise -TimeoutSec.");
                }

                AltinnLog.Verbose($"Instance {current.Id} has ended; waiting for its receipt.");
                var left = deadline - clock.UtcNow;
                await clock.Delay(left < TimeSpan.FromSeconds(2) ? (left > TimeSpan.Zero ? left : TimeSpan.Zero) : TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);
                current = await target.GetInstanceAsync(ct, refresh: true).ConfigureAwait(false);
                receipts = current.GetDataElements(MetadataRules.ReceiptDataType);
            }

            return (current, receipts);
        }

        /// <summary>
        /// Where -Path puts receipts. -Path is a folder, created when missing (as Save-PSResource -Path), unless it names a
        /// file ending in .pdf that is not an existing folder; a path ending in / or \ is always a folder.
        /// </summary>
        private sealed class Destination
        {
            private Destination(string path, bool isFolder)
            {
                FullPath = path;
                IsFolder = isFolder;
            }

            public string FullPath { get; }

            public bool IsFolder { get; }

            public static Destination Decide(string given, string fullPath, string operation)
            {
                var trailing = given.EndsWith("/", StringComparison.Ordinal) || given.EndsWith("\\", StringComparison.Ordinal);
                var trimmed = fullPath.TrimEnd('/', '\\');
                if (trimmed.Length == 0 || trimmed.EndsWith(":", StringComparison.Ordinal)) trimmed = fullPath; // a root
                var isFile = !trailing && !Directory.Exists(trimmed) && trimmed.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase);
                if (!isFile)
                {
                    if (File.Exists(trimmed))
                    {
                        throw new AltinnException($"Altinn.{operation}.FileExists", AltinnErrorKind.WriteError,
                            $"-Path '{given}' is a file, but a -Path that does not end in .pdf is a folder for the receipts. " +
                            "Give a folder (it is created when missing), or a file name ending in .pdf; or move the file away.");
                    }

                    return new Destination(trimmed, true);
                }

                var parent = System.IO.Path.GetDirectoryName(trimmed);
                if (!string.IsNullOrEmpty(parent) && !Directory.Exists(parent))
                {
                    throw new AltinnArgumentException($"Altinn.{operation}.FolderMissing",
                        $"The folder '{parent}' does not exist, so the receipt file '{given}' cannot be written there. Create it first, or give a folder as -Path (a folder is created when missing).");
                }

                return new Destination(trimmed, false);
            }

            /// <summary>Creates the folder when it is missing; only once a receipt is about to be written, never under -WhatIf.</summary>
            public void EnsureFolder(string operation)
            {
                if (!IsFolder || Directory.Exists(FullPath)) return;
                try
                {
                    Directory.CreateDirectory(FullPath);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    throw new AltinnException($"Altinn.{operation}.CannotWrite", AltinnErrorKind.WriteError,
                        $"The folder '{FullPath}' for the receipts cannot be created: {ex.Message} Check the path and its permissions.");
                }
            }

            public string FileFor(AltinnInstance instance, AltinnDataElement receipt, int index, int count)
            {
                if (IsFolder)
                {
                    var serverName = SafeFileName.From(receipt.Filename, "receipt.pdf");
                    if (!serverName.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase)) serverName += ".pdf";
                    // unique per instance: the server's name is the same for every instance of an app
                    var unique = $"{instance.PartyId}-{instance.InstanceGuid:D}-{(count > 1 ? index + "-" : string.Empty)}{serverName}";
                    return System.IO.Path.Combine(FullPath, unique);
                }

                if (count == 1) return FullPath;
                var parent = System.IO.Path.GetDirectoryName(FullPath);
                var name = System.IO.Path.GetFileNameWithoutExtension(FullPath);
                var extension = System.IO.Path.GetExtension(FullPath);
                return System.IO.Path.Combine(parent ?? string.Empty, index == 1 ? name + extension : $"{name}-{index}{extension}");
            }
        }
    }
}
