using System.Net;
using System.Text;
using AltinnApp.Core.Api;
using AltinnApp.Core.Http;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Tests;

/// <summary>
/// How the engine names locked data, a missing instance and process/next's refusals, and that it repeats a process/next
/// that failed with 500 only once it has seen the process where it was (app-lib undoes a failed end-of-task step).
/// </summary>
public class FidelityProcessEngineTests
{
    private static readonly AppIdentifier App = new("brg", "aarsregnskap-bekreft");
    private static readonly InstanceIdentifier Id = InstanceIdentifier.Parse("500700/232c5390-9479-4506-a266-9890d7287bfb");
    private const string ModelGuid = "7a1c1f4e-8d0a-4d5e-9a51-0d6f2b0c1a11";

    private sealed class FakeAltinn(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public readonly List<string> Seen = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Seen.Add($"{request.Method} {request.RequestUri!.AbsolutePath}");
            return Task.FromResult(answer(request));
        }
    }

    private static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK, string mediaType = "application/json") =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, mediaType) };

    private static HttpResponseMessage BareProblem(int status, string title) =>
        Json($"{{\"type\":\"https://tools.ietf.org/html/rfc9110#section-15.5\",\"title\":\"{title}\",\"status\":{status},\"traceId\":\"00-1-2-00\"}}", (HttpStatusCode)status, "application/problem+json");

    private const string Metadata =
        "{\"id\":\"brg/aarsregnskap-bekreft\",\"dataTypes\":[{\"id\":\"model\",\"allowedContentTypes\":[\"application/xml\"],\"appLogic\":{\"classRef\":\"App.Model\"},\"taskId\":\"Task_1\",\"maxCount\":1,\"minCount\":1}," +
        "{\"id\":\"attachment\",\"allowedContentTypes\":[\"text/plain\"],\"taskId\":\"Task_1\",\"maxCount\":3}]}";

    private static AltinnApiException Refusal(int status, string body)
    {
        var parsed = ErrorMapper.ParseBody(body, "application/problem+json");
        return new AltinnApiException("Altinn.SetData.Http" + status, ErrorMapper.KindFor(status), "failed", status, parsed);
    }

    // ---- locked data ----

    [Fact]
    public async Task Storages_bare_409_on_a_data_PUT_says_the_element_is_locked_because_its_task_ended()
    {
        var handler = new FakeAltinn(r => r.RequestUri!.AbsolutePath.EndsWith("applicationmetadata", StringComparison.Ordinal)
            ? Json(Metadata)
            : BareProblem(409, "Conflict"));
        var session = await TestSessions.ConnectAsync(handler);

        var error = await Assert.ThrowsAsync<AltinnApiException>(() => session.Client.Data.PutFormDataAsync(App, Id, ModelGuid, "model",
            new FormDataPayload("<model/>", "application/xml"), "nb", CancellationToken.None));

        Assert.Equal("Altinn.SetData.DataLocked", error.ErrorId);
        Assert.Equal(409, error.StatusCode);
        Assert.Contains($"Data element {ModelGuid} ('model') of instance {Id} is locked because task Task_1, which 'model' belongs to, has ended", error.Message);
        Assert.DoesNotContain("submitted", error.Message);
    }

    private static string InstanceJson(string currentTask, string taskType, bool ended) =>
        "{\"id\":\"" + Id + "\",\"appId\":\"brg/aarsregnskap-bekreft\",\"instanceOwner\":{\"partyId\":\"500700\",\"organisationNumber\":\"950474084\"}," +
        "\"process\":{\"started\":\"2026-12-01T10:00:00Z\"," +
        (ended ? "\"ended\":\"2026-12-01T10:05:00Z\",\"endEvent\":\"EndEvent_1\"" : "\"currentTask\":{\"elementId\":\"" + currentTask + "\",\"altinnTaskType\":\"" + taskType + "\"}") +
        "},\"status\":{\"isArchived\":" + (ended ? "true" : "false") + "},\"data\":[]}";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_403_to_a_data_change_reads_the_instance_to_say_whether_the_task_grants_no_write_or_the_instance_was_submitted(bool ended)
    {
        var handler = new FakeAltinn(r => r.Method == HttpMethod.Get && !r.RequestUri!.AbsolutePath.EndsWith("applicationmetadata", StringComparison.Ordinal)
            ? Json(InstanceJson("Task_2", "confirmation", ended))
            : r.Method == HttpMethod.Get ? Json(Metadata) : BareProblem(403, "Forbidden"));
        var session = await TestSessions.ConnectAsync(handler);

        var error = await Assert.ThrowsAsync<AltinnApiException>(() => session.Client.Data.PutFormDataAsync(App, Id, ModelGuid, "model",
            new FormDataPayload("<model/>", "application/xml"), "nb", CancellationToken.None));

        Assert.Equal(403, error.StatusCode);
        Assert.Contains($"GET /brg/aarsregnskap-bekreft/instances/{Id}", handler.Seen);
        if (ended)
        {
            Assert.Equal("Altinn.SetData.DataLocked", error.ErrorId);
            Assert.Contains("submitted", error.Message);
        }
        else
        {
            Assert.Equal("Altinn.SetData.Forbidden", error.ErrorId);
            Assert.Contains("does not grant 'write' at the task the instance is at (Task_2, a confirmation task)", error.Message);
            Assert.Contains("no longer exists", error.Message);
        }
    }

    [Fact]
    public async Task A_403_to_a_data_change_of_an_instance_that_cannot_be_read_gives_the_general_explanation()
    {
        var handler = new FakeAltinn(r => r.RequestUri!.AbsolutePath.EndsWith("applicationmetadata", StringComparison.Ordinal)
            ? Json(Metadata)
            : BareProblem(403, "Forbidden"));
        var session = await TestSessions.ConnectAsync(handler);

        var error = await Assert.ThrowsAsync<AltinnApiException>(() => session.Client.Data.DeleteDataAsync(App, Id, ModelGuid, "nb", CancellationToken.None));

        Assert.Equal("Altinn.RemoveData.Forbidden", error.ErrorId);
        Assert.Contains("does not grant 'write' at the task the instance is at:", error.Message);
        Assert.Contains("the system user has not been given the rights to brg/aarsregnskap-bekreft", error.Message);
    }

    [Fact]
    public async Task A_form_the_app_cannot_read_into_its_model_names_the_field_and_says_what_each_field_takes()
    {
        const string refusal = "{\"title\":\"Failed to deserialize JSON\",\"status\":400,\"detail\":\"The JSON value could not be converted to System.String. Path: $.property1 | LineNumber: 0 | BytePositionInLine: 17.\"}";
        var handler = new FakeAltinn(r => r.RequestUri!.AbsolutePath.EndsWith("applicationmetadata", StringComparison.Ordinal)
            ? Json(Metadata)
            : Json(refusal, HttpStatusCode.BadRequest, "application/problem+json"));
        var session = await TestSessions.ConnectAsync(handler);

        var error = await Assert.ThrowsAsync<AltinnApiException>(() => session.Client.Data.PutFormDataAsync(App, Id, ModelGuid, "model",
            new FormDataPayload("{\"property1\": 123}", "application/json"), "nb", CancellationToken.None));

        Assert.Equal("Altinn.SetData.FormDataRefused", error.ErrorId);
        Assert.Equal(AltinnErrorKind.InvalidData, error.Kind);
        Assert.Contains("could not read the 'model' form data into its data model: The JSON value could not be converted to System.String. Path: $.property1", error.Message);
        Assert.Contains("a text field a string (quote a number", error.Message);
    }

    [Fact]
    public void An_inactive_instance_is_the_submitted_or_deleted_case_and_Conflict_with_Current_Task_names_the_app_setting()
    {
        var closed = ServerErrors.ExplainDataConflict(Refusal(409, "{\"title\":\"Instance Not Active\",\"status\":409,\"detail\":\"Cannot update data element of archived or deleted instance\"}"),
            "SetData", "brg/aarsregnskap", Id.ToString(), "model");
        Assert.Equal("Altinn.SetData.DataLocked", closed.ErrorId);
        Assert.Contains("submitted (its process has ended) or deleted", closed.Message);

        var enforced = ServerErrors.ExplainDataConflict(Refusal(409, "{\"title\":\"Conflict with Current Task\",\"status\":409,\"detail\":\"Data element of type attachment can only be modified in Task_1 (current task Task_2)\"}"),
            "AddAttachment", "brg/aarsregnskap", Id.ToString(), "attachment", null, "Task_1");
        Assert.Equal("Altinn.AddAttachment.WrongTask", enforced.ErrorId);
        Assert.Contains("EnforceDataTypeTaskId", enforced.Message);
        Assert.Contains("(Task_1)", enforced.Message);
    }

    // ---- a missing instance ----

    [Theory]
    [InlineData(403)]
    [InlineData(404)]
    public async Task A_missing_or_forbidden_instance_has_one_ErrorId_and_says_what_to_check(int status)
    {
        var session = await TestSessions.ConnectAsync(new FakeAltinn(_ => BareProblem(status, status == 403 ? "Forbidden" : "Not Found")));

        var error = await Assert.ThrowsAsync<AltinnApiException>(() => session.Client.Instances.GetInstanceAsync(App, Id, CancellationToken.None));

        Assert.Equal(ServerErrors.InstanceNotFoundOrForbiddenId, error.ErrorId);
        Assert.Equal("Altinn.Instance.NotFoundOrForbidden", error.ErrorId);
        Assert.Equal(status, error.StatusCode);
        Assert.Contains("does not exist there, or this system user may not see it", error.Message);
        Assert.Contains("the party 500700: it must be the organisation the system user acts for (950474084)", error.Message);
        Assert.Contains("rights to brg/aarsregnskap-bekreft", error.Message);
    }

    [Fact]
    public async Task Process_next_on_a_missing_instance_gets_the_one_ErrorId_from_storages_404_too()
    {
        var session = await TestSessions.ConnectAsync(new FakeAltinn(_ => BareProblem(404, "Not Found")));

        var error = await Assert.ThrowsAsync<AltinnApiException>(() => session.Client.Process.ProcessNextAsync(App, Id, "Task_1", null, "nb", CancellationToken.None));

        Assert.Equal("Altinn.Instance.NotFoundOrForbidden", error.ErrorId);
        Assert.Equal(404, error.StatusCode);
        var instance = new AltinnInstance { Id = Id.ToString(), Process = new AltinnProcessState { CurrentTask = new AltinnProcessTask { ElementId = "Task_1", AltinnTaskType = "data" } } };
        Assert.Same(error, ServerErrors.ExplainProcessNext(error, instance, null));
    }

    // ---- process/next ----

    [Fact]
    public async Task A_500_from_process_next_is_repeated_after_the_process_is_seen_where_it_was()
    {
        int puts = 0;
        var handler = new FakeAltinn(r =>
        {
            if (r.Method == HttpMethod.Put)
                return ++puts == 1
                    ? Json("{\"title\":\"Process next failed.\",\"status\":500,\"detail\":\"Pdf generation failed\"}", HttpStatusCode.InternalServerError, "application/problem+json")
                    : Json("{\"currentTask\":{\"elementId\":\"Task_2\",\"altinnTaskType\":\"confirmation\"}}");
            return Json("{\"currentTask\":{\"elementId\":\"Task_1\",\"altinnTaskType\":\"data\"}}");
        });
        var session = await TestSessions.ConnectAsync(handler, retries: 2);

        var state = await session.Client.Process.ProcessNextAsync(App, Id, "Task_1", null, "nb", CancellationToken.None);

        Assert.Equal("Task_2", state.CurrentTask!.ElementId);
        var path = $"/brg/aarsregnskap-bekreft/instances/{Id}/process";
        Assert.Equal(new[] { $"PUT {path}/next", $"GET {path}", $"PUT {path}/next" }, handler.Seen);
    }

    [Fact]
    public async Task A_500_after_which_the_process_has_moved_is_not_repeated()
    {
        var handler = new FakeAltinn(r => r.Method == HttpMethod.Put
            ? Json("{\"title\":\"Process next failed.\",\"status\":500}", HttpStatusCode.InternalServerError, "application/problem+json")
            : Json("{\"currentTask\":{\"elementId\":\"Task_2\",\"altinnTaskType\":\"confirmation\"}}"));
        var session = await TestSessions.ConnectAsync(handler, retries: 2);

        var state = await session.Client.Process.ProcessNextAsync(App, Id, "Task_1", null, "nb", CancellationToken.None);

        Assert.Equal("Task_2", state.CurrentTask!.ElementId);
        Assert.Single(handler.Seen, s => s.StartsWith("PUT", StringComparison.Ordinal));
    }

    [Fact]
    public void A_500_that_remains_says_it_is_safe_to_send_again()
    {
        var instance = new AltinnInstance { Id = Id.ToString(), Process = new AltinnProcessState { CurrentTask = new AltinnProcessTask { ElementId = "Task_1", AltinnTaskType = "data" } } };
        var explained = ServerErrors.ExplainProcessNext(Refusal(500, "{\"title\":\"Process next failed.\",\"status\":500,\"detail\":\"Pdf generation failed\"}"), instance, null);

        Assert.Equal("Altinn.ProcessNext.ServerError", explained.ErrorId);
        Assert.Contains("Pdf generation failed", explained.Message);
        Assert.Contains("safe to send again", explained.Message);
    }

    [Fact]
    public void A_403_for_an_action_the_task_does_not_grant_points_at_the_policy()
    {
        var instance = new AltinnInstance { Id = Id.ToString(), Process = new AltinnProcessState { CurrentTask = new AltinnProcessTask { ElementId = "Task_2", AltinnTaskType = "confirmation" } } };
        var explained = ServerErrors.ExplainProcessNext(Refusal(403, "{\"title\":\"Unauthorized\",\"status\":403,\"detail\":\"User is not authorized to perform process next. Task ID: Task_2. Task type: confirmation. Action: confirm.\"}"), instance, "confirm");

        Assert.Equal("Altinn.ProcessNext.Forbidden", explained.ErrorId);
        Assert.Contains("policy does not grant the system user 'confirm' at task Task_2", explained.Message);
    }
}
