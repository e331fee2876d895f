using System.Net;
using System.Text.Json.Nodes;
using AltinnApp.Simulator.Tests.Support;

namespace AltinnApp.Simulator.Tests;

/// <summary>The authentication API's vendor endpoints and the customer's answer (simulator README, "Vendor onboarding").</summary>
public sealed class VendorEndpointTests(SimulatorFactory factory) : IClassFixture<SimulatorFactory>
{
    private const string RegisterWrite = "altinn:authentication/systemregister.write";
    private const string RequestWrite = "altinn:authentication/systemuser.request.write";
    private const string RequestRead = "altinn:authentication/systemuser.request.read";
    private const string Vendor = "313725138"; // the harness client's consumer
    private const string SystemId = Vendor + "_regnskap";
    private readonly SimulatorHarness _sim = new(factory);

    private async Task<string> VendorTokenAsync(params string[] scopes)
    {
        await _sim.RegisterClientAsync(organisations: [], scopes: [RegisterWrite, RequestWrite, RequestRead, "altinn:instances.read", "altinn:instances.write"]);
        return await _sim.MaskinportenTokenAsync(new GrantBuilder { Scope = string.Join(' ', scopes.Length > 0 ? scopes : [RegisterWrite, RequestWrite, RequestRead]), RemoveAuthorizationDetails = true });
    }

    private async Task RegisterSystemAsync(string token)
    {
        var response = await _sim.SendAsync(HttpMethod.Post, "/authentication/api/v1/systemregister/vendor", SimulatorHarness.Json(new JsonObject
        {
            ["id"] = SystemId,
            ["vendor"] = new JsonObject { ["authority"] = "iso6523-actorid-upis", ["ID"] = "0192:" + Vendor },
            ["name"] = new JsonObject { ["nb"] = "Regnskap" },
            ["description"] = new JsonObject { ["nb"] = "Regnskap" },
            ["rights"] = new JsonArray(new JsonObject { ["resource"] = new JsonArray(new JsonObject { ["id"] = "urn:altinn:resource", ["value"] = "app_brg_aarsregnskap" }) }),
            ["clientId"] = new JsonArray(SimulatorHarness.ClientId),
            ["isVisible"] = false,
        }), token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private Task<HttpResponseMessage> RequestAsync(string token, string org = SimulatorHarness.OwnOrg, string system = SystemId) =>
        _sim.SendAsync(HttpMethod.Post, "/authentication/api/v1/systemuser/request/vendor", SimulatorHarness.Json(new JsonObject
        {
            ["systemId"] = system,
            ["partyOrgNo"] = org,
            ["externalRef"] = "k-1",
            ["rights"] = new JsonArray(new JsonObject { ["resource"] = new JsonArray(new JsonObject { ["id"] = "urn:altinn:resource", ["value"] = "app_brg_aarsregnskap" }) }),
        }), token);

    [Fact]
    public async Task A_grant_without_authorization_details_gets_a_plain_token_for_vendor_scopes_only()
    {
        string token = await VendorTokenAsync();
        var claims = SimulatorHarness.DecodePayload(token);
        Assert.Null(claims["authorization_details"]);
        Assert.Equal("0192:" + Vendor, claims["consumer"]!["ID"]!.GetValue<string>());

        var appScopes = await _sim.PostGrantAsync(new GrantBuilder { RemoveAuthorizationDetails = true }.Build());
        Assert.Equal(HttpStatusCode.BadRequest, appScopes.StatusCode);
        Assert.Contains("invalid_authorization_details", await appScopes.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task No_token_is_401_and_a_token_without_the_scope_is_403()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await _sim.SendAsync(HttpMethod.Get, "/authentication/api/v1/systemregister/vendor")).StatusCode);
        string readOnly = await VendorTokenAsync(RequestRead);
        var response = await _sim.SendAsync(HttpMethod.Get, "/authentication/api/v1/systemregister/vendor", bearer: readOnly);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_refused_system_lists_every_validation_error_with_its_code_and_path()
    {
        string token = await VendorTokenAsync();
        var response = await _sim.SendAsync(HttpMethod.Post, "/authentication/api/v1/systemregister/vendor", SimulatorHarness.Json(new JsonObject
        {
            ["id"] = "123456785_x y",
            ["vendor"] = new JsonObject { ["ID"] = "0192:" + Vendor },
            ["allowedRedirectUrls"] = new JsonArray("http://insecure.example/"),
        }), token);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("STD-00000", body["code"]!.GetValue<string>());
        var codes = body["validationErrors"]!.AsArray().Select(e => e!["code"]!.GetValue<string>()).ToList();
        Assert.Equal(["AUTH.VLD-00013", "AUTH.VLD-00001", "AUTH.VLD-00005"], codes);
        Assert.Equal("/registersystemrequest/systemid", body["validationErrors"]![0]!["paths"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task A_request_is_created_once_approved_by_the_customer_and_its_system_user_logs_in()
    {
        string token = await VendorTokenAsync();
        await RegisterSystemAsync(token);

        var created = await RequestAsync(token);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var request = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        Assert.Equal("New", request["status"]!.GetValue<string>());
        string id = request["id"]!.GetValue<string>();
        Assert.Contains($"request?id={id}", request["confirmUrl"]!.GetValue<string>());

        var repeat = await RequestAsync(token);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal(id, JsonNode.Parse(await repeat.Content.ReadAsStringAsync())!["id"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.OK, (await _sim.Http.PostAsync($"/_sim/systemuser-requests/{id}/approve", null)).StatusCode);
        var read = JsonNode.Parse(await (await _sim.SendAsync(HttpMethod.Get, $"/authentication/api/v1/systemuser/request/vendor/{id}", bearer: token)).Content.ReadAsStringAsync())!;
        Assert.Equal("Accepted", read["status"]!.GetValue<string>());

        var again = await RequestAsync(token);
        Assert.Equal("AUTH-00004", JsonNode.Parse(await again.Content.ReadAsStringAsync())!["code"]!.GetValue<string>());

        string systemUserToken = await _sim.MaskinportenTokenAsync(new GrantBuilder { ExternalRef = "k-1" });
        var detail = SimulatorHarness.DecodePayload(systemUserToken)["authorization_details"]!.AsArray().Single()!;
        Assert.Equal(SystemId, detail["system_id"]!.GetValue<string>());

        var users = JsonNode.Parse(await (await _sim.SendAsync(HttpMethod.Get, $"/authentication/api/v1/systemuser/vendor/bysystem/{SystemId}", bearer: token)).Content.ReadAsStringAsync())!;
        var user = Assert.Single(users["data"]!.AsArray())!;
        Assert.Equal(detail["systemuser_id"]![0]!.GetValue<string>(), user["id"]!.GetValue<string>());
        Assert.Equal("standard", user["userType"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_system_or_customer_is_named_by_its_problem_code()
    {
        string token = await VendorTokenAsync();
        await RegisterSystemAsync(token);
        var unknownSystem = await RequestAsync(token, system: Vendor + "_ukjent");
        Assert.Equal(HttpStatusCode.NotFound, unknownSystem.StatusCode);
        Assert.Equal("AUTH-00011", JsonNode.Parse(await unknownSystem.Content.ReadAsStringAsync())!["code"]!.GetValue<string>());
        var unknownCustomer = await RequestAsync(token, org: "123456785");
        Assert.Equal(HttpStatusCode.BadRequest, unknownCustomer.StatusCode);
        Assert.Equal("AUTH-00000", JsonNode.Parse(await unknownCustomer.Content.ReadAsStringAsync())!["code"]!.GetValue<string>());
    }
}
