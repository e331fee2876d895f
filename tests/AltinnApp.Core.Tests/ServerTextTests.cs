using System.Net;
using System.Text;
using AltinnApp.Core;
using AltinnApp.Core.Http;
using AltinnApp.Core.Models;

namespace AltinnApp.Core.Tests;

/// <summary>A server's words reach the console without escape sequences, controls or invisible bidi marks.</summary>
public class ServerTextTests
{
    private const char Esc = '\u001b';

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("\u001b[31mred\u001b[0m", "red")]
    [InlineData("title\u001b]0;pwned\u0007 end", "title end")]
    [InlineData("bell\u0007 and nul\u0000", "bell and nul")]
    [InlineData("exe.\u202Efdp", "exe.fdp")]
    [InlineData("two\nlines", "two\nlines")]
    [InlineData("clear\u001b[2Jscreen\u009b1m", "clearscreen")]
    public void Clean_removes_escapes_controls_and_bidi_marks(string given, string expected)
    {
        Assert.Equal(expected, ServerText.Clean(given));
    }

    [Fact]
    public async Task A_problem_with_escapes_in_its_title_detail_and_validation_texts_reaches_the_message_clean()
    {
        var body = "{\"title\":\"Bad \\u001b[2J\\u001b]0;owned\\u0007title\",\"status\":400,\"detail\":\"de\\u202Etail\\u0000\"," +
                   "\"uploadValidationIssues\":[{\"severity\":1,\"code\":\"X\",\"field\":\"f\\u001b[31m\",\"description\":\"desc\\u001b[5mription\"}]}";
        using var response = new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent(body, Encoding.UTF8, "application/problem+json") };
        var ex = await ErrorMapper.ToExceptionAsync(response, "AddAttachment", "Uploading");
        Assert.DoesNotContain(Esc, ex.Message);
        Assert.DoesNotContain('\u202E', ex.Message);
        Assert.DoesNotContain('\u0000', ex.Message);
        Assert.Contains("Bad title", ex.Message);
        Assert.Contains("detail", ex.Message);
        Assert.All(ex.ValidationIssues, i => Assert.DoesNotContain(Esc, i.ToString()));
        Assert.Contains("description", ex.ValidationIssues.Single().ToString());
    }

    [Fact]
    public void A_validation_issue_shows_clean_whatever_it_holds()
    {
        var issue = new AltinnValidationIssue { Severity = AltinnValidationSeverity.Error, Field = "a\u001b[31mb", Description = "x\u202Ey", Code = "c\u0007" };
        Assert.Equal("Error: ab: xy [c]", issue.ToString());
    }
}
