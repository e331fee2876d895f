using AltinnApp.Simulator.Infrastructure;

namespace AltinnApp.Simulator.Exchange;

/// <summary>Altinn Authentication's token exchange and the localtest token shortcut.</summary>
public static class ExchangeEndpoints
{
    public const string ExchangeRoute = "/authentication/api/v1/exchange/{tokenProvider}";
    public const string LocaltestRoute = "/Home/GetTestSystemUserToken";

    // localtest's own test data (reference §2.8).
    private const string DefaultSystemId = "913312465_sbs";
    private const string DefaultSystemUserId = "d111dbab-d619-4f15-bf29-58fe570a9ae6";
    private const string DefaultSystemUserOrg = "950474084";
    private const string DefaultSupplierOrg = "913312465";

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

    private static IResult Exchange(string tokenProvider, HttpRequest request, TokenIssuer issuer)
    {
        if (!tokenProvider.Equals("maskinporten", StringComparison.OrdinalIgnoreCase))
            return Responses.Text(StatusCodes.Status400BadRequest, $"Invalid token provider: {tokenProvider}");
        string header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return Responses.Empty(StatusCodes.Status401Unauthorized);
        var token = issuer.ValidateMaskinportenToken(header["Bearer ".Length..], Issuers.Maskinporten(request));
        if (token is null) return Responses.Empty(StatusCodes.Status401Unauthorized);
        return Responses.Text(StatusCodes.Status200OK, issuer.ExchangeToAltinnToken(token, Issuers.Altinn(request)));
    }

    private static IResult Localtest(HttpRequest request, TokenIssuer issuer, string? systemId, string? systemUserId,
        string? systemUserOrgNumber, string? supplierOrgNumber, string? scope)
    {
        string token = issuer.LocaltestSystemUserToken(
            string.IsNullOrEmpty(systemId) ? DefaultSystemId : systemId,
            string.IsNullOrEmpty(systemUserId) ? DefaultSystemUserId : systemUserId,
            string.IsNullOrEmpty(systemUserOrgNumber) ? DefaultSystemUserOrg : systemUserOrgNumber,
            string.IsNullOrEmpty(supplierOrgNumber) ? DefaultSupplierOrg : supplierOrgNumber,
            string.IsNullOrEmpty(scope) ? "altinn:instances.read altinn:instances.write" : scope,
            Issuers.Altinn(request));
        return Responses.Text(StatusCodes.Status200OK, token);
    }
}
