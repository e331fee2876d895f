using System.Net;
using System.Text.Json.Nodes;
using AltinnApp.Simulator.Tests.Support;

namespace AltinnApp.Simulator.Tests;

/// <summary>
/// <c>GET /{org}/{app}/api/v1/parties</c> as app-lib's <c>PartiesController.Get</c> answers a system user: the one
/// party of its own organisation, as Register's Party, and 401 without a valid Altinn token.
/// </summary>
public sealed class PartiesEndpointTests(SimulatorFactory factory) : IClassFixture<SimulatorFactory>
{
    private const string Parties = $"{SimulatorHarness.App}/api/v1/parties";
    private readonly SimulatorHarness _sim = new(factory);

    [Fact]
    public async Task A_system_user_gets_the_one_party_of_its_own_organisation_as_registers_party()
    {
        string token = await _sim.LocaltestTokenAsync();

        var response = await _sim.SendAsync(HttpMethod.Get, Parties, bearer: token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var party = Assert.Single(JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray())!.AsObject();
        Assert.Equal(["partyId", "partyUuid", "partyTypeName", "orgNumber", "ssn", "unitType", "name", "isDeleted",
            "onlyHierarchyElementWithNoAccess", "person", "organization", "childParties"], party.Select(p => p.Key).ToArray());
        Assert.Equal(SimulatorHarness.OwnPartyId, party["partyId"]!.GetValue<int>());
        Assert.Equal(2, party["partyTypeName"]!.GetValue<int>()); // a number: the app sends Register's enum as its value
        Assert.Equal(SimulatorHarness.OwnOrg, party["orgNumber"]!.GetValue<string>());
        Assert.Null(party["ssn"]);
        Assert.Equal("STOLT SKJERMET TIGER AS", party["name"]!.GetValue<string>());
        Assert.False(party["isDeleted"]!.GetValue<bool>());
        Assert.Null(party["person"]);
        Assert.Equal(SimulatorHarness.OwnOrg, party["organization"]!["orgNumber"]!.GetValue<string>());
        Assert.Null(party["childParties"]);

        // the same party the instance owner of a created instance names
        var instance = await _sim.CreateInstanceAsync(token);
        Assert.Equal(instance["instanceOwner"]!["party"]!["partyUuid"]!.GetValue<string>(), party["partyUuid"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_system_user_of_another_organisation_gets_that_organisations_party_whatever_the_filter_says()
    {
        string token = await _sim.SystemUserTokenAsync("310461598");

        foreach (string query in new[] { "", "?allowedToInstantiateFilter=true", "?allowedToInstantiateFilter=False" })
        {
            var response = await _sim.SendAsync(HttpMethod.Get, Parties + query, bearer: token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var party = Assert.Single(JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray())!;
            Assert.Equal(500701, party["partyId"]!.GetValue<int>());
            Assert.Equal("310461598", party["orgNumber"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Without_a_valid_altinn_token_it_is_401_with_no_body()
    {
        var none = await _sim.SendAsync(HttpMethod.Get, Parties);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Empty(await none.Content.ReadAsByteArrayAsync());

        await _sim.RegisterClientAsync();
        string maskinporten = await _sim.MaskinportenTokenAsync();
        var raw = await _sim.SendAsync(HttpMethod.Get, Parties, bearer: maskinporten);
        Assert.Equal(HttpStatusCode.Unauthorized, raw.StatusCode);

        string token = await _sim.ExchangeAsync(maskinporten);
        Assert.Equal(HttpStatusCode.OK, (await _sim.SendAsync(HttpMethod.Get, Parties, bearer: token)).StatusCode);
        await _sim.Http.PostAsync("/_sim/tokens/revoke", null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _sim.SendAsync(HttpMethod.Get, Parties, bearer: token)).StatusCode);
    }

    [Fact]
    public async Task A_filter_that_is_no_bool_is_a_400_validation_problem_and_an_unknown_app_404()
    {
        string token = await _sim.LocaltestTokenAsync();

        var response = await _sim.SendAsync(HttpMethod.Get, Parties + "?allowedToInstantiateFilter=yes", bearer: token);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("One or more validation errors occurred.", body["title"]!.GetValue<string>());
        Assert.Equal("The value 'yes' is not valid.", body["errors"]!["allowedToInstantiateFilter"]![0]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NotFound, (await _sim.SendAsync(HttpMethod.Get, "/brg/nosuch/api/v1/parties", bearer: token)).StatusCode);
    }

    [Fact]
    public async Task A_system_user_whose_organisation_register_does_not_know_gets_500_and_the_call_is_counted()
    {
        string token = await _sim.SystemUserTokenAsync("974760673");

        var response = await _sim.SendAsync(HttpMethod.Get, Parties, bearer: token);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var counters = await _sim.CountersAsync();
        Assert.Equal(1, counters["requests"]!["GET /{org}/{app}/api/v1/parties"]!.GetValue<int>());
    }
}
