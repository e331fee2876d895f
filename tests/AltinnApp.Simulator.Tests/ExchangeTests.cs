using System.Net;
using System.Text.Json.Nodes;
using AltinnApp.Simulator.Tests.Support;

namespace AltinnApp.Simulator.Tests;

public sealed class ExchangeTests(SimulatorFactory factory) : IClassFixture<SimulatorFactory>
{
    private readonly SimulatorHarness _sim = new(factory);

    [Fact]
    public async Task The_exchange_turns_a_maskinporten_token_into_an_altinn_token_as_text()
    {
        await _sim.RegisterClientAsync();
        string maskinporten = await _sim.MaskinportenTokenAsync();

        var response = await _sim.SendAsync(HttpMethod.Get, "/authentication/api/v1/exchange/maskinporten", bearer: maskinporten);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        string token = await response.Content.ReadAsStringAsync();
        var claims = SimulatorHarness.DecodePayload(token);
        Assert.Null(claims["aud"]);
        Assert.Null(claims["client_amr"]);
        Assert.Equal("http://localhost/authentication/api/v1/openid/", claims["iss"]!.GetValue<string>());
        Assert.Equal("313725138", claims["urn:altinn:orgNumber"]!.GetValue<string>());
        Assert.Equal("maskinporten", claims["urn:altinn:authenticatemethod"]!.GetValue<string>());
        Assert.Equal(3, claims["urn:altinn:authlevel"]!.GetValue<int>());
        Assert.IsType<JsonObject>(claims["authorization_details"]);
        Assert.Equal("0192:950474084", claims["authorization_details"]!["systemuser_org"]!["ID"]!.GetValue<string>());
        Assert.Equal(1800, claims["exp"]!.GetValue<long>() - claims["iat"]!.GetValue<long>());
        Assert.Equal("altinn:instances.read altinn:instances.write", claims["scope"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("garbage")]
    [InlineData("altinn")]
    public async Task The_exchange_answers_401_with_an_empty_body_for_anything_but_a_maskinporten_token(string? kind)
    {
        string? bearer = kind switch
        {
            "garbage" => "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl",
            "altinn" => await _sim.LocaltestTokenAsync(),
            _ => null,
        };
        var response = await _sim.SendAsync(HttpMethod.Get, "/authentication/api/v1/exchange/maskinporten", bearer: bearer);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task App_routes_refuse_a_raw_maskinporten_token_with_401_and_no_body()
    {
        await _sim.RegisterClientAsync();
        string maskinporten = await _sim.MaskinportenTokenAsync();

        var response = await _sim.SendAsync(HttpMethod.Post, $"{SimulatorHarness.App}/instances/create",
            SimulatorHarness.Json(new JsonObject { ["instanceOwner"] = new JsonObject { ["organisationNumber"] = "950474084" } }), maskinporten);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("no-store, no-cache", response.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task App_routes_refuse_missing_and_expired_altinn_tokens()
    {
        var missing = await _sim.SendAsync(HttpMethod.Get, $"{SimulatorHarness.App}/instances/500700/active");
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);

        await _sim.Http.PutAsync("/_sim/settings", SimulatorHarness.Json(new JsonObject { ["altinnTokenLifetimeSeconds"] = -60 }));
        string expired = await _sim.LocaltestTokenAsync();
        var response = await _sim.SendAsync(HttpMethod.Get, $"{SimulatorHarness.App}/instances/500700/active", bearer: expired);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_exchanged_token_and_the_localtest_token_are_both_accepted_by_the_app()
    {
        string exchanged = await _sim.AltinnTokenAsync();
        string localtest = await _sim.LocaltestTokenAsync();

        foreach (var token in new[] { exchanged, localtest })
        {
            var response = await _sim.SendAsync(HttpMethod.Get, $"{SimulatorHarness.App}/instances/500700/active", bearer: token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("[]", await response.Content.ReadAsStringAsync());
        }

        var localtestClaims = SimulatorHarness.DecodePayload(localtest);
        Assert.Equal("localtest", localtestClaims["actual_iss"]!.GetValue<string>());
        Assert.Equal("0192:950474084", localtestClaims["authorization_details"]!["systemuser_org"]!["ID"]!.GetValue<string>());

        var counters = await _sim.CountersAsync();
        Assert.Equal(1, counters["maskinportenTokensIssued"]!.GetValue<int>());
        Assert.Equal(2, counters["altinnTokensIssued"]!.GetValue<int>());
        Assert.Equal(1, counters["requests"]!["POST /token"]!.GetValue<int>());
        Assert.Equal(1, counters["requests"]!["GET /authentication/api/v1/exchange/maskinporten"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_maskinporten_metadata_announces_the_issuer_with_a_trailing_slash()
    {
        var metadata = JsonNode.Parse(await _sim.Http.GetStringAsync("/.well-known/oauth-authorization-server"))!;
        Assert.Equal(SimulatorFactory.Issuer, metadata["issuer"]!.GetValue<string>());
        Assert.Equal("http://localhost/token", metadata["token_endpoint"]!.GetValue<string>());
    }
}
