using System;
using System.Collections.Generic;
using System.Linq;
using AltinnApp.Core.Models;

namespace AltinnApp.Core.Api
{
    /// <summary>
    /// Checks what the app's metadata allows before anything is sent (data type exists, content type,
    /// size, count), so a bad batch row fails fast with a clear message and creates nothing.
    /// </summary>
    public static class MetadataRules
    {
        public static AltinnDataType RequireDataType(AltinnApplication application, string dataType)
        {
            var type = application.FindDataType(dataType);
            if (type == null)
            {
                var known = string.Join(", ", application.DataTypes.Where(d => d.Id != "ref-data-as-pdf").Select(d => d.Id));
                throw new AltinnArgumentException("Altinn.UnknownDataType",
                    $"The app {application.Id} has no data type '{dataType}'. Its data types are: {known}.");
            }

            return type;
        }

        public static void CheckFile(AltinnApplication application, AltinnDataType type, FileUpload file, int existingCount, int addingCount)
        {
            if (type.IsFormData)
            {
                throw new AltinnArgumentException("Altinn.Attachment.IsFormData",
                    $"The data type '{type.Id}' of {application.Id} is form data, not a file attachment. Use Set-AltinnData for it.");
            }

            if (type.Id == "ref-data-as-pdf")
            {
                throw new AltinnArgumentException("Altinn.Attachment.Receipt", "The data type 'ref-data-as-pdf' is the receipt Altinn generates; files cannot be uploaded to it.");
            }

            var allowed = type.AllowedContentTypes ?? new List<string>();
            if (allowed.Count > 0 && !allowed.Contains("application/octet-stream", StringComparer.OrdinalIgnoreCase) &&
                !allowed.Contains(file.ContentType, StringComparer.OrdinalIgnoreCase))
            {
                throw new AltinnArgumentException("Altinn.Attachment.ContentTypeNotAllowed",
                    $"'{file.FileName}' is {file.ContentType}, which the data type '{type.Id}' of {application.Id} does not accept. Allowed: {string.Join(", ", allowed)}.");
            }

            if (file.Length == 0)
            {
                throw new AltinnArgumentException("Altinn.Attachment.Empty", $"'{file.FileName}' is empty. Altinn refuses empty files.");
            }

            if (type.MaxSizeBytes.HasValue && file.Length > type.MaxSizeBytes.Value)
            {
                throw new AltinnArgumentException("Altinn.Attachment.TooLarge",
                    $"'{file.FileName}' is {file.Length / 1048576.0:0.0} MB; the data type '{type.Id}' of {application.Id} takes at most {type.MaxSize} MB per file.");
            }

            if (type.MaxCount > 0 && existingCount + addingCount > type.MaxCount)
            {
                throw new AltinnArgumentException("Altinn.Attachment.TooMany",
                    $"The data type '{type.Id}' of {application.Id} takes at most {type.MaxCount} file(s); the instance would have {existingCount + addingCount}.");
            }
        }

        public static void CheckParts(AltinnApplication application, IReadOnlyList<MultipartPart> parts)
        {
            foreach (var group in parts.GroupBy(p => p.DataType, StringComparer.OrdinalIgnoreCase))
            {
                var type = RequireDataType(application, group.Key);
                var index = 0;
                foreach (var part in group)
                {
                    index++;
                    if (part.File != null) CheckFile(application, type, part.File, 0, group.Count());
                    else if (!type.IsFormData)
                    {
                        throw new AltinnArgumentException("Altinn.Data.NotFormData",
                            $"The data type '{type.Id}' of {application.Id} takes files, not form data. Pass it in -Attachment.");
                    }
                    else if (type.MaxCount > 0 && group.Count() > type.MaxCount)
                    {
                        throw new AltinnArgumentException("Altinn.Data.TooMany", $"The data type '{type.Id}' of {application.Id} takes at most {type.MaxCount} element(s).");
                    }
                }
            }
        }
    }
}
