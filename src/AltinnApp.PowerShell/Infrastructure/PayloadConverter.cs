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
        public static FormDataPayload ToFormData(object value, string parameterName, Func<string, string> resolvePath)
        {
            var raw = Unwrap(value);
            switch (raw)
            {
                case null:
                    throw new AltinnArgumentException("Altinn.Data.Empty", $"-{parameterName} is empty. Give the form data as a hashtable or object (sent as JSON), an XmlDocument, XML or JSON text, or a file.");
                case XmlDocument xml:
                    return new FormDataPayload(xml.OuterXml, "application/xml");
                case FileInfo file:
                    return FromFile(file.FullName, parameterName);
                case string text:
                    return FromText(text, parameterName);
                case IDictionary _:
                case PSObject _:
                    return new FormDataPayload(JsonSerializer.Serialize(ToPlain(value), AltinnJson.Options), "application/json");
                default:
                    if (raw.GetType().IsPrimitive || raw is decimal || raw is IEnumerable)
                    {
                        throw new AltinnArgumentException("Altinn.Data.Unsupported",
                            $"-{parameterName} is a {raw.GetType().Name}. Give the form data as a hashtable or object (sent as JSON), an XmlDocument, XML or JSON text, or a file.");
                    }

                    return new FormDataPayload(JsonSerializer.Serialize(ToPlain(value), AltinnJson.Options), "application/json");
            }
        }

        private static FormDataPayload FromText(string text, string parameterName)
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
                    throw new AltinnArgumentException("Altinn.Data.InvalidXml", $"-{parameterName} is not well-formed XML: {ex.Message} Fix the XML, or give the data as a hashtable.");
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
                    throw new AltinnArgumentException("Altinn.Data.InvalidJson", $"-{parameterName} is not valid JSON: {ex.Message} Fix the JSON, or give the data as a hashtable.");
                }

                return new FormDataPayload(trimmed, "application/json");
            }

            throw new AltinnArgumentException("Altinn.Data.UnknownText",
                $"-{parameterName} is text that is neither XML (starting with '<') nor a JSON object (starting with '{{'). To send a file, pass Get-Item <path> or a FileInfo.");
        }

        private static FormDataPayload FromFile(string path, string parameterName)
        {
            if (!File.Exists(path))
            {
                throw new AltinnArgumentException("Altinn.File.NotFound", $"The file '{path}' given in -{parameterName} does not exist.");
            }

            return FromText(File.ReadAllText(path), parameterName);
        }

        /// <summary>PSObject, hashtables and arrays to plain dictionaries, lists and primitives.</summary>
        public static object ToPlain(object value, int depth = 0)
        {
            if (depth > 32) throw new AltinnArgumentException("Altinn.Data.TooDeep", "The data nests more than 32 levels deep (or refers to itself). Give plain data.");
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
                    foreach (DictionaryEntry entry in dictionary) map[Convert.ToString(Unwrap(entry.Key), CultureInfo.InvariantCulture)] = ToPlain(entry.Value, depth + 1);
                    return map;
                case IEnumerable enumerable:
                    var list = new List<object>();
                    foreach (var item in enumerable) list.Add(ToPlain(item, depth + 1));
                    return list;
            }

            if (value is PSObject pso && (raw is PSCustomObject || pso.BaseObject == null))
            {
                var map = new Dictionary<string, object>();
                foreach (var property in pso.Properties)
                {
                    if (property.MemberType == PSMemberTypes.NoteProperty || property.MemberType == PSMemberTypes.Property) map[property.Name] = ToPlain(property.Value, depth + 1);
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

                result[property.Name] = ToPlain(propertyValue, depth + 1);
            }

            return result;
        }

        /// <summary>A prefill: flat keys (dotted paths allowed) to values, as Altinn's prefill takes them.</summary>
        public static IDictionary<string, object> ToPrefill(object value)
        {
            var plain = ToPlain(value) as Dictionary<string, object>;
            if (plain == null)
            {
                throw new AltinnArgumentException("Altinn.Prefill.Invalid", "-Prefill must be a hashtable or object of field names and values, for example @{ property1 = 'value' }.");
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
