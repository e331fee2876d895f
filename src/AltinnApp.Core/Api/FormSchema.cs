using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Xml;

namespace AltinnApp.Core.Api
{
    /// <summary>
    /// A form data type's model as its JSON schema states it (<c>api/jsonschema/{dataType}</c>, the
    /// <c>models/{dataType}.schema.json</c> Altinn Studio generates): the fields in the model's order, their types and
    /// whether they are required, and the XML root element (<c>@xsdRootElement</c>).
    /// </summary>
    public sealed class FormSchema
    {
        private FormSchema(string dataType, string rootElement, FormField root)
        {
            DataType = dataType;
            RootElement = rootElement;
            Root = root;
        }

        public string DataType { get; }

        /// <summary>The XML root element; null when the schema does not say.</summary>
        public string RootElement { get; }

        /// <summary>The model itself: an object whose <see cref="FormField.Children"/> are the form's fields.</summary>
        public FormField Root { get; }

        /// <summary>Every field, depth first in the model's order, nested ones with dotted paths (lists as <c>name[]</c>).</summary>
        public IEnumerable<FormField> AllFields() => Walk(Root);

        private static IEnumerable<FormField> Walk(FormField parent)
        {
            foreach (var child in parent.Children)
            {
                yield return child;
                var inner = child.IsArray ? child.Items : child;
                if (inner != null) foreach (var nested in Walk(inner)) yield return nested;
            }
        }

        /// <summary>Reads a schema as the app serves it. The app may send it JSON-encoded as one string; that is unwrapped.</summary>
        public static FormSchema Parse(string text, string dataType)
        {
            using (var document = JsonDocument.Parse(text))
            {
                if (document.RootElement.ValueKind == JsonValueKind.String) return Parse(document.RootElement.GetString(), dataType);
                var top = document.RootElement;
                if (top.ValueKind != JsonValueKind.Object) throw new JsonException("The schema is not a JSON object.");
                var rootElement = top.TryGetProperty("@xsdRootElement", out var r) && r.ValueKind == JsonValueKind.String && r.GetString().Length > 0 ? r.GetString() : null;
                var root = Build(top, top, string.Empty, string.Empty, true, 0);
                return new FormSchema(dataType, rootElement, root);
            }
        }

        private static FormField Build(JsonElement schema, JsonElement top, string name, string path, bool required, int depth)
        {
            var field = new FormField { Name = name, Path = path, Required = required };
            if (depth > 32) return field; // a model that refers to itself: deeper levels are not checked
            schema = Resolve(schema, top);
            var types = Types(schema, top);
            field.Format = schema.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
            field.Nullable = types.Contains("null");
            field.Type = types.FirstOrDefault(t => t != "null") ?? (Properties(schema, top).Any() ? "object" : null);
            if (field.Type == "array")
            {
                var items = schema.TryGetProperty("items", out var i) ? i : default;
                field.Items = items.ValueKind == JsonValueKind.Object ? Build(items, top, name, path + "[]", false, depth + 1) : null;
                return field;
            }

            var requiredNames = new HashSet<string>(StringComparer.Ordinal);
            foreach (var part in Parts(schema, top))
            {
                if (part.TryGetProperty("required", out var req) && req.ValueKind == JsonValueKind.Array)
                {
                    foreach (var n in req.EnumerateArray()) if (n.ValueKind == JsonValueKind.String) requiredNames.Add(n.GetString());
                }
            }

            foreach (var property in Properties(schema, top))
            {
                var childPath = path.Length == 0 ? property.Name : path + "." + property.Name;
                field.Children.Add(Build(property.Value, top, property.Name, childPath, requiredNames.Contains(property.Name), depth + 1));
            }

            return field;
        }

        /// <summary>A <c>$ref</c> into the same document (<c>#/$defs/X</c>, <c>#/definitions/X</c>); a single-entry allOf/oneOf/anyOf is its entry.</summary>
        private static JsonElement Resolve(JsonElement schema, JsonElement top)
        {
            for (var hops = 0; hops < 16; hops++)
            {
                if (schema.ValueKind != JsonValueKind.Object) return schema;
                if (schema.TryGetProperty("$ref", out var reference) && reference.ValueKind == JsonValueKind.String)
                {
                    var target = Pointer(top, reference.GetString());
                    if (target.ValueKind != JsonValueKind.Object) return schema;
                    schema = target;
                    continue;
                }

                var single = default(JsonElement);
                foreach (var key in new[] { "allOf", "oneOf", "anyOf" })
                {
                    if (schema.TryGetProperty(key, out var list) && list.ValueKind == JsonValueKind.Array && list.GetArrayLength() == 1 && !schema.TryGetProperty("properties", out _))
                    {
                        single = list[0];
                    }
                }

                if (single.ValueKind != JsonValueKind.Object) return schema;
                schema = single;
            }

            return schema;
        }

        private static JsonElement Pointer(JsonElement top, string reference)
        {
            if (reference == null || !reference.StartsWith("#/", StringComparison.Ordinal)) return default;
            var current = top;
            foreach (var raw in reference.Substring(2).Split('/'))
            {
                var segment = Uri.UnescapeDataString(raw).Replace("~1", "/").Replace("~0", "~");
                if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out current)) return default;
            }

            return current;
        }

        /// <summary>The schema and the entries of its allOf (a model that extends another).</summary>
        private static IEnumerable<JsonElement> Parts(JsonElement schema, JsonElement top)
        {
            if (schema.ValueKind != JsonValueKind.Object) yield break;
            yield return schema;
            if (schema.TryGetProperty("allOf", out var all) && all.ValueKind == JsonValueKind.Array)
            {
                foreach (var entry in all.EnumerateArray()) yield return Resolve(entry, top);
            }
        }

        private static IEnumerable<JsonProperty> Properties(JsonElement schema, JsonElement top)
        {
            foreach (var part in Parts(schema, top))
            {
                if (part.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
                {
                    foreach (var property in properties.EnumerateObject()) yield return property;
                }
            }
        }

        private static List<string> Types(JsonElement schema, JsonElement top)
        {
            var types = new List<string>();
            foreach (var part in Parts(schema, top))
            {
                if (!part.TryGetProperty("type", out var type)) continue;
                if (type.ValueKind == JsonValueKind.String) types.Add(type.GetString());
                if (type.ValueKind == JsonValueKind.Array) types.AddRange(type.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()));
            }

            if (types.Count == 0 && schema.ValueKind == JsonValueKind.Object)
            {
                // nullable written as oneOf/anyOf [{type: X}, {type: null}]
                foreach (var key in new[] { "oneOf", "anyOf" })
                {
                    if (!schema.TryGetProperty(key, out var list) || list.ValueKind != JsonValueKind.Array) continue;
                    foreach (var entry in list.EnumerateArray()) types.AddRange(Types(Resolve(entry, top), top));
                }
            }

            return types;
        }

        /// <summary>
        /// What in <paramref name="values"/> (plain dictionaries, lists and values) the model does not have, or has as
        /// another type: one line per problem, empty when it fits. Names are matched as Altinn's JSON reader does (any case).
        /// </summary>
        public IReadOnlyList<string> Check(object values)
        {
            var problems = new List<string>();
            CheckValue(Root, values, string.Empty, problems);
            return problems;
        }

        /// <param name="at">Where the value is, as the user wrote it: <c>adresse.gate</c>, <c>linjer[2].belop</c>; empty for the form itself.</param>
        private static void CheckValue(FormField field, object value, string at, List<string> problems)
        {
            if (value == null || field.Type == null) return;
            var where = at.Length == 0 ? "The form" : $"'{at}'";
            switch (field.Type)
            {
                case "object":
                    if (!(value is IDictionary<string, object> map))
                    {
                        problems.Add($"{where} is {Describe(value)}; the model has an object there (give a hashtable).");
                        return;
                    }

                    if (field.Children.Count == 0) return; // an object the schema does not describe: anything goes
                    foreach (var pair in map)
                    {
                        var childAt = at.Length == 0 ? pair.Key : at + "." + pair.Key;
                        var child = field.Find(pair.Key);
                        if (child == null)
                        {
                            var near = field.Nearest(pair.Key);
                            problems.Add($"'{childAt}' is not a field of the model" + (near != null ? $" (did you mean '{(at.Length == 0 ? near.Name : at + "." + near.Name)}'?)." : "."));
                            continue;
                        }

                        CheckValue(child, pair.Value, at.Length == 0 ? child.Name : at + "." + child.Name, problems);
                    }

                    return;
                case "array":
                    if (!(value is IList list) || value is string)
                    {
                        problems.Add($"{where} is {Describe(value)}; the model has a list there (give an array, @(...)).");
                        return;
                    }

                    if (field.Items == null) return;
                    for (var i = 0; i < list.Count; i++) CheckValue(field.Items, list[i], $"{at}[{i}]", problems);
                    return;
                case "string":
                    if (!(value is string)) problems.Add($"{where} is {Describe(value)}; the model takes text there{FormatHint(field)} (give it in quotes).");
                    return;
                case "integer":
                    if (!IsInteger(value)) problems.Add($"{where} is {Describe(value)}; the model takes a whole number there.");
                    return;
                case "number":
                    if (!IsNumber(value)) problems.Add($"{where} is {Describe(value)}; the model takes a number there.");
                    return;
                case "boolean":
                    if (!(value is bool)) problems.Add($"{where} is {Describe(value)}; the model takes $true or $false there.");
                    return;
            }
        }

        private static string FormatHint(FormField field) =>
            field.Format == "date" ? " (a date, yyyy-MM-dd)" : field.Format == "date-time" ? " (a date and time)" : string.Empty;

        private static bool IsNumber(object value) =>
            value is int || value is long || value is short || value is byte || value is double || value is float || value is decimal;

        private static bool IsInteger(object value) =>
            value is int || value is long || value is short || value is byte ||
            (value is decimal d && decimal.Truncate(d) == d) || (value is double x && Math.Floor(x) == x && !double.IsInfinity(x));

        private static string Describe(object value)
        {
            switch (value)
            {
                case string s: return $"the text '{(s.Length > 30 ? s.Substring(0, 30) + "…" : s)}'";
                case bool b: return b ? "$true" : "$false";
                case IDictionary<string, object> _: return "an object";
                case IList _: return "a list";
                default: return IsNumber(value) ? "the number " + Convert.ToString(value, CultureInfo.InvariantCulture) : "a " + value.GetType().Name;
            }
        }

        /// <summary>
        /// Prefill keys (dotted paths, as Altinn's prefill takes them: any case, '-' left out) that name no field of the model:
        /// one line per key.
        /// </summary>
        public IReadOnlyList<string> CheckPrefill(IEnumerable<string> keys)
        {
            var problems = new List<string>();
            foreach (var key in keys)
            {
                var current = Root;
                foreach (var segment in key.Split('.'))
                {
                    var next = current.Find(segment.Replace("-", string.Empty));
                    if (next == null)
                    {
                        var near = current.Nearest(segment);
                        problems.Add($"-Prefill '{key}' is not a field of the model" + (near != null ? $" (did you mean '{near.Path}'?)." : "."));
                        break;
                    }

                    current = next.IsArray && next.Items != null ? next.Items : next;
                }
            }

            return problems;
        }

        /// <summary>
        /// Plain values as the model's XML: the root element, then each field in the model's order (XmlSerializer reads
        /// ordered members only in order), under the model's own names. Nulls are left out; a list repeats its element.
        /// </summary>
        public string ToXml(IDictionary<string, object> values)
        {
            var builder = new StringBuilder();
            var settings = new XmlWriterSettings { OmitXmlDeclaration = false, Encoding = new UTF8Encoding(false), Indent = true };
            using (var writer = XmlWriter.Create(builder, settings))
            {
                writer.WriteStartDocument();
                writer.WriteStartElement(RootElement);
                WriteFields(writer, Root, values);
                writer.WriteEndElement();
                writer.WriteEndDocument();
            }

            // StringBuilder output names utf-16; the text is sent as UTF-8
            return builder.ToString().Replace("encoding=\"utf-16\"", "encoding=\"utf-8\"");
        }

        private static void WriteFields(XmlWriter writer, FormField parent, IDictionary<string, object> values)
        {
            var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var child in parent.Children)
            {
                var key = values.Keys.FirstOrDefault(k => string.Equals(k, child.Name, StringComparison.OrdinalIgnoreCase));
                if (key == null) continue;
                used.Add(key);
                WriteValue(writer, child.Name, child.IsArray ? child.Items : child, values[key]);
            }

            // names the model lacks (already reported) go last, as given: the app ignores them
            foreach (var pair in values)
            {
                if (!used.Contains(pair.Key) && IsXmlName(pair.Key)) WriteValue(writer, pair.Key, null, pair.Value);
            }
        }

        private static void WriteValue(XmlWriter writer, string name, FormField field, object value)
        {
            switch (value)
            {
                case null:
                    return;
                case IDictionary<string, object> map:
                    writer.WriteStartElement(name);
                    WriteFields(writer, field ?? new FormField(), map);
                    writer.WriteEndElement();
                    return;
                case IList list when !(value is string):
                    foreach (var item in list) WriteValue(writer, name, field, item);
                    return;
                case bool b:
                    writer.WriteElementString(name, b ? "true" : "false");
                    return;
                default:
                    writer.WriteElementString(name, Convert.ToString(value, CultureInfo.InvariantCulture));
                    return;
            }
        }

        private static bool IsXmlName(string name)
        {
            try
            {
                XmlConvert.VerifyName(name);
                return true;
            }
            catch (XmlException)
            {
                return false;
            }
        }
    }

    /// <summary>One field of a form's model.</summary>
    public sealed class FormField
    {
        public string Name { get; set; }

        /// <summary>Where it is in the form: <c>name</c>, <c>parent.name</c>, <c>list[].name</c>.</summary>
        public string Path { get; set; }

        /// <summary>The JSON schema type: string, integer, number, boolean, object, array; null when the schema does not say.</summary>
        public string Type { get; set; }

        /// <summary>The schema's format (date, date-time, …), or null.</summary>
        public string Format { get; set; }

        public bool Required { get; set; }

        public bool Nullable { get; set; }

        public bool IsArray => Type == "array";

        /// <summary>For a list, what each item is.</summary>
        public FormField Items { get; set; }

        public List<FormField> Children { get; } = new List<FormField>();

        /// <summary>The child of this name, as Altinn's JSON reader matches it (any case).</summary>
        public FormField Find(string name) =>
            Children.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal)) ??
            Children.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

        /// <summary>The child whose name is closest to a misspelt one (at most a third of its letters off), or null.</summary>
        public FormField Nearest(string name)
        {
            FormField best = null;
            var bestDistance = int.MaxValue;
            foreach (var child in Children)
            {
                var distance = Distance(name.ToLowerInvariant(), child.Name.ToLowerInvariant());
                if (distance < bestDistance)
                {
                    best = child;
                    bestDistance = distance;
                }
            }

            return best != null && bestDistance <= Math.Max(1, name.Length / 3) ? best : null;
        }

        /// <summary>Edits from one name to the other, a swap of two neighbouring letters counting as one (the commonest slip).</summary>
        private static int Distance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
            for (var j = 0; j <= b.Length; j++) d[0, j] = j;
            for (var i = 1; i <= a.Length; i++)
            {
                for (var j = 1; j <= b.Length; j++)
                {
                    var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                    if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }

            return d[a.Length, b.Length];
        }

        /// <summary>The type as a user reads it: <c>string</c>, <c>string (date)</c>, <c>integer[]</c>, <c>object</c>.</summary>
        public string DisplayType =>
            IsArray ? (Items?.DisplayType ?? "any") + "[]" : (Type ?? "any") + (Format != null ? $" ({Format})" : string.Empty);

        public override string ToString() => Path;
    }
}
