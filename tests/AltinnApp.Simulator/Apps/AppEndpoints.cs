using AltinnApp.Simulator.Infrastructure;

namespace AltinnApp.Simulator.Apps;

public static class AppEndpoints
{
    /// <summary>Every app route lives under <c>/{org}/{app}</c>; all but applicationmetadata need an Altinn token.</summary>
    public static void MapApps(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/{org}/{app}/api/v1/applicationmetadata", (string org, string app, AppRegistry apps) =>
            apps.Find(org, app) is { } definition
                ? Results.Text(definition.MetadataJson, Responses.JsonContentType)
                : Responses.BareProblem(404));

        // ResourceController.GetModelJsonSchema: anonymous; Ok(string) of models/{id}.schema.json, which has no file for an id that is no model (500)
        routes.MapGet("/{org}/{app}/api/jsonschema/{id}", (string org, string app, string id, HttpRequest request, AppRegistry apps) =>
        {
            if (apps.Find(org, app) is not { } definition) return Responses.BareProblem(404);
            if (definition.DataType(id) is not { IsFormData: true }) return Responses.Empty(500);
            var schema = FormData.Schema(definition);
            return AcceptsOnlyJson(request) ? Responses.JsonString(200, schema) : Results.Text(schema, Responses.TextContentType);
        });

        routes.MapProcessDefinition();
        routes.MapStorageApplications();

        var group = routes.MapGroup("/{org}/{app}").AddEndpointFilter<AppCallFilter>().DisableAntiforgery();
        group.MapInstances();
        group.MapData();
        group.MapProcess();
        group.MapParties();
    }

    /// <summary>
    /// ASP.NET picks the formatter for a string by Accept: with none, or with */* (browser Accept headers are not
    /// respected), the string formatter (text/plain); with application/json alone, the JSON formatter, which writes
    /// the schema as one JSON string.
    /// </summary>
    private static bool AcceptsOnlyJson(HttpRequest request)
    {
        var accept = request.Headers.Accept.ToString();
        return accept.Contains("application/json", StringComparison.OrdinalIgnoreCase)
            && !accept.Contains("*/*", StringComparison.Ordinal) && !accept.Contains("text/plain", StringComparison.OrdinalIgnoreCase);
    }
}
