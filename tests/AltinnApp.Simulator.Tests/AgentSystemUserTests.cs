using System.Net;
using System.Text.Json.Nodes;
using AltinnApp.Simulator.Tests.Support;

namespace AltinnApp.Simulator.Tests;

/// <summary>
/// A system user for client relationships (agent): the token names the firm that owns it, the instance owner is a client,
/// and the PDP decides per client from the access packages delegated. Refusals are the app's bare 403; the active list
/// of a party it cannot see is empty.
/// </summary>
public sealed class AgentSystemUserTests(SimulatorFactory factory) : IClassFixture<SimulatorFactory>
{
    private const string Firm = "313725138";
    private const string Client = "310461598";
    private const string Other = "910825526";
    private const string Signing = "urn:altinn:accesspackage:regnskapsforer-med-signeringsrettighet";
    private const string Payroll = "urn:altinn:accesspackage:regnskapsforer-lonn";
    private readonly SimulatorHarness _sim = new(factory);

    private async Task<(string Token, string SystemUserId)> AgentTokenAsync(JsonArray clients)
    {
        var body = new JsonObject
        {
            ["clientId"] = SimulatorHarness.ClientId,
            ["jwks"] = new JsonArray(TestKeys.Shared.PublicJwk()),
            ["scopes"] = new JsonArray("altinn:instances.read", "altinn:instances.write"),
            ["systemUsers"] = new JsonArray(new JsonObject { ["organizationNumber"] = Firm, ["kind"] = "agent", ["clients"] = clients }),
        };
        var registered = await _sim.Http.PostAsync("/_sim/clients", SimulatorHarness.Json(body));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var user = JsonNode.Parse(await registered.Content.ReadAsStringAsync())!["systemUsers"]![0]!;
        Assert.Equal("agent", user["kind"]!.GetValue<string>());
        string token = await _sim.ExchangeAsync(await _sim.MaskinportenTokenAsync(new GrantBuilder { OrganizationNumber = Firm }));
        return (token, user["systemUserId"]!.GetValue<string>());
    }

    private static JsonObject Delegation(string org, params string[] packages) =>
        new() { ["organizationNumber"] = org, ["accessPackages"] = new JsonArray(packages.Select(p => (JsonNode)p!).ToArray()) };

    private Task<HttpResponseMessage> CreateAsync(string token, string org) =>
        _sim.SendAsync(HttpMethod.Post, $"{SimulatorHarness.App}/instances/create",
            SimulatorHarness.Json(new JsonObject { ["instanceOwner"] = new JsonObject { ["organisationNumber"] = org } }), token);

    [Fact]
    public async Task The_token_names_the_firm_and_the_agent_files_for_a_delegated_client_only()
    {
        var (token, systemUserId) = await AgentTokenAsync([Delegation(Client, Signing)]);
        var details = SimulatorHarness.DecodePayload(token)["authorization_details"]!;
        Assert.Equal($"0192:{Firm}", details["systemuser_org"]!["ID"]!.GetValue<string>());
        Assert.Equal(systemUserId, details["systemuser_id"]![0]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(token, Client)).StatusCode);
        // not a client, and the firm itself (never delegated to itself): the PDP denies, the app answers a bare 403
        Assert.Equal(HttpStatusCode.Forbidden, (await CreateAsync(token, Other)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await CreateAsync(token, Firm)).StatusCode);

        var active = await _sim.SendAsync(HttpMethod.Get, $"{SimulatorHarness.App}/instances/500703/active", bearer: token);
        Assert.Equal(HttpStatusCode.OK, active.StatusCode);
        Assert.Equal("[]", await active.Content.ReadAsStringAsync());
        var mine = await _sim.SendAsync(HttpMethod.Get, $"{SimulatorHarness.App}/instances/500701/active", bearer: token);
        Assert.Single(JsonNode.Parse(await mine.Content.ReadAsStringAsync())!.AsArray());

        // api/v1/parties answers any system user with its own organisation (app-lib PartiesController), never the clients
        var parties = JsonNode.Parse(await (await _sim.SendAsync(HttpMethod.Get, $"{SimulatorHarness.App}/api/v1/parties?allowedToInstantiateFilter=true", bearer: token))
            .Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal(Firm, Assert.Single(parties)!["orgNumber"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_client_without_a_package_the_policy_grants_is_refused()
    {
        var (token, _) = await AgentTokenAsync([Delegation(Client, Payroll)]);
        Assert.Equal(HttpStatusCode.Forbidden, (await CreateAsync(token, Client)).StatusCode);
    }

    [Fact]
    public async Task Delegations_added_and_removed_through_the_control_api_apply_to_the_next_request()
    {
        var (token, systemUserId) = await AgentTokenAsync([]);
        Assert.Equal(HttpStatusCode.Forbidden, (await CreateAsync(token, Client)).StatusCode);

        var put = await _sim.SendAsync(HttpMethod.Put, $"/_sim/systemusers/{systemUserId}/clients/{Client}",
            SimulatorHarness.Json(new JsonObject { ["accessPackages"] = new JsonArray(Signing) }));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var created = await CreateAsync(token, Client);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        string path = SimulatorHarness.InstancePath(JsonNode.Parse(await created.Content.ReadAsStringAsync())!.AsObject());

        Assert.Equal(HttpStatusCode.NoContent, (await _sim.SendAsync(HttpMethod.Delete, $"/_sim/systemusers/{systemUserId}/clients/{Client}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await CreateAsync(token, Client)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _sim.SendAsync(HttpMethod.Get, path, bearer: token)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _sim.SendAsync(HttpMethod.Delete, $"/_sim/systemusers/{systemUserId}/clients/{Client}")).StatusCode);

        var view = JsonNode.Parse(await _sim.Http.GetStringAsync($"/_sim/systemusers/{systemUserId}"))!;
        Assert.Equal("agent", view["kind"]!.GetValue<string>());
        Assert.Empty(view["clients"]!.AsArray());
    }

    [Fact]
    public async Task A_standard_system_user_takes_no_client_delegations()
    {
        await _sim.RegisterClientAsync();
        var registered = JsonNode.Parse(await _sim.Http.GetStringAsync("/_sim/systemusers/" +
            SimulatorHarness.DecodePayload(await _sim.MaskinportenTokenAsync())["authorization_details"]![0]!["systemuser_id"]![0]!.GetValue<string>()))!;
        Assert.Equal("standard", registered["kind"]!.GetValue<string>());
        var put = await _sim.SendAsync(HttpMethod.Put, $"/_sim/systemusers/{registered["systemUserId"]!.GetValue<string>()}/clients/{Client}",
            SimulatorHarness.Json(new JsonObject { ["accessPackages"] = new JsonArray(Signing) }));
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
    }
}
