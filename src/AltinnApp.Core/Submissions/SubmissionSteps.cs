using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AltinnApp.Core.Api;
using AltinnApp.Core.Http;
using AltinnApp.Core.Journal;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Submissions
{
    /// <summary>
    /// The steps of a submission after its instance exists: form data, attachments, moving the process on, each journaled
    /// before and after when the instance belongs to a journal key (<see cref="AltinnInstance.Journal"/>). A rerun of the
    /// same pipeline meets each step again by its number (<see cref="JournalContext.TakeStepNumber"/>): a step that is
    /// done is not repeated, one that was begun is reconciled with what Altinn holds, and one that brings other data than
    /// the key was begun with is applied while the instance takes it, or refused with an error that says so, never
    /// silently skipped.
    /// </summary>
    public sealed class SubmissionSteps
    {
        private readonly AltinnSession _session;
        private readonly ISubmissionConfirmation _confirm;

        public SubmissionSteps(AltinnSession session, ISubmissionConfirmation confirm = null)
        {
            _session = session ?? throw new ArgumentNullException(nameof(session));
            _confirm = confirm ?? ConfirmAll.Instance;
        }

        private AltinnAppClient Client => _session.Client;

        // ---- form data ----

        /// <summary>
        /// Replaces the form data of <paramref name="element"/>. Journaled: the fingerprint of the data is recorded; a
        /// rerun that brings the same data again skips the step, and one that brings other data applies it while the
        /// instance is at the data's task, and otherwise fails with <c>Altinn.SetData.DataChanged</c>.
        /// </summary>
        /// <returns>The instance with the new element; unchanged when the step was skipped or not confirmed.</returns>
        public async Task<AltinnInstance> SetFormDataAsync(AltinnInstance instance, AltinnDataElement element, string ownerTask, FormDataPayload payload,
            string language, CancellationToken cancellationToken)
        {
            const string operation = "SetData";
            var journal = instance.Journal;
            var number = journal?.TakeStepNumber() ?? 0;
            var hash = journal != null ? Fingerprints.Of(payload) : null;
            journal?.RememberData(number, hash);
            using (await LockKeyAsync(instance, cancellationToken).ConfigureAwait(false))
            {
                RequireRowAgrees(journal, operation, number, hash);
                if (journal != null && !IsCurrent(instance))
                {
                    // another run may have carried the key on meanwhile: decide on the instance as it is now
                    instance = await RereadAsync(instance, operation, cancellationToken).ConfigureAwait(false);
                    element = instance.Data.FirstOrDefault(d => string.Equals(d.Id, element.Id, StringComparison.OrdinalIgnoreCase)) ?? element;
                }

                return Stamp(await SetFormDataLockedAsync(instance, element, ownerTask, payload, language, journal, number, hash, operation, cancellationToken).ConfigureAwait(false));
            }
        }

        private async Task<AltinnInstance> SetFormDataLockedAsync(AltinnInstance instance, AltinnDataElement element, string ownerTask, FormDataPayload payload,
            string language, JournalContext journal, int number, string hash, string operation, CancellationToken cancellationToken)
        {
            if (journal != null)
            {
                var step = RequireSameStep(journal, number, operation, element.DataType);
                if (step != null && step.Done && step.Hash == hash)
                {
                    if (instance.Ended || instance.IsArchived || element.Locked)
                    {
                        AltinnLog.Verbose($"Key '{journal.Key}': the {element.DataType} data of instance {instance.Id} was set to these values by an earlier run.");
                        return instance;
                    }

                    // still open to writes: someone may have changed it since the earlier run (a person in the inbox, another
                    // script), and the key is about to go on to what it files. Send its values again rather than trust them
                    // to be there; the PUT is the same one, so nothing else changes
                    AltinnLog.Verbose($"Key '{journal.Key}': sending the {element.DataType} data of instance {instance.Id} again, so Altinn holds this key's values before it goes on.");
                    await PutFormDataAsync(instance, element, payload, language, operation, cancellationToken).ConfigureAwait(false);
                    return instance;
                }

                var writable = !instance.Ended && !instance.IsArchived && !element.Locked;
                if (!writable && (step != null || instance.Ended))
                {
                    // the key's data is locked with what an earlier run sent (or was submitted before this step was recorded)
                    throw new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.DataChanged), AltinnErrorKind.InvalidOperation,
                        $"Key '{journal.Key}': these {element.DataType} values were not applied: instance {instance.Id} " +
                        (instance.Ended ? "was submitted" : $"has moved past {ownerTask ?? "the data's task"}") +
                        (step != null ? " with the values sent earlier for this key (by an earlier run, or by another row of this batch with the same key), and they differ from these." : " before this run.") +
                        " Nothing was changed. A submitted key is filed: to file corrected values, use a new key; an unsubmitted one can be begun again with New-AltinnInstance -Restart.");
                }
            }

            if (instance.Ended || instance.IsArchived) throw ServerErrors.InstanceClosed(operation, instance.Id);
            if (element.Locked) throw ServerErrors.ElementLocked(operation, instance.Id, element.Id, element.DataType, ownerTask, instance.CurrentTask);
            if (!await _confirm.ConfirmAsync($"{element.DataType} ({element.Id}) of instance {instance.Id}", $"Replace form data ({payload.ContentType})", cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            await PutFormDataAsync(instance, element, payload, language, operation, cancellationToken).ConfigureAwait(false);
            journal?.RecordStep(number, operation, JournalState.DataSet, instance.Id, element.DataType, hash);
            AltinnLog.Verbose($"Replaced the {element.DataType} data of instance {instance.Id}.");
            return instance;
        }

        /// <summary>Sends the form data; the answer is the new data element, put into the instance rather than reading it all again.</summary>
        private async Task PutFormDataAsync(AltinnInstance instance, AltinnDataElement element, FormDataPayload payload, string language, string operation,
            CancellationToken cancellationToken)
        {
            var updated = await Client.Data.PutFormDataAsync(AppOf(instance, operation), IdOf(instance, operation), element.Id, element.DataType, payload, language, cancellationToken).ConfigureAwait(false);
            var index = instance.Data.FindIndex(d => d.Id == updated.Id);
            if (index >= 0) instance.Data[index] = updated; else instance.Data.Add(updated);
            instance.LastChanged = updated.LastChanged ?? instance.LastChanged;
        }

        // ---- attachments ----

        /// <summary>
        /// What a journaled upload step holds already: the files of this step that are on the instance (recorded as arrived,
        /// or found there after a run stopped mid-upload), and the ones still to send. Throws when the step brings other
        /// files than the key was begun with.
        /// </summary>
        /// <remarks>
        /// A journaled plan holds the key (<see cref="LockKeyAsync"/>) from the moment it reads the instance until
        /// <see cref="AttachAsync"/> has carried it out or the plan is disposed, so another run carrying the same key cannot
        /// upload the same files in between. Its <see cref="AttachmentPlan.Instance"/> is the instance as it is under the lock.
        /// </remarks>
        public async Task<AttachmentPlan> PlanAttachmentsAsync(AltinnInstance instance, string dataType, IReadOnlyList<FileUpload> files, CancellationToken cancellationToken)
        {
            if (instance.Journal == null) return new AttachmentPlan(0, files, Array.Empty<JournalFile>(), null) { Instance = instance };
            var held = await LockKeyAsync(instance, cancellationToken).ConfigureAwait(false);
            try
            {
                var current = await RereadAsync(instance, "AddAttachment", cancellationToken).ConfigureAwait(false);
                var plan = PlanAttachments(current, dataType, files);
                plan.Instance = current;
                plan.Hold(held);
                return plan;
            }
            catch
            {
                held.Dispose();
                throw;
            }
        }

        private AttachmentPlan PlanAttachments(AltinnInstance instance, string dataType, IReadOnlyList<FileUpload> files)
        {
            const string operation = "AddAttachment";
            var journal = instance.Journal;
            if (journal == null) return new AttachmentPlan(0, files, Array.Empty<JournalFile>(), null);
            var number = journal.TakeStepNumber();
            var wanted = files.Select(f => new JournalFile { Name = f.FileName, Size = f.Length, Hash = Fingerprints.OfFile(f.Path) }).ToList();
            var step = RequireSameStep(journal, number, operation, dataType);
            if (step == null) return new AttachmentPlan(number, files, Array.Empty<JournalFile>(), wanted);

            var recorded = step.Files ?? (IReadOnlyList<JournalFile>)Array.Empty<JournalFile>();
            var present = new List<JournalFile>();
            var elements = instance.GetDataElements(dataType).ToList();
            var claimed = new HashSet<string>(journal.Entry?.Steps.Where(s => s.Number != number && s.Files != null).SelectMany(s => s.Files).Select(f => f.ElementId).Where(i => i != null)
                ?? Enumerable.Empty<string>(), StringComparer.OrdinalIgnoreCase);
            foreach (var file in recorded)
            {
                // arrived and recorded; or begun and found on the instance by name and size (a run stopped before it read the answer)
                var element = file.ElementId != null
                    ? elements.FirstOrDefault(e => string.Equals(e.Id, file.ElementId, StringComparison.OrdinalIgnoreCase))
                    : elements.FirstOrDefault(e => !claimed.Contains(e.Id) && string.Equals(e.Filename, file.Name, StringComparison.Ordinal) && e.Size == file.Size);
                if (element == null) continue;
                claimed.Add(element.Id);
                present.Add(new JournalFile { Name = file.Name, Size = file.Size, Hash = file.Hash, ElementId = element.Id });
            }

            var same = recorded.Count == wanted.Count && recorded.Zip(wanted, (a, b) => a.Name == b.Name && a.Hash == b.Hash).All(x => x);
            if (!same && present.Count > 0)
            {
                throw new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.FilesChanged), AltinnErrorKind.InvalidOperation,
                    $"Key '{journal.Key}': instance {instance.Id} already has {Names(present)} as '{dataType}' from an earlier run, and this run brings {Names(wanted)}. " +
                    "Nothing was uploaded. Give the files the key was begun with, or remove the earlier ones first (Remove-AltinnData) while the instance is unsubmitted, or begin the key again with New-AltinnInstance -Restart.");
            }

            if (!same) return new AttachmentPlan(number, files, Array.Empty<JournalFile>(), wanted);
            var missing = files.Where(f => !present.Any(p => p.Name == f.FileName && p.Size == f.Length)).ToList();
            if (present.Count > 0)
            {
                AltinnLog.Verbose($"Key '{journal.Key}': {Names(present)} {(present.Count == 1 ? "is" : "are")} already on instance {instance.Id} from an earlier run; not uploaded again.");
            }

            return new AttachmentPlan(number, missing, present, wanted);
        }

        /// <summary>
        /// Uploads the files of <paramref name="plan"/> still to send, all or none (<see cref="AttachmentUploads.UploadAllAsync"/>),
        /// journaled: the files are recorded before the first byte and again, with their data elements, once all arrived.
        /// </summary>
        public async Task<UploadResult> AttachAsync(AltinnInstance instance, string dataType, AttachmentPlan plan, string language,
            Func<FileUpload, IProgress<long>> progressFor, CancellationToken cancellationToken)
        {
            try
            {
                return await AttachHeldAsync(instance, dataType, plan, language, progressFor, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                plan.Dispose(); // the key is free for the next step once the files are recorded
            }
        }

        private async Task<UploadResult> AttachHeldAsync(AltinnInstance instance, string dataType, AttachmentPlan plan, string language,
            Func<FileUpload, IProgress<long>> progressFor, CancellationToken cancellationToken)
        {
            const string operation = "AddAttachment";
            var journal = instance.Journal;
            var app = AppOf(instance, operation);
            var id = IdOf(instance, operation);
            if (plan.ToSend.Count == 0)
            {
                if (journal != null && plan.Files != null && !(journal.Entry?.StepAt(plan.StepNumber)?.Done ?? false))
                {
                    journal.RecordStep(plan.StepNumber, operation, JournalState.Attached, instance.Id, dataType, files: plan.Present.ToList());
                }

                return new UploadResult(Array.Empty<AltinnDataElement>(), instance);
            }

            journal?.RecordStep(plan.StepNumber, operation, JournalState.Attaching, instance.Id, dataType, files: plan.Files);
            var result = await AttachmentUploads.UploadAllAsync(Client.Data, app, id, dataType, plan.ToSend, language, progressFor, cancellationToken).ConfigureAwait(false);
            if (result.Instance != null) result.Instance.Journal = journal; // a newer copy stays on its key
            if (result.Succeeded && journal != null)
            {
                var arrived = plan.Present.ToList();
                for (var i = 0; i < plan.ToSend.Count; i++)
                {
                    var file = plan.ToSend[i];
                    var recorded = plan.Files.First(f => f.Name == file.FileName && f.Size == file.Length && !arrived.Any(a => ReferenceEquals(a, f)));
                    arrived.Add(new JournalFile { Name = recorded.Name, Size = recorded.Size, Hash = recorded.Hash, ElementId = result.Elements.ElementAtOrDefault(i)?.Id });
                }

                journal.RecordStep(plan.StepNumber, operation, JournalState.Attached, instance.Id, dataType, files: arrived);
            }

            return result;
        }

        // ---- process ----

        /// <summary>
        /// Moves the process on by one task. Journaled: the task it moves from is recorded before and the task reached
        /// after; a rerun whose step was done, or whose move took effect before the run stopped, does not move again.
        /// </summary>
        /// <returns>The instance after the move; null when not confirmed.</returns>
        public async Task<AltinnInstance> MoveNextAsync(AltinnInstance current, string action, string language, CancellationToken cancellationToken)
        {
            const string operation = "ProcessNext";
            var journal = current.Journal;
            var number = journal?.TakeStepNumber() ?? 0;
            using (await LockKeyAsync(current, cancellationToken).ConfigureAwait(false))
            {
                RequireRowAgrees(journal, operation);
                if (journal != null && !IsCurrent(current)) current = await RereadAsync(current, operation, cancellationToken).ConfigureAwait(false);
                return Stamp(await MoveNextLockedAsync(current, action, language, journal, number, operation, cancellationToken).ConfigureAwait(false));
            }
        }

        private async Task<AltinnInstance> MoveNextLockedAsync(AltinnInstance current, string action, string language, JournalContext journal, int number, string operation,
            CancellationToken cancellationToken)
        {
            if (journal != null)
            {
                var step = RequireSameStep(journal, number, operation, null);
                var tookEffect = step != null && (step.Done || current.Ended || !string.Equals(current.CurrentTask, step.FromTask, StringComparison.Ordinal));
                if (tookEffect || current.Ended)
                {
                    // a rerun: this step moved the process before (moving again would pass a task the pipeline has steps for)
                    if (step == null || !step.Done) RecordMoved(journal, number, operation, current);
                    AltinnLog.Verbose(current.Ended
                        ? $"Key '{journal.Key}': instance {current.Id} is already submitted."
                        : $"Key '{journal.Key}': this step moved instance {current.Id} on in an earlier run; it is at {current.CurrentTask}.");
                    return current;
                }
            }

            var move = action == null ? "Move the process on" : $"Move the process on with '{action}'";
            if (!await _confirm.ConfirmAsync($"instance {current.Id} (task {current.CurrentTask ?? "none"})", move, cancellationToken).ConfigureAwait(false)) return null;
            var moved = await SendNextAsync(current, action, language, number, operation, cancellationToken).ConfigureAwait(false);
            AltinnLog.Verbose(moved.Ended ? $"Instance {moved.Id}: the process has ended." : $"Instance {moved.Id} is now at {moved.CurrentTask}.");
            return moved;
        }

        /// <summary>
        /// Moves the process on until it has ended, each task with the action its type needs (a data task none, a
        /// confirmation task confirm, a signing task sign), one journaled move at a time. A rerun carries on from the task
        /// the instance is at; an ended process is left as it is.
        /// </summary>
        /// <returns>The instance with its process ended; null when a move was not confirmed.</returns>
        public async Task<AltinnInstance> SubmitAsync(AltinnInstance current, string language, int maximumTasks, CancellationToken cancellationToken)
        {
            const string operation = "Submit";
            var journal = current.Journal;
            var number = journal?.TakeStepNumber() ?? 0;
            using (await LockKeyAsync(current, cancellationToken).ConfigureAwait(false))
            {
                if (journal != null)
                {
                    RequireRowAgrees(journal, operation);
                    RequireSameStep(journal, number, operation, null);
                    RequireNoLaterSteps(journal, number, operation);
                    if (!IsCurrent(current)) current = await RereadAsync(current, operation, cancellationToken).ConfigureAwait(false);
                }

                return Stamp(await SubmitLockedAsync(current, language, maximumTasks, journal, number, operation, cancellationToken).ConfigureAwait(false));
            }
        }

        private async Task<AltinnInstance> SubmitLockedAsync(AltinnInstance current, string language, int maximumTasks, JournalContext journal, int number, string operation,
            CancellationToken cancellationToken)
        {
            var moves = 0;
            while (!current.Ended)
            {
                if (current.CurrentTask == null)
                {
                    throw new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.NoProcess), AltinnErrorKind.InvalidOperation,
                        $"Instance {current.Id} has no process started, so it cannot be submitted. Check the app's process definition.");
                }

                if (++moves > maximumTasks)
                {
                    throw new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.TooManyTasks), AltinnErrorKind.InvalidOperation,
                        $"Instance {current.Id} was moved on {maximumTasks} times and its process has not ended (it is at {current.CurrentTask}). The app's process may loop back; finish it step by step with Invoke-AltinnProcessNext -Action <action>.");
                }

                var action = ServerErrors.DefaultAction(current.CurrentTaskType);
                var sent = action == "write" ? null : action;
                var what = sent == null ? $"Finish task {current.CurrentTask}" : $"Finish task {current.CurrentTask} with '{sent}'";
                if (!await _confirm.ConfirmAsync($"instance {current.Id}", what, cancellationToken).ConfigureAwait(false)) return null;
                current = await SendNextAsync(current, sent, language, number, operation, cancellationToken).ConfigureAwait(false);
                AltinnLog.Verbose(current.Ended ? $"Instance {current.Id}: the process has ended." : $"Instance {current.Id} is now at {current.CurrentTask}.");
            }

            if (journal != null && !(journal.Entry?.StepAt(number)?.Done ?? false)) RecordMoved(journal, number, operation, current);
            if (moves == 0 && journal != null) AltinnLog.Verbose($"Key '{journal.Key}': instance {current.Id} is already submitted.");
            return current;
        }

        private async Task<AltinnInstance> SendNextAsync(AltinnInstance current, string action, string language, int number, string operation, CancellationToken cancellationToken)
        {
            var journal = current.Journal;
            var app = AppOf(current, operation);
            var id = IdOf(current, operation);
            journal?.RecordStep(number, operation, JournalState.Moving, current.Id, task: current.CurrentTask);
            try
            {
                await Client.Process.ProcessNextAsync(app, id, current.CurrentTask, action, language, cancellationToken).ConfigureAwait(false);
            }
            catch (AltinnApiException ex) when (ex.StatusCode == 409 || ex.StatusCode == 403 || ex.StatusCode == 500)
            {
                // the same refusals, and ErrorIds, whichever cmdlet made the move
                throw ServerErrors.ExplainProcessNext(ex, current, action);
            }

            var moved = await RereadAsync(Client, app, id, journal, cancellationToken).ConfigureAwait(false);
            if (journal != null) RecordMoved(journal, number, operation, moved);
            return moved;
        }

        private static void RecordMoved(JournalContext journal, int number, string operation, AltinnInstance instance)
        {
            if (instance.Ended) journal.RecordStep(number, operation, JournalState.Submitted, instance.Id);
            else journal.RecordStep(number, operation, JournalState.Moved, instance.Id, task: instance.CurrentTask);
        }

        // ---- shared ----

        /// <summary>
        /// Holds the instance's journal key for one step (<see cref="SubmissionJournal.LockKeyAsync"/>), so two runs carrying
        /// the same key at once take its steps one after the other; nothing to hold for an instance without a journal.
        /// </summary>
        public static async Task<IDisposable> LockKeyAsync(AltinnInstance instance, CancellationToken cancellationToken)
        {
            var journal = instance?.Journal;
            if (journal == null) return NoLock.Instance;
            return await journal.Journal.LockKeyAsync(journal.Key, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// A key in a batch twice, its rows in flight at once: once a later row of this process has begun the key
        /// (<see cref="SubmissionJournal.IsLatestRow"/>), the earlier row's object is the same instance the later row carries
        /// on. The earlier row may still take steps that agree with what the key records (a row in the batch twice with the
        /// same values files once, and both succeed), but not one that would put other form data on the key, nor a process
        /// move after the key's form data was replaced with the later row's: it would file the other row's values and report
        /// them as its own.
        /// </summary>
        private static void RequireRowAgrees(JournalContext journal, string operation, int number = 0, string hash = null)
        {
            if (journal == null || !journal.Journal.IsSuperseded(journal)) return;
            var entry = journal.Entry;
            var mine = hash != null ? new[] { new KeyValuePair<int, string>(number, hash) } : journal.DataSent();
            foreach (var data in mine)
            {
                var recorded = entry?.StepAt(data.Key);
                if (recorded?.Hash == null || string.Equals(recorded.Hash, data.Value, StringComparison.Ordinal)) continue;
                throw new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.KeyTakenOver), AltinnErrorKind.Conflict,
                    $"Key '{journal.Key}': this row's {(operation == "SetData" ? "form data was" : "process move was")} not sent: another row of this run began the same key after this one did, " +
                    $"with other {recorded.DataType ?? "form"} data, so the key is in the batch twice. The later row carries the key on; this row changed nothing from here. " +
                    "Give every row its own key (one key stands for one submission), and check which of the two rows holds the values to file: " +
                    $"Get-AltinnData -InstanceId {entry?.InstanceId ?? "<the key's instance>"} -DataType {recorded.DataType ?? "<data type>"} shows the values the key holds.");
            }
        }

        private sealed class NoLock : IDisposable
        {
            public static readonly NoLock Instance = new NoLock();

            public void Dispose()
            {
            }
        }

        /// <summary>
        /// Marks <paramref name="instance"/>, just handed on by a journaled step under the key's lock, as the instance is
        /// with the key's records so far (<see cref="AltinnInstance.JournalRecords"/>). Null and unjournaled pass through.
        /// </summary>
        internal static AltinnInstance Stamp(AltinnInstance instance)
        {
            if (instance?.Journal != null) instance.JournalRecords = instance.Journal.Journal.RecordsOf(instance.Journal.Key);
            return instance;
        }

        // held under the key's lock: the key has no record since the step that handed this object on, in this run or any
        // other, so the instance is as that step left it and reading it again would only cost a request
        private static bool IsCurrent(AltinnInstance instance) =>
            instance.JournalRecords >= 0 && instance.JournalRecords == instance.Journal.Journal.RecordsOf(instance.Journal.Key);

        private Task<AltinnInstance> RereadAsync(AltinnInstance instance, string operation, CancellationToken cancellationToken) =>
            RereadAsync(Client, AppOf(instance, operation), IdOf(instance, operation), instance.Journal, cancellationToken);

        /// <summary>The instance as Altinn holds it now, on the same journal key as the copy it replaces.</summary>
        internal static async Task<AltinnInstance> RereadAsync(AltinnAppClient client, AppIdentifier app, InstanceIdentifier id, JournalContext journal,
            CancellationToken cancellationToken)
        {
            var fresh = await client.Instances.GetInstanceAsync(app, id, cancellationToken).ConfigureAwait(false);
            fresh.Journal = journal;
            return fresh;
        }

        /// <summary>
        /// Before the process is finished: the key has no step recorded after this one. One that has was begun with a longer
        /// pipeline, or had a later step taken on it by mistake (a script that reused the previous row's instance), and
        /// finishing it now would file what that step sent with it.
        /// </summary>
        private static void RequireNoLaterSteps(JournalContext journal, int number, string operation)
        {
            var later = journal.Entry?.Steps.Where(s => s.Number > number).ToList();
            if (later == null || later.Count == 0) return;
            throw new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.StepChanged), AltinnErrorKind.InvalidOperation,
                $"Key '{journal.Key}' has steps recorded after step {number}: {string.Join(", ", later.Select(s => $"{s.Number} {Describe(s.Operation, s.DataType)}{(s.Files != null ? " " + Names(s.Files) : string.Empty)}"))}, " +
                "and this pipeline ends here. Nothing was submitted: the instance holds what those steps sent. Check the instance (Get-AltinnInstance), remove what does not belong to it (Remove-AltinnData), " +
                "or begin the key again with New-AltinnInstance -Restart while it is unsubmitted.");
        }

        /// <summary>
        /// The journal's step <paramref name="number"/>, when this key has taken it before; it must be the same kind of step,
        /// or the pipeline is not the one the key was begun with, and nothing is sent.
        /// </summary>
        private static JournalStep RequireSameStep(JournalContext journal, int number, string operation, string dataType)
        {
            var step = journal.Entry?.StepAt(number);
            if (step == null) return null;
            var same = (string.Equals(step.Operation, operation, StringComparison.Ordinal) || IsMove(step.Operation) && IsMove(operation))
                && (dataType == null || string.Equals(step.DataType, dataType, StringComparison.OrdinalIgnoreCase));
            if (same) return step;
            throw new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.StepChanged), AltinnErrorKind.InvalidOperation,
                $"Key '{journal.Key}': step {number} after New-AltinnInstance was {Describe(step.Operation, step.DataType)} when the key began, and is now {Describe(operation, dataType)}. " +
                "Nothing was sent. Run the key with the pipeline it began with (the journal resumes each step by its place), or begin it again with New-AltinnInstance -Restart while it is unsubmitted.");
        }

        // Invoke-AltinnProcessNext and Submit-AltinnInstance are the same step in a pipeline's place: a key begun with one
        // (stopped at a confirmation task, say) is carried on by the other
        private static bool IsMove(string operation) => operation == "ProcessNext" || operation == "Submit";

        private static string Describe(string operation, string dataType)
        {
            switch (operation)
            {
                case "SetData": return $"Set-AltinnData ({dataType})";
                case "AddAttachment": return $"Add-AltinnAttachment ({dataType})";
                case "ProcessNext": return "Invoke-AltinnProcessNext";
                case "Submit": return "Submit-AltinnInstance";
                default: return operation;
            }
        }

        private static string Names(IEnumerable<JournalFile> files) => string.Join(", ", files.Select(f => "'" + f.Name + "'"));

        private static AppIdentifier AppOf(AltinnInstance instance, string operation) => AppIdentifier.Parse(instance.AppId, "App", operation);

        private static InstanceIdentifier IdOf(AltinnInstance instance, string operation) => InstanceIdentifier.Parse(instance.Id, "Instance", operation);
    }

    /// <summary>
    /// What an upload step must still send, and what a journaled rerun found already on the instance. A journaled plan holds
    /// its key until it is carried out or disposed.
    /// </summary>
    public sealed class AttachmentPlan : IDisposable
    {
        private IDisposable _held;

        /// <summary>The instance as the plan found it (read again under the key's lock when journaled).</summary>
        public AltinnInstance Instance { get; internal set; }

        internal void Hold(IDisposable held) => _held = held;

        /// <summary>The same step with only <paramref name="confirmed"/> to send (the files a -Confirm answer let through); the key stays held.</summary>
        public AttachmentPlan Narrow(IReadOnlyList<FileUpload> confirmed)
        {
            var files = Files?.Where(f => Present.Any(p => p.Name == f.Name && p.Size == f.Size) || confirmed.Any(c => c.FileName == f.Name && c.Length == f.Size)).ToList();
            var narrowed = new AttachmentPlan(StepNumber, confirmed, Present, files) { Instance = Instance };
            narrowed._held = System.Threading.Interlocked.Exchange(ref _held, null);
            return narrowed;
        }

        public void Dispose() => System.Threading.Interlocked.Exchange(ref _held, null)?.Dispose();

        public AttachmentPlan(int stepNumber, IReadOnlyList<FileUpload> toSend, IReadOnlyList<JournalFile> present, List<JournalFile> files)
        {
            StepNumber = stepNumber;
            ToSend = toSend;
            Present = present;
            Files = files;
        }

        public int StepNumber { get; }

        /// <summary>The files to upload now.</summary>
        public IReadOnlyList<FileUpload> ToSend { get; }

        /// <summary>The step's files already on the instance (with their element ids).</summary>
        public IReadOnlyList<JournalFile> Present { get; }

        /// <summary>Every file of the step as the journal records it; null without a journal.</summary>
        public List<JournalFile> Files { get; }
    }
}
