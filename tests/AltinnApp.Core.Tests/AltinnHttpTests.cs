using System.Net;
using System.Net.Sockets;
using AltinnApp.Core.Auth;
using AltinnApp.Core.Http;

namespace AltinnApp.Core.Tests;

public class AltinnHttpTests
{
    /// <summary>Answers each request with the next scripted outcome and records what it saw.</summary>
    private sealed class ScriptedHandler : HttpMessageHandler
    {
        private readonly Queue<Func<HttpRequestMessage, HttpResponseMessage>> _script;
        public readonly List<string> Authorizations = new();
        public readonly List<string> Bodies = new();

        public ScriptedHandler(params Func<HttpRequestMessage, HttpResponseMessage>[] script) => _script = new(script);

        public int Calls { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Calls++;
            Authorizations.Add(request.Headers.Authorization?.Parameter);
            Bodies.Add(request.Content == null ? null : await request.Content.ReadAsStringAsync(cancellationToken));
            if (_script.Count == 0) throw new InvalidOperationException("no more scripted answers");
            return _script.Dequeue()(request);
        }
    }

    private static Func<HttpRequestMessage, HttpResponseMessage> Status(int status, Action<HttpResponseMessage> configure = null) => _ =>
    {
        var r = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent("{}") };
        configure?.Invoke(r);
        return r;
    };

    private static Func<HttpRequestMessage, HttpResponseMessage> Throw(Exception ex) => _ => throw ex;

    private static AltinnHttp Http(ScriptedHandler handler, int retries = 3, FakeClock clock = null) =>
        new(handler, new AltinnHttpOptions(maxRetries: retries, retryBaseDelay: TimeSpan.FromMilliseconds(1), maxRetryDelay: TimeSpan.FromMilliseconds(50)), clock: clock ?? new FakeClock());

    private static AltinnRequest Request(HttpMethod method, RequestKind kind, bool authenticate = false) =>
        new(method, new Uri("http://127.0.0.1:1/brg/app/x"), kind, "Test") { Authenticate = authenticate, Content = method == HttpMethod.Get ? null : () => new StringContent("body") };

    [Theory]
    [InlineData(429)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task A_read_is_repeated_on_transient_statuses(int status)
    {
        var handler = new ScriptedHandler(Status(status), Status(200));
        using var response = await Http(handler).SendAsync(Request(HttpMethod.Get, RequestKind.Read), CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, handler.Calls);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(500)]
    public async Task Other_failures_are_not_repeated(int status)
    {
        var handler = new ScriptedHandler(Status(status));
        using var response = await Http(handler).SendAsync(Request(HttpMethod.Put, RequestKind.Write), CancellationToken.None);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public async Task A_create_is_repeated_on_429_and_503_where_the_app_did_nothing()
    {
        var handler = new ScriptedHandler(Status(429), Status(503), Status(201));
        using var response = await Http(handler).SendAsync(Request(HttpMethod.Post, RequestKind.Create), CancellationToken.None);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(3, handler.Calls);
        Assert.All(handler.Bodies, b => Assert.Equal("body", b)); // a fresh body every attempt
    }

    [Fact]
    public async Task A_create_is_not_repeated_blindly_after_a_502()
    {
        var handler = new ScriptedHandler(Status(502), Status(201));
        using var unknown = await Assert.ThrowsAsync<AltinnOutcomeUnknownException>(() => Http(handler).SendAsync(Request(HttpMethod.Post, RequestKind.Create), CancellationToken.None));
        Assert.Equal(HttpStatusCode.BadGateway, unknown.Response.StatusCode);
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public async Task A_create_whose_outcome_is_unknown_is_left_to_the_caller_not_repeated()
    {
        var handler = new ScriptedHandler(Throw(new HttpRequestException("reset", new IOException("connection reset"))), Status(201));
        using var unknown = await Assert.ThrowsAsync<AltinnOutcomeUnknownException>(() => Http(handler).SendAsync(Request(HttpMethod.Post, RequestKind.Create), CancellationToken.None));
        Assert.Equal("Test", unknown.Operation);
        Assert.Equal(1, handler.Calls); // not sent twice
        var error = await unknown.ToErrorAsync("Creating");
        Assert.Equal("Altinn.Test.ConnectionFailed", error.ErrorId);
    }

    [Fact]
    public async Task A_refused_connection_is_repeated_even_for_a_create()
    {
        var refused = new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused));
        var handler = new ScriptedHandler(Throw(refused), Status(201));
        using var response = await Http(handler).SendAsync(Request(HttpMethod.Post, RequestKind.Create), CancellationToken.None);
        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task Retry_After_in_seconds_is_honoured()
    {
        var handler = new ScriptedHandler(Status(429, r => r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(2))), Status(200));
        var clock = new FakeClock();
        var http = new AltinnHttp(handler, new AltinnHttpOptions(maxRetries: 2, retryBaseDelay: TimeSpan.FromSeconds(30), maxRetryDelay: TimeSpan.FromSeconds(60)), clock: clock);
        using var response = await http.SendAsync(Request(HttpMethod.Get, RequestKind.Read), CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new[] { TimeSpan.FromSeconds(2) }, clock.Delays); // Retry-After wins over the 30 s backoff
    }

    [Fact]
    public void Retry_After_as_an_http_date_is_read()
    {
        var now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        using var response = new HttpResponseMessage((HttpStatusCode)503);
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(now.AddSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(5), RetryStage.RetryAfter(response, now));
    }

    [Fact]
    public async Task When_retries_run_out_the_last_answer_is_returned()
    {
        var handler = new ScriptedHandler(Status(503), Status(503), Status(503));
        using var response = await Http(handler, retries: 2).SendAsync(Request(HttpMethod.Get, RequestKind.Read), CancellationToken.None);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(3, handler.Calls);
    }

    [Fact]
    public async Task A_network_failure_that_persists_becomes_a_clear_error()
    {
        var handler = new ScriptedHandler(Throw(new HttpRequestException("reset")), Throw(new HttpRequestException("reset")));
        var ex = await Assert.ThrowsAsync<AltinnException>(() => Http(handler, retries: 1).SendAsync(Request(HttpMethod.Get, RequestKind.Read), CancellationToken.None));
        Assert.Equal("Altinn.Test.ConnectionFailed", ex.ErrorId);
        Assert.Equal(AltinnErrorKind.ConnectionError, ex.Kind);
    }

    [Fact]
    public async Task A_401_renews_the_token_once_and_repeats_once()
    {
        var now = DateTimeOffset.UtcNow;
        var tokens = new Queue<string>(new[] { TokenProviderTests.UnsignedJwt(now, now.AddMinutes(30)) + "a", TokenProviderTests.UnsignedJwt(now.AddSeconds(1), now.AddMinutes(31)) + "b" });
        var source = new ListSource(tokens);
        var handler = new ScriptedHandler(Status(401), Status(200));
        var http = Http(handler);
        http.Tokens = new TokenProvider(source);
        using var response = await http.SendAsync(Request(HttpMethod.Get, RequestKind.Read, authenticate: true), CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, source.Fetches);
        Assert.NotEqual(handler.Authorizations[0], handler.Authorizations[1]);
    }

    [Fact]
    public async Task A_second_401_is_returned_not_looped()
    {
        var now = DateTimeOffset.UtcNow;
        var source = new ListSource(new Queue<string>(new[] { TokenProviderTests.UnsignedJwt(now, now.AddMinutes(30)) + "a", TokenProviderTests.UnsignedJwt(now, now.AddMinutes(30)) + "b" }));
        var handler = new ScriptedHandler(Status(401), Status(401));
        var http = Http(handler);
        http.Tokens = new TokenProvider(source);
        using var response = await http.SendAsync(Request(HttpMethod.Get, RequestKind.Read, authenticate: true), CancellationToken.None);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task Cancellation_stops_a_request_promptly()
    {
        var handler = new SlowHandler();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var http = new AltinnHttp(handler, new AltinnHttpOptions());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => http.SendAsync(Request(HttpMethod.Get, RequestKind.Read), cts.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
    }

    private sealed class SlowHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(TimeSpan.FromMinutes(5), cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }

    private sealed class ListSource : ITokenSource
    {
        private readonly Queue<string> _tokens;
        public int Fetches;
        public ListSource(Queue<string> tokens) => _tokens = tokens;
        public string Description => "list";
        public bool CanRefresh => true;

        public Task<AccessToken> FetchAsync(CancellationToken cancellationToken)
        {
            Fetches++;
            return Task.FromResult(AccessToken.FromJwt(_tokens.Dequeue(), "test"));
        }
    }
}
