using AltinnApp.Simulator.Models;
using AltinnApp.Simulator.Storage;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace AltinnApp.Simulator.Apps;

/// <summary>
/// The attachment rules of reference §4.5 (the app's DataRestrictionValidation) and the streaming of
/// request bodies to temporary files.
/// </summary>
public static class Uploads
{
    private const string Source = "DataRestrictionValidation";
    private const string OctetStream = "application/octet-stream";
    private static readonly FileExtensionContentTypeProvider MimeTypes = new();

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

    /// <summary>Checks the headers of a binary upload; returns the issues the app reports (empty when fine).</summary>
    public static List<ValidationIssueWithSource> CheckRestrictions(DataTypeDefinition type, string? contentDisposition, string? contentType, long? contentLength)
    {
        if (string.IsNullOrWhiteSpace(contentDisposition))
            return Issue("ContentTypeNotAllowed", "The request must include a Content-Disposition header");

        if (type.MaxSizeBytes is long max && contentLength > max)
            return Issue("DataElementTooLarge", $"Binary attachment exceeds limit of {max}");

        string? filename = FileName(contentDisposition);
        if (filename is null)
            return Issue("MissingFileName", "The Content-Disposition header must contain a valid filename");

        string extension = Path.GetExtension(filename).TrimStart('.');
        if (extension.Length == 0)
            return Issue("InvalidFileNameFormat", $"Invalid format for filename: {filename}. Filename is expected to end with '.{{fileType}}'.");

        var allowed = type.AllowedContentTypes;
        if (allowed.Count == 0 || allowed.Contains(OctetStream, StringComparer.OrdinalIgnoreCase))
            return [];

        string mediaType = MediaType(contentType);
        MimeTypes.TryGetContentType(filename, out var mimeFromExtension);
        if (mediaType.Length > 0 && !mediaType.Equals(OctetStream, StringComparison.OrdinalIgnoreCase)
            && !mediaType.Equals(mimeFromExtension, StringComparison.OrdinalIgnoreCase))
            return Issue("InvalidFileNameFormat",
                $"Content type header {mediaType} does not match mime type {mimeFromExtension ?? "(unknown)"} for uploaded file. Please fix header or upload another file.");

        string effective = mediaType.Length == 0 || mediaType.Equals(OctetStream, StringComparison.OrdinalIgnoreCase)
            ? mimeFromExtension ?? mediaType
            : mediaType;
        if (!allowed.Contains(effective, StringComparer.OrdinalIgnoreCase))
            return Issue("ContentTypeNotAllowed",
                $"Invalid content type: {effective}. Please try another file. Permitted content types include: {string.Join(", ", allowed)}");
        return [];
    }

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
