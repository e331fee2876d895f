using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AltinnApp.Simulator.Tests.Support;

namespace AltinnApp.Simulator.Tests;

/// <summary>Reference §4.5 (data POST) and §4.3 (multipart create) upload rules.</summary>
public sealed class AttachmentRuleTests(SimulatorFactory factory) : IClassFixture<SimulatorFactory>
{
    private readonly SimulatorHarness _sim = new(factory);

    public static TheoryData<string, string, string?, int, string> BrokenUploads => new()
    {
        // case, content type, content disposition, body size, expected issue code
        { "no content disposition", "text/plain", null, 5, "ContentTypeNotAllowed" },
        { "unquoted filename with spaces", "application/pdf", "attachment; filename=Test Doc 2025.pdf", 5, "MissingFileName" },
        { "no filename", "application/pdf", "attachment", 5, "MissingFileName" },
        { "no extension", "application/pdf", "attachment; filename=\"report\"", 5, "InvalidFileNameFormat" },
        { "content type differs from extension", "text/plain", "attachment; filename=\"report.pdf\"", 5, "InvalidFileNameFormat" },
        { "content type not allowed", "image/jpeg", "attachment; filename=\"photo.jpg\"", 5, "ContentTypeNotAllowed" },
        { "larger than maxSize", "text/plain", "attachment; filename=\"big.txt\"", 5 * 1024 * 1024 + 1, "DataElementTooLarge" },
    };

    [Theory]
    [MemberData(nameof(BrokenUploads))]
    public async Task The_new_data_endpoint_reports_upload_issues_as_problem_details(string name, string contentType, string? disposition, int size, string code)
    {
        _ = name;
        var (token, path) = await NewInstanceAsync();
        var response = await _sim.SendAsync(HttpMethod.Post, $"{path}/data/type/attachment",
            SimulatorHarness.Upload(new byte[size], contentType, disposition), token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("File validation failed", body["title"]!.GetValue<string>());
        Assert.Equal("Common checks failed", body["detail"]!.GetValue<string>());
        var issue = body["uploadValidationIssues"]!.AsArray().Single()!;
        Assert.Equal(code, issue["code"]!.GetValue<string>());
        Assert.Equal(1, issue["severity"]!.GetValue<int>());
        Assert.Equal("DataRestrictionValidation", issue["source"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(BrokenUploads))]
    public async Task The_legacy_data_endpoint_reports_upload_issues_as_plain_text(string name, string contentType, string? disposition, int size, string code)
    {
        _ = (name, code);
        var (token, path) = await NewInstanceAsync();
        var response = await _sim.SendAsync(HttpMethod.Post, $"{path}/data?dataType=attachment",
            SimulatorHarness.Upload(new byte[size], contentType, disposition), token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.StartsWith("Invalid data provided. Error: ", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_quoted_filename_with_spaces_is_accepted_by_both_endpoints()
    {
        var (token, path) = await NewInstanceAsync();

        var legacy = await _sim.SendAsync(HttpMethod.Post, $"{path}/data?dataType=attachment",
            SimulatorHarness.Upload(Encoding.UTF8.GetBytes("%PDF-1.4 test"), "application/pdf", "attachment; filename=\"Test Doc 2025.pdf\""), token);
        Assert.Equal(HttpStatusCode.Created, legacy.StatusCode);
        var element = JsonNode.Parse(await legacy.Content.ReadAsStringAsync())!;
        Assert.Equal("Test Doc 2025.pdf", element["filename"]!.GetValue<string>());
        Assert.Equal($"http://localhost{path}/data/{element["id"]}", legacy.Headers.Location!.ToString());

        var modern = await _sim.SendAsync(HttpMethod.Post, $"{path}/data/type/attachment",
            SimulatorHarness.Upload(Encoding.UTF8.GetBytes("note"), "text/plain", "attachment; filename=\"my note.txt\"; filename*=UTF-8''my%20n%C3%B8te.txt"), token);
        Assert.Equal(HttpStatusCode.OK, modern.StatusCode);
        var body = JsonNode.Parse(await modern.Content.ReadAsStringAsync())!;
        string newId = body["newDataElementId"]!.GetValue<string>();
        var created = body["instance"]!["data"]!.AsArray().Single(d => d!["id"]!.GetValue<string>() == newId)!;
        Assert.Equal("my nøte.txt", created["filename"]!.GetValue<string>());
        Assert.NotNull(body["validationIssues"]);
        Assert.NotNull(body["newDataModels"]);

        var download = await _sim.SendAsync(HttpMethod.Get, $"{path}/data/{newId}", bearer: token);
        // ASP.NET writes an ASCII fallback for filename, the real name in filename*.
        Assert.Equal("attachment; filename=\"my n_te.txt\"; filename*=UTF-8''my%20n%C3%B8te.txt", download.Content.Headers.ContentDisposition!.ToString());
    }

    [Fact]
    public async Task A_body_over_maxSize_without_content_length_gives_413_and_an_empty_body_gives_400()
    {
        var (token, path) = await NewInstanceAsync();
        var chunked = new StreamContent(new NonSeekableStream(new byte[5 * 1024 * 1024 + 10]));
        chunked.Headers.ContentType = MediaTypeHeaderValue.Parse("text/plain");
        chunked.Headers.TryAddWithoutValidation("Content-Disposition", "attachment; filename=\"big.txt\"");
        var tooLarge = await _sim.SendAsync(HttpMethod.Post, $"{path}/data/type/attachment", chunked, token);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal("Request too large", JsonNode.Parse(await tooLarge.Content.ReadAsStringAsync())!["title"]!.GetValue<string>());

        var empty = await _sim.SendAsync(HttpMethod.Post, $"{path}/data/type/attachment",
            SimulatorHarness.Upload([], "text/plain", "attachment; filename=\"empty.txt\""), token);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal("Invalid data", JsonNode.Parse(await empty.Content.ReadAsStringAsync())!["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task MaxCount_is_enforced_with_409_even_for_parallel_uploads()
    {
        var (token, path) = await NewInstanceAsync();
        var uploads = Enumerable.Range(0, 6).Select(i => _sim.SendAsync(HttpMethod.Post, $"{path}/data/type/attachment",
            SimulatorHarness.Upload(Encoding.UTF8.GetBytes($"file {i}"), "text/plain", $"attachment; filename=\"f{i}.txt\""), token));
        var responses = await Task.WhenAll(uploads);

        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.Conflict).ToList();
        Assert.Equal(3, refused.Count);
        Assert.Equal("Max Count Exceeded", JsonNode.Parse(await refused[0].Content.ReadAsStringAsync())!["title"]!.GetValue<string>());

        // A second model is refused the same way (model maxCount 1), and so is an unknown data type.
        var model = await _sim.SendAsync(HttpMethod.Post, $"{path}/data/type/model", SimulatorHarness.Json(new JsonObject()), token);
        Assert.Equal(HttpStatusCode.Conflict, model.StatusCode);
        var unknown = await _sim.SendAsync(HttpMethod.Post, $"{path}/data/type/nope",
            SimulatorHarness.Upload([1], "text/plain", "attachment; filename=\"a.txt\""), token);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
    }

    [Fact]
    public async Task Form_data_of_another_content_type_is_refused_with_415_and_bad_xml_with_400()
    {
        var (token, path) = await NewInstanceAsync();
        string modelUrl = $"{path}/data/{await ModelIdAsync(token, path)}";
        var unsupported = await _sim.SendAsync(HttpMethod.Put, modelUrl, SimulatorHarness.Upload([1, 2], "text/csv", null), token);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported.StatusCode);
        Assert.Equal("Unsupported content type", JsonNode.Parse(await unsupported.Content.ReadAsStringAsync())!["title"]!.GetValue<string>());

        var badXml = await _sim.SendAsync(HttpMethod.Put, modelUrl, new StringContent("<model><property1>", Encoding.UTF8, "application/xml"), token);
        Assert.Equal(HttpStatusCode.BadRequest, badXml.StatusCode);
        Assert.Equal("Failed to deserialize XML", JsonNode.Parse(await badXml.Content.ReadAsStringAsync())!["title"]!.GetValue<string>());

        var namespaced = await _sim.SendAsync(HttpMethod.Put, modelUrl, new StringContent(
            """<?xml version="1.0"?><Skjema xmlns="urn:altinn:example"><Property1>ns</Property1></Skjema>""", Encoding.UTF8, "application/xml"), token);
        Assert.Equal(HttpStatusCode.Created, namespaced.StatusCode);
        var values = JsonNode.Parse(await (await _sim.SendAsync(HttpMethod.Get, modelUrl, bearer: token)).Content.ReadAsStringAsync())!;
        Assert.Equal("ns", values["property1"]!.GetValue<string>());
    }

    public static TheoryData<string, string> BrokenMultipartParts => new()
    {
        { "unknown-name", "does not correspond to an element type" },
        { "content-type-not-allowed", "Content-Type" },
        { "empty-part", "no data" },
        { "too-large", "size limit" },
        { "too-many", "more elements of type 'attachment'" },
    };

    [Theory]
    [MemberData(nameof(BrokenMultipartParts))]
    public async Task Multipart_create_refuses_a_bad_part_with_a_json_string_and_creates_nothing(string rule, string messagePart)
    {
        string token = await _sim.LocaltestTokenAsync();
        using var content = new MultipartFormDataContent();
        content.Add(new StringContent("""{"instanceOwner":{"organisationNumber":"950474084"}}""", Encoding.UTF8, "application/json"), "instance");
        void AddFile(string partName, byte[] bytes, string type, string file)
        {
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
            content.Add(part, partName, file);
        }
        switch (rule)
        {
            case "unknown-name": AddFile("vedlegg", [1], "text/plain", "a.txt"); break;
            case "content-type-not-allowed": AddFile("attachment", [1], "image/jpeg", "a.jpg"); break;
            case "empty-part": AddFile("attachment", [], "text/plain", "a.txt"); break;
            case "too-large": AddFile("attachment", new byte[5 * 1024 * 1024 + 1], "text/plain", "a.txt"); break;
            case "too-many": for (int i = 0; i < 4; i++) AddFile("attachment", [1], "text/plain", $"a{i}.txt"); break;
        }

        var response = await _sim.SendAsync(HttpMethod.Post, $"{SimulatorHarness.App}/instances", content, token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        string message = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.GetValue<string>();
        Assert.StartsWith("Error when comparing content to application metadata: ", message);
        Assert.Contains(messagePart, message);
        Assert.Equal("[]", await _sim.Http.GetStringAsync("/_sim/instances"));
    }

    [Fact]
    public async Task Multipart_create_removes_the_half_made_instance_when_the_model_part_cannot_be_read()
    {
        string token = await _sim.LocaltestTokenAsync();
        using var content = new MultipartFormDataContent();
        content.Add(new StringContent("""{"instanceOwner":{"organisationNumber":"950474084"}}""", Encoding.UTF8, "application/json"), "instance");
        var attachment = new ByteArrayContent([1, 2, 3]);
        attachment.Headers.ContentType = MediaTypeHeaderValue.Parse("text/plain");
        content.Add(attachment, "attachment", "a.txt");
        content.Add(new StringContent("<model><property1>broken", Encoding.UTF8, "application/xml"), "model");

        var response = await _sim.SendAsync(HttpMethod.Post, $"{SimulatorHarness.App}/instances", content, token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Failed to deserialize XML", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["title"]!.GetValue<string>());
        Assert.Equal("[]", await _sim.Http.GetStringAsync("/_sim/instances"));
        Assert.Empty((await _sim.CountersAsync())["instancesCreated"]!.AsObject());
    }

    [Fact]
    public async Task Multipart_create_needs_exactly_one_way_of_naming_the_owner_and_every_part_needs_headers()
    {
        string token = await _sim.LocaltestTokenAsync();
        using var both = new MultipartFormDataContent();
        both.Add(new StringContent("""{"instanceOwner":{"partyId":"500700"}}""", Encoding.UTF8, "application/json"), "instance");
        var twice = await _sim.SendAsync(HttpMethod.Post, $"{SimulatorHarness.App}/instances?instanceOwnerPartyId=500700", both, token);
        Assert.Equal(HttpStatusCode.BadRequest, twice.StatusCode);
        Assert.Contains("instanceOwnerPartyId", JsonNode.Parse(await twice.Content.ReadAsStringAsync())!.GetValue<string>());

        var neither = await _sim.SendAsync(HttpMethod.Post, $"{SimulatorHarness.App}/instances", new MultipartFormDataContent(), token);
        Assert.Equal(HttpStatusCode.BadRequest, neither.StatusCode);

        using var noType = new MultipartFormDataContent();
        noType.Add(new ByteArrayContent([1]), "attachment", "a.txt");
        var missingType = await _sim.SendAsync(HttpMethod.Post, $"{SimulatorHarness.App}/instances?instanceOwnerPartyId=500700", noType, token);
        Assert.Equal(HttpStatusCode.BadRequest, missingType.StatusCode);
        Assert.Equal("Part number 1 doesn't have a content type", JsonNode.Parse(await missingType.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_large_upload_streams_to_an_app_whose_maxSize_allows_it()
    {
        var definition = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "TestApps", "big-files.json")))!;
        Assert.Equal(HttpStatusCode.Created, (await _sim.Http.PostAsync("/_sim/apps", SimulatorHarness.Json(definition))).StatusCode);
        string token = await _sim.LocaltestTokenAsync();
        var instance = await _sim.CreateInstanceAsync(token, app: "/ttd/big-files");
        const int size = 24 * 1024 * 1024;

        var response = await _sim.SendAsync(HttpMethod.Post, $"{SimulatorHarness.InstancePath(instance, "/ttd/big-files")}/data/type/blob",
            SimulatorHarness.Upload(new byte[size], "application/octet-stream", "attachment; filename=\"big.bin\""), token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(size, body["instance"]!["data"]!.AsArray().Single(d => d!["dataType"]!.GetValue<string>() == "blob")!["size"]!.GetValue<long>());
    }

    private async Task<(string Token, string Path)> NewInstanceAsync()
    {
        string token = await _sim.LocaltestTokenAsync();
        var instance = await _sim.CreateInstanceAsync(token);
        return (token, SimulatorHarness.InstancePath(instance));
    }

    private async Task<string> ModelIdAsync(string token, string path)
    {
        var instance = JsonNode.Parse(await (await _sim.SendAsync(HttpMethod.Get, path, bearer: token)).Content.ReadAsStringAsync())!.AsObject();
        return SimulatorHarness.ModelId(instance);
    }

    /// <summary>Hides the length so the client sends the body without Content-Length.</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
