using System.Text.Json;
using System.Text.Json.Nodes;
using AltinnApp.Simulator.Apps;
using AltinnApp.Simulator.Exchange;
using AltinnApp.Simulator.Infrastructure;
using AltinnApp.Simulator.Storage;

namespace AltinnApp.Simulator.Vendor;

/// <summary>
/// The vendor endpoints of Altinn's authentication API (altinn-authentication src/Authentication/Controllers:
/// SystemRegisterController, RequestSystemUserController, SystemUserController), called with the vendor's own
/// Maskinporten token, and the control endpoints that answer a request as the customer does in the portal.
/// </summary>
public static class VendorEndpoints
{
    // AuthzConstants' scope policies
    public const string RegisterWrite = "altinn:authentication/systemregister.write";
    public const string RequestWrite = "altinn:authentication/systemuser.request.write";
    public const string RequestRead = "altinn:authentication/systemuser.request.read";

    /// <summary>The access packages the simulator's "Access management" knows; those for client relations cannot go on a visible system.</summary>
    public static readonly IReadOnlyDictionary<string, bool> AccessPackages = new Dictionary<string, bool>(StringComparer.Ordinal)
    {
        ["urn:altinn:accesspackage:regnskapsforer-med-signeringsrettighet"] = true,
        ["urn:altinn:accesspackage:regnskapsforer-uten-signeringsrettighet"] = true,
        ["urn:altinn:accesspackage:regnskapsforer-lonn"] = true,
        ["urn:altinn:accesspackage:ansvarlig-revisor"] = true,
        ["urn:altinn:accesspackage:revisormedarbeider"] = true,
        ["urn:altinn:accesspackage:skattegrunnlag"] = false,
        ["urn:altinn:accesspackage:regnskap-okonomi-rapport"] = false,
        ["urn:altinn:accesspackage:merverdiavgift"] = false,
    };

    private const string ResourceAttribute = "urn:altinn:resource";

    public static void MapVendor(this IEndpointRouteBuilder routes)
    {
        var register = routes.MapGroup("/authentication/api/v1/systemregister").DisableAntiforgery();
        register.MapGet("/vendor", ListSystems);
        register.MapGet("/vendor/{systemId}", GetSystem);
        register.MapPost("/vendor", CreateSystem);
        register.MapPut("/vendor/{systemId}", UpdateSystem);

        var requests = routes.MapGroup("/authentication/api/v1/systemuser/request").DisableAntiforgery();
        requests.MapPost("/vendor", (HttpContext http, VendorStore store, AppRegistry apps, PartyRegistry parties, TokenIssuer issuer) => CreateRequest(http, store, parties, issuer, agent: false));
        requests.MapPost("/vendor/agent", (HttpContext http, VendorStore store, AppRegistry apps, PartyRegistry parties, TokenIssuer issuer) => CreateRequest(http, store, parties, issuer, agent: true));
        requests.MapGet("/vendor/{requestId}", (HttpContext http, string requestId, VendorStore store, TokenIssuer issuer) => GetRequest(http, requestId, store, issuer, agent: false));
        requests.MapGet("/vendor/agent/{requestId}", (HttpContext http, string requestId, VendorStore store, TokenIssuer issuer) => GetRequest(http, requestId, store, issuer, agent: true));
        requests.MapGet("/vendor/byexternalref/{systemId}/{orgNo}/{externalRef}",
            (HttpContext http, string systemId, string orgNo, string externalRef, VendorStore store, TokenIssuer issuer) => GetByExternalRef(http, systemId, orgNo, externalRef, store, issuer, agent: false));
        requests.MapGet("/vendor/agent/byexternalref/{systemId}/{orgNo}/{externalRef}",
            (HttpContext http, string systemId, string orgNo, string externalRef, VendorStore store, TokenIssuer issuer) => GetByExternalRef(http, systemId, orgNo, externalRef, store, issuer, agent: true));

        routes.MapGet("/authentication/api/v1/systemuser/vendor/bysystem/{systemId}", ListSystemUsers);

        // the customer's side, as the portal does it (ApproveSystemUserRequest / RejectSystemUserRequest)
        var sim = routes.MapGroup("/_sim").DisableAntiforgery();
        sim.MapPost("/systemuser-requests/{requestId}/approve", async (HttpContext http, string requestId, VendorStore store) =>
        {
            var clients = new List<string>();
            if (http.Request.ContentLength > 0)
            {
                var body = await JsonNode.ParseAsync(http.Request.Body);
                foreach (var c in body?["clients"] as JsonArray ?? new JsonArray()) if (c?.GetValue<string>() is { } org) clients.Add(org);
            }
            return Answer(requestId, store, accept: true, clients);
        });
        sim.MapPost("/systemuser-requests/{requestId}/reject", (string requestId, VendorStore store) => Answer(requestId, store, accept: false, []));
        sim.MapGet("/systemuser-requests", (VendorStore store) => Responses.Json(store.AllRequests()));
        sim.MapGet("/systemusers", (VendorStore store) => Responses.Json(store.AllUsers()));
    }

    // ---- the vendor's token ----

    /// <summary>
    /// The vendor is the Maskinporten token's consumer; the endpoint's policy wants one scope. No token, or one
    /// this Maskinporten did not sign: 401. A token without the scope: 403, with no body (the policy's answer).
    /// </summary>
    private static (string? VendorOrg, IResult? Refusal) Authorize(HttpContext http, TokenIssuer issuer, string scope)
    {
        string header = http.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? issuer.ValidateMaskinportenToken(header["Bearer ".Length..], Issuers.Maskinporten(http.Request))
            : null;
        if (token is null) return (null, Results.StatusCode(StatusCodes.Status401Unauthorized));
        var scopes = (token.StringClaim("scope") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (!scopes.Contains(scope, StringComparer.Ordinal)) return (null, Results.StatusCode(StatusCodes.Status403Forbidden));
        string consumer = token.Payload["consumer"]?["ID"]?.GetValue<string>() ?? "";
        string org = consumer.StartsWith("0192:") ? consumer[5..] : "";
        // Problem.Vendor_Orgno_NotFound
        if (org.Length == 0) return (null, AuthProblem(23, 401, "Can't resolve the Organisation Number for the Vendor from the Token."));
        return (org, null);
    }

    // ---- the system register ----

    private static IResult ListSystems(HttpContext http, VendorStore store, TokenIssuer issuer)
    {
        var (vendor, refusal) = Authorize(http, issuer, RegisterWrite);
        if (refusal is not null) return refusal;
        return Responses.Json(store.SystemsOf(vendor!).Select(s => new
        {
            systemId = s.Id,
            systemVendorOrgNumber = s.VendorOrg,
            name = s.Name,
            description = s.Description,
            rights = s.Rights.Select(RightJson),
            accessPackages = s.AccessPackages.Select(u => new { urn = u }),
            isVisible = s.IsVisible,
        }));
    }

    private static IResult GetSystem(HttpContext http, string systemId, VendorStore store, TokenIssuer issuer)
    {
        var (vendor, refusal) = Authorize(http, issuer, RegisterWrite);
        if (refusal is not null) return refusal;
        var system = store.System(systemId);
        if (system is null) return Responses.BareProblem(404);
        if (system.VendorOrg != vendor) return Results.StatusCode(StatusCodes.Status403Forbidden);
        return Responses.Json(SystemJson(system));
    }

    private static async Task<IResult> CreateSystem(HttpContext http, VendorStore store, AppRegistry apps, TokenIssuer issuer)
    {
        var (vendor, refusal) = Authorize(http, issuer, RegisterWrite);
        if (refusal is not null) return refusal;
        var body = await ReadBody(http);
        if (body is null) return Responses.BareProblem(400);

        string id = (Str(body["id"]) ?? "").Trim();
        string vendorId = Str(body["vendor"]?["ID"]) ?? "";
        var errors = new List<(int Code, string Detail, string Path)>();
        // IsValidOrgIdentifier: reported alone
        if (!vendorId.StartsWith("0192:"))
            return Validation([(0, "the org number identifier is not valid ISO6523 identifier", "/registersystemrequest/vendor/id")]);
        string vendorOrg = vendorId[5..];
        if (id.Contains(' ') || id.Length == 0) errors.Add((13, "System ID cannot have spaces in id (leading, trailing or in between the id)", "/registersystemrequest/systemid"));
        if (id.Split('_')[0] != vendorOrg) errors.Add((1, "The system id does not match the format orgnumber_xxxx...", "/registersystemrequest/systemid"));
        if (store.System(id) is not null) errors.Add((2, "The system id already exists", "/registersystemrequest/systemid"));
        var redirects = StrList(body["allowedRedirectUrls"]);
        if (redirects.Any(r => !(Uri.TryCreate(r, UriKind.Absolute, out var u) && u.Scheme == Uri.UriSchemeHttps)))
            errors.Add((5, "One or more of the redirect urls format is not valid. The valid format is https://xxx.xx", "/registersystemrequest/allowedredirecturls"));
        var clientIds = StrList(body["clientId"]);
        if (clientIds.Any(c => store.SystemWithClient(c, null) is not null))
            errors.Add((4, "One of the client id is already tagged with an existing system", "/registersystemrequest/clientid"));
        bool visible = body["isVisible"] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : true;
        var (rights, rightErrors) = ReadRights(body["rights"], apps);
        errors.AddRange(rightErrors);
        var (packages, packageErrors) = ReadPackages(body["accessPackages"], visible);
        errors.AddRange(packageErrors);

        // HasWriteAccess: the vendor in the body must be the token's
        if (vendorOrg != vendor) return Results.StatusCode(StatusCodes.Status403Forbidden);
        if (errors.Count > 0) return Validation(errors);

        var system = new SimSystem
        {
            Id = id,
            VendorOrg = vendorOrg,
            Name = StrMap(body["name"]),
            Description = StrMap(body["description"]),
            Rights = rights,
            AccessPackages = packages,
            ClientIds = clientIds,
            AllowedRedirectUrls = redirects,
            IsVisible = visible,
        };
        if (!store.TryAdd(system)) return Responses.JsonString(409, $"The System already exist: {id}");
        // Ok(registeredSystemGuid): the system's internal id
        return Responses.Json(Guid.NewGuid());
    }

    private static async Task<IResult> UpdateSystem(HttpContext http, string systemId, VendorStore store, AppRegistry apps, TokenIssuer issuer)
    {
        var (vendor, refusal) = Authorize(http, issuer, RegisterWrite);
        if (refusal is not null) return refusal;
        var system = store.System(systemId);
        if (system is null) return Responses.JsonString(404, $"System with ID '{systemId}' not found.");
        if (system.VendorOrg != vendor) return Results.StatusCode(StatusCodes.Status403Forbidden);
        var body = await ReadBody(http);
        if (body is null) return Responses.BareProblem(400);
        if ((Str(body["id"]) ?? "").Trim() != systemId)
            return Validation([(12, "The system ID in the request body does not match the system ID in the URL", "/registersystemrequest/systemid")]);
        if (system.IsDeleted) return Responses.JsonString(400, "Cannot update a system marked as deleted.");

        var errors = new List<(int Code, string Detail, string Path)>();
        bool visible = body["isVisible"] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : true;
        var (rights, rightErrors) = ReadRights(body["rights"], apps);
        errors.AddRange(rightErrors);
        var (packages, packageErrors) = ReadPackages(body["accessPackages"], visible);
        errors.AddRange(packageErrors);
        var clientIds = StrList(body["clientId"]);
        if (clientIds.Count != clientIds.Distinct(StringComparer.OrdinalIgnoreCase).Count())
            errors.Add((11, "Request contains duplicate client ids", "/registersystemrequest/clientid"));
        if (clientIds.Any(c => store.SystemWithClient(c, systemId) is not null))
            errors.Add((4, "One of the client id is already tagged with an existing system", "/registersystemrequest/clientid"));
        var redirects = StrList(body["allowedRedirectUrls"]);
        if (redirects.Any(r => !(Uri.TryCreate(r, UriKind.Absolute, out var u) && u.Scheme == Uri.UriSchemeHttps)))
            errors.Add((5, "One or more of the redirect urls format is not valid. The valid format is https://xxx.xx", "/registersystemrequest/allowedredirecturls"));
        if (errors.Count > 0) return Validation(errors);

        system.Name = StrMap(body["name"]);
        system.Description = StrMap(body["description"]);
        system.Rights = rights;
        system.AccessPackages = packages;
        // CombineClientIds: the update adds client ids, it never drops one
        system.ClientIds = system.ClientIds.Union(clientIds, StringComparer.OrdinalIgnoreCase).ToList();
        system.AllowedRedirectUrls = redirects;
        system.IsVisible = visible;
        return Responses.Json(new { succeeded = true });
    }

    // ---- system user requests ----

    private static async Task<IResult> CreateRequest(HttpContext http, VendorStore store, PartyRegistry parties, TokenIssuer issuer, bool agent)
    {
        var (vendor, refusal) = Authorize(http, issuer, RequestWrite);
        if (refusal is not null) return refusal;
        var body = await ReadBody(http);
        string? systemId = Str(body?["systemId"])?.Trim();
        string? partyOrgNo = Str(body?["partyOrgNo"])?.Trim();
        // [Required] systemId and partyOrgNo (and accessPackages for an agent): the model binding's 400
        if (body is null || string.IsNullOrEmpty(systemId) || string.IsNullOrEmpty(partyOrgNo) || (agent && body["accessPackages"] is not JsonArray))
            return Responses.Problem(400, "One or more validation errors occurred.", null,
                new Dictionary<string, object?> { ["type"] = "https://tools.ietf.org/html/rfc9110#section-15.5.1" });
        string externalRef = Str(body["externalRef"])?.Trim() is { Length: > 0 } r ? r : partyOrgNo;

        if (store.UserByExternalRef(systemId, partyOrgNo, externalRef) is not null)
            return AuthProblem(4, 400, "Failed to create new SystemUser, existing SystemUser tied to the given System-Id.");

        // RequestSystemUserController.CreateRequest: a request for the same three values that has not timed out is
        // answered again, with 200, whatever its status (an accepted one was caught above as SystemUser_AlreadyExists)
        var existing = store.RequestByExternalRef(systemId, partyOrgNo, externalRef, agent);
        if (existing is not null && existing.Status != "Timedout" && existing.VendorOrg == vendor)
            return Responses.Json(RequestJson(http, existing));

        var system = store.System(systemId);
        if (system is null) return AuthProblem(11, 404, "The Id does not refer to a Registered System.");
        // ValidateVendorOrgNo: another vendor's system is "not found"
        if (system.VendorOrg != vendor) return AuthProblem(11, 404, "The Id does not refer to a Registered System.");
        if (parties.ByOrganisationNumber(partyOrgNo) is null)
            return AuthProblem(0, 400, "Can't resolve the Organisation Number from the logged in Reportee PartyId.");

        string? redirect = Str(body["redirectUrl"]);
        if (!string.IsNullOrEmpty(redirect))
        {
            if (system.AllowedRedirectUrls.Count == 0) return AuthProblem(26, 400, "No redirect uris are set for the system");
            if (!Uri.TryCreate(redirect, UriKind.Absolute, out var chosen) ||
                !system.AllowedRedirectUrls.Any(a => Uri.TryCreate(a, UriKind.Absolute, out var allowed) && allowed.GetLeftPart(UriPartial.Path) == chosen.GetLeftPart(UriPartial.Path)))
                return AuthProblem(21, 400, "The RedirectUri was not found or not valid.");
        }

        var rights = agent ? new List<string>() : ResourceIds(body["rights"]);
        var packages = (body["accessPackages"] as JsonArray ?? new JsonArray()).Select(p => Str(p?["urn"])).OfType<string>().ToList();
        if (!agent && body["rights"] is null && body["accessPackages"] is null)
            return AuthProblem(1, 400, "One or more Right not found or not delegable.");
        if (rights.Count == 0 && packages.Count == 0)
            return AuthProblem(1, 400, "One or more Right not found or not delegable.");
        if (rights.Any(r => !system.Rights.Contains(r)) || packages.Any(p => !system.AccessPackages.Contains(p)))
            return AuthProblem(1, 400, "One or more Right not found or not delegable.");

        var request = new SimRequest
        {
            Id = Guid.NewGuid(),
            IsAgent = agent,
            SystemId = systemId,
            VendorOrg = vendor!,
            PartyOrgNo = partyOrgNo,
            ExternalRef = externalRef,
            IntegrationTitle = Str(body["integrationTitle"])?.Trim() ?? system.Name.GetValueOrDefault("nb"),
            Rights = rights,
            AccessPackages = packages,
            RedirectUrl = redirect,
            Created = DateTime.UtcNow,
        };
        store.Add(request);
        http.Response.Headers.Location = $"{http.Request.Scheme}://{http.Request.Host}/authentication/api/v1/systemuser/request/{request.Id}";
        return Responses.Json(RequestJson(http, request), StatusCodes.Status201Created);
    }

    private static IResult GetRequest(HttpContext http, string requestId, VendorStore store, TokenIssuer issuer, bool agent)
    {
        var (vendor, refusal) = Authorize(http, issuer, RequestRead);
        if (refusal is not null) return refusal;
        // the route takes a Guid: anything else does not match it
        if (!Guid.TryParse(requestId, out var id)) return Responses.BareProblem(404);
        var request = store.Request(id);
        if (request is null || request.VendorOrg != vendor)
            return agent ? AuthProblem(30, 404, "The Id does not refer to an AgentRequest in our system.") : AuthProblem(10, 404, "The Id does not refer to a Request in our system.");
        if (request.IsAgent != agent)
            return agent ? AuthProblem(25, 400, "The request id is valid but its not a valid request for creating an agent system user") : AuthProblem(10, 404, "The Id does not refer to a Request in our system.");
        return Responses.Json(RequestJson(http, request));
    }

    private static IResult GetByExternalRef(HttpContext http, string systemId, string orgNo, string externalRef, VendorStore store, TokenIssuer issuer, bool agent)
    {
        var (vendor, refusal) = Authorize(http, issuer, RequestRead);
        if (refusal is not null) return refusal;
        var request = store.RequestByExternalRef(systemId, orgNo, externalRef, agent);
        if (request is null || request.VendorOrg != vendor)
            return agent ? AuthProblem(30, 404, "The Id does not refer to an AgentRequest in our system.") : AuthProblem(10, 404, "The Id does not refer to a Request in our system.");
        return Responses.Json(RequestJson(http, request));
    }

    // ---- system users ----

    private static IResult ListSystemUsers(HttpContext http, string systemId, VendorStore store, TokenIssuer issuer)
    {
        // SystemUserController.GetAllSystemUsersByVendorSystem asks for systemregister.write
        var (vendor, refusal) = Authorize(http, issuer, RegisterWrite);
        if (refusal is not null) return refusal;
        var system = store.System(systemId);
        if (system is null || system.VendorOrg != vendor) return AuthProblem(11, 404, "The Id does not refer to a Registered System.");
        return Responses.Json(new
        {
            links = new { next = (string?)null },
            data = store.UsersOf(systemId).Select(u => new
            {
                id = u.Id,
                integrationTitle = u.IntegrationTitle ?? "",
                systemId = u.SystemId,
                productName = u.SystemId,
                reporteeOrgNo = u.ReporteeOrgNo,
                created = u.Created,
                isDeleted = false,
                supplierName = "",
                supplierOrgno = u.VendorOrg,
                externalRef = u.ExternalRef,
                userType = u.IsAgent ? "agent" : "standard",
            }),
        });
    }

    private static IResult Answer(string requestId, VendorStore store, bool accept, IReadOnlyList<string> clients)
    {
        if (!Guid.TryParse(requestId, out var id)) return Responses.Problem(400, "Invalid request id", requestId);
        var (user, error) = store.Answer(id, accept, clients);
        if (error is not null) return Responses.Problem(409, "Cannot answer the request", error);
        return Responses.Json(new { status = accept ? "Accepted" : "Rejected", systemUser = user });
    }

    // ---- bodies ----

    /// <summary>Altinn.Authorization.ProblemDetails: a ProblemDescriptor of the AUTH domain, its code AUTH-000NN.</summary>
    private static IResult AuthProblem(int number, int status, string detail) =>
        Responses.Problem(status, detail, detail, new Dictionary<string, object?> { ["code"] = $"AUTH-{number:00000}" });

    /// <summary>AltinnValidationProblemDetails: STD-00000 with one entry per validation error (AUTH.VLD-000NN) and its paths.</summary>
    private static IResult Validation(IEnumerable<(int Code, string Detail, string Path)> errors) =>
        Responses.Problem(400, "One or more validation errors occurred.", "One or more validation errors occurred.", new Dictionary<string, object?>
        {
            ["code"] = "STD-00000",
            ["validationErrors"] = errors.Select(e => new { code = $"AUTH.VLD-{e.Code:00000}", detail = e.Detail, paths = new[] { e.Path } }).ToList(),
        });

    private static (List<string> Rights, List<(int, string, string)> Errors) ReadRights(JsonNode? node, AppRegistry apps)
    {
        var errors = new List<(int, string, string)>();
        var ids = new List<string>();
        var badFormat = new List<string>();
        var notFound = new List<string>();
        foreach (var right in node as JsonArray ?? new JsonArray())
        {
            foreach (var pair in right?["resource"] as JsonArray ?? new JsonArray())
            {
                string? attr = Str(pair?["id"]), value = Str(pair?["value"]);
                if (attr != ResourceAttribute || string.IsNullOrEmpty(value)) { badFormat.Add($"{attr}:{value}"); continue; }
                // the resource register knows an app as app_{org}_{app}
                var parts = value.Split('_', 3);
                if (parts.Length != 3 || parts[0] != "app" || apps.Find(parts[1], parts[2]) is null) notFound.Add(value);
                ids.Add(value);
            }
        }
        if (badFormat.Count > 0) errors.Add((9, "One or more resource id is in wrong format. The valid format is urn:altinn:resource. Invalid Resource Id Details : " + string.Join(" | ", badFormat), "/registersystemrequest/rights/resource"));
        if (notFound.Count > 0) errors.Add((3, "One or more resources specified in rights were not found in Altinn's resource register. ResourceIds Not Found : " + string.Join(" | ", notFound), "/registersystemrequest/rights/resource"));
        if (ids.Count != ids.Distinct(StringComparer.Ordinal).Count()) errors.Add((6, "One or more duplicate rights found", "/registersystemrequest/rights/resource"));
        return (ids, errors);
    }

    private static (List<string> Packages, List<(int, string, string)> Errors) ReadPackages(JsonNode? node, bool visible)
    {
        var errors = new List<(int, string, string)>();
        var urns = (node as JsonArray ?? new JsonArray()).Select(p => Str(p?["urn"]) ?? "").ToList();
        var unknown = urns.Where(u => !AccessPackages.ContainsKey(u)).ToList();
        if (unknown.Count > 0) errors.Add((8, "One or all the accesspackage(s) is not found in altinn's access packages or is not delegable. Not found: " + string.Join(", ", unknown), "/registersystemrequest/accesspackages"));
        if (urns.Count != urns.Distinct(StringComparer.Ordinal).Count()) errors.Add((7, "One or more duplicate access package(s) found", "/registersystemrequest/accesspackages"));
        if (visible && urns.Any(u => AccessPackages.GetValueOrDefault(u)))
            errors.Add((18, "Access packages meant for system user for client relations can't be used in combination with the flag isVisible: true", "/registersystemrequest/accesspackages"));
        return (urns, errors);
    }

    private static List<string> ResourceIds(JsonNode? node) =>
        (node as JsonArray ?? new JsonArray())
            .SelectMany(r => r?["resource"] as JsonArray ?? new JsonArray())
            .Where(p => Str(p?["id"]) == ResourceAttribute)
            .Select(p => Str(p?["value"])).OfType<string>().ToList();

    private static object RightJson(string resourceId) => new { action = (string?)null, resource = new[] { new { id = ResourceAttribute, value = resourceId } } };

    private static object SystemJson(SimSystem s) => new
    {
        id = s.Id,
        vendor = new { authority = "iso6523-actorid-upis", ID = $"0192:{s.VendorOrg}" },
        name = s.Name,
        description = s.Description,
        rights = s.Rights.Select(RightJson),
        accessPackages = s.AccessPackages.Select(u => new { urn = u }),
        isDeleted = s.IsDeleted,
        clientId = s.ClientIds,
        isVisible = s.IsVisible,
        allowedRedirectUrls = s.AllowedRedirectUrls,
    };

    /// <summary>RequestSystemResponse, with the confirmUrl the controller adds (CONFIRMURL_PREFIX + host + the page + id).</summary>
    private static object RequestJson(HttpContext http, SimRequest r) => new
    {
        id = r.Id,
        integrationTitle = r.IntegrationTitle,
        externalRef = r.ExternalRef,
        systemId = r.SystemId,
        partyOrgNo = r.PartyOrgNo,
        rights = r.IsAgent ? null : r.Rights.Select(RightJson),
        accessPackages = r.AccessPackages.Select(u => new { urn = u }),
        status = r.Status,
        redirectUrl = r.RedirectUrl,
        confirmUrl = $"{http.Request.Scheme}://{http.Request.Host}/accessmanagement/ui/systemuser/{(r.IsAgent ? "agentrequest" : "request")}?id={r.Id}&DONTCHOOSEREPORTEE=true",
        escalated = false,
        created = r.Created,
        timedOut = r.Status == "Timedout",
    };

    private static async Task<JsonObject?> ReadBody(HttpContext http)
    {
        try { return await JsonNode.ParseAsync(http.Request.Body) as JsonObject; }
        catch (JsonException) { return null; }
    }

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static List<string> StrList(JsonNode? node) =>
        (node as JsonArray ?? new JsonArray()).Select(Str).OfType<string>().Select(s => s.Trim()).Where(s => s.Length > 0).ToList();

    private static Dictionary<string, string> StrMap(JsonNode? node) =>
        (node as JsonObject ?? new JsonObject()).Where(p => Str(p.Value) is not null).ToDictionary(p => p.Key, p => Str(p.Value)!);
}
