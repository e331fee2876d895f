using System;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Linq;
using System.Text;
using System.Text.Json;
using AltinnApp.Core.Api;

namespace AltinnApp.Core.Submissions
{
    /// <summary>
    /// What the journal keeps instead of the data itself (it holds no personal data): SHA-256 of the form data as sent,
    /// and of each file's bytes, so a rerun can tell whether it brings what the key was begun with.
    /// </summary>
    public static class Fingerprints
    {
        /// <summary>
        /// The form data's fingerprint. JSON is hashed in a canonical form (object members sorted by name), because the same
        /// values can arrive in another order on each run: a PowerShell hashtable's order changes from process to process.
        /// </summary>
        public static string Of(FormDataPayload payload)
        {
            if (payload == null) throw new ArgumentNullException(nameof(payload));
            var text = payload.IsXml ? payload.Text : CanonicalJson(payload.Text);
            return OfText((payload.IsXml ? "xml" : "json") + "\n" + text);
        }

        /// <summary>The fingerprint of a text (its UTF-8 bytes): <c>sha256:</c> and the hash in hex.</summary>
        public static string OfText(string text)
        {
            using (var sha = SHA256.Create())
            {
                return Format(sha.ComputeHash(Encoding.UTF8.GetBytes(text ?? string.Empty)));
            }
        }

        private static string CanonicalJson(string json)
        {
            try
            {
                using (var document = JsonDocument.Parse(json))
                using (var buffer = new MemoryStream())
                {
                    using (var writer = new Utf8JsonWriter(buffer))
                    {
                        WriteCanonical(writer, document.RootElement);
                    }

                    return Encoding.UTF8.GetString(buffer.ToArray());
                }
            }
            catch (JsonException)
            {
                return json; // not JSON after all: the text itself
            }
        }

        private static void WriteCanonical(Utf8JsonWriter writer, JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    writer.WriteStartObject();
                    foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                    {
                        writer.WritePropertyName(property.Name);
                        WriteCanonical(writer, property.Value);
                    }

                    writer.WriteEndObject();
                    break;
                case JsonValueKind.Array:
                    writer.WriteStartArray();
                    foreach (var item in element.EnumerateArray()) WriteCanonical(writer, item);
                    writer.WriteEndArray();
                    break;
                default:
                    element.WriteTo(writer);
                    break;
            }
        }

        public static string OfFile(string path)
        {
            try
            {
                using (var sha = SHA256.Create())
                using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.SequentialScan))
                {
                    return Format(sha.ComputeHash(stream));
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new AltinnException(ErrorCatalogue.Id("AddAttachment", ErrorReason.CannotRead), AltinnErrorKind.ReadError,
                    $"The file '{path}' cannot be read: {ex.Message} Nothing was uploaded; check the file and its permissions.");
            }
        }

        private static string Format(byte[] hash)
        {
            var hex = new StringBuilder("sha256:", 7 + hash.Length * 2);
            foreach (var b in hash) hex.Append(b.ToString("x2", CultureInfo.InvariantCulture));
            return hex.ToString();
        }
    }
}
