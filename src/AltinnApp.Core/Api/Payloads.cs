using System;
using System.Collections.Generic;

namespace AltinnApp.Core.Api
{
    /// <summary>Who the instance is for: exactly one of the three.</summary>
    public sealed class InstanceOwnerSpec
    {
        public string OrganizationNumber { get; set; }
        public string PersonNumber { get; set; }
        public int? PartyId { get; set; }

        internal Dictionary<string, object> ToJson()
        {
            var owner = new Dictionary<string, object>();
            if (PartyId.HasValue) owner["partyId"] = PartyId.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (OrganizationNumber != null) owner["organisationNumber"] = OrganizationNumber;
            if (PersonNumber != null) owner["personNumber"] = PersonNumber;
            return owner;
        }

        /// <summary>For logs and errors: a person number is masked.</summary>
        public override string ToString() =>
            OrganizationNumber != null ? "organisation " + OrganizationNumber
            : PersonNumber != null ? "person " + Validation.NorwegianIdentifiers.MaskPersonNumber(PersonNumber)
            : "party " + PartyId;
    }

    /// <summary>Form data ready to send: JSON or XML text.</summary>
    public sealed class FormDataPayload
    {
        public FormDataPayload(string text, string contentType)
        {
            Text = text;
            ContentType = contentType;
        }

        public string Text { get; }

        /// <summary><c>application/json</c> or <c>application/xml</c>.</summary>
        public string ContentType { get; }

        public bool IsXml => ContentType.IndexOf("xml", StringComparison.OrdinalIgnoreCase) >= 0;

        /// <summary>The plain values (dictionaries, lists, values) this was made from, when given as a hashtable or object; else null.</summary>
        public object Values { get; private set; }

        /// <summary>
        /// Form data from plain values (dictionaries, lists, text, numbers, booleans, dates: what the cmdlets make of a
        /// hashtable or object), as the JSON the app's data model reads.
        /// </summary>
        public static FormDataPayload FromValues(object values) =>
            new FormDataPayload(System.Text.Json.JsonSerializer.Serialize(values, Http.AltinnJson.Options), "application/json") { Values = values };

        /// <summary>
        /// Form data from a document given as text: XML (starting with '&lt;') or a JSON object (starting with '{'), checked
        /// to be well-formed. Null when the text is neither, so the caller can try it as a path.
        /// </summary>
        /// <param name="source">What the message names: the parameter, or the file it pointed at.</param>
        public static FormDataPayload FromDocument(string text, string source, string operation)
        {
            var trimmed = (text ?? string.Empty).Trim();
            if (trimmed.StartsWith("<", StringComparison.Ordinal))
            {
                try
                {
                    var doc = new System.Xml.XmlDocument { XmlResolver = null };
                    doc.LoadXml(trimmed);
                }
                catch (System.Xml.XmlException ex)
                {
                    throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.InvalidXml), $"{source} is not well-formed XML: {ex.Message} Fix the XML, or give the data as a hashtable.");
                }

                return new FormDataPayload(trimmed, "application/xml");
            }

            if (trimmed.StartsWith("{", StringComparison.Ordinal))
            {
                try
                {
                    using (System.Text.Json.JsonDocument.Parse(trimmed))
                    {
                    }
                }
                catch (System.Text.Json.JsonException ex)
                {
                    throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.InvalidJson), $"{source} is not valid JSON: {ex.Message} Fix the JSON, or give the data as a hashtable.");
                }

                return new FormDataPayload(trimmed, "application/json");
            }

            return null;
        }
    }

    /// <summary>A file to upload, streamed from disk.</summary>
    public sealed class FileUpload
    {
        public string Path { get; set; }
        public string FileName { get; set; }
        /// <summary>What the Content-Type header says; when not <see cref="ContentTypeGiven"/>, the metadata check picks it from the extension.</summary>
        public string ContentType { get; set; }

        /// <summary>The user stated the content type (-ContentType): it is sent as given, never replaced.</summary>
        public bool ContentTypeGiven { get; set; }

        public long Length { get; set; }
    }

    /// <summary>One part of a multipart create: form data or a file, under its data type's name.</summary>
    public sealed class MultipartPart
    {
        public string DataType { get; set; }
        public FormDataPayload FormData { get; set; }
        public FileUpload File { get; set; }
    }

    /// <summary>What a download brought: the server's file name and content type, and the bytes written.</summary>
    public sealed class DownloadResult
    {
        public DownloadResult(string fileName, string contentType, long length)
        {
            FileName = fileName;
            ContentType = contentType;
            Length = length;
        }

        public string FileName { get; }

        public string ContentType { get; }

        public long Length { get; }
    }
}
