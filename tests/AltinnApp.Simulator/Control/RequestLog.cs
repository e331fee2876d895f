using System.Collections.Concurrent;

namespace AltinnApp.Simulator.Control;

/// <summary>One app request as the simulator received it: what a test checks the module sent, and when it arrived.</summary>
public sealed record LoggedRequest(
    string Method,
    string Path,
    string Query,
    string? ContentType,
    string? ContentDisposition,
    long? ContentLength,
    int Status,
    IReadOnlyList<LoggedPart> Parts,
    DateTimeOffset? Received = null);

/// <summary>One part of a multipart body: its name, content type and file name.</summary>
public sealed record LoggedPart(string Name, string? ContentType, string? FileName);

/// <summary>The last requests to app, token and exchange routes (never headers' values: no tokens are kept).</summary>
public sealed class RequestLog
{
    public const int Capacity = 5000;
    public const string PartsItemKey = "sim.parts";

    private readonly ConcurrentQueue<LoggedRequest> _entries = new();

    public void Add(LoggedRequest entry)
    {
        _entries.Enqueue(entry);
        while (_entries.Count > Capacity && _entries.TryDequeue(out _)) { }
    }

    public IReadOnlyList<LoggedRequest> Snapshot() => _entries.ToArray();

    public void Clear() => _entries.Clear();

    /// <summary>Lets an endpoint that reads a multipart body add its parts to the request's log entry.</summary>
    public static void AddPart(HttpContext context, LoggedPart part)
    {
        if (context.Items[PartsItemKey] is not List<LoggedPart> parts)
        {
            parts = new List<LoggedPart>();
            context.Items[PartsItemKey] = parts;
        }
        parts.Add(part);
    }
}

/// <summary>Revoking every Altinn token issued so far, as a key rotation or a revocation would: they then get 401.</summary>
public sealed class TokenGeneration
{
    private int _current;

    public int Current => Volatile.Read(ref _current);

    public int Revoke() => Interlocked.Increment(ref _current);

    public void Reset() => Volatile.Write(ref _current, 0);
}
