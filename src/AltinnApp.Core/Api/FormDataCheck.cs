using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using AltinnApp.Core.Http;
using AltinnApp.Core.Models;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Api
{
    /// <summary>
    /// Form data against its data type's model, before anything is sent: fields the model lacks and values of the wrong
    /// type are a warning (an error with -Strict), and values given as a hashtable go in the format the route takes:
    /// JSON, except in a multipart create to a type whose allowedContentTypes lack it, where they are written as XML
    /// under the model's root element. Every route that sends form data comes here.
    /// </summary>
    public static class FormDataCheck
    {
        public static async Task<FormDataPayload> PrepareAsync(AltinnAppClient client, AppIdentifier app, AltinnApplication application, string dataType,
            FormDataPayload payload, bool strict, string operation, CancellationToken cancellationToken, bool multipart = false)
        {
            var type = application.FindDataType(dataType);
            if (type == null || !type.IsFormData || payload == null) return payload;

            // a data PUT takes JSON whatever allowedContentTypes says (app-lib deserialises by Content-Type); a multipart
            // create holds each part to allowedContentTypes (reference §4.3), so there a hashtable may have to be XML
            var needsXml = multipart && payload.Values != null && MetadataRules.PartContentTypeRefusal(type.AllowedContentTypes, "application/json") != ContentTypeRefusal.None;
            var values = payload.Values ?? (payload.IsXml ? null : PlainJson(payload.Text));
            if (values == null) return payload; // XML as given: the user wrote the model's XML

            FormSchema schema;
            try
            {
                schema = await client.Applications.GetFormSchemaAsync(app, type.Id, cancellationToken).ConfigureAwait(false);
            }
            catch (AltinnException ex) when (!needsXml && !strict)
            {
                AltinnLog.Warning($"The fields of '{type.Id}' were not checked: the app's schema for it could not be read ({ex.Message}). The data is sent as given.");
                return payload;
            }
            catch (AltinnException ex)
            {
                throw new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.SchemaUnavailable), AltinnErrorKind.ResourceUnavailable,
                    $"The schema of '{type.Id}' in {app} could not be read ({ex.Message}). " +
                    (needsXml
                        ? $"'{type.Id}' takes only {string.Join(", ", type.AllowedContentTypes)}, and the schema names the XML root element a hashtable is written under. Give the data as XML (an XmlDocument, XML text or an .xml file), or try again later."
                        : "-Strict checks the fields against it: try again later, or leave -Strict out to send the data unchecked."), ex);
            }

            var problems = schema.Check(values);
            if (problems.Count > 0)
            {
                var what = $"The form data for '{type.Id}' does not fit the model of {app}: {string.Join(" ", problems)}";
                if (strict)
                {
                    throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.SchemaMismatch),
                        what + " Nothing was sent. Fix the fields (New-AltinnFormData -App " + app + " -DataType " + type.Id + " lists them), or leave -Strict out to send the data as it is.");
                }

                AltinnLog.Warning(what + " It is sent as it is: the app leaves out fields it does not know, and may refuse a value of the wrong type. -Strict stops such data before it is sent.");
            }

            if (!needsXml) return payload;
            if (schema.RootElement == null || !(values is IDictionary<string, object> map))
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.ContentTypeNotAllowed),
                    $"'{type.Id}' of {app} takes only {string.Join(", ", type.AllowedContentTypes)}, and " +
                    (schema.RootElement == null ? "its schema names no XML root element to write a hashtable under." : "the data is not an object of fields.") +
                    " Give the data as XML (an XmlDocument, XML text or an .xml file).");
            }

            return new FormDataPayload(schema.ToXml(map), "application/xml");
        }

        /// <summary>
        /// -Prefill's keys against the models its values go into (the form data types Altinn creates with the instance):
        /// a key none of them has is a warning, an error with -Strict.
        /// </summary>
        public static async Task CheckPrefillAsync(AltinnAppClient client, AppIdentifier app, AltinnApplication application, IEnumerable<string> keys,
            bool strict, string operation, CancellationToken cancellationToken)
        {
            var targets = application.FormDataTypes.Where(t => t.AppLogic?.AutoCreate == true).ToArray();
            if (targets.Length == 0) targets = application.FormDataTypes;
            if (targets.Length == 0) return;

            var keyList = keys.ToList();
            List<string> missing = null;
            foreach (var type in targets)
            {
                FormSchema schema;
                try
                {
                    schema = await client.Applications.GetFormSchemaAsync(app, type.Id, cancellationToken).ConfigureAwait(false);
                }
                catch (AltinnException ex) when (!strict)
                {
                    AltinnLog.Warning($"-Prefill was not checked: the app's schema for '{type.Id}' could not be read ({ex.Message}).");
                    return;
                }
                catch (AltinnException ex)
                {
                    throw new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.SchemaUnavailable), AltinnErrorKind.ResourceUnavailable,
                        $"The schema of '{type.Id}' in {app} could not be read ({ex.Message}). -Strict checks -Prefill against it: try again later, or leave -Strict out.", ex);
                }

                var problems = schema.CheckPrefill(keyList);
                // a key is unknown when no target has it: keep the problems of the first model, for keys every model lacks
                var unknown = keyList.Where(k => problems.Any(p => p.StartsWith($"-Prefill '{k}' ", StringComparison.Ordinal))).ToList();
                missing = missing == null ? problems.Where(p => unknown.Any(k => p.StartsWith($"-Prefill '{k}' ", StringComparison.Ordinal))).ToList()
                    : missing.Where(p => unknown.Any(k => p.StartsWith($"-Prefill '{k}' ", StringComparison.Ordinal))).ToList();
            }

            if (missing == null || missing.Count == 0) return;
            var what = $"{string.Join(" ", missing)} ({app}, {string.Join(", ", targets.Select(t => t.Id))})";
            if (strict)
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.SchemaMismatch),
                    what + $" Nothing was sent. Fix the names (New-AltinnFormData -App {app} lists the fields), or leave -Strict out.");
            }

            AltinnLog.Warning(what + " Altinn's prefill leaves out a field the model does not have. -Strict stops such a row before it is sent.");
        }

        /// <summary>JSON text as plain dictionaries, lists and values, to check it; null when it is not an object.</summary>
        private static object PlainJson(string text)
        {
            try
            {
                using (var document = JsonDocument.Parse(text))
                {
                    return document.RootElement.ValueKind == JsonValueKind.Object ? Plain(document.RootElement) : null;
                }
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private static object Plain(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    var map = new Dictionary<string, object>(StringComparer.Ordinal);
                    foreach (var property in element.EnumerateObject()) map[property.Name] = Plain(property.Value);
                    return map;
                case JsonValueKind.Array:
                    return element.EnumerateArray().Select(Plain).ToList();
                case JsonValueKind.String:
                    return element.GetString();
                case JsonValueKind.Number:
                    return element.TryGetInt64(out var l) ? (object)l : element.GetDecimal();
                case JsonValueKind.True:
                    return true;
                case JsonValueKind.False:
                    return false;
                default:
                    return null;
            }
        }
    }
}
