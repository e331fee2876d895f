using AltinnApp.Simulator.Apps;
using AltinnApp.Simulator.Infrastructure;
using AltinnApp.Simulator.Maskinporten;
using AltinnApp.Simulator.Storage;

namespace AltinnApp.Simulator.Control;

/// <summary>The test control API under <c>/_sim/</c> (no authentication; never faulted).</summary>
public static class ControlEndpoints
{
    public static void MapControl(this IEndpointRouteBuilder routes)
    {
        var sim = routes.MapGroup("/_sim").DisableAntiforgery();

        sim.MapGet("/health", () => Responses.Json(new { Status = "ok" }));

        sim.MapPost("/reset", (IServiceProvider services) =>
        {
            services.GetRequiredService<InstanceStore>().Clear();
            services.GetRequiredService<ClientRegistry>().Clear();
            services.GetRequiredService<FaultInjector>().Clear();
            services.GetRequiredService<Counters>().Clear();
            services.GetRequiredService<JtiCache>().Clear();
            services.GetRequiredService<GrantLog>().Clear();
            services.GetRequiredService<AppRegistry>().Reset();
            services.GetRequiredService<PartyRegistry>().Reset();
            services.GetRequiredService<SimulatorSettings>().Reset();
            services.GetRequiredService<PdfFaults>().Reset();
            services.GetRequiredService<RequestLog>().Clear();
            services.GetRequiredService<TokenGeneration>().Reset();
            services.GetRequiredService<Vendor.VendorStore>().Clear();
            HostileData.Clear();
            return Responses.Json(new { Status = "reset" });
        });

        sim.MapPost("/clients", (ClientRegistrationDto dto, ClientRegistry clients) =>
        {
            RegisteredClient client;
            try { client = RegisteredClient.Parse(dto); }
            catch (Exception e) when (e is ArgumentException or FormatException or System.Security.Cryptography.CryptographicException)
            {
                return Responses.Problem(400, "Invalid client registration", e.Message);
            }
            clients.Register(client);
            return Responses.Json(new
            {
                client.ClientId,
                client.ConsumerOrganizationNumber,
                client.SystemId,
                SystemUsers = client.SystemUsers.Select(u => new { u.OrganizationNumber, u.ExternalRef, u.SystemUserId, Kind = u.Kind == SystemUserKind.Agent ? "agent" : "standard" }),
            }, StatusCodes.Status201Created);
        });

        sim.MapDelete("/clients/{clientId}", (string clientId, ClientRegistry clients) =>
        {
            clients.Remove(clientId);
            return Results.NoContent();
        });

        sim.MapGet("/systemusers/{systemUserId}", (string systemUserId, SystemUserDirectory users) =>
            users.Describe(systemUserId) is { } view ? Responses.Json(view) : Responses.Problem(404, "Not Found", $"no system user {systemUserId}"));

        // client delegation as the facilitator does it in Altinn (AUTH SystemUserClientDelegationController POST/DELETE
        // clients?agent=&client=), seen by the next request of a running batch
        sim.MapPut("/systemusers/{systemUserId}/clients/{organizationNumber}", (string systemUserId, string organizationNumber,
            ClientDelegationDto dto, SystemUserDirectory users) =>
        {
            ClientDelegation delegation;
            try { delegation = new ClientDelegationDto { OrganizationNumber = organizationNumber, AccessPackages = dto.AccessPackages }.ToDelegation(); }
            catch (ArgumentException e) { return Responses.Problem(400, "Invalid client delegation", e.Message); }
            if (users.KindOf(systemUserId) != SystemUserKind.Agent)
                return Responses.Problem(400, "Invalid client delegation", $"{systemUserId} is not an agent system user");
            users.Delegate(systemUserId, delegation);
            return Responses.Json(users.Describe(systemUserId)!);
        });
        sim.MapDelete("/systemusers/{systemUserId}/clients/{organizationNumber}", (string systemUserId, string organizationNumber, SystemUserDirectory users) =>
            users.Revoke(systemUserId, organizationNumber) ? Results.NoContent() : Responses.Problem(404, "Not Found", $"{organizationNumber} is not a client of {systemUserId}"));

        sim.MapPut("/settings", (SettingsUpdate update, SimulatorSettings settings) => Responses.Json(settings.Apply(update)));
        sim.MapGet("/settings", (SimulatorSettings settings) => Responses.Json(settings.Current));

        sim.MapPut("/pdf-failures", (PdfFailuresUpdate update, PdfFaults pdf) =>
            update.Count < 0
                ? Responses.Problem(400, "Bad Request", "count must be 0 or more")
                : Responses.Json(new { Remaining = pdf.Set(update.Count) }));
        sim.MapGet("/pdf-failures", (PdfFaults pdf) => Responses.Json(new { Remaining = pdf.Remaining }));

        sim.MapPut("/faults", (FaultConfiguration configuration, FaultInjector faults) =>
        {
            faults.Configure(configuration);
            return Responses.Json(configuration);
        });
        sim.MapDelete("/faults", (FaultInjector faults) =>
        {
            faults.Clear();
            return Results.NoContent();
        });

        sim.MapPut("/hostile-data", (HostileDataUpdate update) =>
            update.Elements.Any(e => e.ExtraBytes < 0 || e.ExtraBytes > 64 * 1024 * 1024)
                ? Responses.Problem(400, "Bad Request", "extraBytes must be 0 to 67108864")
                : Responses.Json(new { Disguised = HostileData.Set(update) }));
        sim.MapDelete("/hostile-data", () =>
        {
            HostileData.Clear();
            return Results.NoContent();
        });

        sim.MapGet("/counters", (Counters counters) => Responses.Json(counters.Snapshot()));
        sim.MapDelete("/counters", (Counters counters) =>
        {
            counters.Clear();
            return Results.NoContent();
        });

        sim.MapPost("/apps", (AppDefinitionDto dto, AppRegistry apps) =>
        {
            AppDefinition app;
            try { app = AppDefinition.Parse(dto); }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
            {
                return Responses.Problem(400, "Invalid app definition", e.Message);
            }
            apps.AddOrReplace(app);
            return Results.Text(app.MetadataJson, Responses.JsonContentType, statusCode: StatusCodes.Status201Created);
        });

        sim.MapPost("/parties", (PartyDto dto, PartyRegistry parties) =>
        {
            if (dto.PartyId is not int partyId || (string.IsNullOrEmpty(dto.OrganizationNumber) == string.IsNullOrEmpty(dto.PersonNumber)))
                return Responses.Problem(400, "Invalid party", "Give partyId and exactly one of organizationNumber or personNumber");
            var party = new Party(partyId,
                string.IsNullOrEmpty(dto.OrganizationNumber) ? null : dto.OrganizationNumber,
                string.IsNullOrEmpty(dto.PersonNumber) ? null : dto.PersonNumber,
                dto.Name ?? $"Party {partyId}");
            parties.Add(party);
            return Responses.Json(new { party.PartyId, OrganizationNumber = party.OrganisationNumber, party.PersonNumber, party.Name }, StatusCodes.Status201Created);
        });

        sim.MapGet("/instances", (HttpRequest request, InstanceStore store) =>
        {
            string baseUrl = InstanceViews.BaseUrl(request);
            var all = new List<Models.Instance>();
            foreach (var instance in store.All())
                lock (instance.Gate) all.Add(InstanceViews.Instance(instance, baseUrl));
            return Responses.Json(all);
        });

        sim.MapGet("/grants", (GrantLog grants) => Responses.Json(grants.Snapshot()));

        sim.MapGet("/requests", (RequestLog log) => Responses.Json(log.Snapshot()));
        sim.MapDelete("/requests", (RequestLog log) =>
        {
            log.Clear();
            return Results.NoContent();
        });

        sim.MapPost("/tokens/revoke", (TokenGeneration generation) => Responses.Json(new { Generation = generation.Revoke() }));
    }
}

/// <summary>Body of <c>POST /_sim/parties</c>; <c>organisationNumber</c> is accepted as a spelling too.</summary>
public sealed class PartyDto
{
    public int? PartyId { get; set; }
    public string? OrganizationNumber { get; set; }
    public string? OrganisationNumber { set => OrganizationNumber ??= value; }
    public string? PersonNumber { get; set; }
    public string? Name { get; set; }
}
