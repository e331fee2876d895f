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
                    ForItem(Operation, element, () => Save(target, instance, element, isFolder ? FolderPath(destination, element) : destination));
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
                return target.Session.Client.Data.DownloadAsync(target.App, target.Id, element, element.ContentType, null, Operation, stream, progress, ct);
            }, ct));
            _written.Add(path);
            WriteVerbose($"Saved data element {element.Id} ({element.DataType}) of instance {instance.Id} to {path}.");
            WriteObject(new FileInfo(path));
        }

        /// <summary>The element's own file name made safe, or dataType-id with an extension for its content type; unique within this call.</summary>
        private string FolderPath(string folder, AltinnDataElement element)
        {
            Directory.CreateDirectory(folder);
            var name = SafeFileName.From(element.Filename, $"{element.DataType}-{element.Id}{ExtensionFor(element.ContentType)}");
            var path = System.IO.Path.Combine(folder, name);
            for (var n = 2; _written.Contains(path); n++)
            {
                path = System.IO.Path.Combine(folder, $"{System.IO.Path.GetFileNameWithoutExtension(name)} ({n}){System.IO.Path.GetExtension(name)}");
            }

            return path;
        }

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
