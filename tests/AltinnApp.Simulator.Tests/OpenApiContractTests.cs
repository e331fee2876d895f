using System.Text;
using System.Text.Json.Nodes;
using AltinnApp.Simulator.Tests.Support;
using AltinnApp.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AltinnApp.Simulator.Tests;

/// <summary>The simulator's app routes and response shapes against the app library's OpenAPI documents.</summary>
public sealed class OpenApiContractTests(SimulatorFactory factory) : IClassFixture<SimulatorFactory>
{
    private static readonly Lazy<OpenApiRoutes> Documents = new(() => OpenApiRoutes.Load());
    // the vendor endpoints of the authentication API are in no OpenAPI document here: their sources are altinn-authentication's controllers (README, "Vendor onboarding")
    private static readonly string[] NotAppRoutes = ["/_sim/", "/storage/", "/Home/", "/token", "/.well-known/", "/jwk", "/authentication/api/v1/openid/",
        "/authentication/api/v1/systemregister/", "/authentication/api/v1/systemuser/"];
    private readonly SimulatorHarness _sim = new(factory);

    [Fact]
    public void Route_templates_compare_by_literals_and_parameter_positions()
    {
        var routes = Documents.Value;
        Assert.Equal(OpenApiRoutes.Normalize("/{org}/{app}/instances/{instanceOwnerPartyId}/{instanceGuid}"),
            OpenApiRoutes.Normalize("/{org}/{app}/instances/{partyId:int}/{instanceGuid:guid}"));
        Assert.True(routes.Contains("GET", "/{org}/{app}/instances/{partyId:int}/{instanceGuid:guid}"));
        Assert.True(routes.Contains("put", "/{org}/{app}/instances/{p}/{g}/data/{d}/type/{dataType}"));
        Assert.True(routes.Contains("GET", "/authentication/api/v1/exchange/{tokenProvider}"));
        Assert.False(routes.Contains("GET", "/{org}/{app}/instances/{p}/{g}/data"));
        Assert.False(routes.Contains("POST", "/{org}/{app}/instances/{p}/{g}/nothing"));
        Assert.Contains("instanceOwner.party.partyId", routes.RequiredFields("GET", "/{org}/{app}/instances/{p}/{g}", 200));
        Assert.Contains("id", routes.RequiredFieldsOfSchema("DataElement"));
    }

    [Fact]
    public void Every_app_route_of_the_simulator_is_in_the_openapi_documents()
    {
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var checkedRoutes = new List<string>();
        var missing = new List<string>();
        foreach (var endpoint in endpoints)
        {
            string template = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            if (NotAppRoutes.Any(prefix => template.StartsWith(prefix, StringComparison.Ordinal))) continue;
            foreach (var method in endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? [])
            {
                checkedRoutes.Add($"{method} {template}");
                if (!Documents.Value.Contains(method, template)) missing.Add($"{method} {template}");
            }
        }
        Assert.True(checkedRoutes.Count >= 15, string.Join("\n", checkedRoutes));
        Assert.Contains("GET /authentication/api/v1/exchange/{tokenProvider}", checkedRoutes);
        Assert.True(missing.Count == 0, "not in the OpenAPI documents:\n" + string.Join("\n", missing));
    }

    [Fact]
    public async Task Responses_carry_every_field_the_schemas_require()
    {
        string token = await _sim.LocaltestTokenAsync();
        var routes = Documents.Value;

        var created = await _sim.SendAsync(HttpMethod.Post, $"{SimulatorHarness.App}/instances/create",
            SimulatorHarness.Json(new JsonObject { ["instanceOwner"] = new JsonObject { ["organisationNumber"] = "950474084" }, ["prefill"] = new JsonObject { ["property1"] = "a", ["property2"] = "b" } }), token);
        var instance = await AssertRequiredAsync(created, "POST", "/{org}/{app}/instances/create", 201, expectAny: true);
        string path = SimulatorHarness.InstancePath(instance.AsObject());
        const string instanceTemplate = "/{org}/{app}/instances/{instanceOwnerPartyId}/{instanceGuid}";

        await AssertRequiredAsync(await _sim.SendAsync(HttpMethod.Get, path, bearer: token), "GET", instanceTemplate, 200, expectAny: true);

        var legacy = await _sim.SendAsync(HttpMethod.Post, $"{path}/data?dataType=attachment",
            SimulatorHarness.Upload(Encoding.UTF8.GetBytes("x"), "text/plain", "attachment; filename=\"x.txt\""), token);
        var element = await AssertRequiredAsync(legacy, "POST", instanceTemplate + "/data", 201);
        AssertHasAll(element, routes.RequiredFieldsOfSchema("DataElement"), "DataElement");

        var put = await _sim.SendAsync(HttpMethod.Put, $"{path}/data/{SimulatorHarness.ModelId(instance.AsObject())}",
            SimulatorHarness.Json(new JsonObject { ["property1"] = "a", ["property2"] = "b" }), token);
        AssertHasAll(await AssertRequiredAsync(put, "PUT", instanceTemplate + "/data/{dataGuid}", 201), routes.RequiredFieldsOfSchema("DataElement"), "DataElement");

        // The documents declare 201 for data/type/{dataType}; the app answers 200 (reference §9.1).
        var post = await _sim.SendAsync(HttpMethod.Post, $"{path}/data/type/attachment",
            SimulatorHarness.Upload(Encoding.UTF8.GetBytes("y"), "text/plain", "attachment; filename=\"y.txt\""), token);
        var postBody = JsonNode.Parse(await post.Content.ReadAsStringAsync())!;
        AssertHasAll(postBody, routes.RequiredFields("POST", instanceTemplate + "/data/type/{dataType}", 201), "DataPostResponse");
        AssertHasAll(postBody["instance"]!, routes.RequiredFieldsOfSchema("Instance"), "Instance");

        var process = await AssertRequiredAsync(await _sim.SendAsync(HttpMethod.Get, $"{path}/process", bearer: token), "GET", instanceTemplate + "/process", 200);
        AssertHasAll(process, ["started", "startEvent", "currentTask", "ended", "endEvent", "processTasks"], "AppProcessState");
        AssertHasAll(process["currentTask"]!, ["flow", "elementId", "altinnTaskType", "actions", "userActions", "read", "write", "elementType"], "AppProcessElementInfo");

        await AssertRequiredAsync(await _sim.SendAsync(HttpMethod.Put, $"{path}/process/next", bearer: token), "PUT", instanceTemplate + "/process/next", 200);
    }

    private static async Task<JsonNode> AssertRequiredAsync(HttpResponseMessage response, string method, string template, int status, bool expectAny = false)
    {
        string text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"{method} {template}: {(int)response.StatusCode} {text}");
        var body = JsonNode.Parse(text)!;
        var required = Documents.Value.RequiredFields(method, template, status);
        if (expectAny) Assert.NotEmpty(required);
        AssertHasAll(body, required, $"{method} {template}");
        return body;
    }

    /// <summary>Every dotted path must be present (a null value counts: required is not non-nullable).</summary>
    private static void AssertHasAll(JsonNode body, IEnumerable<string> paths, string what)
    {
        foreach (string path in paths)
        {
            JsonNode? node = body;
            foreach (string part in path.Split('.'))
            {
                Assert.True(node is JsonObject o && o.ContainsKey(part), $"{what}: required field '{path}' is missing in {body.ToJsonString()}");
                node = node![part];
                if (node is null) break;
            }
        }
    }
}
