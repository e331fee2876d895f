using System;
using System.Collections.Generic;
using System.Linq;
using AltinnApp.Core.Models;

namespace AltinnApp.Core.Api
{
    /// <summary>
    /// Checks what the app's metadata allows before anything is sent (data type exists, content type,
    /// size, count), so a bad batch row fails fast with a clear message and creates nothing. The ErrorIds
    /// are the ones <see cref="ServerErrors"/> gives when Altinn itself refuses for the same reason.
    /// </summary>
    public static class MetadataRules
    {
        public const string ReceiptDataType = "ref-data-as-pdf";

        public static AltinnDataType RequireDataType(AltinnApplication application, string dataType, string operation)
        {
            var type = application.FindDataType(dataType);
            if (type == null)
            {
                var known = string.Join(", ", application.DataTypes.Where(d => d.Id != ReceiptDataType).Select(d => d.Id));
                throw new AltinnArgumentException($"Altinn.{operation}.UnknownDataType",
                    $"The app {application.Id} has no data type '{dataType}'. Its data types are: {known}.");
            }

            return type;
        }

        /// <summary>A file for a data type: not form data, not the receipt, an allowed content type, not empty, not too large.</summary>
        public static void CheckFile(AltinnApplication application, AltinnDataType type, FileUpload file, string operation)
        {
            if (type.IsFormData)
            {
                throw new AltinnArgumentException($"Altinn.{operation}.IsFormData",
                    $"The data type '{type.Id}' of {application.Id} is form data, not a file attachment. Use Set-AltinnData for it (or -Data on New-AltinnInstance).");
            }

            if (string.Equals(type.Id, ReceiptDataType, StringComparison.OrdinalIgnoreCase))
            {
                throw new AltinnArgumentException($"Altinn.{operation}.Receipt",
                    $"The data type '{ReceiptDataType}' is the receipt Altinn generates; files cannot be uploaded to it.");
            }

            if (!Accepts(type, file.ContentType))
            {
                throw new AltinnArgumentException($"Altinn.{operation}.ContentTypeNotAllowed",
                    $"'{file.FileName}' is {file.ContentType} (from its extension), which the data type '{type.Id}' of {application.Id} does not accept. Allowed: {string.Join(", ", type.AllowedContentTypes)}.");
            }

            if (file.Length == 0)
            {
                throw new AltinnArgumentException($"Altinn.{operation}.EmptyFile", $"'{file.FileName}' is empty. Altinn refuses empty files.");
            }

            if (type.MaxSizeBytes.HasValue && file.Length > type.MaxSizeBytes.Value)
            {
                throw new AltinnArgumentException($"Altinn.{operation}.TooLarge",
                    $"'{file.FileName}' is {file.Length / 1048576.0:0.0} MB; the data type '{type.Id}' of {application.Id} takes at most {type.MaxSize} MB per file.");
            }
        }

        /// <summary>The instance would hold more elements of the type than <c>maxCount</c> allows.</summary>
        public static void CheckCount(AltinnApplication application, AltinnDataType type, int existingCount, int addingCount, string operation)
        {
            if (type.MaxCount > 0 && existingCount + addingCount > type.MaxCount)
            {
                throw new AltinnArgumentException($"Altinn.{operation}.TooMany",
                    $"The data type '{type.Id}' of {application.Id} takes at most {type.MaxCount} element(s); the instance would have {existingCount + addingCount} ({existingCount} already there, {addingCount} to add). Nothing was sent.");
            }
        }

        /// <summary>Every part of a multipart create, before the request is built.</summary>
        public static void CheckParts(AltinnApplication application, IReadOnlyList<MultipartPart> parts, string operation)
        {
            foreach (var group in parts.GroupBy(p => p.DataType, StringComparer.OrdinalIgnoreCase))
            {
                var type = RequireDataType(application, group.Key, operation);
                foreach (var part in group)
                {
                    if (part.File != null)
                    {
                        CheckFile(application, type, part.File, operation);
                        continue;
                    }

                    if (!type.IsFormData)
                    {
                        throw new AltinnArgumentException($"Altinn.{operation}.NotFormData",
                            $"The data type '{type.Id}' of {application.Id} takes files, not form data. Pass it in -Attachment.");
                    }

                    // in a multipart create Altinn checks a form part's content type against allowedContentTypes too (reference §4.3)
                    if (!Accepts(type, part.FormData.ContentType))
                    {
                        var wanted = string.Join(", ", type.AllowedContentTypes);
                        throw new AltinnArgumentException($"Altinn.{operation}.ContentTypeNotAllowed",
                            $"The form data for '{type.Id}' would be sent as {part.FormData.ContentType}, but the data type of {application.Id} accepts only {wanted}. " +
                            (type.AllowedContentTypes.Any(t => t.IndexOf("xml", StringComparison.OrdinalIgnoreCase) >= 0)
                                ? "Give the data as XML (an XmlDocument, XML text or an .xml file) - a hashtable or object is sent as JSON."
                                : "Give the data in that format."));
                    }
                }

                CheckCount(application, type, 0, group.Count(), operation);
            }
        }

        /// <summary>Whether a data type takes a content type: an empty list or application/octet-stream takes anything.</summary>
        public static bool Accepts(AltinnDataType type, string contentType)
        {
            var allowed = type.AllowedContentTypes ?? new List<string>();
            if (allowed.Count == 0 || allowed.Contains("application/octet-stream", StringComparer.OrdinalIgnoreCase)) return true;
            var mediaType = (contentType ?? string.Empty).Split(';')[0].Trim();
            return allowed.Contains(mediaType, StringComparer.OrdinalIgnoreCase);
        }
    }
}
