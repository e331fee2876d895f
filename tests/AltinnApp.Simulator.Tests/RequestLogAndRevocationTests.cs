using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AltinnApp.Simulator.Tests.Support;

namespace AltinnApp.Simulator.Tests;

public sealed class RequestLogAndRevocationTests(SimulatorFactory factory) : IClassFixture<SimulatorFactory>
{
    private readonly SimulatorHarness _sim = new(factory);

    [Fact]
    public async Task Revoked_tokens_get_401_and_tokens_issued_after_are_accepted()
    {
        await _sim.RegisterClientAsync();
        string before = await _sim.AltinnTokenAsync();
        var ok = await _sim.SendAsync(HttpMethod.Get, $"{SimulatorHarness.App}/instances/500700/active", bearer: before);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        var revoke = await _sim.SendAsync(HttpMethod.Post, "/_sim/tokens/revoke");
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);

        var refused = await _sim.SendAsync(HttpMethod.Get, $"{SimulatorHarness.App}/instances/500700/active", bearer: before);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Empty(await refused.Content.ReadAsByteArrayAsync());

        string after = await _sim.AltinnTokenAsync();
        var accepted = await _sim.SendAsync(HttpMethod.Get, $"{SimulatorHarness.App}/instances/500700/active", bearer: after);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task The_request_log_shows_paths_queries_content_types_and_multipart_part_names()
    {
        await _sim.RegisterClientAsync();
        string token = await _sim.AltinnTokenAsync();
        await _sim.SendAsync(HttpMethod.Delete, "/_sim/requests");

        var multipart = new MultipartFormDataContent();
        multipart.Add(new StringContent("{\"instanceOwner\":{\"organisationNumber\":\"950474084\"}}", Encoding.UTF8, "application/json"), "instance");
        var model = new StringContent("<model><property1>a</property1></model>", Encoding.UTF8);
        model.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
        multipart.Add(model, "model");
        var created = await _sim.SendAsync(HttpMethod.Post, $"{SimulatorHarness.App}/instances?language=nb", multipart, token);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var log = JsonNode.Parse(await (await _sim.SendAsync(HttpMethod.Get, "/_sim/requests")).Content.ReadAsStringAsync())!.AsArray();
        var entry = log.Single(e => e!["path"]!.GetValue<string>().EndsWith("/instances"))!;
        Assert.Equal("POST", entry["method"]!.GetValue<string>());
        Assert.Equal("?language=nb", entry["query"]!.GetValue<string>());
        Assert.StartsWith("multipart/form-data", entry["contentType"]!.GetValue<string>());
        Assert.Equal(201, entry["status"]!.GetValue<int>());
        var parts = entry["parts"]!.AsArray();
        Assert.Equal(new[] { "instance", "model" }, parts.Select(p => p!["name"]!.GetValue<string>()));
        Assert.StartsWith("application/xml", parts[1]!["contentType"]!.GetValue<string>());
        Assert.DoesNotContain("Bearer", log.ToJsonString());
    }
}
