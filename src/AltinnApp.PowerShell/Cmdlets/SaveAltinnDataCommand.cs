using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using AltinnApp.Core;
using AltinnApp.Core.Files;
using AltinnApp.Core.Http;
using AltinnApp.Core.Models;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    [Cmdlet(VerbsData.Save, "AltinnData", SupportsShouldProcess = true, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(FileInfo))]
    public sealed class SaveAltinnDataCommand : AltinnDataCmdlet
    {
        // names written by this call, so two elements with the same file name do not overwrite each other
        private readonly HashSet<string> _written = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>A folder (each element under its own file name) or, for one element, a file name.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Saves an element whose malware scan is still Pending (with a warning). An Infected element is never saved.</summary>
        [Parameter]
        public SwitchParameter AllowUnscanned { get; set; }

        protected override string Operation => "SaveData";

        protected override void ProcessRecord()
        {
            ForItem(Operation, DataTargetObject, () =>
            {
                var target = ResolveDataTarget();
                var destination = ResolvePath(Path);
                var (instance, elements) = Run(async ct =>
                {
                    var current = await target.GetInstanceAsync(ct).ConfigureAwait(false);
                    return (current, SelectElements(current, allowMany: true));
                });

                var isFolder = Directory.Exists(destination) || destination.EndsWith("/", StringComparison.Ordinal) || destination.EndsWith("\\", StringComparison.Ordinal);
                if (!isFolder && elements.Length > 1)
                {
                    throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.PathIsFile),
                        $"Instance {instance.Id} has {elements.Length} data elements of type '{DataType}', but -Path '{Path}' is one file. Give a folder (it is created when the path ends with '/'), or pick one with -DataElementId.");
                }

                if (!isFolder)
                {
                    var parent = System.IO.Path.GetDirectoryName(destination);
                    if (!string.IsNullOrEmpty(parent) && !Directory.Exists(parent))
                    {
                        throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.FolderMissing), $"The folder '{parent}' does not exist. Create it first, or give an existing folder as -Path.");
                    }
                }

                foreach (var element in elements)
                {
                    ForItem(Operation, element, () =>
                    {
                        CheckElement(instance, element);
                        Save(target, instance, element, isFolder ? FolderPath(destination, element) : destination);
                    });
                }
            });
        }

        private void Save(InstanceTarget target, AltinnInstance instance, AltinnDataElement element, string path)
        {
            if (File.Exists(path) && !Force)
            {
                throw new AltinnException(ErrorCatalogue.Id(Operation, ErrorReason.FileExists), AltinnErrorKind.WriteError,
                    $"'{path}' already exists. Use -Force to overwrite it, or choose another -Path.");
            }

            if (!ShouldProcess(path, $"Save data element {element.Id} ({element.DataType}) of instance {instance.Id}")) return;
            Run(ct => AtomicFile.WriteAsync(path, Force, Operation, stream =>
            {
                var progress = element.Size >= FileUploads.ProgressThreshold ? AltinnLog.Transfer($"Saving {System.IO.Path.GetFileName(path)}", element.Size) : null;
                // form data comes in the format it is stored in (XML for most apps); files as they are
                return target.Session.Client.Data.DownloadAsync(target.App, target.Id, element, element.ContentType, null, Operation, Limited(stream, instance, element), progress, ct);
            }, ct));
            _written.Add(path);
            WriteVerbose($"Saved data element {element.Id} ({element.DataType}) of instance {instance.Id} to {path}.");
            WriteObject(new FileInfo(path));
        }

        /// <summary>
        /// The element's own file name made safe, or dataType-id with an extension for its content type; unique within
        /// this call. Every part comes from the server, so the id must be a GUID, every name passes the same
        /// sanitiser, and the result must lie inside the folder.
        /// </summary>
        private string FolderPath(string folder, AltinnDataElement element)
        {
            var id = Guid.Parse(element.Id); // CheckElement has made sure
            Directory.CreateDirectory(folder);
            var fallback = SafeFileName.From(element.DataType, "data") + "-" + id.ToString("D") + ExtensionFor(element.ContentType);
            var name = SafeFileName.From(element.Filename, fallback);
            var path = SafeFileName.PathIn(folder, name, Operation);
            for (var n = 2; _written.Contains(path); n++)
            {
                path = SafeFileName.PathIn(folder, $"{System.IO.Path.GetFileNameWithoutExtension(name)} ({n}){System.IO.Path.GetExtension(name)}", Operation);
            }

            return path;
        }

        /// <summary>The id must be a GUID (it goes into the URL and the file name); Infected is never saved; Pending only with -AllowUnscanned.</summary>
        private void CheckElement(AltinnInstance instance, AltinnDataElement element)
        {
            if (!Guid.TryParse(element.Id, out _))
            {
                throw new AltinnException(ErrorCatalogue.Id(Operation, ErrorReason.BadResponse), AltinnErrorKind.ProtocolError,
                    $"Altinn named a data element '{ServerText.Clean(element.Id, keepLineBreaks: false)}' of instance {instance.Id}, which is not a data element id (a GUID); nothing was saved for it. Check the instance with Get-AltinnInstance.");
            }

            var name = ServerText.Clean(element.Filename ?? element.DataType, keepLineBreaks: false);
            if (element.FileScanResult == AltinnFileScanResult.Infected)
            {
                throw new AltinnException(ErrorCatalogue.Id(Operation, ErrorReason.Infected), AltinnErrorKind.SecurityError,
                    $"Altinn's malware scan found data element {element.Id} ('{name}') of instance {instance.Id} infected; it was not downloaded. Ask the sender for a clean file.");
            }

            if (element.FileScanResult == AltinnFileScanResult.Pending)
            {
                if (!AllowUnscanned)
                {
                    throw new AltinnException(ErrorCatalogue.Id(Operation, ErrorReason.ScanPending), AltinnErrorKind.SecurityError,
                        $"Altinn's malware scan of data element {element.Id} ('{name}') of instance {instance.Id} has not finished; it was not downloaded. Try again later, or save it unscanned with -AllowUnscanned.");
                }

                WriteWarning($"Data element {element.Id} ('{name}') of instance {instance.Id} is saved before Altinn's malware scan has finished (-AllowUnscanned).");
            }
        }

        /// <summary>
        /// No more than the element's size for a file; form data may come back reformatted by the app, so it gets room.
        /// </summary>
        private System.IO.Stream Limited(System.IO.Stream stream, AltinnInstance instance, AltinnDataElement element)
        {
            if (element.Size <= 0) return stream;
            var media = (element.ContentType ?? string.Empty).Split(';')[0].Trim().ToLowerInvariant();
            var isText = media.EndsWith("xml", StringComparison.Ordinal) || media.EndsWith("json", StringComparison.Ordinal);
            var limit = isText ? Math.Max(element.Size * 4, FormDataRoom) : element.Size;
            return new LimitedStream(stream, limit, max => new AltinnException(ErrorCatalogue.Id(Operation, ErrorReason.BadResponse), AltinnErrorKind.ProtocolError,
                $"Altinn sent more than {max} bytes for data element {element.Id} of instance {instance.Id}, whose size is {element.Size} bytes; nothing was kept. Try again; if it happens again, the server is not behaving as Altinn does."));
        }

        private const long FormDataRoom = 16L * 1024 * 1024;

        private static string ExtensionFor(string contentType)
        {
            var mediaType = (contentType ?? string.Empty).Split(';')[0].Trim().ToLowerInvariant();
            switch (mediaType)
            {
                case "application/xml":
                case "text/xml": return ".xml";
                case "application/json": return ".json";
                case "application/pdf": return ".pdf";
                case "image/png": return ".png";
                case "image/jpeg": return ".jpg";
                case "text/plain": return ".txt";
                default: return ".bin";
            }
        }
    }
}
