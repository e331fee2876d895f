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

        var group = routes.MapGroup("/{org}/{app}").AddEndpointFilter<AppCallFilter>().DisableAntiforgery();
        group.MapInstances();
        group.MapData();
        group.MapProcess();
        group.MapParties();
    }
}
