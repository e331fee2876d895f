using AltinnApp.Simulator.Models;
using AltinnApp.Simulator.Storage;
using Microsoft.Net.Http.Headers;

namespace AltinnApp.Simulator.Apps;

/// <summary>
/// The attachment rules of reference §4.5 (the app's DataRestrictionValidation) and §4.3 (its
/// RequestPartValidator), and the streaming of request bodies to temporary files.
/// </summary>
public static class Uploads
{
    private const string Source = "DataRestrictionValidation";
    private const string OctetStream = "application/octet-stream";

    /// <summary><c>filename*</c> before <c>filename</c>, quotes trimmed, invalid characters replaced with '_'.</summary>
    public static string? FileName(string? contentDisposition)
    {
        if (string.IsNullOrWhiteSpace(contentDisposition) || !ContentDispositionHeaderValue.TryParse(contentDisposition, out var parsed))
            return null;
        string? name = parsed.FileNameStar.HasValue ? parsed.FileNameStar.Value : parsed.FileName.Value;
        if (string.IsNullOrWhiteSpace(name)) return null;
        name = name.Trim('"');
        foreach (char invalid in Path.GetInvalidFileNameChars()) name = name.Replace(invalid, '_');
        return name;
    }

    public static string MediaType(string? contentType) => (contentType ?? "").Split(';')[0].Trim();

    /// <summary>
    /// Checks the headers of a binary upload as ALD <c>DataRestrictionValidation.CompliesWithDataRestrictions</c>
    /// does; returns the issues the app reports (empty when fine). <paramref name="contentType"/> is the raw
    /// header: Altinn compares it whole, parameters included.
    /// </summary>
    public static List<ValidationIssueWithSource> CheckRestrictions(DataTypeDefinition type, string? contentDisposition, string? contentType, long? contentLength)
    {
        if (string.IsNullOrWhiteSpace(contentDisposition))
            return Issue("ContentTypeNotAllowed", "The request must include a Content-Disposition header");

        if (type.MaxSizeBytes is long max && contentLength > max)
            return Issue("DataElementTooLarge", $"Binary attachment exceeds limit of {max}");

        string? filename = FileName(contentDisposition);
        if (filename is null)
            return Issue("MissingFileName", "The Content-Disposition header must contain a valid filename");

        // the app splits on '.' and wants two pieces at least ("report." passes, its extension is then unknown)
        if (filename.Split('.').Length < 2)
            return Issue("InvalidFileNameFormat", $"Invalid format for filename: {filename}. Filename is expected to end with '.{{filetype}}'.");

        var allowed = type.AllowedContentTypes;
        if (allowed.Count == 0)
            return [];

        var mapping = MimeTypeTable.ForExtension(Path.GetExtension(filename));
        if (contentType is null)
            return Issue("InvalidFileNameFormat", "Content-Type header must be included in request.");

        // only the exact string application/octet-stream escapes the extension check; the mapping matches in any case
        if (!contentType.Equals(OctetStream, StringComparison.Ordinal) && !mapping.Matches(contentType))
            return Issue("InvalidFileNameFormat",
                $"Content type header {contentType} does not match mime type {mapping.Type} for uploaded file. Please fix header or upload another file.");

        // the header against the list in any case; the list's octet-stream only as written exactly
        if (!allowed.Contains(contentType, StringComparer.OrdinalIgnoreCase) && !allowed.Contains(OctetStream, StringComparer.Ordinal))
            return Issue("ContentTypeNotAllowed",
                $"Invalid content type: {mapping.Type}. Please try another file. Permitted content types include: {string.Join(", ", allowed)}");
        return [];
    }

    /// <summary>
    /// ALD <c>RequestPartValidator.ValidatePart</c>'s content type rule for a multipart part: the raw
    /// Content-Type up to its first ';' (not trimmed) must be in <c>allowedContentTypes</c> exactly, case
    /// included, when that list is not empty. No extension check and no octet-stream wildcard.
    /// </summary>
    public static bool PartContentTypeAllowed(DataTypeDefinition type, string contentType) =>
        type.AllowedContentTypes.Count == 0 || type.AllowedContentTypes.Contains(contentType.Split(';')[0], StringComparer.Ordinal);

    private static List<ValidationIssueWithSource> Issue(string code, string message) =>
        [new ValidationIssueWithSource { Severity = 1, Code = code, Description = $"Invalid data provided. Error: {message}", Source = Source }];

    /// <summary>
    /// Copies a body to a new blob file without buffering it. Stops once <paramref name="limit"/> is
    /// passed (the file is then removed and <c>TooLarge</c> set).
    /// </summary>
    public static async Task<(string? Path, long Size, bool TooLarge)> StreamToFileAsync(Stream body, long? limit, BlobStore blobs, CancellationToken cancellation)
    {
        string path = blobs.NewPath();
        long size = 0;
        var buffer = new byte[81920];
        try
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1, FileOptions.Asynchronous);
            int read;
            while ((read = await body.ReadAsync(buffer, cancellation)) > 0)
            {
                size += read;
                if (limit is long max && size > max)
                {
                    await file.DisposeAsync();
                    BlobStore.Delete(path);
                    return (null, size, true);
                }
                await file.WriteAsync(buffer.AsMemory(0, read), cancellation);
            }
        }
        catch
        {
            BlobStore.Delete(path);
            throw;
        }
        return (path, size, false);
    }
}
