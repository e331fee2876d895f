using System.Net;
using System.Text.Json.Nodes;
using AltinnApp.Simulator.Tests.Support;

namespace AltinnApp.Simulator.Tests;

/// <summary>Counters, fault injection, reset, apps and parties as data.</summary>
public sealed class ControlApiTests(SimulatorFactory factory) : IClassFixture<SimulatorFactory>
{
    private readonly SimulatorHarness _sim = new(factory);

    [Fact]
    public async Task Counters_count_instances_by_party_and_owner_and_requests_by_route_template()
    {
        string token = await _sim.LocaltestTokenAsync();
        for (int i = 0; i < 3; i++) await _sim.CreateInstanceAsync(token);

        var counters = await _sim.CountersAsync();
        Assert.Equal(3, counters["instancesCreated"]!["500700"]!.GetValue<int>());
        Assert.Equal(3, counters["instancesCreatedByOwner"]!["950474084"]!.GetValue<int>());
        Assert.Equal(3, counters["requests"]!["POST /{org}/{app}/instances/create"]!.GetValue<int>());
        Assert.Equal(1, counters["requests"]!["GET /Home/GetTestSystemUserToken"]!.GetValue<int>());
        Assert.Null(counters["requests"]!["GET /_sim/counters"]);
        Assert.Equal(0, counters["faultsInjected"]!["503"]!.GetValue<int>());

        Assert.Equal(HttpStatusCode.NoContent, (await _sim.Http.DeleteAsync("/_sim/counters")).StatusCode);
        counters = await _sim.CountersAsync();
        Assert.Empty(counters["instancesCreated"]!.AsObject());
        Assert.Empty(counters["requests"]!.AsObject());
    }

    [Fact]
    public async Task Eight_parallel_creates_are_all_counted_and_stored()
    {
        string token = await _sim.LocaltestTokenAsync();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _sim.CreateInstanceAsync(token)));

        Assert.Equal(8, (await _sim.CountersAsync())["instancesCreated"]!["500700"]!.GetValue<int>());
        Assert.Equal(8, JsonNode.Parse(await _sim.Http.GetStringAsync("/_sim/instances"))!.AsArray().Count);
    }

    [Fact]
    public async Task A_certain_503_rule_answers_503_but_never_on_the_control_api()
    {
        await SetFaultsAsync(new JsonObject { ["pathPrefix"] = "/brg/", ["rate503"] = 1.0 });
        string token = await _sim.LocaltestTokenAsync();

        var response = await _sim.SendAsync(HttpMethod.Get, $"{SimulatorHarness.App}/instances/500700/active", bearer: token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("no-store, no-cache", response.Headers.CacheControl!.ToString());
        Assert.Equal(HttpStatusCode.OK, (await _sim.Http.GetAsync("/_sim/health")).StatusCode);
        Assert.Equal(1, (await _sim.CountersAsync())["faultsInjected"]!["503"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_429_rule_sends_retry_after_and_only_for_the_listed_methods()
    {
        await SetFaultsAsync(new JsonObject { ["pathPrefix"] = "/brg/", ["methods"] = new JsonArray("POST"), ["rate429"] = 1.0, ["retryAfterSeconds"] = 2 });
        string token = await _sim.LocaltestTokenAsync();

        var refused = await _sim.SendAsync(HttpMethod.Post, $"{SimulatorHarness.App}/instances/create",
            SimulatorHarness.Json(new JsonObject { ["instanceOwner"] = new JsonObject { ["organisationNumber"] = "950474084" } }), token);
        Assert.Equal((HttpStatusCode)429, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), refused.Headers.RetryAfter!.Delta);

        var get = await _sim.SendAsync(HttpMethod.Get, $"{SimulatorHarness.App}/instances/500700/active", bearer: token);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await _sim.Http.DeleteAsync("/_sim/faults")).StatusCode);
        await _sim.CreateInstanceAsync(token);
    }

    [Fact]
    public async Task A_drop_aborts_the_connection_and_dropAfterProcessing_still_does_the_work()
    {
        string token = await _sim.LocaltestTokenAsync();
        await SetFaultsAsync(new JsonObject { ["pathPrefix"] = "/brg/aarsregnskap/instances/create", ["rateDrop"] = 1.0 });
        await Assert.ThrowsAnyAsync<Exception>(() => _sim.CreateInstanceAsync(token));
        Assert.Equal("[]", await _sim.Http.GetStringAsync("/_sim/instances"));

        await SetFaultsAsync(new JsonObject { ["pathPrefix"] = "/brg/aarsregnskap/instances/create", ["rateDrop"] = 1.0, ["dropAfterProcessing"] = true });
        await Assert.ThrowsAnyAsync<Exception>(() => _sim.CreateInstanceAsync(token));
        Assert.Single(JsonNode.Parse(await _sim.Http.GetStringAsync("/_sim/instances"))!.AsArray());
        Assert.Equal(2, (await _sim.CountersAsync())["faultsInjected"]!["drop"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_seeded_fault_rule_gives_the_same_sequence_each_time()
    {
        async Task<string> RunAsync()
        {
            await SetFaultsAsync(new JsonObject { ["pathPrefix"] = "/token", ["rate503"] = 0.5 }, seed: 42);
            var statuses = new List<int>();
            for (int i = 0; i < 12; i++) statuses.Add((int)(await _sim.PostGrantAsync("x")).StatusCode);
            return string.Join(',', statuses);
        }

        string first = await RunAsync();
        Assert.Equal(first, await RunAsync());
        Assert.Contains("503", first);
        Assert.Contains("400", first);
    }

    [Fact]
    public async Task Latency_is_added_to_matching_requests()
    {
        await SetFaultsAsync(new JsonObject { ["pathPrefix"] = "/Home/", ["latencyMs"] = 200 });
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await _sim.LocaltestTokenAsync();
        Assert.True(watch.ElapsedMilliseconds >= 190, $"took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Reset_forgets_instances_clients_apps_and_settings()
    {
        string token = await _sim.AltinnTokenAsync();
        await _sim.CreateInstanceAsync(token);
        await _sim.Http.PostAsync("/_sim/apps", SimulatorHarness.Json(CustomApp(generateReceipt: true)));
        await _sim.Http.PutAsync("/_sim/settings", SimulatorHarness.Json(new JsonObject { ["altinnTokenLifetimeSeconds"] = 60 }));

        Assert.Equal(HttpStatusCode.OK, (await _sim.Http.PostAsync("/_sim/reset", null)).StatusCode);

        Assert.Equal("[]", await _sim.Http.GetStringAsync("/_sim/instances"));
        Assert.Equal(HttpStatusCode.BadRequest, (await _sim.PostGrantAsync(new GrantBuilder().Build())).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _sim.Http.GetAsync("/ttd/custom/api/v1/applicationmetadata")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _sim.Http.GetAsync("/brg/aarsregnskap/api/v1/applicationmetadata")).StatusCode);
        var settings = JsonNode.Parse(await _sim.Http.GetStringAsync("/_sim/settings"))!;
        Assert.Equal(1800, settings["altinnTokenLifetimeSeconds"]!.GetValue<int>());
    }

    [Fact]
    public async Task Apps_and_parties_can_be_added_as_data()
    {
        var added = await _sim.Http.PostAsync("/_sim/apps", SimulatorHarness.Json(CustomApp(generateReceipt: true)));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var party = await _sim.Http.PostAsync("/_sim/parties", SimulatorHarness.Json(new JsonObject { ["organizationNumber"] = "811111112", ["partyId"] = 512345 }));
        Assert.Equal(HttpStatusCode.Created, party.StatusCode);

        string token = await _sim.SystemUserTokenAsync("811111112");
        var instance = await _sim.CreateInstanceAsync(token, new { a = "første" }, org: "811111112", app: "/ttd/custom");
        Assert.StartsWith("512345/", instance["id"]!.GetValue<string>());
        string path = SimulatorHarness.InstancePath(instance, "/ttd/custom");

        var model = await _sim.SendAsync(HttpMethod.Get, $"{path}/data/{SimulatorHarness.ModelId(instance)}", bearer: token);
        Assert.Equal("første", JsonNode.Parse(await model.Content.ReadAsStringAsync())!["a"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await _sim.SendAsync(HttpMethod.Put, $"{path}/process/next", bearer: token)).StatusCode);

        var ended = await _sim.GetInstanceAsync(token, instance, "/ttd/custom");
        Assert.Equal("custom.pdf", ended["data"]!.AsArray().Single(d => d!["dataType"]!.GetValue<string>() == "ref-data-as-pdf")!["filename"]!.GetValue<string>());
        Assert.Equal(1, (await _sim.CountersAsync())["instancesCreated"]!["512345"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_app_without_receipt_ends_without_a_pdf()
    {
        await _sim.Http.PostAsync("/_sim/apps", SimulatorHarness.Json(CustomApp(generateReceipt: false)));
        string token = await _sim.LocaltestTokenAsync();
        var instance = await _sim.CreateInstanceAsync(token, new { a = "x" }, app: "/ttd/custom");
        Assert.Equal(HttpStatusCode.OK, (await _sim.SendAsync(HttpMethod.Put, $"{SimulatorHarness.InstancePath(instance, "/ttd/custom")}/process/next", bearer: token)).StatusCode);
        var ended = await _sim.GetInstanceAsync(token, instance, "/ttd/custom");
        Assert.DoesNotContain(ended["data"]!.AsArray(), d => d!["dataType"]!.GetValue<string>() == "ref-data-as-pdf");
    }

    private async Task SetFaultsAsync(JsonObject rule, int? seed = null)
    {
        var body = new JsonObject { ["rules"] = new JsonArray(rule) };
        if (seed is not null) body["seed"] = seed;
        Assert.Equal(HttpStatusCode.OK, (await _sim.Http.PutAsync("/_sim/faults", SimulatorHarness.Json(body))).StatusCode);
    }

    private static JsonObject CustomApp(bool generateReceipt) => new()
    {
        ["org"] = "ttd",
        ["app"] = "custom",
        ["metadata"] = new JsonObject
        {
            ["id"] = "ttd/custom",
            ["org"] = "ttd",
            ["title"] = new JsonObject { ["nb"] = "Egendefinert" },
            ["dataTypes"] = new JsonArray(
                new JsonObject { ["id"] = "ref-data-as-pdf", ["allowedContentTypes"] = new JsonArray("application/pdf") },
                new JsonObject
                {
                    ["id"] = "form", ["allowedContentTypes"] = new JsonArray("application/json"), ["taskId"] = "Task_1",
                    ["maxCount"] = 1, ["minCount"] = 1,
                    ["appLogic"] = new JsonObject { ["autoCreate"] = true, ["classRef"] = "Custom.Form" },
                }),
        },
        ["process"] = new JsonArray(new JsonObject { ["id"] = "Task_1", ["type"] = "data", ["name"] = "Utfylling" }),
        ["modelFields"] = new JsonArray("a", "b"),
        ["requiredFields"] = new JsonArray("a"),
        ["receiptFileName"] = "custom.pdf",
        ["generateReceipt"] = generateReceipt,
    };
}
