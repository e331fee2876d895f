using AltinnApp.Simulator.Infrastructure;

namespace AltinnApp.Simulator.Exchange;

/// <summary>Altinn Authentication's token exchange and the localtest token shortcut.</summary>
public static class ExchangeEndpoints
{
    public const string ExchangeRoute = "/authentication/api/v1/exchange/{tokenProvider}";
    public const string LocaltestRoute = "/Home/GetTestSystemUserToken";

    // localtest's own test data (reference §2.8): testdata/authorization/systems/913312465_sbs/systemusers/950474084.json,
    // its only system user.
    public const string TestSystemId = "913312465_sbs";
    public const string TestSystemUserId = "d111dbab-d619-4f15-bf29-58fe570a9ae6";
    public const string TestSystemUserOrg = "950474084";

    public static void MapExchange(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(ExchangeRoute, Exchange)
            .WithMetadata(new CounterKeyMetadata("GET /authentication/api/v1/exchange/maskinporten"));
        routes.MapGet(LocaltestRoute, Localtest);
        routes.MapGet("/authentication/api/v1/openid/.well-known/openid-configuration", (HttpRequest request) => Responses.Json(new Dictionary<string, object>
        {
            ["issuer"] = Issuers.Altinn(request),
            ["jwks_uri"] = $"{Issuers.Altinn(request)}.well-known/openid-configuration/jwks",
        }));
        routes.MapGet("/authentication/api/v1/openid/.well-known/openid-configuration/jwks",
            (SimulatorKeys keys) => Responses.Json(new { Keys = new[] { keys.Altinn.PublicJwk() } }));
    }

    // AuthenticationController.ExchangeExternalSystemToken/AuthenticateMaskinportenToken: every refusal is a
    // bare Unauthorized() in an [ApiController], which ASP.NET turns into a 401 ProblemDetails; whatever
    // failed (no or unreadable token, signature, lifetime, issuer, consumer claim, or a lookup behind it).
    private static IResult Exchange(string tokenProvider, HttpRequest request, TokenIssuer issuer)
    {
        string header = request.Headers.Authorization.ToString();
        string? bearer = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
        if (string.IsNullOrEmpty(bearer) || Jwt.TryDecode(bearer) is null) return Responses.BareProblem(StatusCodes.Status401Unauthorized);
        if (!tokenProvider.Equals("maskinporten", StringComparison.OrdinalIgnoreCase))
            return Responses.Text(StatusCodes.Status400BadRequest,
                $"Invalid token provider: {tokenProvider}. Trusted token providers are 'Maskinporten', 'Id-porten' and 'AltinnStudio'.");
        var token = issuer.ValidateMaskinportenToken(bearer, Issuers.Maskinporten(request));
        if (token is null) return Responses.BareProblem(StatusCodes.Status401Unauthorized);
        return Responses.Text(StatusCodes.Status200OK, issuer.ExchangeToAltinnToken(token, Issuers.Altinn(request)));
    }

    // localtest's HomeController.GetTestSystemUserToken: a known systemUserId replaces the system, the
    // organisation and the supplier with its test data (the organisation asked for is ignored); an unknown
    // one is a bare 400; without one, AuthenticationService.GenerateTokenForSystemUser throws (Guid.Parse of
    // nothing), as it does for a missing scope: an unhandled exception, 500.
    private static IResult Localtest(HttpRequest request, TokenIssuer issuer, string? systemId, string? systemUserId,
        string? systemUserOrgNumber, string? supplierOrgNumber, string? scope)
    {
        if (!string.IsNullOrWhiteSpace(systemUserId))
        {
            if (systemUserId != TestSystemUserId) return Responses.Empty(StatusCodes.Status400BadRequest);
            systemId = TestSystemId;
            systemUserOrgNumber = TestSystemUserOrg;
            supplierOrgNumber = TestSystemId.Split('_')[0];
        }
        if (string.IsNullOrWhiteSpace(systemUserOrgNumber) || string.IsNullOrWhiteSpace(supplierOrgNumber) || string.IsNullOrWhiteSpace(scope))
            return Responses.Text(StatusCodes.Status500InternalServerError, "systemUserOrgNumber, supplierOrgNumber and scope are required");
        if (string.IsNullOrWhiteSpace(systemUserId))
            return Responses.Text(StatusCodes.Status500InternalServerError, "systemUserId is required");

        string token = issuer.LocaltestSystemUserToken(systemId ?? TestSystemId, systemUserId, systemUserOrgNumber, supplierOrgNumber, scope,
            Issuers.Altinn(request));
        return Responses.Text(StatusCodes.Status200OK, token);
    }
}
