using System.Text;
using AltinnApp.Core.Api;
using AltinnApp.Core.Http;
using AltinnApp.Core.Models;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Tests;

/// <summary>
/// The in-memory app that submission tests kill at every request: a whole submission through the engine's own
/// client, and what a kill before and after the server acted leaves behind.
/// </summary>
public sealed class FakeAltinnAppTests : IDisposable
{
    private static readonly AppIdentifier App = new("brg", "aarsregnskap");
    private static readonly InstanceOwnerSpec Org = new() { OrganizationNumber = "950474084" };
    private readonly string _folder = Directory.CreateTempSubdirectory("fake-altinn-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    private FileUpload Pdf(string name)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, Encoding.ASCII.GetBytes("%PDF-1.4 " + name));
        return new FileUpload { Path = path, FileName = name, ContentType = "application/pdf", Length = new FileInfo(path).Length };
    }

    private static FormDataPayload Form => new("{\"property1\":\"a\",\"property2\":\"b\"}", "application/json");

    /// <summary>The run ends with the kill, as a cancellation of the run's token (HttpClient wraps it), never as an error of the engine's.</summary>
    private static async Task<SimulatedKill> Killed(Func<Task> run)
    {
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(run);
        var kill = SimulatedKill.In(error);
        Assert.True(kill != null, $"not a simulated kill: {error}");
        Assert.True(error.CancellationToken.IsCancellationRequested);
        return kill;
    }

    private static InstanceIdentifier IdOf(AltinnInstance instance) => InstanceIdentifier.Parse(instance.Id);

    [Fact]
    public async Task A_one_task_app_takes_a_whole_submission_to_its_receipt()
    {
        var fake = new FakeAltinnApp { Clock = () => new DateTime(2026, 5, 31, 12, 0, 0, DateTimeKind.Utc) };
        using var session = await TestSessions.ConnectAsync(fake);
        var client = session.Client;
        var ct = fake.RunToken;

        var application = await client.Applications.GetApplicationAsync(App, ct);
        Assert.Equal(new[] { "ref-data-as-pdf", "model", "attachment" }, application.DataTypes.Select(d => d.Id));
        Assert.Equal("Task_1", application.FindDataType("model").TaskId);
        Assert.Equal(5, application.FindDataType("attachment").MaxCount);

        var created = await client.Instances.CreateInstanceAsync(App, Org, null, null, new Dictionary<string, string> { ["property1"] = "x" }, "nb", null, ct);
        Assert.Equal(500700, created.PartyId);
        Assert.Equal("Task_1", created.CurrentTask);
        Assert.Equal(new DateTime(2026, 5, 31, 12, 0, 0, DateTimeKind.Utc), created.Created);
        var model = Assert.Single(created.GetDataElements("model"));

        var id = IdOf(created);
        var put = await client.Data.PutFormDataAsync(App, id, model.Id, "model", Form, "nb", ct);
        Assert.Equal(model.Id, put.Id);
        var (first, withFirst) = await client.Data.UploadAsync(App, id, "attachment", Pdf("a.pdf"), "nb", null, ct);
        Assert.Equal("a.pdf", first.Filename);
        Assert.Equal(2, withFirst.Data.Count);
        await client.Data.UploadAsync(App, id, "attachment", Pdf("b.pdf"), "nb", null, ct);

        var state = await client.Process.ProcessNextAsync(App, id, "Task_1", null, "nb", ct);
        Assert.True(state.IsEnded);
        var ended = await client.Instances.GetInstanceAsync(App, id, ct);
        Assert.True(ended.Ended);
        Assert.All(ended.Data, d => Assert.True(d.Locked));
        var receipt = Assert.Single(ended.GetDataElements("ref-data-as-pdf"));
        using var sink = new MemoryStream();
        var download = await client.Data.DownloadAsync(App, id, receipt, "application/pdf", "nb", "SaveReceipt", sink, null, ct);
        Assert.Equal("application/pdf", download.ContentType);
        Assert.StartsWith("%PDF", Encoding.ASCII.GetString(sink.ToArray()));

        var again = await Assert.ThrowsAsync<AltinnApiException>(() => client.Process.ProcessNextAsync(App, id, "Task_1", null, "nb", ct));
        Assert.Equal(409, again.StatusCode);

        var held = Assert.Single(fake.InstancesOf("950474084"));
        Assert.True(held.Ended);
        Assert.Equal(new[] { "a.pdf", "b.pdf" }, held.FileNames("attachment"));
        Assert.Equal("{\"property1\":\"a\",\"property2\":\"b\"}", Encoding.UTF8.GetString(held.ElementsOf("model")[0].Bytes));
        Assert.Single(held.ElementsOf("ref-data-as-pdf"));
        Assert.Equal(2, fake.RequestCount(FakeRoute.Upload));
        Assert.Equal(2, fake.RequestCount(FakeRoute.ProcessNext));
        Assert.Equal(1, fake.RequestCount(FakeRoute.DownloadReceipt));
    }

    [Theory]
    [InlineData("confirmation", "confirm")]
    [InlineData("signing", "sign")]
    public async Task A_two_task_app_ends_only_after_its_second_task_and_locks_the_first_tasks_data_on_the_way(string taskType, string action)
    {
        var fake = new FakeAltinnApp("brg/aarsregnskap-bekreft", "Task_1:data", "Task_2:" + taskType);
        var app = new AppIdentifier("brg", "aarsregnskap-bekreft");
        using var session = await TestSessions.ConnectAsync(fake);
        var client = session.Client;
        var created = await client.Instances.CreateInstanceAsync(app, Org, null, null, null, "nb", null, fake.RunToken);
        var id = IdOf(created);
        await client.Data.UploadAsync(app, id, "attachment", Pdf("c.pdf"), "nb", null, fake.RunToken);

        var atTask2 = await client.Process.ProcessNextAsync(app, id, "Task_1", null, "nb", fake.RunToken);
        Assert.False(atTask2.IsEnded);
        Assert.Equal("Task_2", atTask2.CurrentTask.ElementId);
        Assert.Equal(taskType, atTask2.CurrentTask.AltinnTaskType);
        var held = Assert.Single(fake.Instances);
        Assert.Equal("Task_2", held.CurrentTask);
        Assert.All(held.Data, d => Assert.True(d.Locked));
        Assert.Empty(held.ElementsOf("ref-data-as-pdf"));

        var wrong = await Assert.ThrowsAsync<AltinnApiException>(() => client.Process.ProcessNextAsync(app, id, "Task_2", "reject", "nb", fake.RunToken));
        Assert.Equal(403, wrong.StatusCode);
        var done = await client.Process.ProcessNextAsync(app, id, "Task_2", action, "nb", fake.RunToken);
        Assert.True(done.IsEnded);
        Assert.True(fake.Instances[0].Ended);
        Assert.Single(fake.Instances[0].ElementsOf("ref-data-as-pdf"));
    }

    [Fact]
    public async Task A_multipart_create_keeps_its_parts_and_active_lists_and_deletes_work()
    {
        var fake = new FakeAltinnApp();
        using var session = await TestSessions.ConnectAsync(fake);
        var client = session.Client;
        var parts = new[]
        {
            new MultipartPart { DataType = "model", FormData = new FormDataPayload("<model><property1>a</property1></model>", "application/xml") },
            new MultipartPart { DataType = "attachment", File = Pdf("vedlegg 1.pdf") },
        };
        var created = await client.Instances.CreateInstanceMultipartAsync(App, Org, null, null, parts, "nb", null, fake.RunToken);
        Assert.Equal(new[] { "vedlegg 1.pdf" }, created.GetDataElements("attachment").Select(d => d.Filename));
        Assert.Equal("application/xml", fake.Instances[0].ElementsOf("model")[0].ContentType);
        Assert.Equal(FakeRoute.Create, fake.Calls[0].Route);

        var active = await client.Instances.GetActiveInstancesAsync(App, 500700, fake.RunToken);
        Assert.Equal(created.Id, Assert.Single(active).Id);

        var attachment = created.GetDataElements("attachment")[0];
        await client.Data.DeleteDataAsync(App, IdOf(created), attachment.Id, "nb", fake.RunToken);
        Assert.Empty(fake.Instances[0].ElementsOf("attachment"));

        await client.Instances.DeleteInstanceAsync(App, IdOf(created), hard: false, fake.RunToken);
        Assert.True(fake.Instances[0].SoftDeleted);
        Assert.Empty(await client.Instances.GetActiveInstancesAsync(App, 500700, fake.RunToken));
        await client.Instances.DeleteInstanceAsync(App, IdOf(created), hard: true, fake.RunToken);
        Assert.Empty(fake.Instances);
    }

    [Fact]
    public async Task An_owner_is_found_by_organisation_number_person_number_or_party_id_and_an_unknown_one_is_a_404()
    {
        var fake = new FakeAltinnApp();
        fake.Organisations["310461598"] = 500701;
        using var session = await TestSessions.ConnectAsync(fake);
        var client = session.Client;
        var byPerson = await client.Instances.CreateInstanceAsync(App, new InstanceOwnerSpec { PersonNumber = "08089403198" }, null, null, null, "nb", null, fake.RunToken);
        Assert.Equal(500800, byPerson.PartyId);
        var byParty = await client.Instances.CreateInstanceAsync(App, new InstanceOwnerSpec { PartyId = 500701 }, null, null, null, "nb", null, fake.RunToken);
        Assert.Equal("310461598", byParty.InstanceOwner.OrganisationNumber);
        Assert.Single(fake.InstancesOf("08089403198"));
        Assert.Single(fake.InstancesOf("310461598"));
        Assert.Single(fake.InstancesOf("500701"));

        var unknown = await Assert.ThrowsAsync<AltinnApiException>(() =>
            client.Instances.CreateInstanceAsync(App, new InstanceOwnerSpec { OrganizationNumber = "999999999" }, null, null, null, "nb", null, fake.RunToken));
        Assert.Equal(404, unknown.StatusCode);
        Assert.Equal(2, fake.Instances.Count);
    }

    [Fact]
    public async Task A_route_the_fake_does_not_serve_is_a_404_naming_it_and_parties_lists_the_connected_organisation()
    {
        var fake = new FakeAltinnApp();
        using var http = new HttpClient(fake, disposeHandler: false);
        var missing = await http.GetAsync("http://brg.apps.test/brg/aarsregnskap/instances/500700/nope/odd");
        Assert.Equal(404, (int)missing.StatusCode);
        Assert.Contains("GET /brg/aarsregnskap/instances/500700/nope/odd", await missing.Content.ReadAsStringAsync());
        var otherApp = await http.GetAsync("http://brg.apps.test/ttd/other/api/v1/applicationmetadata");
        Assert.Equal(404, (int)otherApp.StatusCode);

        var parties = await http.GetStringAsync("http://brg.apps.test/brg/aarsregnskap/api/v1/parties?allowedToInstantiateFilter=true");
        Assert.Contains("\"partyId\":500700", parties);
        Assert.Contains("\"orgNumber\":\"950474084\"", parties);
        Assert.Equal(new[] { FakeRoute.Unknown, FakeRoute.Unknown, FakeRoute.Parties }, fake.Calls.Select(c => c.Route));
    }

    [Fact]
    public async Task The_upload_route_with_a_query_answers_201_with_the_element_and_form_data_can_be_put_without_its_type()
    {
        var fake = new FakeAltinnApp();
        using var session = await TestSessions.ConnectAsync(fake);
        var created = await session.Client.Instances.CreateInstanceAsync(App, Org, null, null, null, "nb", null, fake.RunToken);
        var model = created.GetDataElements("model")[0];
        using var http = new HttpClient(fake, disposeHandler: false);
        var baseUri = $"http://brg.apps.test/brg/aarsregnskap/instances/{created.Id}/data";

        var file = new ByteArrayContent(new byte[] { 1, 2, 3 });
        file.Headers.ContentType = new("application/pdf");
        file.Headers.ContentDisposition = AppApiTransport.AttachmentDisposition("Årsrapport 2025.pdf");
        var upload = await http.PostAsync(baseUri + "?dataType=attachment", file);
        Assert.Equal(201, (int)upload.StatusCode);
        var element = System.Text.Json.JsonSerializer.Deserialize<AltinnDataElement>(await upload.Content.ReadAsStringAsync(), AltinnJson.Options);
        Assert.Equal("Årsrapport 2025.pdf", element.Filename);
        Assert.Equal(3, element.Size);

        var put = await http.PutAsync($"{baseUri}/{model.Id}", new StringContent("<model/>", Encoding.UTF8, "application/xml"));
        Assert.Equal(201, (int)put.StatusCode);
        var held = fake.Instances[0];
        Assert.Equal("<model/>", Encoding.UTF8.GetString(held.ElementsOf("model")[0].Bytes));
        Assert.Equal(new[] { "Årsrapport 2025.pdf" }, held.FileNames("attachment"));
        Assert.Equal("application/pdf", held.ElementsOf("attachment")[0].ContentType);
    }

    // ---- kills ----

    [Fact]
    public async Task A_kill_after_the_create_leaves_the_instance_and_the_dead_run_sends_nothing_more()
    {
        var fake = new FakeAltinnApp { Kill = c => c.Route == FakeRoute.Create ? FakeKill.AfterApply : FakeKill.None };
        using (var session = await TestSessions.ConnectAsync(fake, retries: 3))
        {
            var kill = await Killed(() => session.Client.Instances.CreateInstanceAsync(App, Org, null, null, null, "nb", null, fake.RunToken));
            Assert.Equal(FakeKill.AfterApply, kill.When);
            Assert.Equal(FakeRoute.Create, fake.KilledAt.Route);
            Assert.True(fake.RunToken.IsCancellationRequested);
            Assert.Single(fake.Instances);

            // neither repeated nor reconciled by the transport, and later requests of the dead run never arrive
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => session.Client.Instances.GetActiveInstancesAsync(App, 500700, fake.RunToken));
            Assert.Single(fake.Calls);
        }

        fake.Revive();
        fake.Kill = null;
        using var rerun = await TestSessions.ConnectAsync(fake);
        var active = await rerun.Client.Instances.GetActiveInstancesAsync(App, 500700, fake.RunToken);
        Assert.Equal(fake.Instances[0].Id, Assert.Single(active).Id);
        Assert.Equal(1, fake.RequestCount(FakeRoute.Create));
    }

    [Fact]
    public async Task A_kill_before_the_create_leaves_nothing()
    {
        var fake = new FakeAltinnApp { Kill = c => c.Route == FakeRoute.Create ? FakeKill.BeforeApply : FakeKill.None };
        using var session = await TestSessions.ConnectAsync(fake, retries: 3);
        var kill = await Killed(() => session.Client.Instances.CreateInstanceAsync(App, Org, null, null, null, "nb", null, fake.RunToken));
        Assert.Equal(FakeKill.BeforeApply, kill.When);
        Assert.Empty(fake.Instances);
        Assert.Equal(1, fake.RequestCount(FakeRoute.Create));
    }

    [Theory]
    [InlineData(FakeKill.BeforeApply)]
    [InlineData(FakeKill.AfterApply)]
    public async Task A_kill_at_an_upload_or_at_process_next_changes_the_state_only_after_apply(FakeKill when)
    {
        var fake = new FakeAltinnApp();
        using var session = await TestSessions.ConnectAsync(fake, retries: 3);
        var client = session.Client;
        var created = await client.Instances.CreateInstanceAsync(App, Org, null, null, null, "nb", null, fake.RunToken);
        var id = IdOf(created);

        fake.Kill = c => c.Route == FakeRoute.Upload ? when : FakeKill.None;
        await Killed(() => client.Data.UploadAsync(App, id, "attachment", Pdf("a.pdf"), "nb", null, fake.RunToken));
        Assert.Equal(when == FakeKill.AfterApply ? new[] { "a.pdf" } : Array.Empty<string>(), fake.Instances[0].FileNames("attachment"));

        fake.Revive();
        fake.Kill = c => c.Route == FakeRoute.ProcessNext ? when : FakeKill.None;
        await Killed(() => client.Process.ProcessNextAsync(App, id, "Task_1", null, "nb", fake.RunToken));
        Assert.Equal(when == FakeKill.AfterApply, fake.Instances[0].Ended);
        Assert.Equal(when == FakeKill.AfterApply ? 1 : 0, fake.Instances[0].ElementsOf("ref-data-as-pdf").Length);
        Assert.Equal(1, fake.RequestCount(FakeRoute.ProcessNext));
    }

    [Fact]
    public async Task A_kill_inside_an_upload_of_several_files_is_not_turned_into_an_error_result_or_undone()
    {
        var fake = new FakeAltinnApp();
        using var session = await TestSessions.ConnectAsync(fake);
        var created = await session.Client.Instances.CreateInstanceAsync(App, Org, null, null, null, "nb", null, fake.RunToken);
        var uploads = 0;
        fake.Kill = c => c.Route == FakeRoute.Upload && ++uploads == 2 ? FakeKill.AfterApply : FakeKill.None;

        await Killed(() => AttachmentUploads.UploadAllAsync(session.Client.Data, App, IdOf(created), "attachment",
            new[] { Pdf("a.pdf"), Pdf("b.pdf"), Pdf("c.pdf") }, "nb", null, fake.RunToken));

        Assert.Equal(new[] { "a.pdf", "b.pdf" }, fake.Instances[0].FileNames("attachment"));
        Assert.Equal(0, fake.RequestCount(FakeRoute.DeleteData));
    }

    [Fact]
    public async Task A_kill_at_the_metadata_read_reaches_the_caller_as_the_runs_cancellation_and_is_not_cached()
    {
        // the shared read runs on the token of the caller that starts it: the kill ends it, and the next run reads again
        var fake = new FakeAltinnApp { Kill = c => c.Route == FakeRoute.Metadata && c.Number == 1 ? FakeKill.BeforeApply : FakeKill.None };
        using var session = await TestSessions.ConnectAsync(fake, retries: 2);
        var token = fake.RunToken;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => session.Client.Applications.GetApplicationAsync(App, token));
        Assert.True(token.IsCancellationRequested);
        Assert.Equal(FakeRoute.Metadata, fake.KilledAt.Route);
        Assert.Single(fake.Calls);
        Assert.Empty(session.CachedApplications);

        fake.Revive();
        var application = await session.Client.Applications.GetApplicationAsync(App, fake.RunToken);
        Assert.NotNull(application);
        Assert.Equal(2, fake.Calls.Count);
    }

    [Fact]
    public async Task The_kill_hook_sees_every_request_with_its_kind_and_running_number()
    {
        var seen = new List<FakeCall>();
        var fake = new FakeAltinnApp { Kill = c => { seen.Add(c); return FakeKill.None; } };
        using var session = await TestSessions.ConnectAsync(fake);
        var created = await session.Client.Instances.CreateInstanceAsync(App, Org, null, null, null, "nb", null, fake.RunToken);
        await session.Client.Instances.GetInstanceAsync(App, IdOf(created), fake.RunToken);
        await session.Client.Process.GetProcessAsync(App, IdOf(created), fake.RunToken);
        Assert.Equal(new[] { FakeRoute.Create, FakeRoute.GetInstance, FakeRoute.GetProcess }, seen.Select(c => c.Route));
        Assert.Equal(new[] { 1, 2, 3 }, seen.Select(c => c.Number));
        Assert.Equal(new[] { "POST", "GET", "GET" }, seen.Select(c => c.Method));
    }
}
