using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AltinnApp.Simulator.Tests.Support;

namespace AltinnApp.Simulator.Tests;

/// <summary>Every 409 kind of reference §6.1 and the 403 for another party.</summary>
public sealed class ConflictAndAccessTests(SimulatorFactory factory) : IClassFixture<SimulatorFactory>
{
    private readonly SimulatorHarness _sim = new(factory);

    [Fact]
    public async Task Process_next_with_required_fields_missing_gives_409_with_validation_issues()
    {
        string token = await _sim.LocaltestTokenAsync();
        var instance = await _sim.CreateInstanceAsync(token, new { property1 = "only one" });

        var response = await _sim.SendAsync(HttpMethod.Put, $"{SimulatorHarness.InstancePath(instance)}/process/next", bearer: token);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("Validation failed for task", body["title"]!.GetValue<string>());
        var issue = body["validationIssues"]!.AsArray().Single()!;
        Assert.Equal(1, issue["severity"]!.GetValue<int>());
        Assert.Equal("property2", issue["field"]!.GetValue<string>());
        Assert.Equal(SimulatorHarness.ModelId(instance), issue["dataElementId"]!.GetValue<string>());

        var validate = JsonNode.Parse(await (await _sim.SendAsync(HttpMethod.Get, $"{SimulatorHarness.InstancePath(instance)}/validate", bearer: token)).Content.ReadAsStringAsync())!;
        Assert.Equal("property2", validate.AsArray().Single()!["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_second_process_next_while_the_first_holds_the_instance_lock_gets_a_bare_409()
    {
        string token = await _sim.LocaltestTokenAsync();
        var instance = await _sim.CreateInstanceAsync(token, new { property1 = "a", property2 = "b" });
        await _sim.Http.PutAsync("/_sim/settings", SimulatorHarness.Json(new JsonObject { ["processNextDelayMs"] = 1500 }));
        string next = $"{SimulatorHarness.InstancePath(instance)}/process/next";

        var first = _sim.SendAsync(HttpMethod.Put, next, bearer: token);
        HttpResponseMessage? second = null;
        // Poll until the first call holds the lock (it sleeps inside it), then collide with it.
        for (int i = 0; i < 50 && !first.IsCompleted; i++)
        {
            await Task.Delay(20);
            second = await _sim.SendAsync(HttpMethod.Put, next, bearer: token);
            if (second.StatusCode == HttpStatusCode.Conflict) break;
        }

        Assert.NotNull(second);
        Assert.Equal(HttpStatusCode.Conflict, second!.StatusCode);
        var body = JsonNode.Parse(await second.Content.ReadAsStringAsync())!;
        Assert.Equal("Conflict", body["title"]!.GetValue<string>());
        Assert.Equal("https://tools.ietf.org/html/rfc9110#section-15.5.10", body["type"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
    }

    [Fact]
    public async Task After_the_end_process_next_gets_409_and_every_data_change_403_as_the_policy_grants_no_write_after_the_end_event()
    {
        string token = await _sim.LocaltestTokenAsync();
        var instance = await _sim.CreateInstanceAsync(token, new { property1 = "a", property2 = "b" });
        string path = SimulatorHarness.InstancePath(instance);
        var attachment = await _sim.SendAsync(HttpMethod.Post, $"{path}/data/type/attachment",
            SimulatorHarness.Upload(Encoding.UTF8.GetBytes("x"), "text/plain", "attachment; filename=\"x.txt\""), token);
        string attachmentId = JsonNode.Parse(await attachment.Content.ReadAsStringAsync())!["newDataElementId"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await _sim.SendAsync(HttpMethod.Put, $"{path}/process/next", bearer: token)).StatusCode);

        var again = await _sim.SendAsync(HttpMethod.Put, $"{path}/process/next", bearer: token);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("Process is ended.", JsonNode.Parse(await again.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());

        var put = await _sim.SendAsync(HttpMethod.Put, $"{path}/data/{SimulatorHarness.ModelId(instance)}",
            SimulatorHarness.Json(new JsonObject { ["property1"] = "late" }), token);
        // DataController's [Authorize(Policy = POLICY_INSTANCE_WRITE)] runs before any state check
        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);

        var post = await _sim.SendAsync(HttpMethod.Post, $"{path}/data?dataType=attachment",
            SimulatorHarness.Upload(Encoding.UTF8.GetBytes("y"), "text/plain", "attachment; filename=\"y.txt\""), token);
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await _sim.SendAsync(HttpMethod.Delete, $"{path}/data/{attachmentId}", bearer: token)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _sim.SendAsync(HttpMethod.Get, $"{path}/validate", bearer: token)).StatusCode);

        var ended = await _sim.GetInstanceAsync(token, instance);
        string pdfId = ended["data"]!.AsArray().Single(d => d!["dataType"]!.GetValue<string>() == "ref-data-as-pdf")!["id"]!.GetValue<string>();
        var pdfPut = await _sim.SendAsync(HttpMethod.Put, $"{path}/data/{pdfId}", SimulatorHarness.Upload([1], "application/pdf", "attachment; filename=\"x.pdf\""), token);
        Assert.Equal(HttpStatusCode.Forbidden, pdfPut.StatusCode);
    }

    [Fact]
    public async Task The_main_model_cannot_be_deleted_but_an_attachment_can()
    {
        string token = await _sim.LocaltestTokenAsync();
        var instance = await _sim.CreateInstanceAsync(token);
        string path = SimulatorHarness.InstancePath(instance);

        var model = await _sim.SendAsync(HttpMethod.Delete, $"{path}/data/{SimulatorHarness.ModelId(instance)}", bearer: token);
        Assert.Equal(HttpStatusCode.BadRequest, model.StatusCode);
        Assert.Equal("Cannot Delete main data element", JsonNode.Parse(await model.Content.ReadAsStringAsync())!["title"]!.GetValue<string>());

        var upload = await _sim.SendAsync(HttpMethod.Post, $"{path}/data/type/attachment",
            SimulatorHarness.Upload(Encoding.UTF8.GetBytes("x"), "text/plain", "attachment; filename=\"x.txt\""), token);
        string id = JsonNode.Parse(await upload.Content.ReadAsStringAsync())!["newDataElementId"]!.GetValue<string>();
        var delete = await _sim.SendAsync(HttpMethod.Delete, $"{path}/data/{id}", bearer: token);
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        Assert.Single(JsonNode.Parse(await delete.Content.ReadAsStringAsync())!["instance"]!["data"]!.AsArray());

        var missing = await _sim.SendAsync(HttpMethod.Get, $"{path}/data/{id}", bearer: token);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("Data Element Not Found", JsonNode.Parse(await missing.Content.ReadAsStringAsync())!["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_system_user_gets_403_for_another_party()
    {
        string own = await _sim.LocaltestTokenAsync();
        string other = await _sim.SystemUserTokenAsync("310461598");

        var create = await _sim.SendAsync(HttpMethod.Post, $"{SimulatorHarness.App}/instances/create",
            SimulatorHarness.Json(new JsonObject { ["instanceOwner"] = new JsonObject { ["organisationNumber"] = "310461598" } }), own);
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);

        var person = await _sim.SendAsync(HttpMethod.Post, $"{SimulatorHarness.App}/instances/create",
            SimulatorHarness.Json(new JsonObject { ["instanceOwner"] = new JsonObject { ["personNumber"] = "08089403198" } }), own);
        Assert.Equal(HttpStatusCode.Forbidden, person.StatusCode);

        var theirs = await _sim.CreateInstanceAsync(other, org: "310461598");
        Assert.Equal(HttpStatusCode.Forbidden, (await _sim.SendAsync(HttpMethod.Get, SimulatorHarness.InstancePath(theirs), bearer: own)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _sim.SendAsync(HttpMethod.Put, $"{SimulatorHarness.InstancePath(theirs)}/process/next", bearer: own)).StatusCode);
        // the active list is Storage's query, filtered by what the caller may read: empty, not 403
        var active = await _sim.SendAsync(HttpMethod.Get, $"{SimulatorHarness.App}/instances/500701/active", bearer: own);
        Assert.Equal(HttpStatusCode.OK, active.StatusCode);
        Assert.Equal("[]", await active.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unknown_owners_and_missing_owners_get_the_instances_controllers_json_strings()
    {
        string token = await _sim.LocaltestTokenAsync();
        var unknown = await _sim.SendAsync(HttpMethod.Post, $"{SimulatorHarness.App}/instances/create",
            SimulatorHarness.Json(new JsonObject { ["instanceOwner"] = new JsonObject { ["organisationNumber"] = "999999999" } }), token);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.StartsWith("Cannot lookup party: Failed to lookup party by organisationNumber: 999999999",
            JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!.GetValue<string>());

        var missing = await _sim.SendAsync(HttpMethod.Post, $"{SimulatorHarness.App}/instances/create", SimulatorHarness.Json(new JsonObject()), token);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.StartsWith("Error: instanceOwnerPartyId query parameter is empty", JsonNode.Parse(await missing.Content.ReadAsStringAsync())!.GetValue<string>());

        var noApp = await _sim.SendAsync(HttpMethod.Post, "/brg/finnes-ikke/instances/create",
            SimulatorHarness.Json(new JsonObject { ["instanceOwner"] = new JsonObject { ["organisationNumber"] = "950474084" } }), token);
        Assert.Equal(HttpStatusCode.NotFound, noApp.StatusCode);
    }
}
