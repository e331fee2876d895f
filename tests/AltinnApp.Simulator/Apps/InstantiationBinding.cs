using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using AltinnApp.Simulator.Infrastructure;

namespace AltinnApp.Simulator.Apps;

/// <summary>
/// The body of <c>POST instances/create</c> bound as the app binds it: <c>[FromBody] InstansiationInstance</c> in an
/// <c>[ApiController]</c> (ALD <c>InstancesController.PostSimplified</c>, <c>Models/InstansiationInstance.cs</c>), read by
/// ASP.NET Core's System.Text.Json input formatter with the web defaults (camelCase, property names case-insensitive,
/// unknown properties ignored, depth 32). A body that does not bind is a 400 ValidationProblemDetails before the
/// controller runs: the JSON path with System.Text.Json's own message, plus the parameter's implicit [Required]
/// (nullable reference types are on in app-lib), as ASP.NET's ModelStateInvalidFilter writes it.
/// </summary>
public static class InstantiationBinding
{
    private const string ParameterName = "instansiationInstance";

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { MaxDepth = 32 };

    // System.Text.Json names the .NET type it could not fill; these are the app's types
    private static readonly (string Ours, string Theirs)[] TypeNames =
    [
        (typeof(BoundInstantiation).FullName!, "Altinn.App.Api.Models.InstansiationInstance"),
        (typeof(BoundInstanceOwner).FullName!, "Altinn.Platform.Storage.Interface.Models.InstanceOwner"),
    ];

    /// <summary>The body bound, or the 400 the app would answer.</summary>
    public static async Task<(BoundInstantiation? Body, IResult? Error)> BindAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength == 0) return (null, MissingBody());
        BoundInstantiation? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<BoundInstantiation>(request.Body, Options, cancellationToken);
        }
        catch (JsonException e)
        {
            return (null, ValidationProblem(new JsonObject
            {
                [e.Path ?? string.Empty] = new JsonArray(AppTypeNames(e.Message)),
                [ParameterName] = new JsonArray(RequiredMessage),
            }));
        }

        // a body of "null" binds to no value, as an empty one does
        return body is null ? (null, MissingBody()) : (body, null);
    }

    private const string RequiredMessage = "The " + ParameterName + " field is required.";

    private static IResult MissingBody() => ValidationProblem(new JsonObject
    {
        [string.Empty] = new JsonArray("A non-empty request body is required."),
        [ParameterName] = new JsonArray(RequiredMessage),
    });

    /// <summary>ASP.NET Core's ValidationProblemDetails for a model state with errors (net8.0 defaults).</summary>
    public static IResult ValidationProblem(JsonObject errors)
    {
        var body = new JsonObject
        {
            ["type"] = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
            ["title"] = "One or more validation errors occurred.",
            ["status"] = 400,
            ["errors"] = errors,
            ["traceId"] = Activity.Current?.Id ?? $"00-{Guid.NewGuid():N}-{Guid.NewGuid().ToString("N")[..16]}-00",
        };
        return Results.Json(body, SimJson.Options, Responses.ProblemContentType, 400);
    }

    private static string AppTypeNames(string message)
    {
        foreach (var (ours, theirs) in TypeNames) message = message.Replace(ours, theirs, StringComparison.Ordinal);
        return message;
    }
}

/// <summary>The shape of ALD's <c>InstansiationInstance</c> (<c>notification</c> is not modelled: the simulator sends none).</summary>
public sealed class BoundInstantiation
{
    public BoundInstanceOwner? InstanceOwner { get; set; }
    public DateTime? DueBefore { get; set; }
    public DateTime? VisibleAfter { get; set; }
    public Dictionary<string, string?>? Prefill { get; set; }
    public string? SourceInstanceId { get; set; }
}

/// <summary>STO's <c>InstanceOwner</c>: every field is a string.</summary>
public sealed class BoundInstanceOwner
{
    public string? PartyId { get; set; }
    public string? PersonNumber { get; set; }
    public string? OrganisationNumber { get; set; }
    public string? Username { get; set; }
    public string? ExternalIdentifier { get; set; }
}
