using System.Net;
using System.Text;
using AltinnApp.Core.Http;
using AltinnApp.Core.Models;

namespace AltinnApp.Core.Tests;

public class ErrorMapperTests
{
    [Fact]
    public void ProblemDetails_with_validation_issues_are_read()
    {
        var body = ErrorMapper.ParseBody("{\"title\":\"Validation failed for task\",\"detail\":\"2 validation errors found for task Task_1\",\"status\":409,\"validationIssues\":[{\"severity\":1,\"field\":\"property1\",\"code\":\"required\",\"description\":\"Feltet er påkrevd\",\"source\":\"Required\"},{\"severity\":2,\"field\":null,\"code\":\"w\",\"description\":\"warn\",\"source\":\"x\"}]}", "application/problem+json");
        Assert.Equal(ErrorBodyKind.ProblemDetails, body.Kind);
        Assert.Equal(409, body.Status);
        Assert.Equal(2, body.ValidationIssues.Count);
        Assert.Equal(AltinnValidationSeverity.Error, body.ValidationIssues[0].Severity);
        Assert.Equal("property1", body.ValidationIssues[0].Field);
        Assert.Equal("Validation failed for task: 2 validation errors found for task Task_1", body.Summary);
    }

    [Fact]
    public void A_json_string_body_is_unquoted() =>
        Assert.Equal("Cannot lookup party", ErrorMapper.ParseBody("\"Cannot lookup party\"", "application/json").Summary);

    [Fact]
    public void A_text_body_is_kept_and_an_empty_body_is_empty()
    {
        Assert.Equal(ErrorBodyKind.Text, ErrorMapper.ParseBody("Invalid data provided", "text/plain").Kind);
        Assert.Equal(ErrorBodyKind.Empty, ErrorMapper.ParseBody("", null).Kind);
        Assert.Null(ErrorMapper.ParseBody(null, null).Summary);
    }

    [Fact]
    public void Upload_validation_issues_are_read() =>
        Assert.Equal("MissingFileName", ErrorMapper.ParseBody("{\"title\":\"File validation failed\",\"status\":400,\"detail\":\"Common checks failed\",\"uploadValidationIssues\":[{\"severity\":1,\"code\":\"MissingFileName\",\"description\":\"x\"}]}", null).ValidationIssues.Single().Code);

    [Fact]
    public async Task An_error_response_becomes_a_stable_error_id_and_category()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("{\"title\":\"Data Element Not Found\",\"status\":404}", Encoding.UTF8, "application/problem+json") };
        var ex = await ErrorMapper.ToExceptionAsync(response, "GetData", "Reading data");
        Assert.Equal("Altinn.GetData.NotFound", ex.ErrorId);
        Assert.Equal(AltinnErrorKind.ObjectNotFound, ex.Kind);
        Assert.Contains("Data Element Not Found", ex.Message);
    }

    [Fact]
    public void Secrets_in_bodies_are_redacted()
    {
        var jwt = TokenProviderTests.UnsignedJwt(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(1)) + "c2lnbmF0dXJl";
        var body = ErrorMapper.ParseBody($"token {jwt} for 08089403198 with Bearer abcdefghijklmnop", "text/plain");
        Assert.DoesNotContain(jwt, body.Text);
        Assert.DoesNotContain("08089403198", body.Text);
        Assert.DoesNotContain("abcdefghijklmnop", body.Text);
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden, "Forbidden", "https://tools.ietf.org/html/rfc9110#section-15.5.4")]
    [InlineData(HttpStatusCode.NotFound, "Not Found", "https://tools.ietf.org/html/rfc9110#section-15.5.5")]
    public async Task A_bare_problem_says_the_status_once_and_names_the_servers_trace_id(HttpStatusCode status, string words, string type)
    {
        const string traceId = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";
        using var response = new HttpResponseMessage(status)
        {
            Content = new StringContent($"{{\"type\":\"{type}\",\"title\":\"{words}\",\"status\":{(int)status},\"traceId\":\"{traceId}\"}}", Encoding.UTF8, "application/problem+json"),
        };
        var ex = await ErrorMapper.ToExceptionAsync(response, "GetData", "Reading data");
        Assert.StartsWith($"Reading data failed: {(int)status} {words}. ", ex.Message);
        Assert.Equal(1, CountOf(ex.Message, words));
        Assert.Equal(traceId, ex.TraceId);
        Assert.EndsWith($"Altinn's trace id: {traceId}.", ex.Message);
    }

    [Fact]
    public async Task A_problem_with_its_own_words_keeps_them_and_a_body_without_trace_id_has_none()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("{\"title\":\"Not Found\",\"detail\":\"Data element 1 not found\",\"status\":404}", Encoding.UTF8, "application/problem+json") };
        var ex = await ErrorMapper.ToExceptionAsync(response, "GetData", "Reading data");
        Assert.StartsWith("Reading data failed: 404 Not Found – Data element 1 not found. ", ex.Message);
        Assert.Null(ex.TraceId);
        Assert.DoesNotContain("trace id", ex.Message);
    }

    [Fact]
    public async Task A_hint_given_by_the_caller_is_in_the_message_once_and_is_the_recommended_action()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("{\"title\":\"Not Found\",\"status\":404,\"traceId\":\"00-1-2-00\"}", Encoding.UTF8, "application/problem+json") };
        var ex = await ErrorMapper.ToExceptionAsync(response, "GetApplication", "Reading app brg/x", "Check the app id brg/x");
        Assert.Equal("Check the app id brg/x", ex.RecommendedAction);
        Assert.Equal(1, CountOf(ex.Message, "Check the app id"));
        // an explanation made from it later keeps the one trace id
        var rewrapped = new AltinnApiException("Altinn.GetApplication.NotFound", AltinnErrorKind.ObjectNotFound, ex.Message + " More.", 404, ex.Body);
        Assert.Equal(1, CountOf(rewrapped.Message, "00-1-2-00"));
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
