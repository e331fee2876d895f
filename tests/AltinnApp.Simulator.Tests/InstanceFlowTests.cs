using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AltinnApp.Simulator.Tests.Support;

namespace AltinnApp.Simulator.Tests;

/// <summary>The user guide's flows end to end (app-api-integration-guide.nb.md §1–§4).</summary>
public sealed class InstanceFlowTests(SimulatorFactory factory) : IClassFixture<SimulatorFactory>
{
    private readonly SimulatorHarness _sim = new(factory);

    [Fact]
    public async Task Simple_create_with_prefill_then_update_then_submit_gives_a_pdf_receipt_with_the_values()
    {
        string token = await _sim.AltinnTokenAsync();

        // 1.1 simple instantiation with prefill (keys matched case-insensitively, unknown keys ignored)
        var create = await _sim.SendAsync(HttpMethod.Post, $"{SimulatorHarness.App}/instances/create", SimulatorHarness.Json(new JsonObject
        {
            ["prefill"] = new JsonObject { ["Property1"] = "value1", ["property2"] = "value2", ["unknown"] = "ignored" },
            ["instanceOwner"] = new JsonObject { ["organisationNumber"] = "950474084" },
        }), token);
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        Assert.Equal("application/json; charset=utf-8", create.Content.Headers.ContentType!.ToString());
        AssertSecurityHeaders(create);
        var instance = JsonNode.Parse(await create.Content.ReadAsStringAsync())!.AsObject();
        string id = instance["id"]!.GetValue<string>();
        Assert.StartsWith("500700/", id);
        Assert.Equal($"http://localhost/brg/aarsregnskap/instances/{id}", create.Headers.Location!.ToString());
        Assert.Equal("500700", instance["instanceOwner"]!["partyId"]!.GetValue<string>());
        Assert.Equal(500700, instance["instanceOwner"]!["party"]!["partyId"]!.GetValue<int>());
        Assert.Equal("Task_1", instance["process"]!["currentTask"]!["elementId"]!.GetValue<string>());
        Assert.Equal(2, instance["process"]!["currentTask"]!["flow"]!.GetValue<int>());
        var model = instance["data"]!.AsArray().Single()!;
        Assert.Equal("application/xml", model["contentType"]!.GetValue<string>());
        Assert.Equal("NotApplicable", model["fileScanResult"]!.GetValue<string>());
        Assert.Equal(1, instance["status"]!["readStatus"]!.GetValue<int>());

        string dataUrl = $"{SimulatorHarness.InstancePath(instance)}/data/{SimulatorHarness.ModelId(instance)}";
        var json = JsonNode.Parse(await (await _sim.SendAsync(HttpMethod.Get, dataUrl, bearer: token)).Content.ReadAsStringAsync())!;
        Assert.Equal("value1", json["property1"]!.GetValue<string>());
        Assert.Equal("value2", json["property2"]!.GetValue<string>());
        Assert.Null(json["property3"]);

        // 2 update the data element
        var put = await _sim.SendAsync(HttpMethod.Put, $"{dataUrl}/type/model?language=nb", SimulatorHarness.Json(new JsonObject
        {
            ["property1"] = "value4", ["property2"] = "Ærlig (sak) \\ 100%", ["property3"] = "value6",
        }), token);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal($"http://localhost{dataUrl}", put.Headers.Location!.ToString());
        Assert.Equal("application/xml", JsonNode.Parse(await put.Content.ReadAsStringAsync())!["contentType"]!.GetValue<string>());

        var xml = await _sim.SendAsync(HttpMethod.Get, dataUrl, bearer: token, configure: r => r.Headers.Accept.ParseAdd("application/xml"));
        Assert.StartsWith("application/xml", xml.Content.Headers.ContentType!.ToString());
        Assert.Contains("<property1>value4</property1>", await xml.Content.ReadAsStringAsync());

        // 3 move the process on: the instance ends
        var next = await _sim.SendAsync(HttpMethod.Put, $"{SimulatorHarness.InstancePath(instance)}/process/next", bearer: token);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        var process = JsonNode.Parse(await next.Content.ReadAsStringAsync())!;
        Assert.Null(process["currentTask"]);
        Assert.Equal("EndEvent_1", process["endEvent"]!.GetValue<string>());
        Assert.NotNull(process["ended"]);
        Assert.Equal("Task_1", process["processTasks"]![0]!["elementId"]!.GetValue<string>());

        // 4 the receipt
        var ended = await _sim.GetInstanceAsync(token, instance);
        Assert.True(ended["status"]!["isArchived"]!.GetValue<bool>());
        Assert.NotNull(ended["status"]!["archived"]);
        Assert.All(ended["data"]!.AsArray(), d => Assert.True(d!["locked"]!.GetValue<bool>()));
        var pdfElement = ended["data"]!.AsArray().Single(d => d!["dataType"]!.GetValue<string>() == "ref-data-as-pdf")!;
        Assert.Equal("aarsregnskap.pdf", pdfElement["filename"]!.GetValue<string>());
        Assert.Equal("application/pdf", pdfElement["contentType"]!.GetValue<string>());
        Assert.Equal("Task_1", pdfElement["references"]![0]!["value"]!.GetValue<string>());
        Assert.Equal("GeneratedFrom", pdfElement["references"]![0]!["relation"]!.GetValue<string>());
        Assert.Equal("Task", pdfElement["references"]![0]!["valueType"]!.GetValue<string>());

        var download = await _sim.SendAsync(HttpMethod.Get,
            $"{SimulatorHarness.InstancePath(instance)}/data/{pdfElement["id"]}/type/ref-data-as-pdf?language=nb", bearer: token,
            configure: r => r.Headers.Accept.ParseAdd("application/pdf"));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/pdf", download.Content.Headers.ContentType!.ToString());
        Assert.Equal("attachment; filename=aarsregnskap.pdf; filename*=UTF-8''aarsregnskap.pdf", download.Content.Headers.ContentDisposition!.ToString());
        string pdf = PdfAssert.IsValid(await download.Content.ReadAsByteArrayAsync());
        Assert.Contains($"Instance: {id}", pdf);
        Assert.Contains("950474084", pdf);
        Assert.Contains("Submitted: ", pdf);
        Assert.Contains("property1 = value4", pdf);
        Assert.Contains(@"property2 = Ærlig \(sak\) \\ 100%", pdf);
        Assert.Contains("property3 = value6", pdf);
        Assert.Equal(pdfElement["size"]!.GetValue<long>(), download.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Multipart_create_stores_the_model_and_the_attachments()
    {
        string token = await _sim.LocaltestTokenAsync();
        using var content = new MultipartFormDataContent("----FormBoundary");
        content.Add(new StringContent("""{"instanceOwner":{"organisationNumber":"950474084"},"dueBefore":"2030-06-01T12:00:00Z"}""", Encoding.UTF8, "application/json"), "instance");
        content.Add(new StringContent("<model><property1>value1</property1><property2>value2</property2><property3>value3</property3></model>", Encoding.UTF8, "application/xml"), "model");
        var attachment = new ByteArrayContent(Encoding.UTF8.GetBytes("hello"));
        attachment.Headers.ContentType = MediaTypeHeaderValue.Parse("text/plain");
        content.Add(attachment, "attachment", "notes 2025.txt");

        var response = await _sim.SendAsync(HttpMethod.Post, $"{SimulatorHarness.App}/instances", content, token);

        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        Assert.NotNull(response.Headers.Location);
        var instance = JsonNode.Parse(text)!.AsObject();
        Assert.Equal("2030-06-01T12:00:00Z", instance["dueBefore"]!.GetValue<string>());
        var data = instance["data"]!.AsArray();
        Assert.Equal(2, data.Count);
        var file = data.Single(d => d!["dataType"]!.GetValue<string>() == "attachment")!;
        Assert.Equal("notes 2025.txt", file["filename"]!.GetValue<string>());
        Assert.Equal(5, file["size"]!.GetValue<long>());

        var model = JsonNode.Parse(await (await _sim.SendAsync(HttpMethod.Get,
            $"{SimulatorHarness.InstancePath(instance)}/data/{SimulatorHarness.ModelId(instance)}", bearer: token)).Content.ReadAsStringAsync())!;
        Assert.Equal("value3", model["property3"]!.GetValue<string>());

        var download = await _sim.SendAsync(HttpMethod.Get, $"{SimulatorHarness.InstancePath(instance)}/data/{file["id"]}", bearer: token);
        Assert.Equal("hello", await download.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", download.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Multipart_create_without_a_model_part_auto_creates_an_empty_model_and_accepts_the_party_in_the_query()
    {
        string token = await _sim.LocaltestTokenAsync();
        using var content = new MultipartFormDataContent();
        var attachment = new ByteArrayContent([1, 2, 3]);
        attachment.Headers.ContentType = MediaTypeHeaderValue.Parse("image/png");
        content.Add(attachment, "attachment", "pixel.png");

        var response = await _sim.SendAsync(HttpMethod.Post, $"{SimulatorHarness.App}/instances?instanceOwnerPartyId=500700", content, token);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var instance = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Contains(instance["data"]!.AsArray(), d => d!["dataType"]!.GetValue<string>() == "model");
    }

    [Fact]
    public async Task A_json_form_data_model_can_be_posted_and_read_back_and_the_active_list_shows_open_instances()
    {
        string token = await _sim.LocaltestTokenAsync();
        var instance = await _sim.CreateInstanceAsync(token);
        await _sim.PutModelAsync(token, instance, new { property1 = "a", property2 = "b" });

        var active = JsonNode.Parse(await (await _sim.SendAsync(HttpMethod.Get, $"{SimulatorHarness.App}/instances/500700/active", bearer: token)).Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal(instance["id"]!.GetValue<string>(), active.Single()!["id"]!.GetValue<string>());

        var validate = await _sim.SendAsync(HttpMethod.Get, $"{SimulatorHarness.InstancePath(instance)}/validate?language=nb", bearer: token);
        Assert.Equal("[]", await validate.Content.ReadAsStringAsync());

        await _sim.SendAsync(HttpMethod.Put, $"{SimulatorHarness.InstancePath(instance)}/process/next", bearer: token);
        active = JsonNode.Parse(await (await _sim.SendAsync(HttpMethod.Get, $"{SimulatorHarness.App}/instances/500700/active", bearer: token)).Content.ReadAsStringAsync())!.AsArray();
        Assert.Empty(active);
    }

    [Fact]
    public async Task Deleting_an_instance_returns_the_storage_instance_and_a_hard_delete_forgets_it()
    {
        string token = await _sim.LocaltestTokenAsync();
        var instance = await _sim.CreateInstanceAsync(token);

        var delete = await _sim.SendAsync(HttpMethod.Delete, $"{SimulatorHarness.InstancePath(instance)}?hard=true", bearer: token);

        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        var body = JsonNode.Parse(await delete.Content.ReadAsStringAsync())!;
        Assert.True(body["status"]!["isHardDeleted"]!.GetValue<bool>());
        Assert.Null(body["instanceOwner"]!["party"]);
        // a forgotten instance is answered like any missing one: 403 (app-lib InstancesController)
        Assert.Equal(HttpStatusCode.Forbidden, (await _sim.SendAsync(HttpMethod.Get, SimulatorHarness.InstancePath(instance), bearer: token)).StatusCode);
    }

    [Fact]
    public async Task The_confirmation_app_needs_confirm_on_its_second_task()
    {
        const string app = "/brg/aarsregnskap-bekreft";
        string token = await _sim.LocaltestTokenAsync();
        var instance = await _sim.CreateInstanceAsync(token, new { property1 = "x", property2 = "y" }, app: app);
        string path = SimulatorHarness.InstancePath(instance, app);

        var first = JsonNode.Parse(await (await _sim.SendAsync(HttpMethod.Put, $"{path}/process/next", bearer: token)).Content.ReadAsStringAsync())!;
        Assert.Equal("Task_2", first["currentTask"]!["elementId"]!.GetValue<string>());
        Assert.Equal("confirmation", first["currentTask"]!["altinnTaskType"]!.GetValue<string>());
        Assert.True(first["currentTask"]!["actions"]!["confirm"]!.GetValue<bool>());
        Assert.Equal(3, first["currentTask"]!["flow"]!.GetValue<int>());

        var write = await _sim.SendAsync(HttpMethod.Put, $"{path}/process/next", SimulatorHarness.Json(new JsonObject { ["action"] = "write" }), token);
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        Assert.Equal("application/problem+json; charset=utf-8", write.Content.Headers.ContentType!.ToString());

        var modelPut = await _sim.SendAsync(HttpMethod.Put, $"{path}/data/{SimulatorHarness.ModelId(instance)}",
            SimulatorHarness.Json(new JsonObject { ["property1"] = "late" }), token);
        Assert.Equal(HttpStatusCode.Forbidden, modelPut.StatusCode); // the policy grants no write at the confirmation task

        var confirm = await _sim.SendAsync(HttpMethod.Put, $"{path}/process/next", SimulatorHarness.Json(new JsonObject { ["action"] = "confirm" }), token);
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        var ended = await _sim.GetInstanceAsync(token, instance, app);
        Assert.Equal("EndEvent_1", ended["process"]!["endEvent"]!.GetValue<string>());
        Assert.Single(ended["data"]!.AsArray(), d => d!["dataType"]!.GetValue<string>() == "ref-data-as-pdf");
    }

    [Fact]
    public async Task Application_metadata_is_served_anonymously()
    {
        var metadata = JsonNode.Parse(await _sim.Http.GetStringAsync($"{SimulatorHarness.App}/api/v1/applicationmetadata"))!;
        Assert.Equal("brg/aarsregnskap", metadata["id"]!.GetValue<string>());
        var attachment = metadata["dataTypes"]!.AsArray().Single(d => d!["id"]!.GetValue<string>() == "attachment")!;
        Assert.Equal(5, attachment["maxSize"]!.GetValue<int>());
        Assert.Equal(3, attachment["maxCount"]!.GetValue<int>());
    }

    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        Assert.Equal("no-store, no-cache", string.Join(", ", response.Headers.GetValues("Cache-Control")));
        Assert.Equal("deny", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("0", response.Headers.GetValues("X-XSS-Protection").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
    }
}
