using System.Text.Json.Nodes;

namespace AltinnApp.Simulator.Control;

/// <summary>Body of <c>PUT /_sim/faults</c>.</summary>
public sealed class FaultConfiguration
{
    public List<FaultRule> Rules { get; set; } = [];
    public int? Seed { get; set; }
}

public sealed class FaultRule
{
    public string PathPrefix { get; set; } = "/";
    public List<string>? Methods { get; set; }
    public double Rate429 { get; set; }
    public int? RetryAfterSeconds { get; set; }
    public double Rate503 { get; set; }
    public double RateDrop { get; set; }
    public int LatencyMs { get; set; }
    public bool DropAfterProcessing { get; set; }

    /// <summary>
    /// A rate limit: of the requests this rule matches, at most this many are carried out per second (a fixed
    /// window that starts with the first request after the last one ended); the rest get 429 with Retry-After,
    /// the whole seconds until the window ends (at least 1). Refused requests do not use up the window.
    /// </summary>
    public int? RequestsPerSecond { get; set; }

    /// <summary>The most faults (429, 503, drop, answer) this rule injects; then it lets every request through.</summary>
    public int? MaxFaults { get; set; }

    /// <summary>How often to answer with <see cref="Answer"/> instead of carrying the request out.</summary>
    public double RateAnswer { get; set; }

    /// <summary>A fixed answer, for an error Altinn gives that the module cannot provoke (the request is not carried out).</summary>
    public FaultAnswer? Answer { get; set; }

    // the rate limit's window and the faults injected so far, under the injector's lock
    internal DateTimeOffset WindowStart;
    internal int WindowCount;
    internal int Injected;

    public bool Matches(HttpRequest request) =>
        request.Path.Value is { } path
        && path.StartsWith(PathPrefix, StringComparison.OrdinalIgnoreCase)
        && (Methods is null || Methods.Count == 0 || Methods.Contains(request.Method, StringComparer.OrdinalIgnoreCase));
}

/// <summary>A fixed answer: status, content type (default <c>application/problem+json; charset=utf-8</c>) and JSON body.</summary>
public sealed class FaultAnswer
{
    public int Status { get; set; } = 400;
    public string? ContentType { get; set; }
    public JsonNode? Body { get; set; }
}

/// <summary>What the injector decided for one request.</summary>
public sealed record FaultDecision(int LatencyMs, int? Status, int? RetryAfterSeconds, bool Drop, bool DropAfterProcessing, FaultAnswer? Answer = null)
{
    public static readonly FaultDecision None = new(0, null, null, false, false);
}

/// <summary>
/// Holds the fault rules and one seeded random source; every draw happens under one lock so a seeded
/// run is reproducible for a given request order.
/// </summary>
public sealed class FaultInjector
{
    private readonly object _gate = new();
    private List<FaultRule> _rules = [];
    private Random _random = new();

    public void Configure(FaultConfiguration configuration)
    {
        lock (_gate)
        {
            _rules = configuration.Rules.ToList();
            _random = configuration.Seed is int seed ? new Random(seed) : new Random();
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _rules = [];
            _random = new Random();
        }
    }

    public FaultDecision Decide(HttpRequest request) => Decide(request, DateTimeOffset.UtcNow);

    public FaultDecision Decide(HttpRequest request, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_rules.Count == 0) return FaultDecision.None;
            int latency = 0;
            foreach (var rule in _rules.Where(r => r.Matches(request)))
            {
                latency += Math.Max(0, rule.LatencyMs);
                if (rule.MaxFaults is int most && rule.Injected >= most) continue;
                if (rule.RequestsPerSecond is int perSecond)
                {
                    if (now - rule.WindowStart >= TimeSpan.FromSeconds(1))
                    {
                        rule.WindowStart = now;
                        rule.WindowCount = 0;
                    }

                    if (rule.WindowCount >= perSecond)
                    {
                        rule.Injected++;
                        var left = rule.WindowStart + TimeSpan.FromSeconds(1) - now;
                        return new FaultDecision(latency, 429, Math.Max(1, (int)Math.Ceiling(left.TotalSeconds)), false, false);
                    }

                    rule.WindowCount++;
                }

                // One draw per rate, in a fixed order, so each rate is an independent probability.
                bool is429 = Draw(rule.Rate429);
                bool is503 = Draw(rule.Rate503);
                bool drop = Draw(rule.RateDrop);
                if (is429 || is503 || drop) rule.Injected++;
                if (is429) return new FaultDecision(latency, 429, rule.RetryAfterSeconds ?? 1, false, false);
                if (is503) return new FaultDecision(latency, 503, rule.RetryAfterSeconds, false, false);
                if (drop) return new FaultDecision(latency, null, null, true, rule.DropAfterProcessing);
                if (rule.Answer is not null && Draw(rule.RateAnswer))
                {
                    rule.Injected++;
                    return new FaultDecision(latency, null, null, false, false, rule.Answer);
                }
            }
            return latency > 0 ? FaultDecision.None with { LatencyMs = latency } : FaultDecision.None;
        }
    }

    private bool Draw(double rate) => rate > 0 && _random.NextDouble() < rate;
}
