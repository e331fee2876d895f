using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace AltinnApp.Simulator.Maskinporten;

/// <summary>Every grant <c>POST /token</c> received, decoded (no signatures), for <c>GET /_sim/grants</c>.</summary>
public sealed class GrantLog
{
    private readonly ConcurrentQueue<(long Sequence, JsonObject Entry)> _entries = new();
    private long _sequence;

    public void Add(JsonObject header, JsonObject payload) =>
        _entries.Enqueue((Interlocked.Increment(ref _sequence), new JsonObject
        {
            ["header"] = header.DeepClone(),
            ["payload"] = payload.DeepClone(),
            ["receivedAt"] = DateTime.UtcNow,
        }));

    public JsonArray Snapshot() => new(_entries.OrderBy(e => e.Sequence).Select(e => (JsonNode)e.Entry.DeepClone()).ToArray());

    public void Clear() => _entries.Clear();
}

/// <summary>Grant <c>jti</c> values already used; a grant cannot be replayed.</summary>
public sealed class JtiCache
{
    private readonly ConcurrentDictionary<string, byte> _seen = new(StringComparer.Ordinal);

    public bool TryUse(string jti) => _seen.TryAdd(jti, 0);
    public void Clear() => _seen.Clear();
}
