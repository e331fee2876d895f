using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using AltinnApp.Core;
using AltinnApp.Core.Api;

namespace AltinnApp.PowerShell.Infrastructure
{
    /// <summary>-Data and -Attachment hashtables to the parts of a multipart create.</summary>
    internal static class MultipartBuilder
    {
        public static List<MultipartPart> Build(IDictionary data, IDictionary attachments, string operation, Func<string, string> resolvePath)
        {
            var parts = new List<MultipartPart>();
            if (data != null)
            {
                foreach (DictionaryEntry entry in data)
                {
                    parts.Add(new MultipartPart { DataType = Convert.ToString(entry.Key), FormData = PayloadConverter.ToFormData(entry.Value, operation, "Data", resolvePath) });
                }
            }

            if (attachments != null)
            {
                foreach (DictionaryEntry entry in attachments)
                {
                    foreach (var path in Paths(entry.Value, operation))
                    {
                        parts.Add(new MultipartPart { DataType = Convert.ToString(entry.Key), File = FileUploads.Describe(resolvePath(path), operation, "Attachment") });
                    }
                }
            }

            return parts;
        }

        private static IEnumerable<string> Paths(object value, string operation)
        {
            var raw = PayloadConverter.Unwrap(value);
            if (raw is string s) { yield return s; yield break; }
            if (raw is FileInfo f) { yield return f.FullName; yield break; }
            if (raw is IEnumerable list)
            {
                foreach (var item in list)
                {
                    var v = PayloadConverter.Unwrap(item);
                    yield return v is FileInfo fi ? fi.FullName : Convert.ToString(v);
                }

                yield break;
            }

            throw new AltinnArgumentException($"Altinn.{operation}.InvalidAttachment", "-Attachment values must be file paths or FileInfo objects, for example @{ attachment = 'a.pdf', 'b.png' }.");
        }
    }

    internal static class FileUploads
    {
        /// <summary>Files larger than this show a progress bar while they are sent or saved.</summary>
        public const long ProgressThreshold = 1024 * 1024;

        /// <summary>Checks that a path is a readable file now, before anything is sent.</summary>
        public static FileUpload Describe(string path, string operation, string parameterName)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                throw new AltinnArgumentException($"Altinn.{operation}.EmptyPath", $"-{parameterName} has an empty path.");
            }

            if (Directory.Exists(path))
            {
                throw new AltinnArgumentException($"Altinn.{operation}.PathIsFolder", $"'{path}' in -{parameterName} is a folder. Give files, for example (Get-ChildItem '{path}' -File).");
            }

            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new AltinnException($"Altinn.{operation}.FileNotFound", AltinnErrorKind.ObjectNotFound, $"The file '{path}' in -{parameterName} does not exist.");
            }

            try
            {
                using (new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read)) { }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new AltinnException($"Altinn.{operation}.CannotReadFile", AltinnErrorKind.ReadError, $"The file '{path}' cannot be read: {ex.Message}");
            }

            if (string.IsNullOrEmpty(info.Extension))
            {
                throw new AltinnArgumentException($"Altinn.{operation}.NoExtension", $"'{info.Name}' has no extension. Altinn needs a file name with an extension (such as .pdf) to know its type.");
            }

            return new FileUpload { Path = info.FullName, FileName = info.Name, ContentType = MimeTypes.FromFileName(info.Name), Length = info.Length };
        }

        /// <summary>
        /// The files a -Path value names: the file itself when it exists (so names with [ ] work), else the
        /// files its wildcards match.
        /// </summary>
        public static IEnumerable<string> Expand(SessionState sessionState, string path, string operation)
        {
            var literal = sessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
            if (File.Exists(literal) || Directory.Exists(literal) || !WildcardPattern.ContainsWildcardCharacters(path))
            {
                return new[] { literal };
            }

            try
            {
                var resolved = sessionState.Path.GetResolvedProviderPathFromPSPath(path, out _);
                return resolved;
            }
            catch (ItemNotFoundException)
            {
                throw new AltinnException($"Altinn.{operation}.FileNotFound", AltinnErrorKind.ObjectNotFound, $"No file matches '{path}'.");
            }
        }

        public static string Size(long bytes) =>
            bytes >= 1 << 20 ? $"{bytes / 1048576.0:0.0} MB" : bytes >= 1 << 10 ? $"{bytes / 1024.0:0.0} KB" : $"{bytes} bytes";
    }
}
