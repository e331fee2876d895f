using System.Reflection;

namespace AltinnApp.Simulator.Apps;

/// <summary>
/// The extension → media type table of Altinn's apps (ALD <c>src/Altinn.App.Core/Helpers/MimeTypeMap.cs</c>),
/// read from the engine's data file <c>src/AltinnApp.Core/Api/MimeTypes.txt</c>, linked into this assembly:
/// one table for both. A line is an extension, its media type, then the other types Altinn accepts for it.
/// </summary>
public static class MimeTypeTable
{
    private const string ResourceName = "AltinnApp.Simulator.Apps.MimeTypes.txt";
    private static readonly Lazy<Dictionary<string, Mapping>> Table = new(Load);

    public sealed record Mapping(string Type, IReadOnlyList<string> Aliases)
    {
        /// <summary>As ALD <c>MimeType.IsMatch</c>: the whole value against the type or an alias, any case.</summary>
        public bool Matches(string contentType) =>
            Type.Equals(contentType, StringComparison.OrdinalIgnoreCase) || Aliases.Contains(contentType, StringComparer.OrdinalIgnoreCase);
    }

    public static int Count => Table.Value.Count;

    /// <summary>As ALD <c>MimeTypeMap.GetMimeType</c>: a dot is added if missing; unknown → application/octet-stream.</summary>
    public static Mapping ForExtension(string extension)
    {
        if (!extension.StartsWith('.')) extension = "." + extension;
        return Table.Value.TryGetValue(extension, out var mapping) ? mapping : new Mapping("application/octet-stream", []);
    }

    private static Dictionary<string, Mapping> Load()
    {
        var map = new Dictionary<string, Mapping>(StringComparer.OrdinalIgnoreCase);
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The resource {ResourceName} is missing.");
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            line = line.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            map[fields[0]] = new Mapping(fields[1], fields[2..]);
        }
        return map;
    }
}
