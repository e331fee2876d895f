using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AltinnApp.Core.Http;
using AltinnApp.Core.Models;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Api
{
    /// <summary>One file of an upload call that cannot be sent, or (with no <see cref="File"/>) a rule the call as a whole breaks.</summary>
    public sealed class UploadProblem
    {
        public UploadProblem(FileUpload file, AltinnException error)
        {
            File = file;
            Error = error;
        }

        /// <summary>The file; null when the problem is the count of the whole call.</summary>
        public FileUpload File { get; }

        public AltinnException Error { get; }
    }

    /// <summary>
    /// What an upload call brought: the new data elements, in the order of the files, and the instance after the last;
    /// or, when a file failed, which one and why (the files before it then removed again, as the error says).
    /// </summary>
    public sealed class UploadResult
    {
        public UploadResult(IReadOnlyList<AltinnDataElement> elements, AltinnInstance instance, FileUpload failedFile = null, AltinnException error = null)
        {
            Elements = elements;
            Instance = instance;
            FailedFile = failedFile;
            Error = error;
        }

        /// <summary>The data elements this call added that are on the instance (after a failure: only those that could not be removed again).</summary>
        public IReadOnlyList<AltinnDataElement> Elements { get; }

        /// <summary>The instance as Altinn answered the last upload; null when no answer carried it, or the call failed.</summary>
        public AltinnInstance Instance { get; }

        /// <summary>The file whose upload failed; null when all arrived.</summary>
        public FileUpload FailedFile { get; }

        /// <summary>Why, with what became of the other files of the call; null when all arrived.</summary>
        public AltinnException Error { get; }

        public bool Succeeded => Error == null;
    }

    /// <summary>
    /// The files of one upload call (Add-AltinnAttachment) go all or none: every file is checked before the first byte
    /// is sent, and when Altinn refuses one part-way, the files this call uploaded before it are removed again, so
    /// the instance is as it was and the same call can simply be run again (neither a half-attached submission nor a
    /// duplicate on the rerun).
    /// </summary>
    public static class AttachmentUploads
    {
        /// <summary>
        /// Checks every file against the data type's rules (content type, empty, size) and the call's count against
        /// <c>maxCount</c>: <paramref name="existingCount"/> elements already there, plus these files, plus
        /// <paramref name="otherFilesInCall"/> files of the call that failed earlier checks (they were meant to be sent
        /// too). Returns one problem per bad file, in order, then the count's; empty when everything may be sent. A data
        /// type that takes no files (form data, the receipt) is one error for the whole call, thrown.
        /// </summary>
        public static IReadOnlyList<UploadProblem> Check(AltinnApplication application, AltinnDataType type, IReadOnlyList<FileUpload> files,
            int existingCount, int otherFilesInCall, string operation)
        {
            MetadataRules.RequireFileType(application, type, operation);
            var problems = new List<UploadProblem>();
            foreach (var file in files)
            {
                try
                {
                    MetadataRules.CheckFile(application, type, file, operation, UploadRoute.Data);
                }
                catch (AltinnException ex)
                {
                    problems.Add(new UploadProblem(file, ex));
                }
            }

            try
            {
                MetadataRules.CheckCount(application, type, existingCount, files.Count + otherFilesInCall, operation);
            }
            catch (AltinnException ex)
            {
                problems.Add(new UploadProblem(null, ex));
            }

            return problems;
        }

        /// <summary>
        /// The error of one bad file of a call of several, saying that none of them was sent: the same ErrorId, kind and
        /// (for Altinn's refusals) status, with a sentence added.
        /// </summary>
        public static AltinnException NothingSent(AltinnException error, string instanceId, int badCount, int fileCount)
        {
            if (fileCount < 2) return error;
            var which = badCount == 1 ? "1 of them did not" : $"{badCount} of them did not";
            return Extend(error,
                $"Nothing was uploaded to instance {instanceId}: the {fileCount} files of a call are sent only when every one passes the checks, and {which}. Fix or leave out the file(s) named in the errors, then run the command again; the instance is not passed down the pipeline until then.");
        }

        /// <summary>
        /// Uploads the files in order. When one fails, the files this call uploaded before it are removed again, and the
        /// result names the file and carries its error (its own ErrorId; with several files, a message that says which
        /// were uploaded, removed - or left, when the removal failed too - and not sent). Cancellation stops at once and
        /// throws: nothing is removed then.
        /// </summary>
        /// <param name="progressFor">A progress sink for a file (or null), so large files show a bar.</param>
        public static async Task<UploadResult> UploadAllAsync(DataApi data, AppIdentifier app, InstanceIdentifier id, string dataType,
            IReadOnlyList<FileUpload> files, string language, Func<FileUpload, IProgress<long>> progressFor, CancellationToken cancellationToken)
        {
            if (data == null) throw new ArgumentNullException(nameof(data));
            var uploaded = new List<(FileUpload File, AltinnDataElement Element)>();
            AltinnInstance latest = null;
            for (var index = 0; index < files.Count; index++)
            {
                var file = files[index];
                AltinnDataElement element;
                AltinnInstance instance;
                try
                {
                    (element, instance) = await data.UploadAsync(app, id, dataType, file, language, progressFor?.Invoke(file), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!(ex is OperationCanceledException) && !cancellationToken.IsCancellationRequested)
                {
                    var failure = ex as AltinnException ?? new AltinnException("Altinn.AddAttachment.Unexpected", AltinnErrorKind.InvalidOperation,
                        $"Uploading '{file.FileName}' failed unexpectedly: {Redactor.Redact(ex.Message)}", ex);
                    if (files.Count < 2) return new UploadResult(Array.Empty<AltinnDataElement>(), null, file, failure);
                    var undo = await RemoveAsync(data, app, id, uploaded, language, cancellationToken).ConfigureAwait(false);
                    var left = uploaded.Where((u, i) => undo[i] != null).Select(u => u.Element).Where(e => e != null).ToList();
                    return new UploadResult(left, null, file, Extend(failure, StoppedAt(id.ToString(), files, index, failure, uploaded, undo, app)));
                }

                latest = instance ?? latest;
                uploaded.Add((file, element));
                AltinnLog.Verbose($"Uploaded '{file.FileName}' to instance {id} as {dataType}{(element != null ? " (" + element.Id + ")" : string.Empty)}.");
            }

            return new UploadResult(uploaded.Select(u => u.Element).Where(e => e != null).ToList(), latest);
        }

        /// <summary>Removes what this call uploaded, last first; returns, per file, null when it is gone or the reason it is not.</summary>
        private static async Task<List<string>> RemoveAsync(DataApi data, AppIdentifier app, InstanceIdentifier id,
            List<(FileUpload File, AltinnDataElement Element)> uploaded, string language, CancellationToken cancellationToken)
        {
            var reasons = new List<string>(new string[uploaded.Count]);
            for (var i = uploaded.Count - 1; i >= 0; i--)
            {
                var (file, element) = uploaded[i];
                if (element == null)
                {
                    reasons[i] = "Altinn's answer did not say which data element it became";
                    continue;
                }

                try
                {
                    await data.DeleteDataAsync(app, id, element.Id, language, cancellationToken).ConfigureAwait(false);
                    AltinnLog.Verbose($"Removed '{file.FileName}' ({element.Id}) from instance {id} again: the upload call as a whole failed.");
                }
                catch (AltinnException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    reasons[i] = ex.Message.TrimEnd('.');
                }
            }

            return reasons;
        }

        private static string StoppedAt(string instanceId, IReadOnlyList<FileUpload> files, int failedIndex, AltinnException failure,
            List<(FileUpload File, AltinnDataElement Element)> uploaded, List<string> undo, AppIdentifier app)
        {
            var failed = files[failedIndex];
            var parts = new List<string>
            {
                $"The upload of {files.Count} files to instance {instanceId} stopped at '{failed.FileName}' (file {failedIndex + 1} of {files.Count}).",
            };

            // an answer from Altinn that refused it means it is not there; a lost answer (timeout, dropped connection) or a
            // server error leaves it unknown
            var refused = failure is AltinnApiException api && api.StatusCode < 500;
            parts.Add(refused
                ? $"'{failed.FileName}' was refused, so it is not on the instance."
                : $"Whether '{failed.FileName}' reached the instance is not known (no clear answer from Altinn): look with Get-AltinnInstance before you run again.");

            var removed = uploaded.Where((u, i) => undo[i] == null).Select(u => $"'{u.File.FileName}'").ToList();
            var left = uploaded.Select((u, i) => (u, reason: undo[i])).Where(x => x.reason != null).ToList();
            if (removed.Count > 0)
            {
                parts.Add($"Uploaded before it and removed again: {string.Join(", ", removed)}.");
            }

            foreach (var (u, reason) in left)
            {
                var id = u.Element?.Id;
                parts.Add(id != null
                    ? $"'{u.File.FileName}' was uploaded (data element {id}) and could not be removed again ({reason}): it is still on the instance. Remove it with Remove-AltinnData -InstanceId {instanceId} -App {app} -DataElementId {id}, or leave it and run again without that file."
                    : $"'{u.File.FileName}' was uploaded and could not be removed again ({reason}): it is still on the instance. Get-AltinnInstance shows it; remove it with Remove-AltinnData, or run again without that file.");
            }

            var notSent = files.Skip(failedIndex + 1).Select(f => $"'{f.FileName}'").ToList();
            if (notSent.Count > 0) parts.Add($"Not sent: {string.Join(", ", notSent)}.");

            parts.Add(left.Count == 0 && refused
                ? "The instance has none of the files of this call and is not passed down the pipeline: fix the problem, then run the command again with all the files."
                : "The instance is not passed down the pipeline: it may not have the files of this call as they were meant.");
            return string.Join(" ", parts);
        }

        /// <summary>The same failure (ErrorId, kind, status, server's words) with more said about it.</summary>
        public static AltinnException Extend(AltinnException error, string addition)
        {
            var message = error.Message.TrimEnd() + (error.Message.TrimEnd().EndsWith(".", StringComparison.Ordinal) ? " " : ". ") + addition;
            AltinnException extended;
            switch (error)
            {
                case AltinnApiException api:
                    extended = new AltinnApiException(api.ErrorId, api.Kind, message, api.StatusCode, api.Body) { ValidationIssues = api.ValidationIssues };
                    break;
                case AltinnArgumentException _:
                    extended = new AltinnArgumentException(error.ErrorId, message, error);
                    break;
                default:
                    extended = new AltinnException(error.ErrorId, error.Kind, message, error);
                    break;
            }

            extended.RecommendedAction = error.RecommendedAction;
            return extended;
        }
    }
}
