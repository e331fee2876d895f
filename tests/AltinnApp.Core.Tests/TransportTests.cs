using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AltinnApp.Core.Api;
using AltinnApp.Core.Auth;
using AltinnApp.Core.Http;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Tests;

/// <summary>The transport's pieces one at a time, then put together, then the outcome checks in the client.</summary>
public class TransportTests
{
    private static readonly Uri Address = new("http://127.0.0.1:1/brg/app/x");

    private static AltinnRequest Request(HttpMethod method, RequestKind kind, string operation = "Test", bool authenticate = false) =>
        new(method, Address, kind, operation) { Authenticate = authenticate };

    private static HttpResponseMessage Status(int status) => new((HttpStatusCode)status) { Content = new StringContent("{}") };

    /// <summary>The next piece, scripted: each call takes the next answer and records the request it was given.</summary>
    private sealed class ScriptedNext
    {
        private readonly Queue<Func<AltinnRequest, HttpResponseMessage>> _answers;
        public readonly List<AltinnRequest> Seen = new();

        public ScriptedNext(params Func<AltinnRequest, HttpResponseMessage>[] answers) => _answers = new(answers);

        public Task<HttpResponseMessage> Send(AltinnRequest request, CancellationToken cancellationToken)
        {
            Seen.Add(request);
            return Task.FromResult(_answers.Dequeue()(request));
        }
    }

    private sealed class CountingSource(FakeClock clock) : ITokenSource
    {
        public int Fetches;
        public string Description => "test";
        public bool CanRefresh => true;

        public Task<AccessToken> FetchAsync(CancellationToken cancellationToken)
        {
            Fetches++;
            var now = clock.UtcNow;
            return Task.FromResult(AccessToken.FromJwt(TokenProviderTests.UnsignedJwt(now.AddSeconds(Fetches), now.AddMinutes(30)), "test"));
        }
    }

    private sealed class CapturingLog : IAltinnLog
    {
        public readonly List<string> Lines = new();
        public void Verbose(string message) => Lines.Add(message);
        public void Debug(string message) => Lines.Add(message);
        public void Warning(string message) => Lines.Add(message);
        public void Progress(string activity, long done, long? total) { }
    }

    // ---- authentication ----

    [Fact]
    public async Task Authentication_renews_the_token_once_on_a_401_and_repeats_once()
    {
        var clock = new FakeClock();
        var source = new CountingSource(clock);
        var stage = new AuthenticationStage(() => new TokenProvider(source, () => clock.UtcNow));
        var next = new ScriptedNext(_ => Status(401), _ => Status(200));
        using var response = await stage.SendAsync(Request(HttpMethod.Get, RequestKind.Read, authenticate: true), next.Send, CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, source.Fetches);
        Assert.NotSame(next.Seen[0].Token, next.Seen[1].Token);
    }

    [Fact]
    public async Task Authentication_does_not_renew_twice_when_the_new_token_is_refused_too()
    {
        var clock = new FakeClock();
        var source = new CountingSource(clock);
        var provider = new TokenProvider(source, () => clock.UtcNow);
        var stage = new AuthenticationStage(() => provider);
        var next = new ScriptedNext(_ => Status(401), _ => Status(401), _ => Status(200));
        using var response = await stage.SendAsync(Request(HttpMethod.Get, RequestKind.Read, authenticate: true), next.Send, CancellationToken.None);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(2, next.Seen.Count);
        Assert.Equal(2, source.Fetches);
    }

    [Fact]
    public async Task Authentication_leaves_an_anonymous_request_alone()
    {
        var stage = new AuthenticationStage(() => null);
        var next = new ScriptedNext(_ => Status(401));
        using var response = await stage.SendAsync(Request(HttpMethod.Get, RequestKind.Token), next.Send, CancellationToken.None);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(next.Seen[0].Token);
    }

    // ---- retry ----

    private static RetryStage Retry(FakeClock clock, int retries = 3) =>
        new(new AltinnHttpOptions(maxRetries: retries, retryBaseDelay: TimeSpan.FromSeconds(1), maxRetryDelay: TimeSpan.FromMinutes(2)), clock);

    [Fact]
    public async Task Retry_repeats_a_read_on_503_after_the_wait_its_Retry_After_date_asks_for_on_the_clock()
    {
        var clock = new FakeClock();
        var next = new ScriptedNext(
            _ =>
            {
                var busy = Status(503);
                busy.Headers.RetryAfter = new RetryConditionHeaderValue(clock.UtcNow.AddSeconds(45));
                return busy;
            },
            _ => Status(200));
        var start = clock.UtcNow;
        using var response = await Retry(clock).SendAsync(Request(HttpMethod.Get, RequestKind.Read), next.Send, CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, next.Seen.Count);
        Assert.Equal(new[] { TimeSpan.FromSeconds(45) }, clock.Delays);
        Assert.Equal(start.AddSeconds(45), clock.UtcNow);
    }

    [Fact]
    public async Task Retry_backs_off_exponentially_and_caps_the_wait()
    {
        var clock = new FakeClock();
        var next = new ScriptedNext(_ => Status(502), _ => Status(502), _ => Status(502), _ => Status(502));
        var stage = new RetryStage(new AltinnHttpOptions(maxRetries: 3, retryBaseDelay: TimeSpan.FromSeconds(4), maxRetryDelay: TimeSpan.FromSeconds(10)), clock);
        using var response = await stage.SendAsync(Request(HttpMethod.Get, RequestKind.Read), next.Send, CancellationToken.None);
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var delays = clock.Delays.ToArray();
        Assert.Equal(3, delays.Length);
        Assert.InRange(delays[0].TotalSeconds, 3, 5); // 4 s ± 25 %
        Assert.InRange(delays[1].TotalSeconds, 6, 10);
        Assert.Equal(TimeSpan.FromSeconds(10), delays[2]); // 16 s, capped
    }

    [Fact]
    public async Task Retry_never_repeats_a_create_after_a_timeout()
    {
        var clock = new FakeClock();
        var next = new ScriptedNext(_ => throw new AttemptTimeoutException(TimeSpan.FromSeconds(100)), _ => Status(201));
        using var unknown = await Assert.ThrowsAsync<AltinnOutcomeUnknownException>(() =>
            Retry(clock).SendAsync(Request(HttpMethod.Post, RequestKind.Create, "NewInstance"), next.Send, CancellationToken.None));
        Assert.Single(next.Seen);
        Assert.Empty(clock.Delays);
        Assert.Equal("NewInstance", unknown.Operation);
        Assert.Equal("Altinn.NewInstance.Timeout", unknown.ErrorId); // what a caller that does not look reports, as before
        Assert.Equal("Altinn.NewInstance.Timeout", (await unknown.ToErrorAsync("Creating")).ErrorId);
    }

    [Fact]
    public async Task Retry_repeats_a_create_where_it_certainly_did_nothing()
    {
        var clock = new FakeClock();
        var next = new ScriptedNext(_ => Status(429), _ => Status(503), _ => Status(201));
        using var response = await Retry(clock).SendAsync(Request(HttpMethod.Post, RequestKind.Create), next.Send, CancellationToken.None);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(3, next.Seen.Count);
    }

    [Fact]
    public async Task Retry_leaves_a_process_next_answered_500_to_the_caller()
    {
        var next = new ScriptedNext(_ => Status(500), _ => Status(200));
        using var unknown = await Assert.ThrowsAsync<AltinnOutcomeUnknownException>(() =>
            Retry(new FakeClock()).SendAsync(Request(HttpMethod.Put, RequestKind.ProcessNext, "ProcessNext"), next.Send, CancellationToken.None));
        Assert.Single(next.Seen);
        Assert.Equal(500, (int)unknown.Response.StatusCode);
    }

    // ---- timeout ----

    [Fact]
    public async Task Timeout_cuts_an_attempt_at_its_kinds_timeout_and_maps_to_the_operations_Timeout()
    {
        var stage = new TimeoutStage(new AltinnHttpOptions(timeout: TimeSpan.FromMilliseconds(50), processNextTimeout: TimeSpan.FromMinutes(5)));
        var request = Request(HttpMethod.Get, RequestKind.Read, "GetInstance");
        var timeout = await Assert.ThrowsAsync<AttemptTimeoutException>(() => stage.SendAsync(request, Hang, CancellationToken.None));
        Assert.Equal(TimeSpan.FromMilliseconds(50), timeout.Timeout);

        var error = AltinnHttp.TransportError(request, timeout);
        Assert.Equal("Altinn.GetInstance.Timeout", error.ErrorId);
        Assert.Equal(AltinnErrorKind.OperationTimeout, error.Kind);
        Assert.Contains("Connect-Altinn -TimeoutSec", error.Message);
    }

    [Fact]
    public async Task Timeout_tells_the_callers_cancellation_from_a_timeout()
    {
        var stage = new TimeoutStage(new AltinnHttpOptions(timeout: TimeSpan.FromMinutes(5)));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stage.SendAsync(Request(HttpMethod.Get, RequestKind.Read), Hang, cts.Token));
        Assert.IsNotType<AttemptTimeoutException>(ex);
    }

    private static async Task<HttpResponseMessage> Hang(AltinnRequest request, CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return Status(200);
    }

    // ---- log ----

    private sealed class Answering(HttpStatusCode status) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent("{\"token\":\"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.sig\"}", Encoding.UTF8, "application/json") });
    }

    [Fact]
    public async Task The_log_names_headers_but_never_shows_their_values_and_masks_person_numbers()
    {
        const string secret = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJzZWNyZXQifQ.c2lnbmF0dXJl";
        var log = new CapturingLog();
        var previous = AltinnLog.Current;
        AltinnLog.Current = log;
        try
        {
            using var invoker = new HttpMessageInvoker(new LogHandler(new Answering(HttpStatusCode.OK)));
            using var message = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:1/brg/app/instances?personNumber=08089403198");
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            using var response = await invoker.SendAsync(message, CancellationToken.None);
        }
        finally
        {
            AltinnLog.Current = previous;
        }

        var text = string.Join("\n", log.Lines);
        Assert.Contains("Authorization", text);
        Assert.Contains("200 OK", text);
        Assert.DoesNotContain(secret, text);
        Assert.DoesNotContain("eyJ", text);
        Assert.DoesNotContain("08089403198", text);
        Assert.Contains("080894*****", text);
    }

    // ---- put together ----

    private sealed class Wire(params Func<HttpRequestMessage, HttpResponseMessage>[] answers) : HttpMessageHandler
    {
        private readonly Queue<Func<HttpRequestMessage, HttpResponseMessage>> _answers = new(answers);
        public readonly List<string> Bearers = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Bearers.Add(request.Headers.Authorization?.Parameter);
            return Task.FromResult(_answers.Dequeue()(request));
        }
    }

    [Fact]
    public async Task Put_together_a_retry_outside_authentication_sends_each_attempt_with_the_token_valid_on_the_clock_at_that_time()
    {
        var clock = new FakeClock();
        var source = new CountingSource(clock);
        // Retry-After longer than the token's life: the repeat must not go with the token that has expired meanwhile
        var wire = new Wire(
            _ =>
            {
                var busy = Status(503);
                busy.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromMinutes(40));
                return busy;
            },
            _ => Status(401),
            _ => Status(200));
        using var http = new AltinnHttp(wire, new AltinnHttpOptions(maxRetries: 2, maxRetryDelay: TimeSpan.FromHours(1)), clock: clock);
        http.Tokens = new TokenProvider(source, () => clock.UtcNow);
        using var response = await http.SendAsync(Request(HttpMethod.Get, RequestKind.Read, authenticate: true), CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, wire.Bearers.Count);
        Assert.Equal(3, source.Fetches); // first, after the 40-minute wait, after the 401
        Assert.Equal(3, wire.Bearers.Distinct().Count());
        Assert.Equal(new[] { TimeSpan.FromMinutes(40) }, clock.Delays);
        Assert.Equal(3, http.RequestCount);
    }

    // ---- the outcome checks in the client ----

    private static readonly AppIdentifier App = new("brg", "aarsregnskap");
    private static readonly InstanceIdentifier Id = InstanceIdentifier.Parse("500700/232c5390-9479-4506-a266-9890d7287bfb");
    private static readonly InstanceOwnerSpec Owner = new() { OrganizationNumber = "950474084", PartyId = 500700 };

    private static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK) => new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private static string InstanceJson(DateTimeOffset created) =>
        $"{{\"id\":\"{Id}\",\"appId\":\"{App}\",\"created\":\"{created.UtcDateTime:O}\",\"lastChanged\":\"{created.UtcDateTime:O}\",\"instanceOwner\":{{\"partyId\":\"500700\",\"organisationNumber\":\"950474084\"}},\"data\":[]}}";

    private sealed class FakeAltinn(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public readonly List<string> Seen = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Seen.Add($"{request.Method} {request.RequestUri!.AbsolutePath}");
            return Task.FromResult(answer(request));
        }
    }

    [Fact]
    public async Task A_create_whose_connection_broke_returns_the_instance_it_made_without_creating_another()
    {
        var clock = new FakeClock();
        var created = false;
        var handler = new FakeAltinn(r =>
        {
            var path = r.RequestUri!.AbsolutePath;
            if (r.Method == HttpMethod.Post)
            {
                created = true;
                throw new HttpRequestException("reset", new IOException("connection reset by peer"));
            }

            if (path.EndsWith("/active", StringComparison.Ordinal))
            {
                return Json(created ? $"[{{\"id\":\"{Id}\",\"lastChanged\":\"{clock.UtcNow.UtcDateTime:O}\"}}]" : "[]");
            }

            return Json(InstanceJson(clock.UtcNow));
        });
        using var session = await TestSessions.ConnectAsync(handler, retries: 3, clock: clock);
        var instance = await session.Client.Instances.CreateInstanceAsync(App, Owner, null, null, null, null, null, CancellationToken.None);
        Assert.Equal(Id.ToString(), instance.Id);
        Assert.Same(session, instance.Session);
        Assert.Equal(1, handler.Seen.Count(s => s.StartsWith("POST", StringComparison.Ordinal)));
        Assert.Single(clock.Delays); // one wait for the attempt to settle before looking
    }

    [Fact]
    public async Task A_create_that_did_not_take_effect_is_sent_again_once_the_reconciler_found_nothing()
    {
        var clock = new FakeClock();
        var posts = 0;
        var handler = new FakeAltinn(r =>
        {
            if (r.Method == HttpMethod.Post)
            {
                return ++posts == 1 ? Status(504) : Json(InstanceJson(clock.UtcNow), HttpStatusCode.Created);
            }

            return Json("[]"); // the active list: nothing new
        });
        using var session = await TestSessions.ConnectAsync(handler, retries: 3, clock: clock);
        var instance = await session.Client.Instances.CreateInstanceAsync(App, Owner, null, null, null, null, null, CancellationToken.None);
        Assert.Equal(Id.ToString(), instance.Id);
        Assert.Equal(new[] { "POST /brg/aarsregnskap/instances/create", "GET /brg/aarsregnskap/instances/500700/active", "POST /brg/aarsregnskap/instances/create" }, handler.Seen);
    }

    [Fact]
    public async Task A_create_that_stays_unknown_after_the_last_retry_is_the_transports_error()
    {
        var clock = new FakeClock();
        var handler = new FakeAltinn(r => r.Method == HttpMethod.Post ? Status(502) : Json("[]"));
        using var session = await TestSessions.ConnectAsync(handler, retries: 1, clock: clock);
        var error = await Assert.ThrowsAsync<AltinnApiException>(() => session.Client.Instances.CreateInstanceAsync(App, Owner, null, null, null, null, null, CancellationToken.None));
        Assert.Equal(502, error.StatusCode);
        Assert.StartsWith("Altinn.NewInstance.", error.ErrorId);
        Assert.Equal(2, handler.Seen.Count(s => s.StartsWith("POST", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_process_next_answered_500_reads_the_process_and_returns_it_when_it_moved_on()
    {
        var handler = new FakeAltinn(r => r.Method == HttpMethod.Put
            ? Status(500)
            : Json("{\"started\":\"2026-03-01T11:00:00Z\",\"currentTask\":{\"elementId\":\"Task_2\",\"altinnTaskType\":\"confirmation\"}}"));
        using var session = await TestSessions.ConnectAsync(handler, retries: 3, clock: new FakeClock());
        var state = await session.Client.Process.ProcessNextAsync(App, Id, "Task_1", null, null, CancellationToken.None);
        Assert.Equal("Task_2", state.CurrentTask.ElementId);
        Assert.Equal(1, handler.Seen.Count(s => s.StartsWith("PUT", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_process_next_that_did_not_move_the_process_is_sent_again()
    {
        var puts = 0;
        var handler = new FakeAltinn(r => r.Method == HttpMethod.Put
            ? (++puts == 1 ? throw new HttpRequestException("reset", new IOException("reset")) : Json("{\"ended\":\"2026-03-01T12:00:00Z\",\"endEvent\":\"EndEvent_1\"}"))
            : Json("{\"currentTask\":{\"elementId\":\"Task_1\",\"altinnTaskType\":\"data\"}}"));
        using var session = await TestSessions.ConnectAsync(handler, retries: 3, clock: new FakeClock());
        var state = await session.Client.Process.ProcessNextAsync(App, Id, "Task_1", null, null, CancellationToken.None);
        Assert.True(state.IsEnded);
        Assert.Equal(2, puts);
    }
}
