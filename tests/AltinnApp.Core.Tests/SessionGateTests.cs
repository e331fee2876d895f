using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using AltinnApp.Core.Http;

namespace AltinnApp.Core.Tests;

/// <summary>The back-off after a 429 and the circuit: shared by every request of one session, on the session's clock.</summary>
public class SessionGateTests
{
    private static readonly Uri App = new("https://brg.apps.tt02.altinn.no/brg/app/instances/1");
    private static readonly Uri OtherPath = new("https://brg.apps.tt02.altinn.no/brg/app/instances/2");

    /// <summary>Answers per a function of the request and the number of the call; records when (on the fake clock) each arrived.</summary>
    private sealed class FakeWire(FakeClock clock, Func<HttpRequestMessage, int, HttpResponseMessage> answer) : HttpMessageHandler
    {
        private int _calls;
        public readonly ConcurrentQueue<(string Path, DateTimeOffset At)> Seen = new();

        public int Calls => Volatile.Read(ref _calls);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref _calls);
            Seen.Enqueue((request.RequestUri.AbsolutePath, clock.UtcNow));
            return Task.FromResult(answer(request, n));
        }
    }

    private sealed class CapturingLog : IAltinnLog
    {
        public readonly ConcurrentQueue<string> Warnings = new();
        public readonly ConcurrentQueue<string> Verbose = new();
        void IAltinnLog.Verbose(string message) => Verbose.Enqueue(message);
        public void Debug(string message) { }
        public void Warning(string message) => Warnings.Enqueue(message);
        public void Progress(string activity, long done, long? total) { }
    }

    private static HttpResponseMessage Status(int status, TimeSpan? retryAfter = null)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent("{}") };
        if (retryAfter != null) response.Headers.RetryAfter = new RetryConditionHeaderValue(retryAfter.Value);
        return response;
    }

    private static AltinnHttp Http(HttpMessageHandler wire, FakeClock clock, int retries = 0, int threshold = 3) =>
        new(wire, new AltinnHttpOptions(maxRetries: retries, retryBaseDelay: TimeSpan.FromSeconds(1), maxRetryDelay: TimeSpan.FromMinutes(2),
            circuitThreshold: threshold, circuitBreakDuration: TimeSpan.FromSeconds(30)), clock: clock);

    private static AltinnRequest Read(Uri uri = null) => new(HttpMethod.Get, uri ?? App, RequestKind.Read, "GetInstance") { Authenticate = false };

    private static AltinnRequest Create() =>
        new(HttpMethod.Post, App, RequestKind.Create, "NewInstance") { Authenticate = false, Content = () => new StringContent("{}") };

    [Fact]
    public async Task A_429s_Retry_After_holds_the_sessions_next_request_to_the_host_until_then()
    {
        var clock = new FakeClock();
        var start = clock.UtcNow;
        var wire = new FakeWire(clock, (_, n) => n == 1 ? Status(429, TimeSpan.FromSeconds(30)) : Status(200));
        using var http = Http(wire, clock);

        // one caller meets the 429 and gives up (no repeats); another caller's request must still wait it out
        using (var refused = await http.SendAsync(Read(), CancellationToken.None)) Assert.Equal(429, (int)refused.StatusCode);
        using var response = await http.SendAsync(Read(OtherPath), CancellationToken.None);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = wire.Seen.ToArray();
        Assert.Equal("/brg/app/instances/2", seen[1].Path);
        Assert.True(seen[1].At >= start + TimeSpan.FromSeconds(30), $"the second request went at {seen[1].At - start}, inside the 429's Retry-After");
    }

    [Fact]
    public async Task The_request_that_met_a_429_waits_once_and_those_after_it_go_after_the_wait()
    {
        var clock = new FakeClock();
        var start = clock.UtcNow;
        var wire = new FakeWire(clock, (_, n) => n == 1 ? Status(429, TimeSpan.FromSeconds(20)) : Status(200));
        using var http = Http(wire, clock, retries: 2);

        using (var first = await http.SendAsync(Read(), CancellationToken.None)) Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var others = Enumerable.Range(0, 8).Select(_ => http.SendAsync(Read(OtherPath), CancellationToken.None)).ToArray();
        foreach (var response in await Task.WhenAll(others)) using (response) Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        Assert.Equal(10, wire.Calls);
        Assert.All(wire.Seen.Skip(1), s => Assert.True(s.At >= start + TimeSpan.FromSeconds(20)));
        // the request that met the 429 waited 20 s once: its own repeat, not again at the gate
        Assert.Equal(TimeSpan.FromSeconds(20), clock.Delays.First());
    }

    [Fact]
    public async Task A_Retry_After_beyond_the_longest_wait_is_cut_to_it()
    {
        var clock = new FakeClock();
        var wire = new FakeWire(clock, (_, n) => n == 1 ? Status(429, TimeSpan.FromHours(3)) : Status(200));
        using var http = Http(wire, clock);
        (await http.SendAsync(Read(), CancellationToken.None)).Dispose();
        Assert.Equal(clock.UtcNow + TimeSpan.FromMinutes(2), http.Gate.HeldUntil(App));
    }

    [Fact]
    public async Task A_429_from_one_host_does_not_hold_another()
    {
        var clock = new FakeClock();
        var start = clock.UtcNow;
        var wire = new FakeWire(clock, (_, n) => n == 1 ? Status(429, TimeSpan.FromSeconds(30)) : Status(200));
        using var http = Http(wire, clock);
        (await http.SendAsync(Read(), CancellationToken.None)).Dispose();
        (await http.SendAsync(Read(new Uri("https://platform.tt02.altinn.no/authentication/api/v1/exchange/maskinporten")), CancellationToken.None)).Dispose();
        Assert.Equal(start, wire.Seen.ToArray()[1].At);
    }

    [Fact]
    public async Task The_circuit_opens_after_consecutive_5xx_across_requests_says_so_once_and_refuses_without_sending()
    {
        var clock = new FakeClock();
        var wire = new FakeWire(clock, (_, _) => Status(503));
        using var http = Http(wire, clock, threshold: 3);
        var log = new CapturingLog();
        AltinnLog.Current = log;

        for (var i = 0; i < 3; i++) (await http.SendAsync(Read(), CancellationToken.None)).Dispose();
        var errors = new List<AltinnException>();
        for (var i = 0; i < 4; i++) errors.Add(await Assert.ThrowsAsync<AltinnException>(() => http.SendAsync(Read(), CancellationToken.None)));

        Assert.Equal(3, wire.Calls);
        Assert.All(errors, e => Assert.Equal("Altinn.GetInstance.CircuitOpen", e.ErrorId));
        Assert.All(errors, e => Assert.Equal(AltinnErrorKind.ResourceUnavailable, e.Kind));
        Assert.Contains("failed 3 requests of this session in a row (last: 503", errors[0].Message);
        Assert.Contains("30 s from now", errors[0].Message);
        Assert.Single(log.Warnings);
        Assert.Contains("CircuitOpen", log.Warnings.Single());
        Assert.Equal(SessionGate.Circuit.Open, http.Gate.StateOf(App));
    }

    [Fact]
    public async Task After_the_cool_down_one_probe_goes_and_its_success_closes_the_circuit()
    {
        var clock = new FakeClock();
        var healthy = false;
        var wire = new FakeWire(clock, (_, _) => healthy ? Status(200) : Status(500));
        using var http = Http(wire, clock, threshold: 2);
        for (var i = 0; i < 2; i++) (await http.SendAsync(Read(), CancellationToken.None)).Dispose();
        await Assert.ThrowsAsync<AltinnException>(() => http.SendAsync(Read(), CancellationToken.None));

        clock.Advance(TimeSpan.FromSeconds(30));
        healthy = true;
        using (var probe = await http.SendAsync(Read(), CancellationToken.None)) Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        Assert.Equal(SessionGate.Circuit.Closed, http.Gate.StateOf(App));
        using (var after = await http.SendAsync(Read(), CancellationToken.None)) Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(4, wire.Calls);
    }

    [Fact]
    public async Task A_probe_that_fails_reopens_the_circuit_for_another_cool_down()
    {
        var clock = new FakeClock();
        var wire = new FakeWire(clock, (_, _) => Status(502));
        using var http = Http(wire, clock, threshold: 2);
        for (var i = 0; i < 2; i++) (await http.SendAsync(Read(), CancellationToken.None)).Dispose();
        clock.Advance(TimeSpan.FromSeconds(31));
        (await http.SendAsync(Read(), CancellationToken.None)).Dispose();
        var error = await Assert.ThrowsAsync<AltinnException>(() => http.SendAsync(Read(), CancellationToken.None));
        Assert.Equal("Altinn.GetInstance.CircuitOpen", error.ErrorId);
        Assert.Equal(3, wire.Calls);
    }

    [Fact]
    public async Task While_a_probe_is_out_the_others_are_refused()
    {
        var clock = new FakeClock();
        var release = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var wire = new DelegatingWire(_ => Interlocked.Increment(ref calls) switch { <= 2 => Task.FromResult(Status(503)), 3 => release.Task, _ => Task.FromResult(Status(200)) });
        using var http = new AltinnHttp(wire, new AltinnHttpOptions(maxRetries: 0, circuitThreshold: 2), clock: clock);
        for (var i = 0; i < 2; i++) (await http.SendAsync(Read(), CancellationToken.None)).Dispose();
        clock.Advance(TimeSpan.FromSeconds(30));
        var probe = http.SendAsync(Read(), CancellationToken.None);
        var error = await Assert.ThrowsAsync<AltinnException>(() => http.SendAsync(Read(), CancellationToken.None));
        Assert.Contains("testing right now", error.Message);
        release.SetResult(Status(200));
        (await probe).Dispose();
        (await http.SendAsync(Read(), CancellationToken.None)).Dispose();
    }

    [Fact]
    public async Task Failures_with_no_answer_count_and_an_answer_in_between_starts_the_count_again()
    {
        var clock = new FakeClock();
        // two broken connections, a 404 (an answer: the host is up), then two more: never three in a row
        var wire = new FakeWire(clock, (_, n) => n == 3 ? Status(404) : throw new HttpRequestException("reset"));
        using var http = Http(wire, clock, threshold: 3);
        for (var i = 0; i < 5; i++)
        {
            try { (await http.SendAsync(Read(), CancellationToken.None)).Dispose(); }
            catch (AltinnException e) { Assert.Equal("Altinn.GetInstance.ConnectionFailed", e.ErrorId); }
        }

        Assert.Equal(SessionGate.Circuit.Closed, http.Gate.StateOf(App));
        Assert.Equal(5, wire.Calls);
    }

    [Fact]
    public async Task An_open_circuit_refuses_a_create_as_not_sent_not_as_an_unknown_outcome()
    {
        var clock = new FakeClock();
        var wire = new FakeWire(clock, (_, _) => Status(500));
        using var http = Http(wire, clock, threshold: 2);
        for (var i = 0; i < 2; i++) (await http.SendAsync(Read(), CancellationToken.None)).Dispose();
        var error = await Assert.ThrowsAsync<AltinnException>(() => http.SendAsync(Create(), CancellationToken.None));
        Assert.IsNotType<AltinnOutcomeUnknownException>(error);
        Assert.Equal("Altinn.NewInstance.CircuitOpen", error.ErrorId);
        Assert.Contains("was not sent", error.Message);
    }

    [Fact]
    public async Task The_circuit_stops_a_read_in_the_middle_of_its_repeats()
    {
        var clock = new FakeClock();
        var wire = new FakeWire(clock, (_, _) => Status(503));
        using var http = Http(wire, clock, retries: 5, threshold: 3);
        var error = await Assert.ThrowsAsync<AltinnException>(() => http.SendAsync(Read(), CancellationToken.None));
        Assert.Equal("Altinn.GetInstance.CircuitOpen", error.ErrorId);
        Assert.Equal(3, wire.Calls);
    }

    [Fact]
    public async Task A_threshold_of_0_has_no_circuit()
    {
        var clock = new FakeClock();
        var wire = new FakeWire(clock, (_, _) => Status(503));
        using var http = Http(wire, clock, threshold: 0);
        for (var i = 0; i < 20; i++) (await http.SendAsync(Read(), CancellationToken.None)).Dispose();
        Assert.Equal(20, wire.Calls);
    }

    /// <summary>A host that takes <paramref name="perSecond"/> requests a second (a fixed window on the fake clock) and answers 429 beyond.</summary>
    private sealed class RateLimitedWire(FakeClock clock, int perSecond) : HttpMessageHandler
    {
        private DateTimeOffset _window = DateTimeOffset.MinValue;
        private int _count;
        public int Refused, Taken;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var now = clock.UtcNow;
            if (now - _window >= TimeSpan.FromSeconds(1)) { _window = now; _count = 0; }
            if (_count >= perSecond)
            {
                Refused++;
                return Task.FromResult(Status(429, TimeSpan.FromSeconds(1)));
            }

            _count++;
            Taken++;
            return Task.FromResult(Status(200));
        }
    }

    [Fact]
    public async Task After_a_429_the_session_paces_itself_under_the_hosts_rate_instead_of_meeting_the_limit_again()
    {
        var clock = new FakeClock();
        var start = clock.UtcNow;
        var wire = new RateLimitedWire(clock, 10);
        using var http = Http(wire, clock, retries: 5);
        for (var i = 0; i < 200; i++) (await http.SendAsync(Read(), CancellationToken.None)).Dispose();

        Assert.Equal(200, wire.Taken);
        // the first 429 teaches the pace; the limit is not met again while it holds
        Assert.True(wire.Refused <= 2, $"{wire.Refused} requests refused");
        var seconds = (clock.UtcNow - start).TotalSeconds;
        Assert.True(seconds <= 200 / 10.0 * 1.2, $"took {seconds:0.0} s on the clock for what the host takes in 20 s");
        Assert.InRange(http.Gate.PaceOf(App), 9, 10);

        // half a minute without a 429: the pace is gone, requests go as fast as they come
        clock.Advance(TimeSpan.FromSeconds(31));
        (await http.SendAsync(Read(), CancellationToken.None)).Dispose();
        Assert.Equal(0, http.Gate.PaceOf(App));
    }

    /// <summary>A host that answers every <paramref name="every"/>th request 429 whatever the rate, each request taking 10 ms.</summary>
    private sealed class SporadicWire(FakeClock clock, int every) : HttpMessageHandler
    {
        private int _calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            clock.Advance(TimeSpan.FromMilliseconds(10));
            return Task.FromResult(++_calls % every == 0 ? Status(429, TimeSpan.FromSeconds(1)) : Status(200));
        }
    }

    [Fact]
    public async Task A_lone_429_sets_no_pace_and_later_ones_do_not_wear_the_pace_down()
    {
        var clock = new FakeClock();
        using var http = Http(new SporadicWire(clock, 20), clock, retries: 5);
        for (var i = 0; i < 20; i++) (await http.SendAsync(Read(), CancellationToken.None)).Dispose();
        Assert.Equal(0, http.Gate.PaceOf(App));

        // a second 429 within half a minute: the host limits the rate, and the session goes at what it took
        for (var i = 0; i < 20; i++) (await http.SendAsync(Read(), CancellationToken.None)).Dispose();
        var learnt = http.Gate.PaceOf(App);
        Assert.True(learnt >= 10, $"the second 429 taught {learnt:0.#} a second");

        // twenty more refusals at the pace: 5 % lower each time would end near a third of it
        for (var i = 0; i < 400; i++) (await http.SendAsync(Read(), CancellationToken.None)).Dispose();
        Assert.Equal(learnt, http.Gate.PaceOf(App));
    }

    private sealed class DelegatingWire(Func<HttpRequestMessage, Task<HttpResponseMessage>> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => answer(request);
    }
}
