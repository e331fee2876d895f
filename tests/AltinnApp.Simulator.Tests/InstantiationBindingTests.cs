using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AltinnApp.Simulator.Tests.Support;

namespace AltinnApp.Simulator.Tests;

/// <summary>
/// <c>POST instances/create</c> binds its body to ALD's <c>InstansiationInstance</c> with System.Text.Json, whose
/// <c>Prefill</c> is <c>Dictionary&lt;string, string&gt;</c>: what does not bind is a 400 ValidationProblemDetails and
/// nothing is created.
/// </summary>
public sealed class InstantiationBindingTests(SimulatorFactory factory) : IClassFixture<SimulatorFactory>
{
    private readonly SimulatorHarness _sim = new(factory);

    private async Task<(HttpResponseMessage Response, JsonObject Body)> PostRawAsync(string token, string json)
    {
        var response = await _sim.SendAsync(HttpMethod.Post, $"{SimulatorHarness.App}/instances/create", new StringContent(json, Encoding.UTF8, "application/json"), token);
        string text = await response.Content.ReadAsStringAsync();
        return (response, JsonNode.Parse(text)!.AsObject());
    }

    private static void AssertValidationProblem(HttpResponseMessage response, JsonObject body)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("https://tools.ietf.org/html/rfc9110#section-15.5.1", body["type"]!.GetValue<string>());
        Assert.Equal("One or more validation errors occurred.", body["title"]!.GetValue<string>());
        Assert.Equal(400, body["status"]!.GetValue<int>());
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", body["traceId"]!.GetValue<string>());
        Assert.Null(body["detail"]);
    }

    private static string[] Messages(JsonObject body, string field) =>
        body["errors"]![field]!.AsArray().Select(m => m!.GetValue<string>()).ToArray();

    [Fact]
    public async Task A_number_in_prefill_is_a_400_naming_the_field_as_System_Text_Json_does_and_creates_nothing()
    {
        string token = await _sim.AltinnTokenAsync();
        // the same shape and offsets as ALD DataController_PutTests.PutDataElement_InvalidData_ReturnsBadRequest
        var (response, body) = await PostRawAsync(token, """{"prefill":{"name": 123}}""");

        AssertValidationProblem(response, body);
        Assert.Equal(["$.prefill.name", "instansiationInstance"], body["errors"]!.AsObject().Select(p => p.Key).ToArray());
        Assert.Equal(["The JSON value could not be converted to System.String. Path: $.prefill.name | LineNumber: 0 | BytePositionInLine: 23."], Messages(body, "$.prefill.name"));
        Assert.Equal(["The instansiationInstance field is required."], Messages(body, "instansiationInstance"));
        Assert.Null((await _sim.CountersAsync())["instancesCreated"]!.AsObject().FirstOrDefault().Value);
    }

    [Theory]
    [InlineData("true", "$.prefill.approved")]
    [InlineData("{\"street\":\"x\"}", "$.prefill.approved")]
    [InlineData("[\"a\",\"b\"]", "$.prefill.approved")]
    public async Task A_boolean_an_object_or_a_list_in_prefill_is_a_400_too(string value, string path)
    {
        string token = await _sim.AltinnTokenAsync();
        var (response, body) = await PostRawAsync(token, $$$"""{"instanceOwner":{"organisationNumber":"950474084"},"prefill":{"property1":"a","approved":{{{value}}}}}""");

        AssertValidationProblem(response, body);
        Assert.StartsWith($"The JSON value could not be converted to System.String. Path: {path} | LineNumber: 0 | BytePositionInLine: ", Messages(body, path).Single());
        Assert.Empty(await _sim.Http.GetFromJsonAsync<JsonArray>("/_sim/instances") ?? []);
    }

    [Fact]
    public async Task Other_fields_that_do_not_bind_name_their_path_and_the_apps_types()
    {
        string token = await _sim.AltinnTokenAsync();

        var (partyResponse, party) = await PostRawAsync(token, """{"instanceOwner":{"partyId":500700}}""");
        AssertValidationProblem(partyResponse, party);
        Assert.StartsWith("The JSON value could not be converted to System.String. Path: $.instanceOwner.partyId | LineNumber: 0 | BytePositionInLine: ", Messages(party, "$.instanceOwner.partyId").Single());

        var (dateResponse, date) = await PostRawAsync(token, """{"instanceOwner":{"organisationNumber":"950474084"},"dueBefore":"31.05.2026"}""");
        AssertValidationProblem(dateResponse, date);
        Assert.StartsWith("The JSON value could not be converted to System.Nullable`1[System.DateTime]. Path: $.dueBefore", Messages(date, "$.dueBefore").Single());

        var (ownerResponse, owner) = await PostRawAsync(token, """{"instanceOwner":"950474084"}""");
        AssertValidationProblem(ownerResponse, owner);
        Assert.StartsWith("The JSON value could not be converted to Altinn.Platform.Storage.Interface.Models.InstanceOwner. Path: $.instanceOwner", Messages(owner, "$.instanceOwner").Single());

        var (rootResponse, root) = await PostRawAsync(token, """["950474084"]""");
        AssertValidationProblem(rootResponse, root);
        Assert.Equal(["The JSON value could not be converted to Altinn.App.Api.Models.InstansiationInstance. Path: $ | LineNumber: 0 | BytePositionInLine: 1."], Messages(root, "$"));

        var (syntaxResponse, syntax) = await PostRawAsync(token, """ d{"prefill":{}}""");
        AssertValidationProblem(syntaxResponse, syntax);
        Assert.Equal(["'d' is an invalid start of a value. Path: $ | LineNumber: 0 | BytePositionInLine: 1."], Messages(syntax, "$"));

        var (emptyResponse, empty) = await PostRawAsync(token, "");
        AssertValidationProblem(emptyResponse, empty);
        Assert.Equal(["A non-empty request body is required."], Messages(empty, ""));
        Assert.Equal(["The instansiationInstance field is required."], Messages(empty, "instansiationInstance"));

        Assert.Empty(await _sim.Http.GetFromJsonAsync<JsonArray>("/_sim/instances") ?? []);
    }

    [Fact]
    public async Task String_values_bind_and_reach_the_form_as_given()
    {
        string token = await _sim.AltinnTokenAsync();
        var response = await _sim.SendAsync(HttpMethod.Post, $"{SimulatorHarness.App}/instances/create", new StringContent(
            """{"instanceOwner":{"organisationNumber":"950474084"},"prefill":{"property1":"12345","property2":"true","property3":"2026-05-31"}}""",
            Encoding.UTF8, "application/json"), token);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var instance = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        var model = await _sim.SendAsync(HttpMethod.Get, $"{SimulatorHarness.InstancePath(instance)}/data/{SimulatorHarness.ModelId(instance)}", bearer: token);
        var values = JsonNode.Parse(await model.Content.ReadAsStringAsync())!;
        Assert.Equal("12345", values["property1"]!.GetValue<string>());
        Assert.Equal("true", values["property2"]!.GetValue<string>());
        Assert.Equal("2026-05-31", values["property3"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_fault_rule_can_answer_with_a_fixed_body_without_carrying_the_request_out()
    {
        string token = await _sim.AltinnTokenAsync();
        var answer = new JsonObject { ["title"] = "One or more validation errors occurred.", ["status"] = 400, ["errors"] = new JsonObject { ["$.x"] = new JsonArray("bad") } };
        var rules = new JsonObject
        {
            ["rules"] = new JsonArray(new JsonObject
            {
                ["pathPrefix"] = "/brg/aarsregnskap/instances/create",
                ["rateAnswer"] = 1,
                ["answer"] = new JsonObject { ["status"] = 400, ["body"] = answer },
            }),
        };
        Assert.Equal(HttpStatusCode.OK, (await _sim.Http.PutAsync("/_sim/faults", SimulatorHarness.Json(rules))).StatusCode);

        var response = await _sim.SendAsync(HttpMethod.Post, $"{SimulatorHarness.App}/instances/create", new StringContent(
            """{"instanceOwner":{"organisationNumber":"950474084"},"prefill":{"property1":"a"}}""", Encoding.UTF8, "application/json"), token);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal(answer.ToJsonString(), await response.Content.ReadAsStringAsync());
        Assert.Empty(await _sim.Http.GetFromJsonAsync<JsonArray>("/_sim/instances") ?? []);
    }
}
