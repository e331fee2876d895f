using System.Net;
using System.Text;
using AltinnApp.Core.Api;
using AltinnApp.Core.Http;
using AltinnApp.Core.Models;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Tests;

/// <summary>
/// The files of one upload call go all or none: every file is checked before the first is sent, and a refusal part-way
/// removes what the call sent before it, saying what was uploaded, removed, left and not sent.
/// </summary>
public sealed class AttachmentUploadTests : IDisposable
{
    private static readonly AppIdentifier App = new("brg", "aarsregnskap");
    private static readonly InstanceIdentifier Id = InstanceIdentifier.Parse("500700/232c5390-9479-4506-a266-9890d7287bfb");
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "altinnapp-uploads-" + Guid.NewGuid().ToString("N")[..8]);

    public AttachmentUploadTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Answers each request by a function of it and of how many uploads came before; keeps what was asked.</summary>
    private sealed class FakeAltinn(Func<HttpRequestMessage, int, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public readonly List<string> Seen = new();
        private int _uploads;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Seen.Add($"{request.Method} {request.RequestUri!.AbsolutePath}");
            if (request.Method == HttpMethod.Post) _uploads++;
            return Task.FromResult(answer(request, _uploads));
        }
    }

    private static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK, string mediaType = "application/json") =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, mediaType) };

    private static string ElementId(int n) => $"00000000-0000-4000-8000-00000000000{n}";

    /// <summary>Altinn's DataPostResponse for the n-th upload: the new element's id and the instance holding it.</summary>
    private static HttpResponseMessage Uploaded(int n) =>
        Json($"{{\"newDataElementId\":\"{ElementId(n)}\",\"instance\":{{\"id\":\"{Id}\",\"appId\":\"{App}\",\"data\":[" +
             string.Join(",", Enumerable.Range(1, n).Select(i => $"{{\"id\":\"{ElementId(i)}\",\"dataType\":\"attachment\"}}")) + "]}}");

    private static HttpResponseMessage ContentTypeRefused() =>
        Json("{\"title\":\"File validation failed\",\"status\":400,\"detail\":\"Common checks failed\",\"uploadValidationIssues\":[{\"severity\":1,\"code\":\"ContentTypeNotAllowed\",\"description\":\"Invalid content type: image/png. Permitted content types include: application/pdf\"}]}",
            HttpStatusCode.BadRequest, "application/problem+json");

    private static HttpResponseMessage Deleted() => Json($"{{\"instance\":{{\"id\":\"{Id}\",\"appId\":\"{App}\",\"data\":[]}}}}");

    private FileUpload File(string name, string contentType)
    {
        var path = Path.Combine(_folder, name);
        System.IO.File.WriteAllText(path, "content of " + name);
        return new FileUpload { Path = path, FileName = name, ContentType = contentType, ContentTypeGiven = true, Length = new FileInfo(path).Length };
    }

    private static AltinnApplication Application(int maxCount) =>
        System.Text.Json.JsonSerializer.Deserialize<AltinnApplication>(
            "{\"id\":\"brg/aarsregnskap\",\"dataTypes\":[" +
            $"{{\"id\":\"attachment\",\"allowedContentTypes\":[\"application/pdf\",\"text/plain\"],\"maxSize\":1,\"maxCount\":{maxCount}}}]}}",
            AltinnJson.Options)!;

    // ---- every file before the first byte ----

    [Fact]
    public void Every_bad_file_is_named_in_order_and_the_count_includes_the_files_that_failed_earlier_checks()
    {
        var app = Application(maxCount: 4);
        var type = app.FindDataType("attachment")!;
        var good = File("a.pdf", "application/pdf");
        var wrongType = File("b.png", "image/png");
        var empty = new FileUpload { Path = "c.pdf", FileName = "c.pdf", ContentType = "application/pdf", ContentTypeGiven = true, Length = 0 };

        var problems = AttachmentUploads.Check(app, type, new[] { good, wrongType, empty }, existingCount: 1, otherFilesInCall: 1, "AddAttachment");

        Assert.Equal(3, problems.Count);
        Assert.Same(wrongType, problems[0].File);
        Assert.Equal("Altinn.AddAttachment.ContentTypeNotAllowed", problems[0].Error.ErrorId);
        Assert.Same(empty, problems[1].File);
        Assert.Equal("Altinn.AddAttachment.EmptyFile", problems[1].Error.ErrorId);
        Assert.Null(problems[2].File);
        Assert.Equal("Altinn.AddAttachment.TooMany", problems[2].Error.ErrorId);
        Assert.Contains("would have 5 (1 already there, 4 to add)", problems[2].Error.Message);

        Assert.Empty(AttachmentUploads.Check(app, type, new[] { good }, existingCount: 3, otherFilesInCall: 0, "AddAttachment"));
    }

    [Fact]
    public void A_data_type_that_takes_no_files_is_one_error_for_the_call_not_one_per_file()
    {
        var app = System.Text.Json.JsonSerializer.Deserialize<AltinnApplication>(
            "{\"id\":\"brg/aarsregnskap\",\"dataTypes\":[{\"id\":\"model\",\"allowedContentTypes\":[\"application/xml\"],\"appLogic\":{\"classRef\":\"App.Model\"},\"maxCount\":1}]}",
            AltinnJson.Options)!;
        var files = new[] { File("a.pdf", "application/pdf"), File("b.pdf", "application/pdf") };

        var error = Assert.Throws<AltinnArgumentException>(() => AttachmentUploads.Check(app, app.FindDataType("model")!, files, 1, 0, "AddAttachment"));

        Assert.Equal("Altinn.AddAttachment.IsFormData", error.ErrorId);
    }

    [Fact]
    public void A_bad_file_of_several_says_that_nothing_was_sent_and_keeps_its_ErrorId_and_kind()
    {
        var missing = new AltinnException("Altinn.AddAttachment.FileNotFound", AltinnErrorKind.ObjectNotFound, "The file 'missing.pdf' in -Path does not exist.");

        var said = AttachmentUploads.NothingSent(missing, Id.ToString(), badCount: 1, fileCount: 3);

        Assert.Equal("Altinn.AddAttachment.FileNotFound", said.ErrorId);
        Assert.Equal(AltinnErrorKind.ObjectNotFound, said.Kind);
        Assert.StartsWith("The file 'missing.pdf' in -Path does not exist. Nothing was uploaded to instance " + Id, said.Message);
        Assert.Contains("the 3 files of a call are sent only when every one passes", said.Message);
        Assert.Same(missing, AttachmentUploads.NothingSent(missing, Id.ToString(), 1, 1));
    }

    // ---- a refusal part-way ----

    [Fact]
    public async Task A_refusal_of_the_second_file_removes_the_first_again_and_never_sends_the_third()
    {
        var handler = new FakeAltinn((r, uploads) => r.Method == HttpMethod.Delete ? Deleted() : uploads == 2 ? ContentTypeRefused() : Uploaded(uploads));
        var session = await TestSessions.ConnectAsync(handler);
        var files = new[] { File("a.pdf", "application/pdf"), File("b.png", "image/png"), File("c.pdf", "application/pdf") };

        var result = await AttachmentUploads.UploadAllAsync(session.Client.Data, App, Id, "attachment", files, "nb", null, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Same(files[1], result.FailedFile);
        Assert.Null(result.Instance);
        Assert.Empty(result.Elements);
        var error = Assert.IsType<AltinnApiException>(result.Error);
        Assert.Equal("Altinn.AddAttachment.ContentTypeNotAllowed", error.ErrorId);
        Assert.Equal(400, error.StatusCode);
        Assert.Contains("stopped at 'b.png' (file 2 of 3)", error.Message);
        Assert.Contains("'b.png' was refused, so it is not on the instance", error.Message);
        Assert.Contains("Uploaded before it and removed again: 'a.pdf'.", error.Message);
        Assert.Contains("Not sent: 'c.pdf'.", error.Message);
        Assert.Contains("has none of the files of this call and is not passed down the pipeline", error.Message);
        var path = $"/brg/aarsregnskap/instances/{Id}";
        Assert.Equal(new[]
        {
            $"POST {path}/data/type/attachment",
            $"POST {path}/data/type/attachment",
            $"DELETE {path}/data/{ElementId(1)}",
        }, handler.Seen.Where(s => !s.Contains("applicationmetadata")));
    }

    [Fact]
    public async Task A_file_that_cannot_be_removed_again_is_named_with_its_element_and_the_command_that_removes_it()
    {
        var handler = new FakeAltinn((r, uploads) => r.Method == HttpMethod.Delete
            ? Json("{\"title\":\"Internal Server Error\",\"status\":500}", HttpStatusCode.InternalServerError, "application/problem+json")
            : uploads == 3 ? ContentTypeRefused() : Uploaded(uploads));
        var session = await TestSessions.ConnectAsync(handler);
        var files = new[] { File("a.pdf", "application/pdf"), File("b.pdf", "application/pdf"), File("c.png", "image/png") };

        var result = await AttachmentUploads.UploadAllAsync(session.Client.Data, App, Id, "attachment", files, "nb", null, CancellationToken.None);

        Assert.Same(files[2], result.FailedFile);
        Assert.Equal(new[] { ElementId(1), ElementId(2) }, result.Elements.Select(e => e.Id));
        Assert.Contains($"'a.pdf' was uploaded (data element {ElementId(1)}) and could not be removed again", result.Error!.Message);
        Assert.Contains($"Remove-AltinnData -InstanceId {Id} -App brg/aarsregnskap -DataElementId {ElementId(2)}", result.Error.Message);
        Assert.DoesNotContain("removed again:", result.Error.Message);
        Assert.DoesNotContain("Not sent", result.Error.Message);
    }

    [Fact]
    public async Task A_lost_answer_part_way_says_the_file_may_have_arrived_and_still_removes_the_files_before_it()
    {
        var handler = new FakeAltinn((r, uploads) => r.Method == HttpMethod.Delete ? Deleted()
            : uploads == 2 ? throw new HttpRequestException("The response ended prematurely.") : Uploaded(uploads));
        var session = await TestSessions.ConnectAsync(handler);
        var files = new[] { File("a.pdf", "application/pdf"), File("b.pdf", "application/pdf") };

        var result = await AttachmentUploads.UploadAllAsync(session.Client.Data, App, Id, "attachment", files, "nb", null, CancellationToken.None);

        Assert.Equal("Altinn.AddAttachment.ConnectionFailed", result.Error!.ErrorId);
        Assert.Contains("Whether 'b.pdf' reached the instance is not known", result.Error.Message);
        Assert.Contains("Uploaded before it and removed again: 'a.pdf'.", result.Error.Message);
        Assert.Contains(handler.Seen, s => s.StartsWith("DELETE ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task All_files_arriving_give_their_elements_in_order_and_the_instance_after_the_last()
    {
        var handler = new FakeAltinn((r, uploads) => Uploaded(uploads));
        var session = await TestSessions.ConnectAsync(handler);
        var files = new[] { File("a.pdf", "application/pdf"), File("b.pdf", "application/pdf") };

        var result = await AttachmentUploads.UploadAllAsync(session.Client.Data, App, Id, "attachment", files, "nb", null, CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal(new[] { ElementId(1), ElementId(2) }, result.Elements.Select(e => e.Id));
        Assert.Equal(2, result.Instance!.Data.Count);
        Assert.DoesNotContain(handler.Seen, s => s.StartsWith("DELETE ", StringComparison.Ordinal));
    }
}
