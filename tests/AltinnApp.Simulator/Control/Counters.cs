using System.Collections.Concurrent;

namespace AltinnApp.Simulator.Control;

/// <summary>Thread-safe counters behind <c>GET /_sim/counters</c>.</summary>
public sealed class Counters
{
    private readonly ConcurrentDictionary<string, long> _instancesCreated = new();
    private readonly ConcurrentDictionary<string, long> _instancesCreatedByOwner = new();
    private readonly ConcurrentDictionary<string, long> _requests = new();
    private readonly ConcurrentDictionary<string, long> _faults = new();
    private long _maskinportenTokens;
    private long _altinnTokens;

    public void InstanceCreated(int partyId, string? ownerNumber)
    {
        _instancesCreated.AddOrUpdate(partyId.ToString(), 1, (_, n) => n + 1);
        if (!string.IsNullOrEmpty(ownerNumber))
            _instancesCreatedByOwner.AddOrUpdate(ownerNumber, 1, (_, n) => n + 1);
    }

    public void Request(string key) => _requests.AddOrUpdate(key, 1, (_, n) => n + 1);
    public void Fault(string kind) => _faults.AddOrUpdate(kind, 1, (_, n) => n + 1);
    public void MaskinportenTokenIssued() => Interlocked.Increment(ref _maskinportenTokens);
    public void AltinnTokenIssued() => Interlocked.Increment(ref _altinnTokens);

    public object Snapshot() => new
    {
        InstancesCreated = Sorted(_instancesCreated),
        InstancesCreatedByOwner = Sorted(_instancesCreatedByOwner),
        Requests = Sorted(_requests),
        MaskinportenTokensIssued = Interlocked.Read(ref _maskinportenTokens),
        AltinnTokensIssued = Interlocked.Read(ref _altinnTokens),
        FaultsInjected = new SortedDictionary<string, long>
        {
            ["429"] = _faults.GetValueOrDefault("429"),
            ["503"] = _faults.GetValueOrDefault("503"),
            ["drop"] = _faults.GetValueOrDefault("drop"),
        },
    };

    public void Clear()
    {
        _instancesCreated.Clear();
        _instancesCreatedByOwner.Clear();
        _requests.Clear();
        _faults.Clear();
        Interlocked.Exchange(ref _maskinportenTokens, 0);
        Interlocked.Exchange(ref _altinnTokens, 0);
    }

    private static SortedDictionary<string, long> Sorted(ConcurrentDictionary<string, long> source) =>
        new(source.ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal);
}
