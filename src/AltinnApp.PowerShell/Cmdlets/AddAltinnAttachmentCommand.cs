using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using AltinnApp.Core;
using AltinnApp.Core.Api;
using AltinnApp.Core.Http;
using AltinnApp.Core.Models;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    /// <summary>
    /// Uploads files to a data type of an instance. Both can come down the pipeline: instances (each with
    /// the files of -Path), or files (FileInfo, or rows with a Path/FullName column) for the one instance
    /// given by -Instance or -InstanceId. In the second form the files are gathered and sent together at
    /// the end, so the count rules are checked against all of them before the first is sent, and the
    /// instance is output once.
    /// </summary>
    // no default parameter set: with one, PowerShell tries CSV rows (InstanceId, App, Path) against the instance-object set
    // whenever -Session or -App is on the command line, and fails for the missing -Instance
    [Cmdlet(VerbsCommon.Add, "AltinnAttachment", SupportsShouldProcess = true)]
    [OutputType(typeof(AltinnInstance))]
    public sealed class AddAltinnAttachmentCommand : AltinnInstanceCmdlet
    {
        private readonly List<FileUpload> _gathered = new List<FileUpload>();
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
                ThrowTerminatingError(ErrorRecords.From(ex, ContentType));
            }

            base.BeginProcessing();
        }

        protected override void ProcessRecord()
        {
            if (_instanceFromCommandLine)
            {
                _gathered.AddRange(DescribeFiles());
                return;
            }

            ForItem(Operation, TargetObject, () =>
            {
                var target = ResolveTarget();
                Upload(target, DescribeFiles());
            });
        }

        protected override void EndProcessing()
        {
            if (_instanceFromCommandLine && _gathered.Count > 0)
            {
                ForItem(Operation, TargetObject, () => Upload(ResolveTarget(), _gathered));
            }

            base.EndProcessing();
        }

        /// <summary>The files of -Path, each checked to be a readable file with an extension; a bad one is its own error.</summary>
        private List<FileUpload> DescribeFiles()
        {
            var files = new List<FileUpload>();
            foreach (var path in Path)
            {
                ForItem(Operation, path, () =>
                {
                    foreach (var resolved in FileUploads.Expand(SessionState, path, Operation))
                    {
                        files.Add(FileUploads.Describe(resolved, Operation, nameof(Path), _contentType));
                    }
                });
            }

            return files;
        }

        private void Upload(InstanceTarget target, List<FileUpload> files)
        {
            if (files.Count == 0) return;

            // always the instance as it is now: the count rule needs its current data elements
            var (instance, application) = Run(async ct =>
            {
                var current = await target.GetInstanceAsync(ct, refresh: true).ConfigureAwait(false);
                return (current, await target.Session.Client.GetApplicationAsync(target.App, ct).ConfigureAwait(false));
            });
            var type = MetadataRules.RequireDataType(application, DataType, Operation);
            // An ended instance takes nothing. The data type's task is not checked here: Altinn accepts a new element of an
            // earlier task's type unless the app turns EnforceDataTypeTaskId on, which its metadata does not show (the
            // server's 409 "Conflict with Current Task" then becomes Altinn.AddAttachment.WrongTask).
            if (instance.Ended || instance.IsArchived) throw ServerErrors.InstanceClosed(Operation, instance.Id);

            var accepted = new List<FileUpload>();
            foreach (var file in files)
            {
                ForItem(Operation, file.Path, () =>
                {
                    MetadataRules.CheckFile(application, type, file, Operation, UploadRoute.Data);
                    accepted.Add(file);
                });
            }

            if (accepted.Count == 0) return;
            MetadataRules.CheckCount(application, type, instance.GetDataElements(type.Id).Length, accepted.Count, Operation);

            var uploaded = new List<string>();
            var latest = instance;
            foreach (var file in accepted)
            {
                if (!ShouldProcess($"instance {instance.Id}", $"Upload '{file.FileName}' ({FileUploads.Size(file.Length)}, {file.ContentType}) as {type.Id}")) continue;
                ForItem(Operation, file.Path, () =>
                {
                    var (element, updated) = Run(ct =>
                    {
                        var progress = file.Length >= FileUploads.ProgressThreshold ? AltinnLog.Transfer($"Uploading {file.FileName} to {instance.Id}", file.Length) : null;
                        return target.Session.Client.UploadAsync(target.App, target.Id, type.Id, file, Language, progress, ct);
                    });
                    if (updated != null) latest = target.Carry(updated);
                    if (element != null) uploaded.Add(element.Id);
                    WriteVerbose($"Uploaded '{file.FileName}' to instance {instance.Id} as {type.Id}{(element != null ? " (" + element.Id + ")" : string.Empty)}.");
                });
            }

            if (uploaded.Count == 0) return;
            if (WaitForScan)
            {
                latest = target.Carry(Run(ct => target.Session.Client.WaitForFileScanAsync(target.App, target.Id, uploaded, TimeSpan.FromSeconds(TimeoutSec), TimeSpan.FromSeconds(2), ct)));
            }

            WriteObject(latest);
        }
    }
}
