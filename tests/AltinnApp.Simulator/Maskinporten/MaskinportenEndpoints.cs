using AltinnApp.Simulator.Exchange;
using AltinnApp.Simulator.Infrastructure;

namespace AltinnApp.Simulator.Maskinporten;

/// <summary>Maskinporten's <c>POST /token</c> (JWT-bearer grant for a system user) and its metadata.</summary>
public static class MaskinportenEndpoints
{
    public static void MapMaskinporten(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/token", IssueToken).DisableAntiforgery();
        routes.MapGet("/.well-known/oauth-authorization-server", (HttpRequest request) => Responses.Json(new Dictionary<string, object>
        {
            ["issuer"] = Issuers.Maskinporten(request),
            ["token_endpoint"] = $"{Issuers.Maskinporten(request)}token",
            ["jwks_uri"] = $"{Issuers.Maskinporten(request)}jwk",
            ["token_endpoint_auth_methods_supported"] = new[] { "private_key_jwt" },
            ["grant_types_supported"] = new[] { GrantValidator.GrantType },
        }));
        routes.MapGet("/jwk", (SimulatorKeys keys) => Responses.Json(new { Keys = new[] { keys.Maskinporten.PublicJwk() } }));
    }

    private static async Task<IResult> IssueToken(HttpRequest request, GrantValidator validator, GrantLog log, TokenIssuer issuer)
    {
        if (!request.HasFormContentType)
            return Error("invalid_request", "the request must be application/x-www-form-urlencoded");
        var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        if (form["grant_type"] != GrantValidator.GrantType)
            return Error("invalid_request", $"grant_type must be {GrantValidator.GrantType} (got '{form["grant_type"]}')");
        string? assertion = form["assertion"];
        if (string.IsNullOrWhiteSpace(assertion))
            return Error("invalid_request", "assertion is missing");

        var grant = Jwt.TryDecode(assertion);
        if (grant is null) return Error(MaskinportenErrors.InvalidRequest, MaskinportenErrors.InvalidParameter);
        log.Add(grant.Header, grant.Payload);

        var (valid, error) = validator.Validate(grant, Issuers.Maskinporten(request));
        if (error is not null) return Error(error.Error, error.Description);

        var (token, expiresIn) = issuer.IssueMaskinportenToken(valid!, Issuers.Maskinporten(request));
        return Results.Json(new Dictionary<string, object>
        {
            ["access_token"] = token,
            ["token_type"] = "Bearer",
            ["expires_in"] = expiresIn,
            ["scope"] = valid!.Scope,
        }, SimJson.Options, Responses.JsonContentType);
    }

    private static IResult Error(string error, string description) =>
        Results.Json(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description },
            SimJson.Options, Responses.JsonContentType, StatusCodes.Status400BadRequest);
}
