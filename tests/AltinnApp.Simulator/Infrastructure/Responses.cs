using System.Diagnostics;
using System.Text.Json.Nodes;

namespace AltinnApp.Simulator.Infrastructure;

/// <summary>
/// The error-body kinds of the app API (reference §3): ProblemDetails, a JSON string (inside the
/// instances controller), text/plain (legacy data POST) or nothing.
/// </summary>
public static class Responses
{
    public const string JsonContentType = "application/json; charset=utf-8";
    public const string ProblemContentType = "application/problem+json; charset=utf-8";
    public const string TextContentType = "text/plain; charset=utf-8";

    public static IResult Json(object? value, int status = 200) =>
        Results.Json(value, SimJson.Options, JsonContentType, status);

    /// <summary>A ProblemDetails the app builds itself: standard fields only when set, then extensions.</summary>
    public static IResult Problem(int status, string? title, string? detail = null, IDictionary<string, object?>? extensions = null)
    {
        var body = new JsonObject();
        if (title is not null) body["title"] = title;
        body["status"] = status;
        if (detail is not null) body["detail"] = detail;
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions)
                body[key] = System.Text.Json.JsonSerializer.SerializeToNode(value, SimJson.Options);
        }
        return Results.Json(body, SimJson.Options, ProblemContentType, status);
    }

    /// <summary>What ASP.NET's client-error mapping makes of a bare <c>Conflict()</c>, <c>NotFound()</c>, ...</summary>
    public static IResult BareProblem(int status)
    {
        var (type, title) = status switch
        {
            400 => ("https://tools.ietf.org/html/rfc9110#section-15.5.1", "Bad Request"),
            401 => ("https://tools.ietf.org/html/rfc9110#section-15.5.2", "Unauthorized"),
            403 => ("https://tools.ietf.org/html/rfc9110#section-15.5.4", "Forbidden"),
            404 => ("https://tools.ietf.org/html/rfc9110#section-15.5.5", "Not Found"),
            409 => ("https://tools.ietf.org/html/rfc9110#section-15.5.10", "Conflict"),
            413 => ("https://tools.ietf.org/html/rfc9110#section-15.5.14", "Content Too Large"),
            415 => ("https://tools.ietf.org/html/rfc9110#section-15.5.16", "Unsupported Media Type"),
            429 => ("https://tools.ietf.org/html/rfc6585#section-4", "Too Many Requests"),
            503 => ("https://tools.ietf.org/html/rfc9110#section-15.6.4", "Service Unavailable"),
            _ => ("https://tools.ietf.org/html/rfc9110#section-15.6.1", "An error occurred while processing your request."),
        };
        var body = new JsonObject
        {
            ["type"] = type,
            ["title"] = title,
            ["status"] = status,
            ["traceId"] = Activity.Current?.Id ?? $"00-{Guid.NewGuid():N}-{Guid.NewGuid().ToString("N")[..16]}-00",
        };
        return Results.Json(body, SimJson.Options, ProblemContentType, status);
    }

    /// <summary><c>BadRequest("text")</c> inside a controller with <c>[Produces("application/json")]</c>.</summary>
    public static IResult JsonString(int status, string message) =>
        Results.Json(message, SimJson.Options, JsonContentType, status);

    public static IResult Text(int status, string message) =>
        Results.Text(message, TextContentType, null, status);

    public static IResult Empty(int status) => Results.StatusCode(status);
}
