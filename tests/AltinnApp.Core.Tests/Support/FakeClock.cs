using System.Collections.Concurrent;

namespace AltinnApp.Core.Tests;

/// <summary>A clock that only moves when something waits on it: <see cref="Delay"/> moves it on at once and records the wait.</summary>
internal sealed class FakeClock : IAltinnClock
{
    private readonly object _gate = new();
    private DateTimeOffset _now;

    public FakeClock(DateTimeOffset? start = null) => _now = start ?? new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public ConcurrentQueue<TimeSpan> Delays { get; } = new();

    public DateTimeOffset UtcNow
    {
        get { lock (_gate) return _now; }
    }

    public void Advance(TimeSpan by)
    {
        lock (_gate) _now += by;
    }

    public Task Delay(TimeSpan delay, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Delays.Enqueue(delay);
        if (delay > TimeSpan.Zero) Advance(delay);
        return Task.CompletedTask;
    }
}
