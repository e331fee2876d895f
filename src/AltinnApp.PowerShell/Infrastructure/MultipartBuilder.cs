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
        /// <param name="contentType">-ContentType: the content type of every file of <paramref name="attachments"/>; null to take it from each extension.</param>
        public static List<MultipartPart> Build(IDictionary data, IDictionary attachments, string operation, Func<string, string> resolvePath, string contentType = null)
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
                        parts.Add(new MultipartPart { DataType = Convert.ToString(entry.Key), File = FileUploads.Describe(resolvePath(path), operation, "Attachment", contentType) });
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

            throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.InvalidAttachment), "-Attachment values must be file paths or FileInfo objects, for example @{ attachment = 'a.pdf', 'b.png' }.");
        }
    }

    internal static class FileUploads
    {
        /// <summary>Files larger than this show a progress bar while they are sent or saved.</summary>
        public const long ProgressThreshold = 1024 * 1024;

        /// <summary>
        /// -ContentType, checked before anything is read or sent: a media type (type/subtype, parameters
        /// allowed), returned as the header will carry it; null when not given.
        /// </summary>
        public static string RequireContentType(string value, string operation)
        {
            if (value == null) return null;
            if (!MimeTypes.IsValidContentType(value, out var problem))
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.InvalidContentType),
                    $"-ContentType '{value}' is not a content type: {problem}. Give a media type such as application/pdf or text/xml, or leave -ContentType out to take it from each file's extension.");
            }

            // type and subtype are case-insensitive (RFC 9110), but Altinn compares a multipart part's type exactly: send lower case
            var parsed = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(value.Trim());
            parsed.MediaType = parsed.MediaType.ToLowerInvariant();
            return parsed.ToString();
        }

        /// <summary>Checks that a path is a readable file now, before anything is sent. <paramref name="contentType"/> is -ContentType (already checked) or null.</summary>
        public static FileUpload Describe(string path, string operation, string parameterName, string contentType = null)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.EmptyPath), $"-{parameterName} has an empty path. Give the path of each file to send.");
            }

            if (Directory.Exists(path))
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.PathIsFolder), $"'{path}' in -{parameterName} is a folder. Give files, for example (Get-ChildItem '{path}' -File).");
            }

            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.FileNotFound), AltinnErrorKind.ObjectNotFound, $"The file '{path}' in -{parameterName} does not exist. Check the path (relative paths are taken from the current PowerShell location).");
            }

            try
            {
                using (new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read)) { }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw CannotRead(path, parameterName, operation, ex);
            }

            if (string.IsNullOrEmpty(info.Extension))
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.NoExtension), $"'{info.Name}' has no extension. Altinn needs a file name with an extension (such as .pdf) to know its type.");
            }

            return new FileUpload
            {
                Path = info.FullName,
                FileName = info.Name,
                ContentType = contentType ?? MimeTypes.FromFileName(info.Name),
                ContentTypeGiven = contentType != null,
                Length = info.Length,
            };
        }

        /// <summary>A file that exists but cannot be opened: locked by another program, or not readable by this account.</summary>
        public static AltinnException CannotRead(string path, string parameterName, string operation, Exception ex)
        {
            var hint = ex is UnauthorizedAccessException
                ? "Give the account the script runs as read access to it."
                : "Another program may hold it open (still writing it, or locking it): close that program or wait until it is done, then run again.";
            return new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.CannotRead), AltinnErrorKind.ReadError,
                $"The file '{path}' in -{parameterName} cannot be read: {ex.Message.TrimEnd('.')}. {hint}");
        }

        /// <summary>
        /// The files a -Path value names: the file itself when it exists (so names with [ ] work), else the
        /// files its wildcards match.
        /// </summary>
        public static IEnumerable<string> Expand(SessionState sessionState, string path, string operation)
        {
            string literal;
            try
            {
                literal = sessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
            }
            catch (Exception ex) when (ex is System.Management.Automation.DriveNotFoundException || ex is ProviderNotFoundException || ex is ItemNotFoundException)
            {
                // C:\x.pdf on Linux or macOS, or a drive that is not mapped: the file is not on this machine
                throw new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.FileNotFound), AltinnErrorKind.ObjectNotFound,
                    $"The file '{path}' does not exist here: {ex.Message.TrimEnd('.')}. Give a path on this machine (relative paths are taken from the current PowerShell location).", ex);
            }

            if (File.Exists(literal) || Directory.Exists(literal) || !WildcardPattern.ContainsWildcardCharacters(path))
            {
                return new[] { literal };
            }

            try
            {
                var resolved = sessionState.Path.GetResolvedProviderPathFromPSPath(path, out _);
                if (resolved.Count > 0) return resolved;
            }
            catch (ItemNotFoundException)
            {
                // said below, the same as an empty match
            }

            // a pattern that matches nothing is an error, never a silent skip of the files the user meant
            throw new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.FileNotFound), AltinnErrorKind.ObjectNotFound, $"No file matches '{path}'. Check the folder and the wildcard pattern (Get-ChildItem '{path}' shows what it matches).");
        }

        public static string Size(long bytes) =>
            bytes >= 1 << 20 ? $"{bytes / 1048576.0:0.0} MB" : bytes >= 1 << 10 ? $"{bytes / 1024.0:0.0} KB" : $"{bytes} bytes";
    }
}
