using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AltinnApp.Simulator.Tests.Support;

namespace AltinnApp.Simulator.Tests;

/// <summary>
/// Locked data and the task a data type belongs to, a missing instance, and process/next as app-lib and Storage do
/// them (README "Fidelity": the three headings of these rules).
/// </summary>
public sealed class FidelityProcessTests(SimulatorFactory factory) : IClassFixture<SimulatorFactory>
{
    private const string Bekreft = "/brg/aarsregnskap-bekreft";
    private readonly SimulatorHarness _sim = new(factory);

    private static ByteArrayContent TextFile(string name) =>
        SimulatorHarness.Upload(Encoding.UTF8.GetBytes("x"), "text/plain", $"attachment; filename=\"{name}\"");

    /// <summary>
    /// An instance of a confirmation app, moved on to Task_2 (Task_1's data locked, the PDF made). Without
    /// <paramref name="app"/>: a variant of it whose policy grants <c>write</c> at Task_2 as well, so the data rules
    /// behind the policy check can be reached (the built-in app grants only read and confirm there, and gets 403).
    /// </summary>
    private async Task<(string Token, JsonObject Instance, string Path)> AtTask2Async(string? app = null, bool withAttachment = false)
    {
        app ??= await RegisterVariantAsync("bekreft-write", task2Actions: new JsonArray("read", "write", "confirm"));
        string token = await _sim.LocaltestTokenAsync();
        var instance = await _sim.CreateInstanceAsync(token, new { property1 = "a", property2 = "b" }, app: app);
        string path = SimulatorHarness.InstancePath(instance, app);
        if (withAttachment)
            Assert.Equal(HttpStatusCode.OK, (await _sim.SendAsync(HttpMethod.Post, $"{path}/data/type/attachment", TextFile("early.txt"), token)).StatusCode);
        var next = await _sim.SendAsync(HttpMethod.Put, $"{path}/process/next", bearer: token);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        return (token, await _sim.GetInstanceAsync(token, instance, app), path);
    }

    /// <summary>The confirmation app under another name, with its Task_2 and app settings changed.</summary>
    private async Task<string> RegisterVariantAsync(string name, JsonArray? task2Actions = null, string? rejectTo = null, bool enforceDataTypeTaskId = false)
    {
        var metadata = JsonNode.Parse(await _sim.Http.GetStringAsync($"{Bekreft}/api/v1/applicationmetadata"))!.AsObject();
        metadata["id"] = $"brg/{name}";
        var task2 = new JsonObject { ["id"] = "Task_2", ["type"] = "confirmation", ["name"] = "Bekreftelse" };
        if (task2Actions is not null) task2["actions"] = task2Actions;
        if (rejectTo is not null) task2["rejectTo"] = rejectTo;
        var definition = new JsonObject
        {
            ["org"] = "brg",
            ["app"] = name,
            ["metadata"] = metadata,
            ["process"] = new JsonArray(new JsonObject { ["id"] = "Task_1", ["type"] = "data", ["name"] = "Utfylling" }, task2),
            ["modelFields"] = new JsonArray("property1", "property2", "property3"),
            ["requiredFields"] = new JsonArray("property1", "property2"),
            ["enforceDataTypeTaskId"] = enforceDataTypeTaskId,
        };
        Assert.Equal(HttpStatusCode.Created, (await _sim.Http.PostAsync("/_sim/apps", SimulatorHarness.Json(definition))).StatusCode);
        return $"/brg/{name}";
    }

    private static JsonObject Element(JsonObject instance, string dataType) =>
        instance["data"]!.AsArray().First(d => d!["dataType"]!.GetValue<string>() == dataType)!.AsObject();

    private static async Task AssertBareProblemAsync(HttpResponseMessage response, HttpStatusCode status, string title)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(title, body["title"]!.GetValue<string>());
        Assert.StartsWith("https://tools.ietf.org/html/rfc9110#", body["type"]!.GetValue<string>());
        Assert.False(body.ContainsKey("detail"));
        // ASP.NET Core's ProblemDetails factory adds the request's W3C trace id, the id Altinn support asks for
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", body["traceId"]!.GetValue<string>());
    }

    // ---- locked data and the task a data type belongs to ----

    [Fact]
    public async Task Task_1s_form_data_at_Task_2_is_locked_and_a_PUT_gets_storages_bare_409()
    {
        var (token, instance, path) = await AtTask2Async();
        Assert.True(Element(instance, "model")["locked"]!.GetValue<bool>());

        var put = await _sim.SendAsync(HttpMethod.Put, $"{path}/data/{SimulatorHarness.ModelId(instance)}",
            SimulatorHarness.Json(new JsonObject { ["property1"] = "late" }), token);

        await AssertBareProblemAsync(put, HttpStatusCode.Conflict, "Conflict");
    }

    [Fact]
    public async Task A_new_attachment_of_Task_1s_type_at_Task_2_is_accepted_by_default_and_not_locked()
    {
        var (token, _, path) = await AtTask2Async();

        var post = await _sim.SendAsync(HttpMethod.Post, $"{path}/data/type/attachment", TextFile("late.txt"), token);

        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        var body = JsonNode.Parse(await post.Content.ReadAsStringAsync())!;
        string id = body["newDataElementId"]!.GetValue<string>();
        var added = body["instance"]!["data"]!.AsArray().Single(d => d!["id"]!.GetValue<string>() == id)!;
        Assert.False(added["locked"]!.GetValue<bool>());
        Assert.Equal("Task_2", body["instance"]!["process"]!["currentTask"]!["elementId"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_attachment_locked_when_Task_1_ended_can_still_be_deleted_at_Task_2_as_storage_has_no_lock_check_on_delete()
    {
        var (token, instance, path) = await AtTask2Async(withAttachment: true);
        var early = Element(instance, "attachment");
        Assert.True(early["locked"]!.GetValue<bool>());

        var replace = await _sim.SendAsync(HttpMethod.Put, $"{path}/data/{early["id"]!.GetValue<string>()}", TextFile("early.txt"), token);
        await AssertBareProblemAsync(replace, HttpStatusCode.Conflict, "Conflict");

        var delete = await _sim.SendAsync(HttpMethod.Delete, $"{path}/data/{early["id"]!.GetValue<string>()}", bearer: token);
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
    }

    [Fact]
    public async Task Where_the_policy_grants_no_write_at_the_task_every_data_change_is_403_before_any_lock_or_data_rule()
    {
        var (token, instance, path) = await AtTask2Async(Bekreft, withAttachment: true);
        string attachmentId = Element(instance, "attachment")["id"]!.GetValue<string>();

        // DataController's [Authorize(Policy = POLICY_INSTANCE_WRITE)]: the policy is asked for write at Task_2
        await AssertBareProblemAsync(await _sim.SendAsync(HttpMethod.Put, $"{path}/data/{SimulatorHarness.ModelId(instance)}",
            SimulatorHarness.Json(new JsonObject { ["property1"] = "late" }), token), HttpStatusCode.Forbidden, "Forbidden");
        await AssertBareProblemAsync(await _sim.SendAsync(HttpMethod.Post, $"{path}/data/type/attachment", TextFile("late.txt"), token),
            HttpStatusCode.Forbidden, "Forbidden");
        await AssertBareProblemAsync(await _sim.SendAsync(HttpMethod.Post, $"{path}/data?dataType=attachment", TextFile("late.txt"), token),
            HttpStatusCode.Forbidden, "Forbidden");
        await AssertBareProblemAsync(await _sim.SendAsync(HttpMethod.Delete, $"{path}/data/{attachmentId}", bearer: token),
            HttpStatusCode.Forbidden, "Forbidden");
        Assert.Equal(2, (await _sim.GetInstanceAsync(token, instance, Bekreft))["data"]!.AsArray()
            .Count(d => d!["dataType"]!.GetValue<string>() is "attachment" or "model"));
    }

    [Fact]
    public async Task Only_an_app_with_EnforceDataTypeTaskId_refuses_data_of_another_task_with_Conflict_with_Current_Task()
    {
        string app = await RegisterVariantAsync("enforcing", task2Actions: new JsonArray("read", "write", "confirm"), enforceDataTypeTaskId: true);
        var (token, _, path) = await AtTask2Async(app);

        var post = await _sim.SendAsync(HttpMethod.Post, $"{path}/data/type/attachment", TextFile("late.txt"), token);

        Assert.Equal(HttpStatusCode.Conflict, post.StatusCode);
        var body = JsonNode.Parse(await post.Content.ReadAsStringAsync())!;
        Assert.Equal("Conflict with Current Task", body["title"]!.GetValue<string>());
        Assert.Equal("Data element of type attachment can only be modified in Task_1 (current task Task_2)", body["detail"]!.GetValue<string>());
    }

    // ---- a missing instance ----

    [Fact]
    public async Task A_missing_instance_gets_the_same_403_as_an_instance_of_another_party_where_the_app_checks_its_policy_first()
    {
        string token = await _sim.LocaltestTokenAsync();
        string other = await _sim.SystemUserTokenAsync("310461598");
        var foreignInstance = await _sim.CreateInstanceAsync(other, org: "310461598");
        string missing = $"{SimulatorHarness.App}/instances/{SimulatorHarness.OwnPartyId}/{Guid.NewGuid()}";
        string foreign = SimulatorHarness.InstancePath(foreignInstance);

        foreach (var path in new[] { missing, foreign })
        {
            await AssertBareProblemAsync(await _sim.SendAsync(HttpMethod.Get, path, bearer: token), HttpStatusCode.Forbidden, "Forbidden");
            await AssertBareProblemAsync(await _sim.SendAsync(HttpMethod.Get, $"{path}/process", bearer: token), HttpStatusCode.Forbidden, "Forbidden");
            await AssertBareProblemAsync(await _sim.SendAsync(HttpMethod.Post, $"{path}/data/type/attachment", TextFile("a.txt"), token), HttpStatusCode.Forbidden, "Forbidden");
        }
        await AssertBareProblemAsync(await _sim.SendAsync(HttpMethod.Put, $"{foreign}/process/next", bearer: token), HttpStatusCode.Forbidden, "Forbidden");
    }

    [Fact]
    public async Task Process_next_and_validate_read_a_missing_instance_from_storage_first_and_get_its_404()
    {
        string token = await _sim.LocaltestTokenAsync();
        var guid = Guid.NewGuid();
        string missing = $"{SimulatorHarness.App}/instances/{SimulatorHarness.OwnPartyId}/{guid}";

        await AssertBareProblemAsync(await _sim.SendAsync(HttpMethod.Put, $"{missing}/process/next", bearer: token), HttpStatusCode.NotFound, "Not Found");
        var validate = await _sim.SendAsync(HttpMethod.Get, $"{missing}/validate", bearer: token);
        Assert.Equal(HttpStatusCode.NotFound, validate.StatusCode);
        var body = JsonNode.Parse(await validate.Content.ReadAsStringAsync())!;
        Assert.Equal("Something went wrong.", body["title"]!.GetValue<string>());
        Assert.Equal($"404 - Not Found - \"Unable to find instance {guid}\"", body["detail"]!.GetValue<string>());
    }

    // ---- process/next ----

    [Fact]
    public async Task Process_next_checks_the_ended_process_before_the_action()
    {
        string token = await _sim.LocaltestTokenAsync();
        var instance = await _sim.CreateInstanceAsync(token, new { property1 = "a", property2 = "b" });
        string next = $"{SimulatorHarness.InstancePath(instance)}/process/next";
        Assert.Equal(HttpStatusCode.OK, (await _sim.SendAsync(HttpMethod.Put, next, bearer: token)).StatusCode);

        var refused = await _sim.SendAsync(HttpMethod.Put, next, SimulatorHarness.Json(new JsonObject { ["action"] = "sign" }), token);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("Process is ended.", JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Process_next_checks_the_action_before_the_instance_lock()
    {
        string token = await _sim.LocaltestTokenAsync();
        var instance = await _sim.CreateInstanceAsync(token, new { property1 = "a", property2 = "b" });
        string next = $"{SimulatorHarness.InstancePath(instance)}/process/next";
        await _sim.Http.PutAsync("/_sim/settings", SimulatorHarness.Json(new JsonObject { ["processNextDelayMs"] = 1500 }));
        try
        {
            var first = _sim.SendAsync(HttpMethod.Put, next, bearer: token);
            HttpResponseMessage? locked = null;
            for (int i = 0; i < 50 && !first.IsCompleted; i++)
            {
                await Task.Delay(20);
                locked = await _sim.SendAsync(HttpMethod.Put, next, bearer: token);
                if (locked.StatusCode == HttpStatusCode.Conflict) break;
            }
            Assert.Equal(HttpStatusCode.Conflict, locked!.StatusCode);

            // while the lock is still held: an action the task does not grant is 403, not the lock's 409
            var wrongAction = await _sim.SendAsync(HttpMethod.Put, next, SimulatorHarness.Json(new JsonObject { ["action"] = "confirm" }), token);
            Assert.False(first.IsCompleted, "the first call must still hold the lock");
            Assert.Equal(HttpStatusCode.Forbidden, wrongAction.StatusCode);
            var body = JsonNode.Parse(await wrongAction.Content.ReadAsStringAsync())!;
            Assert.Equal("Unauthorized", body["title"]!.GetValue<string>());
            Assert.Equal("User is not authorized to perform process next. Task ID: Task_1. Task type: data. Action: confirm.", body["detail"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        }
        finally
        {
            await _sim.Http.PutAsync("/_sim/settings", SimulatorHarness.Json(new JsonObject { ["processNextDelayMs"] = 0 }));
        }
    }

    [Fact]
    public async Task A_task_whose_policy_grants_write_moves_on_with_write()
    {
        string app = await RegisterVariantAsync("write-confirm", task2Actions: ["read", "confirm", "write"]);
        var (token, instance, path) = await AtTask2Async(app);
        var process = JsonNode.Parse(await (await _sim.SendAsync(HttpMethod.Get, $"{path}/process", bearer: token)).Content.ReadAsStringAsync())!;
        Assert.True(process["currentTask"]!["write"]!.GetValue<bool>());

        var write = await _sim.SendAsync(HttpMethod.Put, $"{path}/process/next", SimulatorHarness.Json(new JsonObject { ["action"] = "write" }), token);

        Assert.Equal(HttpStatusCode.OK, write.StatusCode);
        Assert.Equal("EndEvent_1", JsonNode.Parse(await write.Content.ReadAsStringAsync())!["endEvent"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_reject_the_task_allows_goes_back_without_validation_or_pdf_and_unlocks_the_earlier_tasks_data()
    {
        string app = await RegisterVariantAsync("with-reject", task2Actions: ["read", "confirm", "reject"], rejectTo: "Task_1");
        var (token, instance, path) = await AtTask2Async(app);
        var process = JsonNode.Parse(await (await _sim.SendAsync(HttpMethod.Get, $"{path}/process", bearer: token)).Content.ReadAsStringAsync())!;
        Assert.True(process["currentTask"]!["actions"]!["reject"]!.GetValue<bool>());

        var reject = await _sim.SendAsync(HttpMethod.Put, $"{path}/process/next", SimulatorHarness.Json(new JsonObject { ["action"] = "reject" }), token);

        Assert.Equal(HttpStatusCode.OK, reject.StatusCode);
        var back = await _sim.GetInstanceAsync(token, instance, app);
        Assert.Equal("Task_1", back["process"]!["currentTask"]!["elementId"]!.GetValue<string>());
        Assert.False(Element(back, "model")["locked"]!.GetValue<bool>());
        Assert.Single(back["data"]!.AsArray(), d => d!["dataType"]!.GetValue<string>() == "ref-data-as-pdf");
        await _sim.PutModelAsync(token, back, new { property1 = "rettet", property2 = "b" }, app);

        var withoutReject = await _sim.SendAsync(HttpMethod.Put, $"{SimulatorHarness.InstancePath((await AtTask2Async(Bekreft)).Instance, Bekreft)}/process/next",
            SimulatorHarness.Json(new JsonObject { ["action"] = "reject" }), token);
        Assert.Equal(HttpStatusCode.Forbidden, withoutReject.StatusCode);
    }

    [Fact]
    public async Task A_failing_pdf_gives_500_and_leaves_the_process_at_its_task_with_the_data_unlocked_so_it_can_be_sent_again()
    {
        string token = await _sim.LocaltestTokenAsync();
        var instance = await _sim.CreateInstanceAsync(token, new { property1 = "a", property2 = "b" });
        string next = $"{SimulatorHarness.InstancePath(instance)}/process/next";
        var knob = await _sim.Http.PutAsync("/_sim/pdf-failures", SimulatorHarness.Json(new JsonObject { ["count"] = 1 }));
        Assert.Equal(1, JsonNode.Parse(await knob.Content.ReadAsStringAsync())!["remaining"]!.GetValue<int>());

        var failed = await _sim.SendAsync(HttpMethod.Put, next, bearer: token);

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal("application/problem+json; charset=utf-8", failed.Content.Headers.ContentType!.ToString());
        var body = JsonNode.Parse(await failed.Content.ReadAsStringAsync())!;
        Assert.Equal("Process next failed.", body["title"]!.GetValue<string>());
        Assert.Equal("Pdf generation failed", body["detail"]!.GetValue<string>());
        Assert.Equal(500, body["status"]!.GetValue<int>());
        var after = await _sim.GetInstanceAsync(token, instance);
        Assert.Equal("Task_1", after["process"]!["currentTask"]!["elementId"]!.GetValue<string>());
        Assert.False(Element(after, "model")["locked"]!.GetValue<bool>());
        Assert.DoesNotContain(after["data"]!.AsArray(), d => d!["dataType"]!.GetValue<string>() == "ref-data-as-pdf");

        var again = await _sim.SendAsync(HttpMethod.Put, next, bearer: token);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var ended = await _sim.GetInstanceAsync(token, instance);
        Assert.Single(ended["data"]!.AsArray(), d => d!["dataType"]!.GetValue<string>() == "ref-data-as-pdf");
    }
}
