using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Text.Json;
using System.Xml;
using AltinnApp.Core;
using AltinnApp.Core.Api;
using AltinnApp.Core.Http;

namespace AltinnApp.PowerShell.Infrastructure
{
    /// <summary>
    /// Turns what a user passes (hashtable, PSCustomObject, XmlDocument, XML or JSON text, a file) into form
    /// data. Values from PowerShell arrive wrapped in PSObject: they are unwrapped before serialising.
    /// </summary>
    internal static class PayloadConverter
    {
        public static FormDataPayload ToFormData(object value, string operation, string parameterName, Func<string, string> resolvePath)
        {
            var raw = Unwrap(value);
            switch (raw)
            {
                case null:
                    throw new AltinnArgumentException($"Altinn.{operation}.DataEmpty", $"-{parameterName} is empty. Give the form data as a hashtable or object (sent as JSON), an XmlDocument, XML or JSON text, or a file.");
                case XmlNode xml:
                    // an XmlDocument, or one element of it ($doc.model)
                    return new FormDataPayload(xml.OuterXml, "application/xml");
                case FileInfo file:
                    return FromFile(file.FullName, operation, parameterName);
                case string text:
                    return FromText(text, operation, parameterName, resolvePath);
                case IDictionary _:
                case PSObject _:
                    return new FormDataPayload(JsonSerializer.Serialize(ToPlain(value, operation), AltinnJson.Options), "application/json");
                default:
                    if (raw.GetType().IsPrimitive || raw is decimal || raw is IEnumerable)
                    {
                        throw new AltinnArgumentException($"Altinn.{operation}.DataUnsupported",
                            $"-{parameterName} is a {raw.GetType().Name}. Give the form data as a hashtable or object (sent as JSON), an XmlDocument, XML or JSON text, or a file.");
                    }

                    return new FormDataPayload(JsonSerializer.Serialize(ToPlain(value, operation), AltinnJson.Options), "application/json");
            }
        }

        private static FormDataPayload FromText(string text, string operation, string parameterName, Func<string, string> resolvePath)
        {
            var trimmed = text.Trim();
            if (trimmed.StartsWith("<", StringComparison.Ordinal))
            {
                try
                {
                    var doc = new XmlDocument { XmlResolver = null };
                    doc.LoadXml(trimmed);
                }
                catch (XmlException ex)
                {
                    throw new AltinnArgumentException($"Altinn.{operation}.InvalidXml", $"-{parameterName} is not well-formed XML: {ex.Message} Fix the XML, or give the data as a hashtable.");
                }

                return new FormDataPayload(trimmed, "application/xml");
            }

            if (trimmed.StartsWith("{", StringComparison.Ordinal))
            {
                try
                {
                    using (JsonDocument.Parse(trimmed))
                    {
                    }
                }
                catch (JsonException ex)
                {
                    throw new AltinnArgumentException($"Altinn.{operation}.InvalidJson", $"-{parameterName} is not valid JSON: {ex.Message} Fix the JSON, or give the data as a hashtable.");
                }

                return new FormDataPayload(trimmed, "application/json");
            }

            // anything else is taken as the path of a file that holds the XML or JSON
            string path = null;
            try
            {
                path = resolvePath?.Invoke(trimmed);
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                // not a usable path either: the message below says what the text may be
            }

            if (path != null && File.Exists(path)) return FromFile(path, operation, parameterName);
            throw new AltinnArgumentException($"Altinn.{operation}.DataUnknownText",
                $"-{parameterName} is text that is neither XML (starting with '<'), a JSON object (starting with '{{') nor the path of an existing file. Give the data as a hashtable, an XmlDocument, XML or JSON text, or a path to an .xml or .json file.");
        }

        private static FormDataPayload FromFile(string path, string operation, string parameterName)
        {
            if (!File.Exists(path))
            {
                throw new AltinnArgumentException($"Altinn.{operation}.FileNotFound", $"The file '{path}' given in -{parameterName} does not exist.");
            }

            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new AltinnException($"Altinn.{operation}.CannotReadFile", AltinnErrorKind.ReadError, $"The file '{path}' given in -{parameterName} cannot be read: {ex.Message}");
            }

            var trimmed = text.Trim();
            if (!trimmed.StartsWith("<", StringComparison.Ordinal) && !trimmed.StartsWith("{", StringComparison.Ordinal))
            {
                throw new AltinnArgumentException($"Altinn.{operation}.DataUnknownText",
                    $"The file '{path}' given in -{parameterName} holds neither XML nor a JSON object. Form data files must be .xml or .json documents.");
            }

            return FromText(trimmed, operation, parameterName, null);
        }

        /// <summary>Form data as Altinn sent it (JSON) to what ConvertFrom-Json would give: PSCustomObjects, arrays and plain values.</summary>
        public static object FromJson(string json)
        {
            using (var doc = JsonDocument.Parse(json))
            {
                return FromJsonElement(doc.RootElement);
            }
        }

        private static object FromJsonElement(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    var result = new PSObject();
                    foreach (var property in element.EnumerateObject())
                    {
                        result.Properties.Add(new PSNoteProperty(property.Name, FromJsonElement(property.Value)));
                    }

                    return result;
                case JsonValueKind.Array:
                    var list = new List<object>();
                    foreach (var item in element.EnumerateArray()) list.Add(FromJsonElement(item));
                    return list.ToArray();
                case JsonValueKind.String:
                    return element.GetString();
                case JsonValueKind.Number:
                    if (element.TryGetInt32(out var i)) return i;
                    if (element.TryGetInt64(out var l)) return l;
                    if (element.TryGetDecimal(out var d)) return d;
                    return element.GetDouble();
                case JsonValueKind.True:
                    return true;
                case JsonValueKind.False:
                    return false;
                default:
                    return null;
            }
        }

        /// <summary>PSObject, hashtables and arrays to plain dictionaries, lists and primitives.</summary>
        public static object ToPlain(object value, string operation, int depth = 0)
        {
            if (depth > 32) throw new AltinnArgumentException($"Altinn.{operation}.DataTooDeep", "The data nests more than 32 levels deep (or refers to itself). Give plain data.");
            var raw = Unwrap(value);
            switch (raw)
            {
                case null:
                    return null;
                case string s:
                    return s;
                case bool _:
                case int _:
                case long _:
                case double _:
                case decimal _:
                case float _:
                case short _:
                case byte _:
                    return raw;
                case DateTime dt:
                    return dt.ToString("o", CultureInfo.InvariantCulture);
                case DateTimeOffset dto:
                    return dto.ToString("o", CultureInfo.InvariantCulture);
                case Enum e:
                    return e.ToString();
                case Guid g:
                    return g.ToString("D");
                case IDictionary dictionary:
                    var map = new Dictionary<string, object>();
                    foreach (DictionaryEntry entry in dictionary) map[Convert.ToString(Unwrap(entry.Key), CultureInfo.InvariantCulture)] = ToPlain(entry.Value, operation, depth + 1);
                    return map;
                case IEnumerable enumerable:
                    var list = new List<object>();
                    foreach (var item in enumerable) list.Add(ToPlain(item, operation, depth + 1));
                    return list;
            }

            if (value is PSObject pso && (raw is PSCustomObject || pso.BaseObject == null))
            {
                var map = new Dictionary<string, object>();
                foreach (var property in pso.Properties)
                {
                    if (property.MemberType == PSMemberTypes.NoteProperty || property.MemberType == PSMemberTypes.Property) map[property.Name] = ToPlain(property.Value, operation, depth + 1);
                }

                return map;
            }

            var wrapped = PSObject.AsPSObject(raw);
            var result = new Dictionary<string, object>();
            foreach (var property in wrapped.Properties)
            {
                if (property.MemberType != PSMemberTypes.Property && property.MemberType != PSMemberTypes.NoteProperty) continue;
                object propertyValue;
                try
                {
                    propertyValue = property.Value;
                }
                catch (GetValueException)
                {
                    continue;
                }

                result[property.Name] = ToPlain(propertyValue, operation, depth + 1);
            }

            return result;
        }

        /// <summary>A prefill: flat keys (dotted paths allowed) to values, as Altinn's prefill takes them.</summary>
        public static IDictionary<string, object> ToPrefill(object value, string operation)
        {
            var plain = ToPlain(value, operation) as Dictionary<string, object>;
            if (plain == null)
            {
                throw new AltinnArgumentException($"Altinn.{operation}.InvalidPrefill", "-Prefill must be a hashtable or object of field names and values, for example @{ property1 = 'value' }.");
            }

            return plain;
        }

        public static object Unwrap(object value)
        {
            while (value is PSObject pso && !(pso.BaseObject is PSCustomObject)) value = pso.BaseObject;
            return value is PSObject p && p.BaseObject is PSCustomObject ? (object)p.BaseObject : value;
        }
    }
}
