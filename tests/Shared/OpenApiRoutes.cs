// Reusable reader of the Altinn app library's OpenAPI snapshots in tests/reference/.
// Shared between test projects (include with <Compile Include="..\Shared\OpenApiRoutes.cs" />):
// it depends on nothing but the BCL and System.Text.Json.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace AltinnApp.Testing;

/// <summary>One operation declared by an OpenAPI document.</summary>
public sealed class OpenApiOperation
{
    internal OpenApiOperation(string document, string method, string path, string normalizedPath, JsonElement operation, JsonElement root)
    {
        Document = document;
        Method = method;
        Path = path;
        NormalizedPath = normalizedPath;
        Operation = operation;
        Root = root;
    }

    /// <summary>File name of the document that declares it.</summary>
    public string Document { get; }
    /// <summary>Upper-case HTTP method.</summary>
    public string Method { get; }
    /// <summary>The path exactly as the document writes it.</summary>
    public string Path { get; }
    /// <summary>See <see cref="OpenApiRoutes.Normalize"/>.</summary>
    public string NormalizedPath { get; }
    public JsonElement Operation { get; }
    internal JsonElement Root { get; }

    public override string ToString() => $"{Method} {Path} ({Document})";
}

/// <summary>
/// The (method, path template) pairs of the two OpenAPI documents of the Altinn app library
/// (<c>SaveJsonSwagger</c>, the generic app API, and <c>SaveCustomOpenApiSpec</c>, the app-specific one),
/// and the required fields of their response schemas.
/// </summary>
/// <remarks>
/// Templates compare by literal segments (case-insensitive) and parameter positions, never by parameter
/// names or constraints, so <c>/{org}/{app}/instances/{instanceOwnerPartyId}/{instanceGuid}</c> equals
/// <c>/{org}/{app}/instances/{partyId:int}/{instanceGuid:guid}</c>. The app-specific document is generated
/// for one app (<c>/tdd/contributer-restriction/...</c>, one path per data type): its app prefix is read as
/// <c>{org}/{app}</c> and a data type name after <c>data/type/</c> or <c>data/{dataGuid}/type/</c> as a parameter.
/// </remarks>
public sealed class OpenApiRoutes
{
    public const string GenericDocument = "app-lib-dotnet.OpenApiSpecChangeDetection.SaveJsonSwagger.verified.json";
    public const string CustomDocument = "app-lib-dotnet.OpenApiSpecChangeDetection.SaveCustomOpenApiSpec.verified.json";
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options"];

    private readonly List<OpenApiOperation> _operations;

    private OpenApiRoutes(List<OpenApiOperation> operations) => _operations = operations;

    public IReadOnlyList<OpenApiOperation> Operations => _operations;

    /// <summary>
    /// Loads both documents from <paramref name="referenceDirectory"/>, or else from
    /// <see cref="FindReferenceDirectory"/>.
    /// </summary>
    public static OpenApiRoutes Load(string? referenceDirectory = null)
    {
        string directory = referenceDirectory ?? FindReferenceDirectory();
        var operations = new List<OpenApiOperation>();
        foreach (string file in new[] { GenericDocument, CustomDocument })
        {
            string path = System.IO.Path.Combine(directory, file);
            // File.ReadAllText drops the UTF-8 BOM the snapshots start with.
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement.Clone();
            string? appPrefix = AppPrefix(root);
            foreach (var pathItem in root.GetProperty("paths").EnumerateObject())
            {
                foreach (var method in pathItem.Value.EnumerateObject().Where(m => Methods.Contains(m.Name)))
                {
                    operations.Add(new OpenApiOperation(file, method.Name.ToUpperInvariant(), pathItem.Name,
                        Normalize(pathItem.Name, appPrefix), method.Value, root));
                }
            }
        }
        return new OpenApiRoutes(operations);
    }

    /// <summary>
    /// The <c>reference</c> folder beside the test assembly: each test project copies <c>tests/reference/</c>
    /// there at build time, so the tests read nothing outside the repository or their own output.
    /// </summary>
    public static string FindReferenceDirectory()
    {
        string reference = System.IO.Path.Combine(AppContext.BaseDirectory, "reference");
        if (!File.Exists(System.IO.Path.Combine(reference, GenericDocument)))
            throw new FileNotFoundException(
                $"{GenericDocument} is not in {reference}: the test project must copy tests/reference/*.json to its output (see tests/reference/README.md).");
        return reference;
    }

    /// <summary>
    /// Canonical form of a path template: literal segments lower-case, every parameter <c>{}</c>, the
    /// app-specific document's app prefix as <c>{}/{}</c>, data type names in data routes as <c>{}</c>.
    /// </summary>
    public static string Normalize(string template) => Normalize(template, null);

    private static string Normalize(string template, string? appPrefix)
    {
        string path = template.Split('?')[0];
        var segments = path.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries).ToList();
        if (appPrefix is not null)
        {
            var prefix = appPrefix.Split('/');
            if (segments.Count >= 2 && segments[0] == prefix[0] && segments[1] == prefix[1])
            {
                segments[0] = "{}";
                segments[1] = "{}";
            }
        }
        for (int i = 0; i < segments.Count; i++)
        {
            string segment = segments[i];
            if (segment.StartsWith("{", StringComparison.Ordinal) && segment.EndsWith("}", StringComparison.Ordinal))
            {
                segments[i] = "{}";
                continue;
            }
            bool isDataTypeName = i >= 2 && segments[i - 1].Equals("type", StringComparison.OrdinalIgnoreCase)
                && (segments[i - 2].Equals("data", StringComparison.OrdinalIgnoreCase)
                    || (i >= 3 && segments[i - 2] == "{}" && segments[i - 3].Equals("data", StringComparison.OrdinalIgnoreCase)));
            segments[i] = isDataTypeName ? "{}" : segment.ToLowerInvariant();
        }
        return "/" + string.Join("/", segments);
    }

    /// <summary>The operations declared for (method, template) in either document.</summary>
    public IReadOnlyList<OpenApiOperation> Find(string method, string template)
    {
        string normalized = Normalize(template);
        string upper = method.ToUpperInvariant();
        return _operations.Where(o => o.Method == upper && o.NormalizedPath == normalized).ToList();
    }

    public bool Contains(string method, string template) => Find(method, template).Count > 0;

    /// <summary>The status codes the documents declare for (method, template).</summary>
    public IReadOnlyList<int> Statuses(string method, string template) =>
        Find(method, template)
            .SelectMany(o => o.Operation.TryGetProperty("responses", out var responses)
                ? responses.EnumerateObject().Select(r => int.TryParse(r.Name, out var s) ? s : 0)
                : Enumerable.Empty<int>())
            .Where(s => s > 0)
            .Distinct()
            .OrderBy(s => s)
            .ToList();

    /// <summary>
    /// Required fields of the JSON response schema for (method, template, status), with <c>$ref</c>
    /// resolved, from every document that declares it. Required object properties are followed, so
    /// nested requirements appear as dotted paths (<c>instanceOwner.party.partyId</c>). An array schema
    /// yields the requirements of its items. Empty when no document gives a JSON schema.
    /// </summary>
    public IReadOnlyList<string> RequiredFields(string method, string template, int status)
    {
        var fields = new List<string>();
        foreach (var operation in Find(method, template))
        {
            if (!operation.Operation.TryGetProperty("responses", out var responses)
                || !responses.TryGetProperty(status.ToString(), out var response)
                || !response.TryGetProperty("content", out var content))
                continue;
            JsonElement? schema = null;
            foreach (var media in content.EnumerateObject().OrderBy(m => m.Name.Contains("json") ? 0 : 1))
            {
                if (media.Value.TryGetProperty("schema", out var s)) { schema = s; break; }
            }
            if (schema is null) continue;
            Collect(operation.Root, schema.Value, "", fields, depth: 0);
        }
        return fields.Distinct().ToList();
    }

    /// <summary>Required fields of a named component schema, e.g. <c>InstanceResponse</c>.</summary>
    public IReadOnlyList<string> RequiredFieldsOfSchema(string schemaName)
    {
        var fields = new List<string>();
        foreach (var root in _operations.Select(o => o.Root).Distinct())
        {
            if (root.TryGetProperty("components", out var components) && components.TryGetProperty("schemas", out var schemas)
                && schemas.TryGetProperty(schemaName, out var schema))
                Collect(root, schema, "", fields, depth: 0);
        }
        return fields.Distinct().ToList();
    }

    private static void Collect(JsonElement root, JsonElement schema, string prefix, List<string> fields, int depth)
    {
        if (depth > 8) return;
        schema = Resolve(root, schema);
        if (schema.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "array"
            && schema.TryGetProperty("items", out var items))
        {
            Collect(root, items, prefix, fields, depth + 1);
            return;
        }
        if (!schema.TryGetProperty("required", out var required) || required.ValueKind != JsonValueKind.Array) return;
        schema.TryGetProperty("properties", out var properties);
        foreach (var name in required.EnumerateArray().Select(r => r.GetString()).Where(n => n is not null))
        {
            fields.Add(prefix + name);
            if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(name!, out var property))
            {
                var resolved = Resolve(root, property);
                if (resolved.TryGetProperty("required", out _))
                    Collect(root, resolved, prefix + name + ".", fields, depth + 1);
            }
        }
    }

    private static JsonElement Resolve(JsonElement root, JsonElement schema)
    {
        for (int hops = 0; hops < 16 && schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out var reference); hops++)
        {
            string pointer = reference.GetString() ?? "";
            if (!pointer.StartsWith("#/", StringComparison.Ordinal)) break;
            var target = root;
            foreach (string part in pointer.Substring(2).Split('/'))
            {
                if (!target.TryGetProperty(part.Replace("~1", "/").Replace("~0", "~"), out target)) return schema;
            }
            schema = target;
        }
        return schema;
    }

    /// <summary>The app prefix of an app-specific document (<c>tdd/contributer-restriction</c>), or null.</summary>
    private static string? AppPrefix(JsonElement root)
    {
        foreach (var path in root.GetProperty("paths").EnumerateObject())
        {
            var segments = path.Name.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries);
            if (segments.Length == 5 && segments[2] == "api" && segments[3] == "v1" && segments[4] == "applicationmetadata"
                && !segments[0].StartsWith("{", StringComparison.Ordinal))
                return $"{segments[0]}/{segments[1]}";
        }
        return null;
    }
}
