using System.Text.Json.Nodes;
using AltinnApp.Simulator.Infrastructure;

namespace AltinnApp.Simulator.Apps;

/// <summary>
/// <c>GET /storage/api/v1/applications/{org}</c> (altinn-storage <c>ApplicationsController.GetMany</c>): anonymous; an owner
/// id with '-' or ' ' is a 400 with text; otherwise 200 <c>{"applications":[…]}</c> with each app's metadata, an
/// empty list for an owner with none.
/// </summary>
public static class StorageApplicationsEndpoint
{
    public static void MapStorageApplications(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/storage/api/v1/applications/{org}", (string org, AppRegistry apps) =>
        {
            if (string.IsNullOrEmpty(org) || org.Contains('-') || org.Contains(' '))
                return Results.Text($"Application owner id '{org}' is not valid", Responses.TextContentType, null, 400);
            var list = new JsonArray();
            foreach (var app in apps.OfOrg(org)) list.Add(JsonNode.Parse(app.MetadataJson));
            return Results.Text(new JsonObject { ["applications"] = list }.ToJsonString(SimJson.Options), Responses.JsonContentType);
        });
}
