using System.Text;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using AltinnApp.Simulator.Infrastructure;

namespace AltinnApp.Simulator.Apps;

/// <summary>A form-data body that could not be read, with the ProblemDetails the app would answer.</summary>
public sealed record FormDataError(int Status, string Title, string? Detail);

/// <summary>
/// Reads and writes the flat form data model (reference §4.7): XML when Content-Type is XML or missing,
/// JSON when it is JSON, 415 otherwise. Element and property names match model fields case-insensitively;
/// unknown ones are ignored as the app's serializer ignores them.
/// </summary>
public static class FormData
{
    public static Dictionary<string, string?> Empty(AppDefinition app) =>
        app.ModelFields.ToDictionary(f => f, _ => (string?)null, StringComparer.Ordinal);

    /// <summary>Prefill keys are C# property names: case-insensitive, '-' removed; unknown keys ignored.</summary>
    public static void ApplyPrefill(AppDefinition app, Dictionary<string, string?> values, IReadOnlyDictionary<string, string?>? prefill)
    {
        if (prefill is null) return;
        foreach (var (key, value) in prefill)
        {
            string normalized = key.Replace("-", "");
            var field = app.ModelFields.FirstOrDefault(f => f.Equals(normalized, StringComparison.OrdinalIgnoreCase));
            if (field is not null) values[field] = value;
        }
    }

    /// <summary>
    /// As app-lib's <c>ModelSerializationService.DeserializeSingleFromStream</c> decides: no Content-Type, or one that contains
    /// <c>application/xml</c> (ordinal, so not <c>text/xml</c> nor another case), is XML; one that contains
    /// <c>application/json</c> is JSON (System.Text.Json with the web defaults); anything else is 415.
    /// </summary>
    public static (Dictionary<string, string?>? Values, FormDataError? Error) Parse(AppDefinition app, string? contentType, byte[] body)
    {
        bool isXml = contentType is null || contentType.Contains("application/xml", StringComparison.Ordinal);
        bool isJson = !isXml && contentType!.Contains("application/json", StringComparison.Ordinal);
        if (!isXml && !isJson)
            return (null, new FormDataError(415, "Unsupported content type", $"Content type {contentType} is not supported for deserialization"));
        var values = Empty(app);
        if (body.Length == 0) return (values, null);
        return isJson ? ParseJson(app, body, values) : ParseXml(app, body, values);
    }

    private static (Dictionary<string, string?>?, FormDataError?) ParseXml(AppDefinition app, byte[] body, Dictionary<string, string?> values)
    {
        try
        {
            using var stream = new MemoryStream(body);
            var document = XDocument.Load(stream, LoadOptions.SetLineInfo);
            // Namespaces and the root name are taken loosely, as the app retries without a namespace.
            foreach (var element in document.Root!.Elements())
            {
                var field = app.ModelFields.FirstOrDefault(f => f.Equals(element.Name.LocalName, StringComparison.OrdinalIgnoreCase));
                if (field is null) continue;
                if (element.HasElements)
                {
                    // the model's fields are strings: XmlSerializer reads them with ReadElementString, which refuses child elements
                    var at = (IXmlLineInfo)element.Elements().First();
                    return (null, new FormDataError(400, "Failed to deserialize XML",
                        $"There is an error in XML document ({at.LineNumber}, {at.LinePosition}). Unexpected node type Element. ReadElementString method can only be called on elements with simple or empty content."));
                }
                bool isNil = element.Attributes().Any(a => a.Name.LocalName == "nil" && a.Value == "true");
                values[field] = isNil ? null : element.Value;
            }
            return (values, null);
        }
        catch (XmlException e)
        {
            return (null, new FormDataError(400, "Failed to deserialize XML", e.Message));
        }
    }

    private static (Dictionary<string, string?>?, FormDataError?) ParseJson(AppDefinition app, byte[] body, Dictionary<string, string?> values)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return (null, new FormDataError(400, "Failed to deserialize JSON", "The JSON body must be an object"));
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var field = app.ModelFields.FirstOrDefault(f => f.Equals(property.Name, StringComparison.OrdinalIgnoreCase));
                if (field is null) continue;
                if (property.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                {
                    // the model's fields are strings, and the web defaults read no number, boolean, object or array into one
                    return (null, new FormDataError(400, "Failed to deserialize JSON",
                        $"The JSON value could not be converted to System.String. Path: $.{property.Name} | {JsonPosition(body, property.Name)}."));
                }
                values[field] = property.Value.ValueKind == JsonValueKind.Null ? null : property.Value.GetString();
            }
            return (values, null);
        }
        catch (JsonException e)
        {
            return (null, new FormDataError(400, "Failed to deserialize JSON", e.Message));
        }
    }

    /// <summary>
    /// Where System.Text.Json reports a value it cannot convert: the line, and the byte in it just after the value's first
    /// token (app-lib's <c>DataController_PutTests</c>: <c>{"melding":{"name": 123}}</c> → BytePositionInLine 23).
    /// </summary>
    private static string JsonPosition(byte[] body, string propertyName)
    {
        var reader = new Utf8JsonReader(body);
        while (reader.Read())
        {
            if (reader.CurrentDepth != 1 || reader.TokenType != JsonTokenType.PropertyName || reader.GetString() != propertyName) continue;
            reader.Read();
            long end = reader.BytesConsumed;
            int line = 0;
            long lineStart = 0;
            for (long i = 0; i < reader.TokenStartIndex; i++)
            {
                if (body[i] == (byte)'\n') { line++; lineStart = i + 1; }
            }
            return $"LineNumber: {line} | BytePositionInLine: {end - lineStart}";
        }
        return "LineNumber: 0 | BytePositionInLine: 0";
    }

    /// <summary>
    /// The model's JSON schema as Altinn Studio writes <c>models/{id}.schema.json</c> (app-lib's test apps, such as
    /// <c>test/Altinn.App.Integration.Tests/_testapps/basic/App/models/model.schema.json</c>): every field text, the
    /// required ones listed, the XML root element in <c>@xsdRootElement</c>.
    /// </summary>
    public static string Schema(AppDefinition app)
    {
        var properties = new System.Text.Json.Nodes.JsonObject();
        foreach (var field in app.ModelFields) properties[field] = new System.Text.Json.Nodes.JsonObject { ["type"] = "string" };
        var schema = new System.Text.Json.Nodes.JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = $"{app.App}/App/models/model.schema.json",
            ["type"] = "object",
            ["info"] = new System.Text.Json.Nodes.JsonObject { ["rootNode"] = "" },
            ["@xsdNamespaces"] = new System.Text.Json.Nodes.JsonObject
            {
                ["xsd"] = "http://www.w3.org/2001/XMLSchema",
                ["xsi"] = "http://www.w3.org/2001/XMLSchema-instance",
                ["seres"] = "http://seres.no/xsd/forvaltningsdata",
            },
            ["@xsdRootElement"] = app.ModelRootElement,
            ["properties"] = properties,
            ["required"] = new System.Text.Json.Nodes.JsonArray(app.RequiredFields.Select(f => (System.Text.Json.Nodes.JsonNode?)f).ToArray()),
        };
        return schema.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    public static byte[] ToXml(AppDefinition app, IReadOnlyDictionary<string, string?> values)
    {
        XNamespace xsi = "http://www.w3.org/2001/XMLSchema-instance";
        XNamespace xsd = "http://www.w3.org/2001/XMLSchema";
        var root = new XElement(app.ModelRootElement,
            new XAttribute(XNamespace.Xmlns + "xsi", xsi),
            new XAttribute(XNamespace.Xmlns + "xsd", xsd));
        foreach (var field in app.ModelFields)
            if (values.GetValueOrDefault(field) is { } value) root.Add(new XElement(field, value));
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true }))
            new XDocument(new XDeclaration("1.0", "utf-8", null), root).Save(writer);
        return stream.ToArray();
    }

    public static byte[] ToJson(AppDefinition app, IReadOnlyDictionary<string, string?> values)
    {
        var ordered = new Dictionary<string, string?>();
        foreach (var field in app.ModelFields) ordered[JsonNamingPolicy.CamelCase.ConvertName(field)] = values.GetValueOrDefault(field);
        return JsonSerializer.SerializeToUtf8Bytes(ordered, SimJson.Options);
    }

    /// <summary>The stored representation: XML unless the data type allows application/json.</summary>
    public static (byte[] Content, string ContentType) Stored(AppDefinition app, DataTypeDefinition type, IReadOnlyDictionary<string, string?> values) =>
        type.StoresJson ? (ToJson(app, values), "application/json") : (ToXml(app, values), "application/xml");
}
