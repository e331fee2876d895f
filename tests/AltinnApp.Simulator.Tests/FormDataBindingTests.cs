using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AltinnApp.Simulator.Tests.Support;

namespace AltinnApp.Simulator.Tests;

/// <summary>
/// Form data is read as app-lib's <c>ModelSerializationService.DeserializeSingleFromStream</c> reads it: the content type
/// picks XML or JSON by an ordinal "contains", and the model's (string) fields take no number, object or child element.
/// </summary>
public sealed class FormDataBindingTests(SimulatorFactory factory) : IClassFixture<SimulatorFactory>
{
    private readonly SimulatorHarness _sim = new(factory);

    private async Task<HttpResponseMessage> PutModelAsync(string body, string contentType)
    {
        string token = await _sim.LocaltestTokenAsync();
        var instance = await _sim.CreateInstanceAsync(token);
        string path = SimulatorHarness.InstancePath(instance);
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        return await _sim.SendAsync(HttpMethod.Put, $"{path}/data/{SimulatorHarness.ModelId(instance)}", content, token);
    }

    private static async Task<JsonNode> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    [Theory]
    [InlineData("""{"property1": 123}""", "The JSON value could not be converted to System.String. Path: $.property1 | LineNumber: 0 | BytePositionInLine: 17.")]
    [InlineData("""{"property1":true}""", "The JSON value could not be converted to System.String. Path: $.property1 | LineNumber: 0 | BytePositionInLine: 17.")]
    [InlineData("{\n  \"property2\": {\"a\": 1}\n}", "The JSON value could not be converted to System.String. Path: $.property2 | LineNumber: 1 | BytePositionInLine: 16.")]
    public async Task A_json_value_that_is_not_text_for_a_text_field_is_a_400_in_System_Text_Jsons_words(string body, string detail)
    {
        var problem = await ProblemAsync(await PutModelAsync(body, "application/json"), HttpStatusCode.BadRequest);
        Assert.Equal("Failed to deserialize JSON", problem["title"]!.GetValue<string>());
        Assert.Equal(detail, problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_json_field_is_ignored_as_the_apps_serializer_ignores_it()
    {
        Assert.Equal(HttpStatusCode.Created, (await PutModelAsync("""{"property1":"a","propertyX":5}""", "application/json")).StatusCode);
    }

    [Fact]
    public async Task Child_elements_in_an_xml_text_field_are_a_400()
    {
        var problem = await ProblemAsync(await PutModelAsync("<model><property1><a>1</a></property1></model>", "application/xml"), HttpStatusCode.BadRequest);
        Assert.Equal("Failed to deserialize XML", problem["title"]!.GetValue<string>());
        Assert.StartsWith("There is an error in XML document (1, 20).", problem["detail"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("text/xml")]
    [InlineData("Application/XML")]
    [InlineData("text/plain")]
    public async Task A_content_type_that_does_not_contain_application_xml_or_json_exactly_is_415(string contentType)
    {
        var problem = await ProblemAsync(await PutModelAsync("<model><property1>a</property1></model>", contentType), HttpStatusCode.UnsupportedMediaType);
        Assert.Equal("Unsupported content type", problem["title"]!.GetValue<string>());
        Assert.Equal($"Content type {contentType} is not supported for deserialization", problem["detail"]!.GetValue<string>());
    }
}
