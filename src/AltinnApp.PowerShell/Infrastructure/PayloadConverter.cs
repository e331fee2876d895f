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
                    throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.DataEmpty), $"-{parameterName} is empty. Give the form data as a hashtable or object (sent as JSON), an XmlDocument, XML or JSON text, or a file.");
                case XmlNode xml:
                    // an XmlDocument, or one element of it ($doc.model)
                    return new FormDataPayload(xml.OuterXml, "application/xml");
                case FileInfo file:
                    return FromFile(file.FullName, operation, parameterName);
                case string text:
                    return FromText(text, operation, parameterName, resolvePath);
                case IDictionary _:
                case PSObject _:
                    return FormDataPayload.FromValues(ToPlain(value, operation));
                default:
                    if (raw.GetType().IsPrimitive || raw is decimal || raw is IEnumerable)
                    {
                        throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.DataUnsupported),
                            $"-{parameterName} is a {raw.GetType().Name}. Give the form data as a hashtable or object (sent as JSON), an XmlDocument, XML or JSON text, or a file.");
                    }

                    return FormDataPayload.FromValues(ToPlain(value, operation));
            }
        }

        private static FormDataPayload FromText(string text, string operation, string parameterName, Func<string, string> resolvePath, string file = null)
        {
            // what the message names: the parameter, or the file the parameter pointed at
            var source = file == null ? $"-{parameterName}" : $"The file '{file}' given in -{parameterName}";
            var trimmed = text.Trim();
            var document = FormDataPayload.FromDocument(trimmed, source, operation);
            if (document != null) return document;

            if (file != null)
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.DataUnknownText),
                    $"{source} holds neither XML nor a JSON object. Form data files must be .xml or .json documents.");
            }

            if (trimmed.Length == 0)
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.DataEmpty), $"-{parameterName} is empty text. Give the form data as a hashtable or object (sent as JSON), an XmlDocument, XML or JSON text, or a file.");
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

            if (path != null && File.Exists(path))
            {
                // text (a CSV cell, say) is read as a file only when it names an .xml or .json file, as the help says:
                // a value that happens to name some other file (a key, a password file) is never read and sent
                if (!trimmed.EndsWith(".xml", StringComparison.OrdinalIgnoreCase) && !trimmed.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                {
                    throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.DataUnknownText),
                        $"-{parameterName} is the text '{Excerpt(trimmed)}', which is neither XML nor a JSON object, and names a file that is not an .xml or .json file, so it was not read. Give the data itself, or pass that file as a file: -{parameterName} (Get-Item '<path>').");
                }

                return FromFile(path, operation, parameterName);
            }
            if (path != null && Directory.Exists(path))
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.PathIsFolder),
                    $"-{parameterName} '{path}' is a folder. Give the path of an .xml or .json file that holds the form data, or the data itself.");
            }

            if (LooksLikePath(trimmed))
            {
                throw new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.FileNotFound), AltinnErrorKind.ObjectNotFound,
                    $"-{parameterName} names the file '{path ?? trimmed}', which does not exist. Check the path (relative paths are taken from the current PowerShell location), or give the data itself.");
            }

            throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.DataUnknownText),
                $"-{parameterName} is the text '{Excerpt(trimmed)}', which is neither XML (starting with '<'), a JSON object (starting with '{{') nor the path of an existing file. Give the data as a hashtable, an XmlDocument, XML or JSON text, or a path to an .xml or .json file.");
        }

        private static FormDataPayload FromFile(string path, string operation, string parameterName)
        {
            if (Directory.Exists(path))
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.PathIsFolder),
                    $"-{parameterName} '{path}' is a folder. Give the path of an .xml or .json file that holds the form data.");
            }

            if (!File.Exists(path))
            {
                throw new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.FileNotFound), AltinnErrorKind.ObjectNotFound,
                    $"The file '{path}' given in -{parameterName} does not exist. Check the path (relative paths are taken from the current PowerShell location).");
            }

            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw FileUploads.CannotRead(path, parameterName, operation, ex);
            }

            if (text.Trim().Length == 0)
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.EmptyFile),
                    $"The file '{path}' given in -{parameterName} is empty. Form data files must hold an XML document or a JSON object.");
            }

            return FromText(text, operation, parameterName, null, path);
        }

        private static bool LooksLikePath(string text) =>
            text.IndexOfAny(new[] { '/', '\\' }) >= 0 ||
            text.EndsWith(".xml", StringComparison.OrdinalIgnoreCase) || text.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

        /// <summary>The start of a text for a message, with anything that looks like a person number or a token masked.</summary>
        private static string Excerpt(string text)
        {
            var oneLine = text.Replace('\r', ' ').Replace('\n', ' ');
            return Redactor.Redact(oneLine.Length > 40 ? oneLine.Substring(0, 40) + "…" : oneLine);
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
            if (depth > 32) throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.DataTooDeep), "The data nests more than 32 levels deep (or refers to itself). Give plain data.");
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
                    return PrefillValues.FormatDate(dt);
                case DateTimeOffset dto:
                    return PrefillValues.FormatInstant(dto);
                case Enum e:
                    return e.ToString();
                case Guid g:
                    return g.ToString("D");
                case IDictionary _:
                    break;
                case IEnumerable enumerable:
                    var list = new List<object>();
                    foreach (var item in enumerable) list.Add(ToPlain(item, operation, depth + 1));
                    return list;
            }

            var map = new Dictionary<string, object>();
            foreach (var field in Fields(value)) map[field.Key] = ToPlain(field.Value, operation, depth + 1);
            return map;
        }

        /// <summary>
        /// The named values of a hashtable, a PSCustomObject or another object (its properties), unconverted.
        /// </summary>
        private static IEnumerable<KeyValuePair<string, object>> Fields(object value)
        {
            var raw = Unwrap(value);
            if (raw is IDictionary dictionary)
            {
                foreach (DictionaryEntry entry in dictionary) yield return new KeyValuePair<string, object>(Convert.ToString(Unwrap(entry.Key), CultureInfo.InvariantCulture), entry.Value);
                yield break;
            }

            if (value is PSObject pso && (raw is PSCustomObject || pso.BaseObject == null))
            {
                foreach (var property in pso.Properties)
                {
                    if (property.MemberType == PSMemberTypes.NoteProperty || property.MemberType == PSMemberTypes.Property) yield return new KeyValuePair<string, object>(property.Name, property.Value);
                }

                yield break;
            }

            var wrapped = PSObject.AsPSObject(raw);
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

                yield return new KeyValuePair<string, object>(property.Name, propertyValue);
            }
        }

        /// <summary>
        /// A prefill: flat keys (dotted paths allowed) to values, unwrapped from PowerShell but otherwise as given. The
        /// engine turns each value into the text Altinn takes (<see cref="PrefillValues"/>) and refuses nested ones.
        /// </summary>
        public static IDictionary<string, object> ToPrefill(object value, string operation)
        {
            var raw = Unwrap(value);
            if (raw == null || raw is string || raw is IEnumerable && !(raw is IDictionary) || raw.GetType().IsPrimitive || raw is decimal || raw is DateTime || raw is DateTimeOffset || raw is Enum || raw is Guid)
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.InvalidPrefill), "-Prefill must be a hashtable or object of field names and values, for example @{ property1 = 'value' }.");
            }

            var map = new Dictionary<string, object>(StringComparer.Ordinal);
            foreach (var field in Fields(value))
            {
                var fieldValue = Unwrap(field.Value);
                // a PSCustomObject is a nested object to the engine, like a hashtable
                map[field.Key] = fieldValue is PSCustomObject ? ToPlain(field.Value, operation) : fieldValue;
            }

            return map;
        }

        public static object Unwrap(object value)
        {
            while (value is PSObject pso && !(pso.BaseObject is PSCustomObject)) value = pso.BaseObject;
            return value is PSObject p && p.BaseObject is PSCustomObject ? (object)p.BaseObject : value;
        }
    }
}
