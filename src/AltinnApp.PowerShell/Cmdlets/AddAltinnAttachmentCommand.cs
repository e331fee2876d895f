using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using AltinnApp.Core;
using AltinnApp.Core.Api;
using AltinnApp.Core.Http;
using AltinnApp.Core.Models;
using AltinnApp.Core.Submissions;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    /// <summary>
    /// Uploads files to a data type of an instance. Both can come down the pipeline: instances (each with the files of
    /// -Path), or files (FileInfo, or rows with a Path/FullName column) for the one instance given by -Instance or
    /// -InstanceId, or rows that name their instance (InstanceId, App, Path). Files that come down the pipeline are
    /// gathered per instance and sent together at the end. Either way the files of one instance go all or none: every
    /// one is checked (readable, type, size, the count) before the first byte is sent, a refusal part-way removes the
    /// ones sent before it again, and an instance that did not get all its files is not passed on.
    /// </summary>
    // no default parameter set: with one, PowerShell tries CSV rows (InstanceId, App, Path) against the instance-object set
    // whenever -Session or -App is on the command line, and fails for the missing -Instance
    [Cmdlet(VerbsCommon.Add, "AltinnAttachment", SupportsShouldProcess = true)]
    [OutputType(typeof(AltinnInstance))]
    public sealed class AddAltinnAttachmentCommand : AltinnInstanceCmdlet
    {
        /// <summary>One file of a call: described (ready to check against the data type) or why it cannot be sent.</summary>
        private sealed class FileCheck
        {
            public FileCheck(string path, FileUpload file, Exception problem)
            {
                Path = path;
                File = file;
                Problem = problem;
            }

            public string Path { get; }

            public FileUpload File { get; }

            public Exception Problem { get; }
        }

        /// <summary>The files gathered for one instance until the end of the pipeline.</summary>
        private sealed class Gathered
        {
            public Gathered(InstanceTarget target, object targetObject)
            {
                Target = target;
                TargetObject = targetObject;
            }

            public InstanceTarget Target { get; }

            public object TargetObject { get; }

            public List<FileCheck> Files { get; } = new List<FileCheck>();
        }

        private readonly List<FileCheck> _forFixedInstance = new List<FileCheck>();
        private readonly List<Gathered> _perInstance = new List<Gathered>();
        private readonly Dictionary<string, Gathered> _perInstanceKey = new Dictionary<string, Gathered>(StringComparer.OrdinalIgnoreCase);
        private bool _instanceFromCommandLine;

        /// <summary>The files; wildcards are expanded. FileInfo objects from the pipeline bind by their FullName.</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        [Parameter(Mandatory = true)]
        [ArgumentCompleter(typeof(DataTypeCompleter))]
        [ValidateNotNullOrEmpty]
        public string DataType { get; set; }

        /// <summary>The content type of every file, for the rare file whose type its extension does not give; default: from each extension.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string ContentType { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Language { get; set; } = "nb";

        private string _contentType;

        /// <summary>Wait until Altinn's virus scan of the files has a result; Infected is an error.</summary>
        [Parameter]
        public SwitchParameter WaitForScan { get; set; }

        /// <summary>How long -WaitForScan waits for a result.</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSec { get; set; } = 300;

        protected override string Operation => "AddAttachment";

        protected override void BeginProcessing()
        {
            // bound before any pipeline input: the instance is fixed and the pipeline brings files
            _instanceFromCommandLine = MyInvocation.BoundParameters.ContainsKey(nameof(Instance)) || MyInvocation.BoundParameters.ContainsKey(nameof(InstanceId));
            try
            {
                _contentType = FileUploads.RequireContentType(ContentType, Operation);
            }
            catch (AltinnException ex)
            {
                // a parameter problem: nothing is read or sent
                ThrowTerminatingError(ErrorRecordFor(ex, ContentType));
            }

            base.BeginProcessing();
        }

        protected override void ProcessRecord()
        {
            if (_instanceFromCommandLine)
            {
                _forFixedInstance.AddRange(CheckPaths());
                return;
            }

            if (ParameterSetName == IdSet)
            {
                // rows that name their instance (Import-Csv): one instance may have several rows, and its files go together
                ForItem(Operation, TargetObject, () =>
                {
                    var target = ResolveTarget();
                    var key = $"{System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(target.Session)}|{target.App}|{target.Id}";
                    if (!_perInstanceKey.TryGetValue(key, out var gathered))
                    {
                        gathered = new Gathered(target, TargetObject);
                        _perInstanceKey.Add(key, gathered);
                        _perInstance.Add(gathered);
                    }

                    gathered.Files.AddRange(CheckPaths());
                });
                return;
            }

            ForItem(Operation, TargetObject, () =>
            {
                var files = CheckPaths();
                if (Instance?.IsPlanned == true)
                {
                    // -WhatIf: the files are still checked here, so a bad one shows up before the real run
                    var bad = files.Where(f => f.Problem != null).ToList();
                    foreach (var file in bad) WriteFileError(file.Problem, file.Path, Instance.ToString(), bad.Count, files.Count);
                    if (bad.Count == 0) PassPlanned($"Upload {string.Join(", ", files.Select(f => "'" + f.File.FileName + "'"))} as {DataType}");
                    return;
                }

                Upload(ResolveTarget(), files);
            });
        }

        protected override void EndProcessing()
        {
            if (_instanceFromCommandLine && _forFixedInstance.Count > 0)
            {
                ForItem(Operation, TargetObject, () => Upload(ResolveTarget(), _forFixedInstance));
            }

            foreach (var gathered in _perInstance)
            {
                ForItem(Operation, gathered.TargetObject, () => Upload(gathered.Target, gathered.Files));
            }

            base.EndProcessing();
        }

        /// <summary>The files of -Path, each checked to be a readable file with an extension; a bad one is kept with its reason.</summary>
        private List<FileCheck> CheckPaths()
        {
            var files = new List<FileCheck>();
            foreach (var path in Path)
            {
                IEnumerable<string> resolved;
                try
                {
                    resolved = FileUploads.Expand(SessionState, path, Operation).ToList();
                }
                catch (Exception ex) when (!(ex is PipelineStoppedException))
                {
                    files.Add(new FileCheck(path, null, ex));
                    continue;
                }

                foreach (var one in resolved)
                {
                    try
                    {
                        files.Add(new FileCheck(one, FileUploads.Describe(one, Operation, nameof(Path), _contentType), null));
                    }
                    catch (Exception ex) when (!(ex is PipelineStoppedException))
                    {
                        files.Add(new FileCheck(one, null, ex));
                    }
                }
            }

            return files;
        }

        /// <summary>
        /// The files of one instance, all or none: every file is checked first, and one error per bad file (naming it)
        /// means nothing is sent; a failure part-way removes what this call sent before it. Only an instance that got
        /// every confirmed file is passed on.
        /// </summary>
        private void Upload(InstanceTarget target, List<FileCheck> files)
        {
            if (files.Count == 0) return;
            var journal = target.Instance?.Journal;
            _journal = WhatIfInEffect() ? null : journal;
            try
            {
                UploadLocked(target, files);
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                RecordInJournal(ex);
                throw;
            }
            finally
            {
                _journal = null;
                // a plan that was not carried out (a refusal, a -Confirm "no") frees its journal key here
                _plan?.Dispose();
                _plan = null;
            }
        }

        // the journal key of the upload in progress: its failures are recorded, so Get-AltinnJournal -State Failed lists them
        private Core.Journal.JournalContext _journal;

        // the upload plan of the call in progress, which may hold its journal key
        private AttachmentPlan _plan;

        private void RecordInJournal(Exception error)
        {
            var journal = _journal;
            if (journal == null) return;
            _journal = null; // one record per call: the first failure names it
            try
            {
                if (journal.Entry?.IsDone != true) journal.RecordFailure(Operation, error);
            }
            catch (AltinnException journalError)
            {
                WriteWarning(journalError.Message);
            }
        }

        private void UploadLocked(InstanceTarget target, List<FileCheck> files)
        {
            var unusable = files.Where(f => f.Problem != null).ToList();

            AltinnInstance instance;
            AltinnApplication application;
            AltinnDataType type;
            var steps = new SubmissionSteps(target.Session, Confirmation);
            var usable = files.Where(f => f.File != null).Select(f => f.File).ToList();
            AttachmentPlan plan = null;
            try
            {
                // always the instance as it is now: the count rule needs its current data elements
                (instance, application) = Run(async ct =>
                {
                    // a journaled upload's plan reads it again once it holds the key: not here as well
                    var current = await target.GetInstanceAsync(ct, refresh: target.Instance?.Journal == null || unusable.Count > 0).ConfigureAwait(false);
                    return (current, await target.Session.Client.Applications.GetApplicationAsync(target.App, ct).ConfigureAwait(false));
                });
                type = MetadataRules.RequireDataType(application, DataType, Operation);
                MetadataRules.RequireFileType(application, type, Operation);

                // a journaled rerun: the files this step uploaded before are on the instance and are not sent again
                // the plan holds the key until the upload is done (another run carrying it waits), and reads the instance again
                if (unusable.Count == 0 && instance.Journal != null)
                {
                    plan = _plan = Run(ct => steps.PlanAttachmentsAsync(instance, type.Id, usable, ct));
                    instance = target.Carry(plan.Instance) ?? instance;
                }

                if (plan != null && plan.ToSend.Count == 0)
                {
                    Run(ct => steps.AttachAsync(instance, type.Id, plan, Language, null, ct));
                    PassOn(instance);
                    return;
                }

                // An ended instance takes nothing. The data type's task is not checked here: Altinn accepts a new element of an
                // earlier task's type unless the app turns EnforceDataTypeTaskId on, which its metadata does not show (the
                // server's 409 "Conflict with Current Task" then becomes Altinn.AddAttachment.WrongTask).
                if (instance.Ended || instance.IsArchived) throw ServerErrors.InstanceClosed(Operation, instance.Id);
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException) && unusable.Count > 0)
            {
                // the files that cannot be sent are named too, so one run shows everything to fix
                foreach (var bad in unusable) WriteFileError(bad.Problem, bad.Path, target.Display, unusable.Count, files.Count);
                throw;
            }

            var toSend = plan?.ToSend ?? usable;
            var problems = AttachmentUploads.Check(application, type, toSend, instance.GetDataElements(type.Id).Length, unusable.Count, Operation);
            var badFiles = unusable.Count + problems.Count(p => p.File != null);
            if (badFiles > 0 || problems.Count > 0)
            {
                foreach (var file in files)
                {
                    var problem = file.Problem ?? problems.FirstOrDefault(p => p.File != null && ReferenceEquals(p.File, file.File))?.Error;
                    if (problem != null) WriteFileError(problem, file.Path, instance.Id, badFiles, files.Count);
                }

                foreach (var whole in problems.Where(p => p.File == null))
                {
                    RecordInJournal(whole.Error);
                    WriteItemError(whole.Error, Operation, TargetObjectFor(target));
                }
                return;
            }

            // every confirmation before the first byte: a "no" leaves that file out, and the others go together
            var confirmed = toSend.Where(file => ShouldProcess($"instance {instance.Id}",
                $"Upload '{file.FileName}' ({FileUploads.Size(file.Length)}, {file.ContentType}) as {type.Id}")).ToList();
            if (confirmed.Count == 0)
            {
                if (WhatIfInEffect()) PassOn(instance.AsPlanned()); // the next step says what it would do
                return;
            }

            plan = plan == null
                ? new AttachmentPlan(0, confirmed, Array.Empty<Core.Journal.JournalFile>(), null)
                : plan.Narrow(confirmed);
            _plan = plan;

            var result = Run(ct => steps.AttachAsync(instance, type.Id, plan, Language,
                file => file.Length >= FileUploads.ProgressThreshold ? AltinnLog.Transfer($"Uploading {file.FileName} to {instance.Id}", file.Length) : null, ct));
            if (!result.Succeeded)
            {
                RecordInJournal(result.Error);
                WriteItemError(result.Error, Operation, result.FailedFile.Path);
                return;
            }

            var latest = target.Carry(result.Instance) ?? instance;
            if (WaitForScan && result.Elements.Count > 0)
            {
                var ids = result.Elements.Select(e => e.Id).ToList();
                latest = target.Carry(Run(ct => target.Session.Client.Data.WaitForFileScanAsync(target.App, target.Id, ids, TimeSpan.FromSeconds(TimeoutSec), TimeSpan.FromSeconds(2), ct)));
            }

            PassOn(latest);
        }

        private object TargetObjectFor(InstanceTarget target) => (object)target.Instance ?? target.Display;

        /// <summary>One bad file of a call: its own error, naming it, and (with several files) saying that none was sent.</summary>
        private void WriteFileError(Exception problem, string path, string instanceId, int badCount, int fileCount)
        {
            var error = problem is AltinnException altinn ? AttachmentUploads.NothingSent(altinn, instanceId, badCount, fileCount) : problem;
            RecordInJournal(error);
            WriteItemError(error, Operation, path);
        }
    }
}
