using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http.Headers;
using System.Reflection;

namespace AltinnApp.Core.Api
{
    /// <summary>
    /// The media type of a file extension as an Altinn app sees it when it checks an upload (reference §6.2).
    /// The table is data, <c>MimeTypes.txt</c> beside this file (embedded in the assembly and linked into the
    /// simulator, so both use the one table): each line is an extension, its media type and the other media
    /// types Altinn accepts for it (<c>.zip application/zip application/x-zip-compressed application/zip-compressed</c>).
    /// Its facts are those of app-lib-dotnet's <c>MimeTypeMap</c>; an extension it does not list is
    /// <c>application/octet-stream</c>.
    /// </summary>
    public static class MimeTypes
    {
        public const string OctetStream = "application/octet-stream";

        /// <summary>The resource name of the table, for the simulator's linked copy too.</summary>
        public const string ResourceName = "AltinnApp.Core.Api.MimeTypes.txt";

        private static readonly Lazy<Dictionary<string, MediaTypeMapping>> Table = new Lazy<Dictionary<string, MediaTypeMapping>>(Load);

        /// <summary>How many extensions the table knows.</summary>
        public static int Count => Table.Value.Count;

        /// <summary>
        /// The mapping of an extension (with or without its dot, any case). An unknown extension, or none,
        /// maps to <c>application/octet-stream</c> with no other types and <see cref="MediaTypeMapping.Known"/> false.
        /// </summary>
        public static MediaTypeMapping ForExtension(string extension)
        {
            extension = extension ?? string.Empty;
            if (!extension.StartsWith(".", StringComparison.Ordinal)) extension = "." + extension;
            return Table.Value.TryGetValue(extension, out var mapping) ? mapping : new MediaTypeMapping(extension, OctetStream, new string[0], known: false);
        }

        /// <summary>The mapping of a file name's extension (the part from its last dot).</summary>
        public static MediaTypeMapping ForFileName(string fileName) => ForExtension(Path.GetExtension(fileName ?? string.Empty));

        /// <summary>The media type a file is sent as when nothing else is said: its extension's first type.</summary>
        public static string FromFileName(string fileName) => ForFileName(fileName).Type;

        /// <summary>The extensions whose mapping accepts a media type (for hints): common ones first, then shortest.</summary>
        public static IReadOnlyList<string> ExtensionsFor(string mediaType) =>
            Table.Value.Values.Where(m => m.Matches(mediaType)).Select(m => m.Extension)
                .OrderBy(e => Array.IndexOf(Common, e) is var i && i >= 0 ? i : Common.Length)
                .ThenBy(e => e.Length).ThenBy(e => e, StringComparer.Ordinal).ToList();

        // what people attach, so a hint names .xml rather than .asa for application/xml
        private static readonly string[] Common =
        {
            ".pdf", ".xml", ".json", ".txt", ".csv", ".zip", ".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".bmp",
            ".docx", ".doc", ".xlsx", ".xls", ".odt", ".ods", ".html", ".htm",
        };

        /// <summary>
        /// Whether a value is a media type that can be a Content-Type header: <c>type/subtype</c>, optionally
        /// with parameters (<c>text/plain; charset=utf-8</c>), no wildcards. <paramref name="problem"/> says what is wrong.
        /// </summary>
        public static bool IsValidContentType(string value, out string problem)
        {
            problem = null;
            if (string.IsNullOrWhiteSpace(value))
            {
                problem = "it is empty";
                return false;
            }

            if (!MediaTypeHeaderValue.TryParse(value.Trim(), out var parsed) || parsed.MediaType == null)
            {
                problem = "it is not a media type of the form type/subtype";
                return false;
            }

            var slash = parsed.MediaType.IndexOf('/');
            if (slash <= 0 || slash == parsed.MediaType.Length - 1)
            {
                problem = "it is not a media type of the form type/subtype";
                return false;
            }

            if (parsed.MediaType.IndexOf('*') >= 0)
            {
                problem = "a file has one type: a wildcard (*) is for Accept headers, not for Content-Type";
                return false;
            }

            return true;
        }

        private static Dictionary<string, MediaTypeMapping> Load()
        {
            var map = new Dictionary<string, MediaTypeMapping>(StringComparer.OrdinalIgnoreCase);
            using (var stream = typeof(MimeTypes).GetTypeInfo().Assembly.GetManifestResourceStream(ResourceName))
            {
                if (stream == null) throw new InvalidOperationException($"The resource {ResourceName} is missing from AltinnApp.Core.");
                using (var reader = new StreamReader(stream))
                {
                    foreach (var mapping in Parse(reader)) map[mapping.Extension] = mapping;
                }
            }

            return map;
        }

        /// <summary>Reads the table's format: <c>#</c> comments, blank lines, and <c>extension type [other types]</c> lines.</summary>
        internal static IEnumerable<MediaTypeMapping> Parse(TextReader reader)
        {
            string line;
            while ((line = reader.ReadLine()) != null)
            {
                line = line.Trim();
                if (line.Length == 0 || line[0] == '#') continue;
                var fields = line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 2 || !fields[0].StartsWith(".", StringComparison.Ordinal))
                {
                    throw new FormatException($"The media type table has a bad line: '{line}'.");
                }

                yield return new MediaTypeMapping(fields[0], fields[1], fields.Skip(2).ToArray(), known: true);
            }
        }
    }

    /// <summary>An extension's media type and the other media types Altinn accepts for it.</summary>
    public sealed class MediaTypeMapping
    {
        internal MediaTypeMapping(string extension, string type, IReadOnlyList<string> aliases, bool known)
        {
            Extension = extension;
            Type = type;
            Aliases = aliases;
            Known = known;
        }

        /// <summary>The extension with its dot, as asked for.</summary>
        public string Extension { get; }

        /// <summary>The media type a file with this extension is sent as by default.</summary>
        public string Type { get; }

        /// <summary>Other media types Altinn accepts for the extension (<c>text/xml</c> for <c>.xml</c>).</summary>
        public IReadOnlyList<string> Aliases { get; }

        /// <summary>False when the table has no line for the extension (then the type is application/octet-stream).</summary>
        public bool Known { get; }

        /// <summary>The type, then the aliases.</summary>
        public IEnumerable<string> All => new[] { Type }.Concat(Aliases);

        /// <summary>
        /// Whether a Content-Type value is this extension's type or one of its aliases, as Altinn compares them:
        /// the whole value (parameters included, so <c>text/plain; charset=utf-8</c> is not <c>text/plain</c>), any case.
        /// </summary>
        public bool Matches(string contentType) =>
            contentType != null && All.Any(t => string.Equals(t, contentType, StringComparison.OrdinalIgnoreCase));

        public override string ToString() => Type;
    }
}
