using System.Collections.Concurrent;
using System.Text.Json;
using AltinnApp.Simulator.Infrastructure;

namespace AltinnApp.Simulator.Apps;

/// <summary>
/// The apps the simulator serves. The built-in ones are JSON files embedded from <c>Apps/*.json</c>
/// and go through the same <see cref="AppDefinition.Parse"/> as <c>POST /_sim/apps</c>.
/// </summary>
public sealed class AppRegistry
{
    private readonly ConcurrentDictionary<string, AppDefinition> _apps = new(StringComparer.Ordinal);

    public AppRegistry() => Reset();

    public AppDefinition? Find(string org, string app) => _apps.GetValueOrDefault($"{org}/{app}");

    /// <summary>The apps of one owner, in id order.</summary>
    public IReadOnlyList<AppDefinition> OfOrg(string org) =>
        _apps.Values.Where(a => a.Org.Equals(org, StringComparison.Ordinal)).OrderBy(a => a.AppId, StringComparer.Ordinal).ToList();

    public void AddOrReplace(AppDefinition app) => _apps[app.AppId] = app;

    public void Reset()
    {
        _apps.Clear();
        var assembly = typeof(AppRegistry).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("AltinnApp.Simulator.Apps.") && n.EndsWith(".json")))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            var dto = JsonSerializer.Deserialize<AppDefinitionDto>(stream, SimJson.Options)
                ?? throw new InvalidOperationException($"empty app definition {name}");
            AddOrReplace(AppDefinition.Parse(dto));
        }
    }
}
