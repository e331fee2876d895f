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

    // altinn-authentication AuthenticationController.AuthenticateMaskinportenToken: every failure, whatever it
    // was, is a bare Unauthorized() in an [ApiController]: 401 with ASP.NET's ProblemDetails and nothing more.
    [Theory]
    [InlineData(null)]
    [InlineData("garbage")]
    [InlineData("altinn")]
    [InlineData("expired")]
    [InlineData("other-environment")]
    public async Task The_exchange_answers_401_problem_details_for_any_failure_without_saying_which(string? kind)
    {
        await _sim.RegisterClientAsync();
        string? bearer = kind switch
        {
            "garbage" => "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl",
            "altinn" => await _sim.LocaltestTokenAsync(),
            "expired" => await ExpiredMaskinportenTokenAsync(),
            "other-environment" => await OtherMaskinportenTokenAsync(),
            _ => null,
        };
        var response = await _sim.SendAsync(HttpMethod.Get, "/authentication/api/v1/exchange/maskinporten", bearer: bearer);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(["type", "title", "status", "traceId"], body.Select(p => p.Key).ToArray());
        Assert.Equal("Unauthorized", body["title"]!.GetValue<string>());
        Assert.Equal(401, body["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_unknown_token_provider_is_a_400_naming_the_trusted_ones()
    {
        await _sim.RegisterClientAsync();
        var response = await _sim.SendAsync(HttpMethod.Get, "/authentication/api/v1/exchange/feide", bearer: await _sim.MaskinportenTokenAsync());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Invalid token provider: feide. Trusted token providers are 'Maskinporten', 'Id-porten' and 'AltinnStudio'.",
            await response.Content.ReadAsStringAsync());
    }

    private async Task<string> ExpiredMaskinportenTokenAsync()
    {
        await _sim.Http.PutAsync("/_sim/settings", SimulatorHarness.Json(new JsonObject { ["maskinportenTokenLifetimeSeconds"] = -60 }));
        return await _sim.MaskinportenTokenAsync();
    }

    /// <summary>A token from another Maskinporten (another issuer), as when the environments do not match.</summary>
    private async Task<string> OtherMaskinportenTokenAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "urn:ietf:params:oauth:grant-type:jwt-bearer",
                ["assertion"] = new GrantBuilder { Audience = "http://test.maskinporten.example/" }.Build(),
            }),
        };
        request.Headers.Host = "test.maskinporten.example";
        var response = await _sim.Http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonNode.Parse(body)!["access_token"]!.GetValue<string>();
    }

    // app-localtest HomeController.GetTestSystemUserToken and its test data
    // (testdata/authorization/systems/913312465_sbs/systemusers/950474084.json).
    [Fact]
    public async Task Localtest_puts_its_test_system_users_own_organisation_in_the_token_whatever_was_asked()
    {
        string token = await _sim.Http.GetStringAsync(
            $"/Home/GetTestSystemUserToken?systemId=913312465_sbs&systemUserId={SimulatorHarness.LocaltestSystemUserId}&systemUserOrgNumber=310461598&supplierOrgNumber=991825827&scope=altinn:instances.write");
        var claims = SimulatorHarness.DecodePayload(token);
        Assert.Equal("0192:950474084", claims["authorization_details"]!["systemuser_org"]!["ID"]!.GetValue<string>());
        Assert.Equal("913312465_sbs", claims["authorization_details"]!["system_id"]!.GetValue<string>());
        Assert.Equal("913312465", claims["urn:altinn:orgNumber"]!.GetValue<string>());
        Assert.Equal("0192:913312465", claims["consumer"]!["ID"]!.GetValue<string>());
    }

    [Fact]
    public async Task Localtest_refuses_an_unknown_system_user_and_fails_without_one()
    {
        var unknown = await _sim.SendAsync(HttpMethod.Get,
            $"/Home/GetTestSystemUserToken?systemUserId={Guid.NewGuid()}&systemUserOrgNumber=310461598&scope=altinn:instances.write");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Empty(await unknown.Content.ReadAsByteArrayAsync());

        var none = await _sim.SendAsync(HttpMethod.Get,
            "/Home/GetTestSystemUserToken?systemUserOrgNumber=310461598&supplierOrgNumber=991825827&scope=altinn:instances.write");
        Assert.Equal(HttpStatusCode.InternalServerError, none.StatusCode);

        var noScope = await _sim.SendAsync(HttpMethod.Get, $"/Home/GetTestSystemUserToken?systemUserId={SimulatorHarness.LocaltestSystemUserId}");
        Assert.Equal(HttpStatusCode.InternalServerError, noScope.StatusCode);
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
