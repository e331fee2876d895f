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
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.UnknownDataType),
                    $"The app {application.Id} has no data type '{dataType}'. Its data types are: {known}.");
            }

            return type;
        }

        /// <summary>
        /// A file for a data type: not form data, not the receipt, a content type Altinn takes on that
        /// <paramref name="route"/>, not empty, not too large. A file whose content type was not given
        /// (<see cref="FileUpload.ContentTypeGiven"/>) gets the one <see cref="ChooseContentType"/> picks.
        /// </summary>
        public static void CheckFile(AltinnApplication application, AltinnDataType type, FileUpload file, string operation, UploadRoute route = UploadRoute.Data)
        {
            RequireFileType(application, type, operation);
            if (!file.ContentTypeGiven) file.ContentType = ChooseContentType(type, file.FileName, route);
            else if (route == UploadRoute.MultipartCreate || type.AllowedContentTypes == null || type.AllowedContentTypes.Count == 0) RequireStatedTypeFitsExtension(file, operation);
            var refusal = route == UploadRoute.Data
                ? DataContentTypeRefusal(type.AllowedContentTypes, file.FileName, file.ContentType)
                : PartContentTypeRefusal(type.AllowedContentTypes, file.ContentType);
            if (refusal != ContentTypeRefusal.None) throw ContentTypeRefused(application, type, file, operation, route, refusal);

            if (file.Length == 0)
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.EmptyFile), $"'{file.FileName}' is empty. Altinn refuses empty files: check that the file was written completely, or leave it out.");
            }

            if (type.MaxSizeBytes.HasValue && file.Length > type.MaxSizeBytes.Value)
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.TooLarge),
                    $"'{file.FileName}' is {file.Length / 1048576.0:0.0} MB; the data type '{type.Id}' of {application.Id} takes at most {type.MaxSize} MB per file. Send a smaller file (compressed, or split into parts).");
            }
        }

        /// <summary>A data type that takes files: not form data, not the receipt. A problem of the whole call, whatever the files.</summary>
        public static void RequireFileType(AltinnApplication application, AltinnDataType type, string operation)
        {
            if (type.IsFormData)
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.IsFormData),
                    $"The data type '{type.Id}' of {application.Id} is form data, not a file attachment. Use Set-AltinnData for it (or -Data on New-AltinnInstance).");
            }

            if (string.Equals(type.Id, ReceiptDataType, StringComparison.OrdinalIgnoreCase))
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.Receipt),
                    $"The data type '{ReceiptDataType}' is the receipt Altinn generates; files cannot be uploaded to it.");
            }
        }

        /// <summary>The instance would hold more elements of the type than <c>maxCount</c> allows.</summary>
        public static void CheckCount(AltinnApplication application, AltinnDataType type, int existingCount, int addingCount, string operation)
        {
            if (type.MaxCount > 0 && existingCount + addingCount > type.MaxCount)
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.TooMany),
                    $"The data type '{type.Id}' of {application.Id} takes at most {type.MaxCount} element(s); the instance would have {existingCount + addingCount} ({existingCount} already there, {addingCount} to add). Nothing was sent.");
            }
        }

        /// <summary>Every part of a multipart create, before the request is built.</summary>
        public static void CheckParts(AltinnApplication application, IReadOnlyList<MultipartPart> parts, string operation)
        {
            var problems = PartProblems(application, parts, operation);
            if (problems.Count > 0) throw problems[0];
        }

        /// <summary>
        /// Every problem of a multipart create's parts, in order (an unknown data type, a file the type does not take, form
        /// data in a format it does not take, too many parts), so one run names every bad file; empty when all may be sent.
        /// </summary>
        public static IReadOnlyList<AltinnException> PartProblems(AltinnApplication application, IReadOnlyList<MultipartPart> parts, string operation)
        {
            var problems = new List<AltinnException>();
            foreach (var group in parts.GroupBy(p => p.DataType, StringComparer.OrdinalIgnoreCase))
            {
                AltinnDataType type;
                try
                {
                    type = RequireDataType(application, group.Key, operation);
                }
                catch (AltinnException ex)
                {
                    problems.Add(ex);
                    continue;
                }

                foreach (var part in group)
                {
                    try
                    {
                        CheckPart(application, type, part, operation);
                    }
                    catch (AltinnException ex)
                    {
                        problems.Add(ex);
                    }
                }

                try
                {
                    CheckCount(application, type, 0, group.Count(), operation);
                }
                catch (AltinnException ex)
                {
                    problems.Add(ex);
                }
            }

            return problems;
        }

        private static void CheckPart(AltinnApplication application, AltinnDataType type, MultipartPart part, string operation)
        {
            if (part.File != null)
            {
                CheckFile(application, type, part.File, operation, UploadRoute.MultipartCreate);
                return;
            }

            if (!type.IsFormData)
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.NotFormData),
                    $"The data type '{type.Id}' of {application.Id} takes files, not form data. Pass it in -Attachment.");
            }

            // in a multipart create Altinn checks a form part's content type against allowedContentTypes too (reference §4.3)
            if (PartContentTypeRefusal(type.AllowedContentTypes, part.FormData.ContentType) != ContentTypeRefusal.None)
            {
                var wanted = string.Join(", ", type.AllowedContentTypes);
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.ContentTypeNotAllowed),
                    $"The form data for '{type.Id}' would be sent as {part.FormData.ContentType}, but the data type of {application.Id} accepts only {wanted}. " +
                    (type.AllowedContentTypes.Any(t => t.IndexOf("xml", StringComparison.OrdinalIgnoreCase) >= 0)
                        ? "Give the data as XML (an XmlDocument, XML text or an .xml file), or as a hashtable, which is written as the model's XML."
                        : "Give the data in that format."));
            }
        }

        /// <summary>
        /// Where Altinn does not compare a stated type with the file name (a multipart part, app-lib's <c>RequestPartValidator</c>;
        /// a data upload to a type with no <c>allowedContentTypes</c>, which <c>DataRestrictionValidation</c> lets through
        /// unchecked), -ContentType could file a .zip labelled as a PDF. The module holds every upload to the rule Altinn
        /// applies to the rest: a file whose extension Altinn knows goes as that extension's type (or an alias, or
        /// <c>application/octet-stream</c>); -ContentType is for a file whose extension Altinn does not know.
        /// </summary>
        private static void RequireStatedTypeFitsExtension(FileUpload file, string operation)
        {
            var mapping = MimeTypes.ForFileName(file.FileName);
            var stated = file.ContentType.Split(';')[0].Trim();
            if (!mapping.Known || mapping.Matches(stated) || string.Equals(stated, MimeTypes.OctetStream, StringComparison.OrdinalIgnoreCase)) return;
            throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.ContentTypeNotAllowed),
                $"'{file.FileName}' is a {mapping.Extension} file, which is {string.Join(" or ", mapping.All)}; -ContentType {stated} would file it labelled as another type. " +
                "-ContentType is for a file whose extension Altinn does not know: leave it out for this file, or give the file the extension of its real type.");
        }

        /// <summary>
        /// Altinn's check of a data POST or PUT (app-lib-dotnet <c>DataRestrictionValidation.CompliesWithDataRestrictions</c>,
        /// reference §4.5), for the content type: with no <c>allowedContentTypes</c> anything goes; else the
        /// header must be there, must be <c>application/octet-stream</c> (exactly) or the extension's type or
        /// one of its aliases (whole value, any case), and must be in the list (any case) unless the list has
        /// <c>application/octet-stream</c> (exactly).
        /// </summary>
        public static ContentTypeRefusal DataContentTypeRefusal(IList<string> allowed, string fileName, string contentType)
        {
            if (allowed == null || allowed.Count == 0) return ContentTypeRefusal.None;
            if (contentType == null) return ContentTypeRefusal.Missing;
            if (!string.Equals(contentType, MimeTypes.OctetStream, StringComparison.Ordinal) && !MimeTypes.ForFileName(fileName).Matches(contentType))
            {
                return ContentTypeRefusal.Mismatch;
            }

            if (!allowed.Contains(contentType, StringComparer.OrdinalIgnoreCase) && !allowed.Contains(MimeTypes.OctetStream, StringComparer.Ordinal))
            {
                return ContentTypeRefusal.NotAllowed;
            }

            return ContentTypeRefusal.None;
        }

        /// <summary>
        /// Altinn's check of a part of a multipart create (app-lib-dotnet <c>RequestPartValidator.ValidatePart</c>,
        /// reference §4.3): the part's Content-Type up to its first ';' must be in <c>allowedContentTypes</c>
        /// exactly (case included) when the list is not empty. No extension check, and no
        /// <c>application/octet-stream</c> wildcard.
        /// </summary>
        public static ContentTypeRefusal PartContentTypeRefusal(IList<string> allowed, string contentType)
        {
            if (contentType == null) return ContentTypeRefusal.Missing;
            if (allowed == null || allowed.Count == 0) return ContentTypeRefusal.None;
            return allowed.Contains(contentType.Split(';')[0], StringComparer.Ordinal) ? ContentTypeRefusal.None : ContentTypeRefusal.NotAllowed;
        }

        /// <summary>
        /// The content type to send a file as when none was given: the first of its extension's type, that
        /// type's aliases and <c>application/octet-stream</c> that Altinn takes for the data type on the route
        /// (so a <c>.xml</c> file goes as <c>text/xml</c> to a type that allows only that); the extension's type
        /// when none is taken (the check then explains).
        /// </summary>
        public static string ChooseContentType(AltinnDataType type, string fileName, UploadRoute route)
        {
            var mapping = MimeTypes.ForFileName(fileName);
            foreach (var candidate in mapping.All.Concat(new[] { MimeTypes.OctetStream }).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                var refusal = route == UploadRoute.Data
                    ? DataContentTypeRefusal(type.AllowedContentTypes, fileName, candidate)
                    : PartContentTypeRefusal(type.AllowedContentTypes, candidate);
                if (refusal == ContentTypeRefusal.None) return candidate;
            }

            return mapping.Type;
        }

        private static AltinnArgumentException ContentTypeRefused(AltinnApplication application, AltinnDataType type, FileUpload file, string operation,
            UploadRoute route, ContentTypeRefusal refusal)
        {
            var mapping = MimeTypes.ForFileName(file.FileName);
            var allowed = string.Join(", ", type.AllowedContentTypes);
            var extension = string.IsNullOrEmpty(System.IO.Path.GetExtension(file.FileName)) ? "(none)" : System.IO.Path.GetExtension(file.FileName);
            var errorId = ErrorCatalogue.Id(operation, ErrorReason.ContentTypeNotAllowed);
            if (refusal == ContentTypeRefusal.Mismatch)
            {
                var what = mapping.Known ? $"a {extension} file only as {string.Join(" or ", mapping.All)} or {MimeTypes.OctetStream}" : $"a {extension} file (an extension Altinn does not know) only as {MimeTypes.OctetStream}";
                var parameters = file.ContentType.IndexOf(';') >= 0
                    ? " It compares the whole header, parameters included: leave out the part from ';'."
                    : string.Empty;
                var extensions = MimeTypes.ExtensionsFor(file.ContentType.Split(';')[0].Trim());
                var rename = extensions.Count > 0 ? $", or give the file the extension of {file.ContentType.Split(';')[0].Trim()} (for example {extensions[0]})" : string.Empty;
                return new AltinnArgumentException(errorId,
                    $"'{file.FileName}' cannot be sent as {file.ContentType} (-ContentType): Altinn checks a file's content type against its extension and takes {what}.{parameters} Leave -ContentType out{rename}.");
            }

            var allowedExtensions = type.AllowedContentTypes.SelectMany(t => MimeTypes.ExtensionsFor(t).Take(1)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var renameHint = allowedExtensions.Count > 0 ? $" (for example {string.Join(", ", allowedExtensions.Take(5))})" : string.Empty;
            if (!file.ContentTypeGiven && !mapping.Known)
            {
                var fix = route == UploadRoute.Data
                    ? $"Altinn checks a content type against the extension, so -ContentType cannot change this for an upload to an instance: give the file the extension of an allowed type{renameHint}."
                    : $"If you know its type, state it with -ContentType (one of: {allowed}), or give the file the extension of an allowed type{renameHint}.";
                return new AltinnArgumentException(errorId,
                    $"'{file.FileName}' has an extension Altinn does not know ({extension}), so it is sent as {MimeTypes.OctetStream}, which the data type '{type.Id}' of {application.Id} does not accept. Allowed: {allowed}. {fix}");
            }

            var source = file.ContentTypeGiven ? "as -ContentType says" : "from its extension";
            var caseHint = route == UploadRoute.MultipartCreate && type.AllowedContentTypes.Contains(file.ContentType.Split(';')[0], StringComparer.OrdinalIgnoreCase)
                ? " In a multipart create Altinn compares the type exactly, case included: write it as the data type does."
                : string.Empty;
            return new AltinnArgumentException(errorId,
                $"'{file.FileName}' is {file.ContentType} ({source}), which the data type '{type.Id}' of {application.Id} does not accept. Allowed: {allowed}.{caseHint}");
        }
    }

    /// <summary>Which of Altinn's upload checks a file meets.</summary>
    public enum UploadRoute
    {
        /// <summary>A data element POST or PUT: <c>DataRestrictionValidation</c>.</summary>
        Data,

        /// <summary>A part of a multipart instance create: <c>RequestPartValidator</c>.</summary>
        MultipartCreate,
    }

    /// <summary>Why Altinn would refuse a content type.</summary>
    public enum ContentTypeRefusal
    {
        None,

        /// <summary>No Content-Type header.</summary>
        Missing,

        /// <summary>The content type is not the extension's (data POST/PUT only).</summary>
        Mismatch,

        /// <summary>Not in <c>allowedContentTypes</c>.</summary>
        NotAllowed,
    }
}
