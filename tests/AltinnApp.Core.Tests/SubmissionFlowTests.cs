using System.Net;
using System.Text;
using AltinnApp.Core.Api;
using AltinnApp.Core.Http;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Tests;

/// <summary>
/// The engine's part of the submission flow: metadata checks, how Altinn's refusals are named, the upload
/// body, the wait for the virus scan and downloads, against a fake Altinn behind the session's handler.
/// </summary>
public class SubmissionFlowTests
{
    private static readonly AppIdentifier App = new("brg", "aarsregnskap");
    private static readonly InstanceIdentifier Id = InstanceIdentifier.Parse("500700/232c5390-9479-4506-a266-9890d7287bfb");

    /// <summary>Answers by a function of the request; keeps the requests and their bodies as sent.</summary>
    private sealed class FakeAltinn : HttpMessageHandler
    {
        private readonly Func<HttpRequestMessage, int, HttpResponseMessage> _answer;
        public readonly List<(HttpRequestMessage Request, byte[] Body)> Seen = new();

        public FakeAltinn(Func<HttpRequestMessage, int, HttpResponseMessage> answer) => _answer = answer;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content == null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            Seen.Add((request, body));
            return _answer(request, Seen.Count);
        }
    }

    private static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private static string InstanceJson(params (string Id, string DataType, string Scan, string File)[] data) =>
        "{\"id\":\"" + Id + "\",\"appId\":\"brg/aarsregnskap\",\"process\":{\"currentTask\":{\"elementId\":\"Task_1\"}},\"data\":[" +
        string.Join(",", data.Select(d => $"{{\"id\":\"{d.Id}\",\"dataType\":\"{d.DataType}\",\"filename\":\"{d.File}\",\"fileScanResult\":\"{d.Scan}\"}}")) + "]}";

    private static AltinnApplication Application(string allowed = "\"application/pdf\",\"image/png\"", int maxSize = 1, int maxCount = 2) =>
        System.Text.Json.JsonSerializer.Deserialize<AltinnApplication>(
            "{\"id\":\"brg/aarsregnskap\",\"dataTypes\":[" +
            "{\"id\":\"ref-data-as-pdf\",\"allowedContentTypes\":[\"application/pdf\"]}," +
            "{\"id\":\"model\",\"allowedContentTypes\":[\"application/xml\"],\"appLogic\":{\"classRef\":\"App.Model\"},\"maxCount\":1}," +
            $"{{\"id\":\"attachment\",\"allowedContentTypes\":[{allowed}],\"maxSize\":{maxSize},\"maxCount\":{maxCount}}}]}}",
            AltinnJson.Options)!;

    // ---- metadata checks before sending ----

    [Theory]
    [InlineData("nosuch", "a.pdf", "application/pdf", 10, "UnknownDataType")]
    [InlineData("model", "a.pdf", "application/pdf", 10, "IsFormData")]
    [InlineData("ref-data-as-pdf", "a.pdf", "application/pdf", 10, "Receipt")]
    [InlineData("attachment", "a.csv", "text/csv", 10, "ContentTypeNotAllowed")]
    [InlineData("attachment", "a.pdf", "application/pdf", 0, "EmptyFile")]
    [InlineData("attachment", "a.pdf", "application/pdf", 1024 * 1024 + 1, "TooLarge")]
    public void A_file_the_app_does_not_take_is_refused_with_its_reason(string dataType, string name, string contentType, long length, string reason)
    {
        var app = Application();
        var error = Assert.ThrowsAny<AltinnException>(() =>
        {
            var type = MetadataRules.RequireDataType(app, dataType, "AddAttachment");
            MetadataRules.CheckFile(app, type, new FileUpload { FileName = name, ContentType = contentType, Length = length }, "AddAttachment");
        });
        Assert.Equal($"Altinn.AddAttachment.{reason}", error.ErrorId);
        Assert.Equal(AltinnErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void A_file_within_the_rules_passes_and_an_empty_list_of_content_types_takes_anything()
    {
        var app = Application();
        MetadataRules.CheckFile(app, app.FindDataType("attachment"), new FileUpload { FileName = "a.png", ContentType = "image/png", Length = 1024 * 1024 }, "AddAttachment");
        var open = Application(allowed: "");
        MetadataRules.CheckFile(open, open.FindDataType("attachment"), new FileUpload { FileName = "a.exe", ContentType = "application/octet-stream", Length = 5 }, "AddAttachment");
    }

    [Fact]
    public void The_count_counts_what_the_instance_has_and_what_is_added()
    {
        var app = Application(maxCount: 2);
        var type = app.FindDataType("attachment");
        MetadataRules.CheckCount(app, type, 1, 1, "AddAttachment");
        var error = Assert.Throws<AltinnArgumentException>(() => MetadataRules.CheckCount(app, type, 1, 2, "AddAttachment"));
        Assert.Equal("Altinn.AddAttachment.TooMany", error.ErrorId);
        Assert.Contains("at most 2", error.Message);
        var unlimited = Application(maxCount: 0);
        MetadataRules.CheckCount(unlimited, unlimited.FindDataType("attachment"), 100, 100, "AddAttachment"); // 0 = no limit
    }

    [Fact]
    public void Multipart_form_data_must_be_in_a_content_type_the_type_takes()
    {
        var app = Application();
        var json = new MultipartPart { DataType = "model", FormData = new FormDataPayload("{}", "application/json") };
        var error = Assert.Throws<AltinnArgumentException>(() => MetadataRules.CheckParts(app, new[] { json }, "NewInstance"));
        Assert.Equal("Altinn.NewInstance.ContentTypeNotAllowed", error.ErrorId);
        Assert.Contains("XML", error.Message);
        MetadataRules.CheckParts(app, new[] { new MultipartPart { DataType = "model", FormData = new FormDataPayload("<model/>", "application/xml") } }, "NewInstance");

        var twoModels = Enumerable.Repeat(new MultipartPart { DataType = "model", FormData = new FormDataPayload("<model/>", "application/xml") }, 2).ToArray();
        Assert.Equal("Altinn.NewInstance.TooMany", Assert.Throws<AltinnArgumentException>(() => MetadataRules.CheckParts(app, twoModels, "NewInstance")).ErrorId);
    }

    // ---- Altinn's refusals get the same ErrorIds ----

    private static AltinnApiException Refusal(int status, string body, string mediaType = "application/problem+json")
    {
        var parsed = ErrorMapper.ParseBody(body, mediaType);
        return new AltinnApiException("Altinn.AddAttachment.Http" + status, ErrorMapper.KindFor(status), "Uploading failed", status, parsed) { ValidationIssues = parsed.ValidationIssues };
    }

    [Theory]
    [InlineData(400, "{\"title\":\"Data Type Not Found\",\"status\":400,\"detail\":\"Data type x not found\"}", "UnknownDataType")]
    [InlineData(400, "{\"title\":\"File validation failed\",\"status\":400,\"detail\":\"Common checks failed\",\"uploadValidationIssues\":[{\"severity\":1,\"code\":\"ContentTypeNotAllowed\",\"description\":\"Invalid content type: image/png. Permitted content types include: application/pdf\"}]}", "ContentTypeNotAllowed")]
    [InlineData(400, "{\"title\":\"File validation failed\",\"status\":400,\"uploadValidationIssues\":[{\"severity\":1,\"code\":\"DataElementTooLarge\",\"description\":\"Binary attachment exceeds limit\"}]}", "TooLarge")]
    [InlineData(413, "{\"title\":\"Request too large\",\"status\":413}", "TooLarge")]
    [InlineData(400, "{\"title\":\"File validation failed\",\"status\":400,\"uploadValidationIssues\":[{\"severity\":1,\"code\":\"MissingFileName\",\"description\":\"must contain a valid filename\"}]}", "InvalidFileName")]
    [InlineData(400, "\"Error when comparing content to application metadata: Multipart section named, 'x' does not correspond to an element type in application metadata\"", "UnknownDataType")]
    [InlineData(400, "\"Error when comparing content to application metadata: The multipart section named attachment has a Content-Type 'image/png' which is invalid for element type 'attachment'\"", "ContentTypeNotAllowed")]
    [InlineData(400, "\"Error when comparing content to application metadata: The list of parts contains more elements of type 'attachment' than the element type allows.\"", "TooMany")]
    [InlineData(400, "\"Error when comparing content to application metadata: The multipart section named attachment exceeds the size limit of element type 'attachment'\"", "TooLarge")]
    public void Metadata_refusals_are_named_like_the_checks_before_sending(int status, string body, string reason)
    {
        var explained = ServerErrors.ExplainMetadataRejection(Refusal(status, body), "AddAttachment", "brg/aarsregnskap");
        Assert.NotNull(explained);
        Assert.Equal($"Altinn.AddAttachment.{reason}", explained.ErrorId);
        Assert.Equal(status, explained.StatusCode);
        if (reason != "InvalidFileName") Assert.Contains("Get-AltinnApplication -App brg/aarsregnskap", explained.Message);
    }

    [Fact]
    public void Other_refusals_are_left_to_the_general_mapping()
    {
        Assert.Null(ServerErrors.ExplainMetadataRejection(Refusal(403, "{\"title\":\"Forbidden\",\"status\":403}"), "AddAttachment", "brg/aarsregnskap"));
        Assert.Null(ServerErrors.ExplainMetadataRejection(Refusal(400, "{\"title\":\"Failed to deserialize XML\",\"status\":400}"), "SetData", "brg/aarsregnskap"));
    }

    [Theory]
    [InlineData("{\"title\":\"Instance Not Active\",\"status\":409,\"detail\":\"Cannot update data element of archived or deleted instance\"}", "DataLocked")]
    [InlineData("{\"type\":\"https://tools.ietf.org/html/rfc9110#section-15.5.10\",\"title\":\"Conflict\",\"status\":409}", "DataLocked")]
    [InlineData("{\"title\":\"No current task\",\"status\":409}", "DataLocked")]
    [InlineData("{\"title\":\"Conflict with Current Task\",\"status\":409}", "WrongTask")]
    [InlineData("{\"title\":\"Max Count Exceeded\",\"status\":409}", "TooMany")]
    public void Data_conflicts_say_what_blocked_the_change(string body, string reason)
    {
        var explained = ServerErrors.ExplainDataConflict(Refusal(409, body), "SetData", "brg/aarsregnskap", Id.ToString(), "model");
        Assert.Equal($"Altinn.SetData.{reason}", explained.ErrorId);
        Assert.Contains(reason == "DataLocked" ? "locked" : reason == "WrongTask" ? "task" : "MaxCount", explained.Message);
    }

    private static AltinnInstance InstanceAt(string task, string taskType) =>
        new() { Id = Id.ToString(), Process = new AltinnProcessState { CurrentTask = task == null ? null : new AltinnProcessTask { ElementId = task, AltinnTaskType = taskType } } };

    [Fact]
    public void A_failed_validation_lists_every_issue_and_keeps_them_as_objects()
    {
        var body = "{\"title\":\"Validation failed for task\",\"detail\":\"2 validation errors found for task Task_1\",\"status\":409,\"validationIssues\":[" +
                   "{\"severity\":1,\"field\":\"property1\",\"code\":\"required\",\"description\":\"Feltet er påkrevd\",\"source\":\"Required\"}," +
                   "{\"severity\":2,\"field\":\"property3\",\"code\":\"short\",\"description\":\"Kort tekst\",\"source\":\"Custom\"}]}";
        var explained = ServerErrors.ExplainProcessNext(Refusal(409, body), InstanceAt("Task_1", "data"), null);
        Assert.Equal("Altinn.ProcessNext.ValidationFailed", explained.ErrorId);
        Assert.Equal(2, explained.ValidationIssues.Count);
        Assert.All(explained.ValidationIssues, i => Assert.Equal(Id.ToString(), i.InstanceId));
        Assert.Contains("1 error(s)", explained.Message);
        Assert.Contains("Error: property1: Feltet er påkrevd [required]", explained.Message);
        Assert.Contains("Warning: property3: Kort tekst [short]", explained.Message);
    }

    [Theory]
    [InlineData("{\"status\":409,\"detail\":\"Process is ended.\",\"validationIssues\":null}", "ProcessEnded")]
    [InlineData("{\"status\":409,\"detail\":\"Process is not started. Use start!\",\"validationIssues\":null}", "NotStarted")]
    [InlineData("{\"type\":\"https://tools.ietf.org/html/rfc9110#section-15.5.10\",\"title\":\"Conflict\",\"status\":409}", "Concurrent")]
    [InlineData("", "Concurrent")]
    public void Each_kind_of_process_conflict_has_its_own_error(string body, string reason)
    {
        var explained = ServerErrors.ExplainProcessNext(Refusal(409, body), InstanceAt("Task_1", "data"), null);
        Assert.Equal($"Altinn.ProcessNext.{reason}", explained.ErrorId);
    }

    [Fact]
    public void The_wrong_action_for_a_confirmation_task_names_the_right_one()
    {
        var body = "{\"title\":\"Unauthorized\",\"detail\":\"User is not authorized to perform process next. Task ID: Task_2. Action: write.\",\"status\":403}";
        var explained = ServerErrors.ExplainProcessNext(Refusal(403, body), InstanceAt("Task_2", "confirmation"), "write");
        Assert.Equal("Altinn.ProcessNext.Forbidden", explained.ErrorId);
        Assert.Equal(AltinnErrorKind.PermissionDenied, explained.Kind);
        Assert.Contains("-Action confirm", explained.Message);
    }

    // ---- the upload on the wire ----

    [Fact]
    public void The_file_name_is_quoted_and_carried_in_RFC_5987_form()
    {
        var disposition = AppApiTransport.AttachmentDisposition("Årsrapport \"endelig\" 2025.pdf").ToString();
        Assert.Equal("attachment; filename=\"_rsrapport _endelig_ 2025.pdf\"; filename*=UTF-8''%C3%85rsrapport%20%22endelig%22%202025.pdf", disposition);
    }

    [Fact]
    public async Task An_upload_is_streamed_with_its_length_content_type_and_progress()
    {
        var path = Path.GetTempFileName();
        try
        {
            var bytes = new byte[1_000_000];
            new Random(3).NextBytes(bytes);
            await File.WriteAllBytesAsync(path, bytes);
            var handler = new FakeAltinn((r, n) => Json("{\"newDataElementId\":\"d1\",\"instance\":" + InstanceJson(("d1", "attachment", "NotApplicable", "a.pdf")) + "}"));
            using var session = await TestSessions.ConnectAsync(handler);
            var reports = new List<long>();
            var file = new FileUpload { Path = path, FileName = "a.pdf", ContentType = "application/pdf", Length = bytes.Length };

            var (element, instance) = await session.Client.Data.UploadAsync(App, Id, "attachment", file, "nb", new ListProgress(reports), CancellationToken.None);

            var (request, body) = Assert.Single(handler.Seen);
            Assert.Equal(HttpMethod.Post, request.Method);
            Assert.Equal($"http://brg.apps.test/brg/aarsregnskap/instances/{Id}/data/type/attachment?language=nb", request.RequestUri!.ToString());
            Assert.Equal("application/pdf", request.Content!.Headers.ContentType!.MediaType);
            Assert.Equal(bytes.Length, request.Content.Headers.ContentLength);
            Assert.Equal(bytes, body);
            Assert.True(reports.Count > 5, "progress is reported as the file is sent, chunk by chunk");
            Assert.Equal(bytes.Length, reports[^1]);
            Assert.Equal("d1", element.Id);
            Assert.Equal(Id.ToString(), element.InstanceId);
            Assert.Same(session, instance.Session);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed class ListProgress(List<long> reports) : IProgress<long>
    {
        public void Report(long value) => reports.Add(value);
    }

    [Fact]
    public async Task An_upload_refused_for_metadata_reasons_drops_the_sessions_copy_of_the_metadata()
    {
        var metadata = "{\"id\":\"brg/aarsregnskap\",\"dataTypes\":[{\"id\":\"attachment\",\"allowedContentTypes\":[]}]}";
        var handler = new FakeAltinn((r, n) => r.RequestUri!.AbsolutePath.EndsWith("applicationmetadata")
            ? Json(metadata)
            : Json("{\"title\":\"Data Type Not Found\",\"status\":400}", HttpStatusCode.BadRequest));
        using var session = await TestSessions.ConnectAsync(handler);
        await session.Client.Applications.GetApplicationAsync(App, CancellationToken.None);
        Assert.Contains("brg/aarsregnskap", session.CachedApplications);

        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, "x");
            var error = await Assert.ThrowsAsync<AltinnApiException>(() => session.Client.Data.UploadAsync(App, Id, "attachment",
                new FileUpload { Path = path, FileName = "a.txt", ContentType = "text/plain", Length = 1 }, "nb", null, CancellationToken.None));
            Assert.Equal("Altinn.AddAttachment.UnknownDataType", error.ErrorId);
            Assert.DoesNotContain("brg/aarsregnskap", session.CachedApplications);
        }
        finally
        {
            File.Delete(path);
        }
    }

    // ---- the wait for the virus scan ----

    [Fact]
    public async Task The_scan_wait_returns_once_no_file_is_pending()
    {
        var handler = new FakeAltinn((r, n) => Json(n < 3
            ? InstanceJson(("d1", "attachment", "Pending", "a.pdf"), ("d2", "attachment", "Clean", "b.pdf"))
            : InstanceJson(("d1", "attachment", "Clean", "a.pdf"), ("d2", "attachment", "Clean", "b.pdf"))));
        using var session = await TestSessions.ConnectAsync(handler);
        var instance = await session.Client.Data.WaitForFileScanAsync(App, Id, new[] { "d1", "d2" }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10), CancellationToken.None);
        Assert.Equal(3, handler.Seen.Count);
        Assert.All(instance.Data, d => Assert.Equal(AltinnFileScanResult.Clean, d.FileScanResult));
    }

    [Fact]
    public async Task An_infected_file_is_an_error_that_names_it_and_says_how_to_remove_it()
    {
        var handler = new FakeAltinn((r, n) => Json(n < 2
            ? InstanceJson(("d1", "attachment", "Pending", "virus.pdf"))
            : InstanceJson(("d1", "attachment", "Infected", "virus.pdf"))));
        using var session = await TestSessions.ConnectAsync(handler);
        var error = await Assert.ThrowsAsync<AltinnException>(() =>
            session.Client.Data.WaitForFileScanAsync(App, Id, new[] { "d1" }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10), CancellationToken.None));
        Assert.Equal("Altinn.AddAttachment.Infected", error.ErrorId);
        Assert.Equal(AltinnErrorKind.SecurityError, error.Kind);
        Assert.Contains("'virus.pdf'", error.Message);
        Assert.Contains("Remove-AltinnData", error.Message);
    }

    [Fact]
    public async Task A_scan_still_pending_at_the_timeout_is_an_error()
    {
        var handler = new FakeAltinn((r, n) => Json(InstanceJson(("d1", "attachment", "Pending", "slow.pdf"), ("other", "attachment", "Pending", "not-ours.pdf"))));
        var clock = new FakeClock();
        using var session = await TestSessions.ConnectAsync(handler, clock: clock);
        var error = await Assert.ThrowsAsync<AltinnException>(() =>
            session.Client.Data.WaitForFileScanAsync(App, Id, new[] { "d1" }, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5), CancellationToken.None));
        Assert.Equal("Altinn.AddAttachment.ScanTimeout", error.ErrorId);
        Assert.Contains("'slow.pdf'", error.Message);
        Assert.DoesNotContain("not-ours", error.Message);
        Assert.Equal(12, clock.Delays.Count); // every 5 s for a minute, then one last look
        Assert.Equal(13, handler.Seen.Count);
    }

    // ---- downloads ----

    [Fact]
    public async Task A_download_uses_the_typed_route_with_Accept_and_language()
    {
        var handler = new FakeAltinn((r, n) =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(new byte[] { 1, 2, 3 }) };
            response.Content.Headers.ContentType = new("application/pdf");
            return response;
        });
        using var session = await TestSessions.ConnectAsync(handler);
        var element = new AltinnDataElement { Id = "d1", DataType = "ref-data-as-pdf" };
        using var sink = new MemoryStream();
        var result = await session.Client.Data.DownloadAsync(App, Id, element, "application/pdf", "nb", "SaveReceipt", sink, null, CancellationToken.None);
        var (request, _) = Assert.Single(handler.Seen);
        Assert.Equal($"http://brg.apps.test/brg/aarsregnskap/instances/{Id}/data/d1/type/ref-data-as-pdf?language=nb", request.RequestUri!.ToString());
        Assert.Equal("application/pdf", request.Headers.Accept.Single().MediaType);
        Assert.Equal(3, result.Length);
        Assert.Equal(new byte[] { 1, 2, 3 }, sink.ToArray());
    }

    [Fact]
    public void An_instance_tells_its_data_elements_which_instance_and_app_they_belong_to()
    {
        var instance = System.Text.Json.JsonSerializer.Deserialize<AltinnInstance>(InstanceJson(("d1", "attachment", "Clean", "a.pdf")), AltinnJson.Options)!;
        ((ISessionBound)instance).Bind(null!);
        Assert.Equal(Id.ToString(), instance.Data[0].InstanceId);
        Assert.Equal("brg/aarsregnskap", instance.Data[0].AppId);
        Assert.Equal(AltinnFileScanResult.Clean, instance.Data[0].FileScanResult);
    }
}
