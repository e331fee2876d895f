using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using AltinnApp.Core.Api;
using AltinnApp.Core.Files;
using AltinnApp.Core.Http;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Submissions
{
    /// <summary>What saving a receipt brought: the files (written now, or found saved by an earlier run) and the instance.</summary>
    public sealed class ReceiptOutcome
    {
        public ReceiptOutcome(AltinnInstance instance, IReadOnlyList<string> files, int written)
        {
            Instance = instance;
            Files = files;
            Written = written;
        }

        public AltinnInstance Instance { get; }

        /// <summary>Every receipt file of the instance at the destination (full paths).</summary>
        public IReadOnlyList<string> Files { get; }

        /// <summary>How many of <see cref="Files"/> this call wrote.</summary>
        public int Written { get; }
    }

    /// <summary>
    /// The last step of a submission: its PDF receipt, only for an instance whose process has ended, written whole or not at
    /// all. Journaled: the file is claimed before its first byte (so a rerun after a kill knows a whole file there is its own,
    /// and no other key writes over it) and recorded as saved after; a key whose receipt is saved is not saved again.
    /// </summary>
    public sealed class SubmissionReceipts
    {
        private const string Operation = "SaveReceipt";
        private readonly AltinnSession _session;
        private readonly ISubmissionConfirmation _confirm;

        public SubmissionReceipts(AltinnSession session, ISubmissionConfirmation confirm = null)
        {
            _session = session ?? throw new ArgumentNullException(nameof(session));
            _confirm = confirm ?? ConfirmAll.Instance;
        }

        /// <param name="writtenByCaller">Receipt files the caller wrote before (full path to instance id): two instances of one command never share a file, even with force.</param>
        public async Task<ReceiptOutcome> SaveAsync(AltinnInstance current, ReceiptDestination destination, bool force, TimeSpan timeout, string language,
            IDictionary<string, string> writtenByCaller, CancellationToken cancellationToken)
        {
            if (!current.Ended) throw NotEnded(current);
            // the key's steps are taken one at a time, also by other runs sharing the journal
            using (await SubmissionSteps.LockKeyAsync(current, cancellationToken).ConfigureAwait(false))
            {
                return await SaveLockedAsync(current, destination, force, timeout, language, writtenByCaller, cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task<ReceiptOutcome> SaveLockedAsync(AltinnInstance current, ReceiptDestination destination, bool force, TimeSpan timeout, string language,
            IDictionary<string, string> writtenByCaller, CancellationToken cancellationToken)
        {
            var app = AppIdentifier.Parse(current.AppId, "App", Operation);
            var id = InstanceIdentifier.Parse(current.Id, "Instance", Operation);
            var journal = current.Journal;
            var entry = journal?.Entry;
            var saved = entry?.Reached == Journal.JournalState.ReceiptSaved ? entry.ReceiptPath : null;
            if (saved != null && File.Exists(saved) && new FileInfo(saved).Length > 0 && !force)
            {
                // a rerun: this key's receipt was saved before (files are written whole or not at all)
                AltinnLog.Verbose($"Key '{journal.Key}': the receipt is already saved at {saved}.");
                return new ReceiptOutcome(current, new[] { saved }, 0);
            }

            var (instance, receipts) = await FindReceiptsAsync(app, id, current, timeout, cancellationToken).ConfigureAwait(false);
            var files = new List<string>();
            var written = 0;
            var index = 0;
            foreach (var receipt in receipts)
            {
                index++;
                var finalPath = destination.FileFor(instance, receipt, index, receipts.Length);
                if (writtenByCaller != null && writtenByCaller.TryGetValue(finalPath, out var writtenFor) && !string.Equals(writtenFor, instance.Id, StringComparison.OrdinalIgnoreCase))
                {
                    throw new AltinnException(ErrorCatalogue.Id(Operation, ErrorReason.FileExists), AltinnErrorKind.WriteError,
                        $"'{finalPath}' already holds the receipt of instance {writtenFor}, saved by this command; the receipt of {instance.Id} is not written over it, even with -Force. " +
                        "Give -Path a folder (each instance gets a file of its own there), or save one receipt per file name.");
                }

                var owner = journal?.Journal.KeyOfReceipt(finalPath);
                if (owner != null && owner != journal.Key)
                {
                    throw new AltinnException(ErrorCatalogue.Id(Operation, ErrorReason.FileExists), AltinnErrorKind.WriteError,
                        $"'{finalPath}' is the receipt of key '{owner}' in the journal {journal.Journal.Path}; the receipt of key '{journal.Key}' (instance {instance.Id}) is not written over it, even with -Force. " +
                        "Give -Path a folder (each instance gets a file of its own there), or a file name of its own for each key.");
                }

                if (File.Exists(finalPath) && !force)
                {
                    // a journaled rerun that was killed after the file was in place but before the journal said so: files are
                    // whole or absent, and the file is this key's when the key claimed it before writing, or when its name
                    // (in a folder) is made of this instance's id
                    if (journal != null && (owner == journal.Key || destination.IsFolder))
                    {
                        // the name alone does not make it this receipt (last year's file, a copy put back): its size must be the element's
                        RequireThisReceipt(finalPath, instance, receipt);
                        if (owner == null) journal.ClaimReceipt(instance.Id, finalPath);
                        files.Add(finalPath);
                        AltinnLog.Verbose($"Key '{journal.Key}': the receipt is already saved at {finalPath}.");
                        continue;
                    }

                    throw new AltinnException(ErrorCatalogue.Id(Operation, ErrorReason.FileExists), AltinnErrorKind.WriteError,
                        $"'{finalPath}' already exists. Use -Force to overwrite it, or choose another -Path.");
                }

                if (!await _confirm.ConfirmAsync(finalPath, $"Save the receipt of instance {instance.Id}", cancellationToken).ConfigureAwait(false)) continue;
                destination.EnsureFolder(Operation);
                // claimed before the first byte, so a rerun after a kill knows the file is its own, and no other key writes there
                journal?.ClaimReceipt(instance.Id, finalPath);
                // a journaled rerun may follow a run that was killed while writing this very file
                if (journal != null) AtomicFile.RemoveLeftovers(finalPath);
                var element = receipt;
                await AtomicFile.WriteAsync(finalPath, force, Operation, stream =>
                    _session.Client.Data.DownloadAsync(app, id, element, "application/pdf", language, Operation, NoMoreThanItsSize(stream, instance, element), null, cancellationToken), cancellationToken).ConfigureAwait(false);
                if (writtenByCaller != null) writtenByCaller[finalPath] = instance.Id;
                written++;
                files.Add(finalPath);
                AltinnLog.Verbose($"Saved the receipt of {instance.Id} to {finalPath}.");
            }

            if (files.Count > 0) journal?.Record(Journal.JournalState.ReceiptSaved, instance.Id, files[0]);
            return new ReceiptOutcome(instance, files, written);
        }

        /// <summary>A server that sends more than the receipt's size cannot fill the disk: the download fails and nothing is kept.</summary>
        private static Stream NoMoreThanItsSize(Stream stream, AltinnInstance instance, AltinnDataElement receipt) =>
            receipt.Size <= 0 ? stream : new LimitedStream(stream, receipt.Size, max => new AltinnException(ErrorCatalogue.Id(Operation, ErrorReason.BadResponse), AltinnErrorKind.ProtocolError,
                $"Altinn sent more than {max} bytes for the receipt of instance {instance.Id}, whose size is {receipt.Size} bytes; nothing was kept. Try again."));

        /// <summary>
        /// An existing file counts as the element only when it has the element's size (Storage's size of the PDF it
        /// made; the journal keeps no hash of a receipt). A receipt of unknown size can never be recognised.
        /// </summary>
        private static void RequireThisReceipt(string path, AltinnInstance instance, AltinnDataElement receipt)
        {
            var length = new FileInfo(path).Length;
            if (receipt.Size > 0 && length == receipt.Size) return;
            throw new AltinnException(ErrorCatalogue.Id(Operation, ErrorReason.NotThisReceipt), AltinnErrorKind.WriteError,
                $"'{path}' is already there, but it is not the receipt of instance {instance.Id}: it holds {length} bytes, " +
                (receipt.Size > 0 ? $"the receipt {receipt.Size}" : "and Altinn gives no size for the receipt to compare") +
                ". It was left alone and nothing was written. Move the file away (the next run saves the receipt there), or give -Path another folder or file name.");
        }

        private Task<AltinnInstance> Reread(AppIdentifier app, InstanceIdentifier id, AltinnInstance current, CancellationToken cancellationToken) =>
            SubmissionSteps.RereadAsync(_session.Client, app, id, current.Journal, cancellationToken);

        /// <summary>ProcessNotEnded, naming the task the instance is at and what finishes it.</summary>
        public static AltinnException NotEnded(AltinnInstance current)
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

            return new AltinnException(ErrorCatalogue.Id(Operation, ErrorReason.ProcessNotEnded), AltinnErrorKind.InvalidOperation,
                $"Instance {current.Id} has not been submitted: {where}, so it has no receipt yet (a PDF made when an earlier task ended is not the receipt). " +
                $"Finish the task with {finish}, then run Save-AltinnReceipt again.");
        }

        /// <summary>The instance and its receipt elements; waits (up to -TimeoutSec) when the process has ended but the PDF is not there yet.</summary>
        private async Task<(AltinnInstance, AltinnDataElement[])> FindReceiptsAsync(AppIdentifier app, InstanceIdentifier id, AltinnInstance current, TimeSpan timeout, CancellationToken ct)
        {
            var receipts = current.GetDataElements(MetadataRules.ReceiptDataType);
            if (receipts.Length == 0)
            {
                // the object may be older than the submission: look again
                current = await Reread(app, id, current, ct).ConfigureAwait(false);
                receipts = current.GetDataElements(MetadataRules.ReceiptDataType);
            }

            if (receipts.Length > 0) return (current, receipts);

            var application = await _session.Client.Applications.GetApplicationAsync(app, ct).ConfigureAwait(false);
            if (application.FindDataType(MetadataRules.ReceiptDataType) == null)
            {
                throw new AltinnException(ErrorCatalogue.Id(Operation, ErrorReason.NotProduced), AltinnErrorKind.ObjectNotFound,
                    $"The app {app} makes no PDF receipt (it has no '{MetadataRules.ReceiptDataType}' data type). Get-AltinnInstance shows what the instance holds; Save-AltinnData saves any of it.");
            }

            var clock = _session.Clock;
            var deadline = clock.UtcNow + timeout;
            while (receipts.Length == 0)
            {
                if (clock.UtcNow >= deadline)
                {
                    throw new AltinnException(ErrorCatalogue.Id(Operation, ErrorReason.Timeout), AltinnErrorKind.OperationTimeout,
                        $"Instance {current.Id} has ended but its receipt did not appear within {timeout.TotalSeconds:0} s. Run Save-AltinnReceipt again later, or raise -TimeoutSec.");
                }

                AltinnLog.Verbose($"Instance {current.Id} has ended; waiting for its receipt.");
                var left = deadline - clock.UtcNow;
                await clock.Delay(left < TimeSpan.FromSeconds(2) ? (left > TimeSpan.Zero ? left : TimeSpan.Zero) : TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);
                current = await Reread(app, id, current, ct).ConfigureAwait(false);
                receipts = current.GetDataElements(MetadataRules.ReceiptDataType);
            }

            return (current, receipts);
        }

    }

    /// <summary>
    /// Where -Path puts receipts. -Path is a folder, created when missing (as Save-PSResource -Path), unless it names a
    /// file ending in .pdf that is not an existing folder; a path ending in / or \ is always a folder.
    /// </summary>
    public sealed class ReceiptDestination
    {
        private ReceiptDestination(string path, bool isFolder)
        {
            FullPath = path;
            IsFolder = isFolder;
        }

        public string FullPath { get; }

        public bool IsFolder { get; }

        public static ReceiptDestination Decide(string given, string fullPath, string operation)
        {
            var trailing = given.EndsWith("/", StringComparison.Ordinal) || given.EndsWith("\\", StringComparison.Ordinal);
            var trimmed = fullPath.TrimEnd('/', '\\');
            if (trimmed.Length == 0 || trimmed.EndsWith(":", StringComparison.Ordinal)) trimmed = fullPath; // a root
            var isFile = !trailing && !Directory.Exists(trimmed) && trimmed.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase);
            if (!isFile)
            {
                if (File.Exists(trimmed))
                {
                    throw new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.FileExists), AltinnErrorKind.WriteError,
                        $"-Path '{given}' is a file, but a -Path that does not end in .pdf is a folder for the receipts. " +
                        "Give a folder (it is created when missing), or a file name ending in .pdf; or move the file away.");
                }

                return new ReceiptDestination(trimmed, true);
            }

            var parent = System.IO.Path.GetDirectoryName(trimmed);
            if (!string.IsNullOrEmpty(parent) && !Directory.Exists(parent))
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.FolderMissing),
                    $"The folder '{parent}' does not exist, so the receipt file '{given}' cannot be written there. Create it first, or give a folder as -Path (a folder is created when missing).");
            }

            return new ReceiptDestination(trimmed, false);
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
                throw new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.CannotWrite), AltinnErrorKind.WriteError,
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
