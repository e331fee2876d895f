using System.Net;
using System.Text.Json.Nodes;
using AltinnApp.Simulator.Control;
using AltinnApp.Simulator.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace AltinnApp.Simulator.Tests;

/// <summary>The rate-limit fault (requestsPerSecond) and a rule's limit on how many faults it injects (maxFaults).</summary>
public sealed class RateLimitFaultTests(SimulatorFactory factory) : IClassFixture<SimulatorFactory>
{
    private readonly SimulatorHarness _sim = new(factory);
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static HttpRequest Get(string path)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = path;
        return context.Request;
    }

    private static FaultInjector Limit(int perSecond, string prefix = "/brg/")
    {
        var faults = new FaultInjector();
        faults.Configure(new FaultConfiguration { Rules = [new FaultRule { PathPrefix = prefix, RequestsPerSecond = perSecond }] });
        return faults;
    }

    [Fact]
    public void Requests_beyond_the_limit_in_a_second_get_429_with_the_seconds_left_and_the_next_window_starts_afresh()
    {
        var faults = Limit(3);
        var decisions = Enumerable.Range(0, 5).Select(i => faults.Decide(Get("/brg/x"), T0 + TimeSpan.FromMilliseconds(100 * i))).ToArray();
        Assert.Equal(new int?[] { null, null, null, 429, 429 }, decisions.Select(d => d.Status));
        Assert.Equal(1, decisions[3].RetryAfterSeconds);

        // a second after the window began: three more go through
        var later = Enumerable.Range(0, 4).Select(i => faults.Decide(Get("/brg/x"), T0 + TimeSpan.FromMilliseconds(1000 + i))).ToArray();
        Assert.Equal(new int?[] { null, null, null, 429 }, later.Select(d => d.Status));
    }

    [Fact]
    public void Refused_requests_do_not_use_up_the_window_and_other_paths_are_not_limited()
    {
        var faults = Limit(1);
        Assert.Null(faults.Decide(Get("/brg/x"), T0).Status);
        for (var i = 0; i < 50; i++) Assert.Equal(429, faults.Decide(Get("/brg/x"), T0 + TimeSpan.FromMilliseconds(i)).Status);
        Assert.Null(faults.Decide(Get("/token"), T0).Status);
        Assert.Null(faults.Decide(Get("/brg/x"), T0 + TimeSpan.FromSeconds(1)).Status);
    }

    [Fact]
    public async Task A_rate_limited_request_gets_429_with_Retry_After_over_http_and_is_logged_with_when_it_arrived()
    {
        string token = await _sim.LocaltestTokenAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await _sim.Http.DeleteAsync("/_sim/requests")).StatusCode);
        var body = new JsonObject { ["rules"] = new JsonArray(new JsonObject { ["pathPrefix"] = "/brg/", ["requestsPerSecond"] = 1 }) };
        Assert.Equal(HttpStatusCode.OK, (await _sim.Http.PutAsync("/_sim/faults", SimulatorHarness.Json(body))).StatusCode);

        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < 3; i++) statuses.Add(await _sim.SendAsync(HttpMethod.Get, $"{SimulatorHarness.App}/instances/500700/active", bearer: token));
        await _sim.Http.DeleteAsync("/_sim/faults");

        Assert.Contains(statuses, r => r.StatusCode == (HttpStatusCode)429 && r.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        var log = JsonNode.Parse(await _sim.Http.GetStringAsync("/_sim/requests"))!.AsArray();
        Assert.All(log, entry => Assert.NotNull(entry!["received"]));
    }

    [Fact]
    public async Task MaxFaults_stops_a_rule_after_that_many_faults()
    {
        string token = await _sim.LocaltestTokenAsync();
        var body = new JsonObject { ["rules"] = new JsonArray(new JsonObject { ["pathPrefix"] = "/brg/", ["rate429"] = 1.0, ["retryAfterSeconds"] = 1, ["maxFaults"] = 1 }) };
        Assert.Equal(HttpStatusCode.OK, (await _sim.Http.PutAsync("/_sim/faults", SimulatorHarness.Json(body))).StatusCode);
        var first = await _sim.SendAsync(HttpMethod.Get, $"{SimulatorHarness.App}/instances/500700/active", bearer: token);
        var second = await _sim.SendAsync(HttpMethod.Get, $"{SimulatorHarness.App}/instances/500700/active", bearer: token);
        await _sim.Http.DeleteAsync("/_sim/faults");
        Assert.Equal((HttpStatusCode)429, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
    }
}
