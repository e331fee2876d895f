using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AltinnApp.Simulator.Apps;
using AltinnApp.Simulator.Tests.Support;

namespace AltinnApp.Simulator.Tests;

/// <summary>
/// Content types as Altinn sees them: a data POST is checked as ALD DataRestrictionValidation does (the
/// MimeTypeMap table, octet-stream, the raw header with its parameters, case), a multipart part as ALD
/// RequestPartValidator does (exact, before ';', no extension check). The app is ttd/content-types
/// (TestApps/content-types.json), registered through POST /_sim/apps.
/// </summary>
public sealed class ContentTypeRuleTests(SimulatorFactory factory) : IClassFixture<SimulatorFactory>
{
    private const string App = "/ttd/content-types";
    private readonly SimulatorHarness _sim = new(factory);

    /// <summary>A body with the headers exactly as given (no normalising of the Content-Type).</summary>
    private static ByteArrayContent Raw(string? contentType, string? disposition, int size = 5)
    {
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes(new string('x', size)));
        if (contentType is not null) Assert.True(content.Headers.TryAddWithoutValidation("Content-Type", contentType));
        if (disposition is not null) Assert.True(content.Headers.TryAddWithoutValidation("Content-Disposition", disposition));
        return content;
    }

    private async Task<(string Token, string Path)> NewInstanceAsync()
    {
        var definition = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "TestApps", "content-types.json")))!;
        Assert.Equal(HttpStatusCode.Created, (await _sim.Http.PostAsync("/_sim/apps", SimulatorHarness.Json(definition))).StatusCode);
        string token = await _sim.LocaltestTokenAsync();
        var instance = await _sim.CreateInstanceAsync(token, app: App);
        return (token, SimulatorHarness.InstancePath(instance, App));
    }

    public static TheoryData<string, string, string?, string> Accepted => new()
    {
        // data type, file name, Content-Type header, why
        { "xmlzip", "skjema.xml", "application/xml", ".xml is application/xml in MimeTypeMap (ASP.NET says text/xml)" },
        { "xmlzip", "bilag.zip", "application/zip", ".zip is application/zip (ASP.NET says application/x-zip-compressed)" },
        { "office", "brev.odt", "application/vnd.oasis.opendocument.text", ".odt as MimeTypeMap has it" },
        { "office", "tall.ods", "application/vnd.oasis.opendocument.spreadsheet", ".ods as MimeTypeMap has it" },
        { "textxml", "skjema.xml", "text/xml", "text/xml is an alias of .xml" },
        { "textxml", "skjema.xml", "TEXT/XML", "the extension and the list compare in any case" },
        { "anyfile", "rapport.pdf", "application/octet-stream", "octet-stream allowed by the list" },
        { "anyfile", "data.qqq", "application/octet-stream", "an unknown extension as octet-stream" },
        { "open", "data.qqq", "text/plain", "no allowedContentTypes: no content type check" },
        { "open", "notat.txt", "text/plain; charset=utf-8", "no allowedContentTypes: parameters do not matter" },
        { "open", "report.", "application/octet-stream", "a name ending in a dot has two pieces" },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public async Task A_data_upload_Altinn_accepts_is_accepted(string dataType, string fileName, string? contentType, string why)
    {
        _ = why;
        var (token, path) = await NewInstanceAsync();
        var response = await _sim.SendAsync(HttpMethod.Post, $"{path}/data/type/{dataType}", Raw(contentType, $"attachment; filename=\"{fileName}\""), token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    public static TheoryData<string, string, string?, string, string> Refused => new()
    {
        // data type, file name, Content-Type header, issue code, description after "Invalid data provided. Error: "
        { "pdfonly", "rapport.pdf", "application/octet-stream", "ContentTypeNotAllowed",
            "Invalid content type: application/pdf. Please try another file. Permitted content types include: application/pdf" },
        { "anyfile", "rapport.pdf", "text/plain", "InvalidFileNameFormat",
            "Content type header text/plain does not match mime type application/pdf for uploaded file. Please fix header or upload another file." },
        { "textxml", "skjema.xml", "text/xml; charset=utf-8", "InvalidFileNameFormat",
            "Content type header text/xml; charset=utf-8 does not match mime type application/xml for uploaded file. Please fix header or upload another file." },
        { "textxml", "skjema.xml", "application/xml", "ContentTypeNotAllowed",
            "Invalid content type: application/xml. Please try another file. Permitted content types include: text/xml" },
        { "xmlzip", "bilag.zip", "application/x-zip-compressed", "ContentTypeNotAllowed",
            "Invalid content type: application/zip. Please try another file. Permitted content types include: application/xml, application/zip" },
        { "pdfonly", "rapport.pdf", "Application/Octet-Stream", "InvalidFileNameFormat",
            "Content type header Application/Octet-Stream does not match mime type application/pdf for uploaded file. Please fix header or upload another file." },
        { "pdfonly", "scan.qqq", "application/pdf", "InvalidFileNameFormat",
            "Content type header application/pdf does not match mime type application/octet-stream for uploaded file. Please fix header or upload another file." },
        { "pdfonly", "rapport.pdf", null, "InvalidFileNameFormat", "Content-Type header must be included in request." },
        { "pdfonly", "rapport", "application/pdf", "InvalidFileNameFormat",
            "Invalid format for filename: rapport. Filename is expected to end with '.{filetype}'." },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_data_upload_Altinn_refuses_gets_its_issue_code_and_words(string dataType, string fileName, string? contentType, string code, string description)
    {
        var (token, path) = await NewInstanceAsync();
        var response = await _sim.SendAsync(HttpMethod.Post, $"{path}/data/type/{dataType}", Raw(contentType, $"attachment; filename=\"{fileName}\""), token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("Common checks failed", body["detail"]!.GetValue<string>());
        var issue = body["uploadValidationIssues"]!.AsArray().Single()!;
        Assert.Equal(code, issue["code"]!.GetValue<string>());
        Assert.Equal("Invalid data provided. Error: " + description, issue["description"]!.GetValue<string>());
        Assert.Equal("DataRestrictionValidation", issue["source"]!.GetValue<string>());

        // the legacy endpoint and a binary replace say the same, as text
        var legacy = await _sim.SendAsync(HttpMethod.Post, $"{path}/data?dataType={dataType}", Raw(contentType, $"attachment; filename=\"{fileName}\""), token);
        Assert.Equal(HttpStatusCode.BadRequest, legacy.StatusCode);
        Assert.Equal("Invalid data provided. Error: " + description, await legacy.Content.ReadAsStringAsync());

        var instance = JsonNode.Parse(await (await _sim.SendAsync(HttpMethod.Get, path, bearer: token)).Content.ReadAsStringAsync())!;
        Assert.DoesNotContain(instance["data"]!.AsArray(), d => d!["dataType"]!.GetValue<string>() == dataType);
    }

    [Fact]
    public async Task A_binary_replace_is_checked_by_the_same_rules()
    {
        var (token, path) = await NewInstanceAsync();
        var created = await _sim.SendAsync(HttpMethod.Post, $"{path}/data/type/textxml", Raw("text/xml", "attachment; filename=\"a.xml\""), token);
        string id = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["newDataElementId"]!.GetValue<string>();

        var replaced = await _sim.SendAsync(HttpMethod.Put, $"{path}/data/{id}", Raw("application/octet-stream", "attachment; filename=\"b.xml\""), token);
        Assert.Equal(HttpStatusCode.BadRequest, replaced.StatusCode);
        Assert.Equal("Invalid data provided. Error: Invalid content type: application/xml. Please try another file. Permitted content types include: text/xml",
            await replaced.Content.ReadAsStringAsync());
    }

    public static TheoryData<string, string, string, bool> Parts => new()
    {
        // data type, file name, part Content-Type, accepted
        { "pdfonly", "rapport.pdf", "application/pdf", true },
        { "pdfonly", "rapport.pdf", "application/pdf; charset=utf-8", true }, // up to the first ';'
        { "pdfonly", "scan.qqq", "application/pdf", true },                   // no extension check
        { "pdfonly", "rapport.pdf", "Application/PDF", false },               // case included
        { "pdfonly", "rapport.pdf", "application/octet-stream", false },
        { "anyfile", "rapport.pdf", "application/pdf", false },               // no octet-stream wildcard
        { "anyfile", "rapport.pdf", "application/octet-stream", true },
        { "textxml", "skjema.xml", "text/xml", true },
    };

    [Theory]
    [MemberData(nameof(Parts))]
    public async Task A_multipart_part_is_checked_as_RequestPartValidator_does(string dataType, string fileName, string contentType, bool accepted)
    {
        var definition = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "TestApps", "content-types.json")))!;
        Assert.Equal(HttpStatusCode.Created, (await _sim.Http.PostAsync("/_sim/apps", SimulatorHarness.Json(definition))).StatusCode);
        string token = await _sim.LocaltestTokenAsync();
        using var content = new MultipartFormDataContent();
        content.Add(new StringContent("""{"instanceOwner":{"organisationNumber":"950474084"}}""", Encoding.UTF8, "application/json"), "instance");
        content.Add(Raw(contentType, null), dataType, fileName);

        var response = await _sim.SendAsync(HttpMethod.Post, $"{App}/instances", content, token);

        if (accepted)
        {
            Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
            return;
        }

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal($"Error when comparing content to application metadata: The multipart section named {dataType} has a Content-Type '{contentType}' which is invalid for element type '{dataType}'",
            JsonNode.Parse(await response.Content.ReadAsStringAsync())!.GetValue<string>());
    }

    [Fact]
    public void The_simulator_reads_the_engines_table()
    {
        Assert.Equal(603, MimeTypeTable.Count);
        Assert.Equal("application/xml", MimeTypeTable.ForExtension(".XML").Type);
        Assert.True(MimeTypeTable.ForExtension("zip").Matches("application/zip-compressed"));
        Assert.Equal("application/octet-stream", MimeTypeTable.ForExtension(".qqq").Type);
    }
}
