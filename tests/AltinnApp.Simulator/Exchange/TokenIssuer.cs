using System.Text.Json.Nodes;
using AltinnApp.Simulator.Control;
using AltinnApp.Simulator.Infrastructure;
using AltinnApp.Simulator.Maskinporten;

namespace AltinnApp.Simulator.Exchange;

/// <summary>Mints the Maskinporten access token and the Altinn token, with the claims of reference §2.3/§2.4/§2.8.</summary>
public sealed class TokenIssuer(SimulatorKeys keys, SimulatorSettings settings, Counters counters, TokenGeneration generation)
{
    public (string Token, int ExpiresIn) IssueMaskinportenToken(ValidGrant grant, string issuer)
    {
        int lifetime = settings.Current.MaskinportenTokenLifetimeSeconds;
        long now = Jwt.Now();
        JsonObject? detail = null;
        if (grant.SystemUser is { } systemUser)
        {
            detail = new JsonObject
            {
                ["type"] = "urn:altinn:systemuser",
                ["systemuser_id"] = new JsonArray(systemUser.SystemUserId),
                ["system_id"] = grant.Client.SystemId,
                ["systemuser_org"] = new JsonObject { ["authority"] = "iso6523-actorid-upis", ["ID"] = $"0192:{systemUser.OrganizationNumber}" },
            };
            if (systemUser.ExternalRef is { } externalRef) detail["externalRef"] = externalRef;
        }
        var payload = new JsonObject
        {
            ["iss"] = issuer,
            ["client_amr"] = grant.ClientAmr,
            ["token_type"] = "Bearer",
            ["client_id"] = grant.Client.ClientId,
            ["consumer"] = new JsonObject { ["authority"] = "iso6523-actorid-upis", ["ID"] = $"0192:{grant.Client.ConsumerOrganizationNumber}" },
            ["scope"] = grant.Scope,
            ["iat"] = now,
            ["exp"] = now + lifetime,
            ["jti"] = Guid.NewGuid().ToString(),
        };
        // a vendor's own token has no system user and so no authorization_details
        if (detail is not null) payload["authorization_details"] = new JsonArray(detail);
        counters.MaskinportenTokenIssued();
        return (keys.Maskinporten.Sign(payload), lifetime);
    }

    /// <summary>Checks a Maskinporten access token as the exchange does: signature, issuer, lifetime, consumer.</summary>
    public DecodedJwt? ValidateMaskinportenToken(string? bearer, string expectedIssuer)
    {
        var token = Jwt.TryDecode(bearer);
        if (token is null || token.Alg != "RS256" || !token.VerifyRs256(keys.Maskinporten.Rsa)) return null;
        if (token.StringClaim("iss") != expectedIssuer) return null;
        if (token.NumericClaim("exp") is not long exp || exp + AltinnAuth.ClockSkewSeconds < Jwt.Now()) return null;
        if (token.Payload["consumer"] is not JsonObject) return null;
        return token;
    }

    public string ExchangeToAltinnToken(DecodedJwt maskinportenToken, string altinnIssuer)
    {
        var payload = new JsonObject();
        foreach (var (name, value) in maskinportenToken.Payload)
        {
            if (name is "aud" or "iss" or "client_amr" or "sid" or "iat" or "exp" or "nbf") continue;
            payload[name] = value?.DeepClone();
        }
        // The exchanged token carries authorization_details as an object, not an array.
        if (payload["authorization_details"] is JsonArray { Count: 1 } details)
            payload["authorization_details"] = details[0]!.DeepClone();
        string consumerId = maskinportenToken.Payload["consumer"]?["ID"]?.GetValue<string>() ?? "";
        payload["urn:altinn:orgNumber"] = consumerId.StartsWith("0192:") ? consumerId[5..] : consumerId;
        payload["urn:altinn:authenticatemethod"] = "maskinporten";
        payload["urn:altinn:authlevel"] = 3;
        return SignAltinn(payload, altinnIssuer);
    }

    /// <summary>The localtest shortcut: an Altinn system-user token without Maskinporten.</summary>
    public string LocaltestSystemUserToken(string systemId, string systemUserId, string systemUserOrg, string supplierOrg, string scope, string altinnIssuer)
    {
        var payload = new JsonObject
        {
            ["actual_iss"] = "localtest",
            ["token_type"] = "Bearer",
            ["scope"] = scope,
            ["client_id"] = Guid.NewGuid().ToString(),
            ["jti"] = Guid.NewGuid().ToString(),
            ["urn:altinn:orgNumber"] = supplierOrg,
            ["urn:altinn:authenticatemethod"] = "maskinporten",
            ["urn:altinn:authlevel"] = 3,
            ["authorization_details"] = new JsonObject
            {
                ["type"] = "urn:altinn:systemuser",
                ["systemuser_id"] = new JsonArray(systemUserId),
                ["system_id"] = systemId,
                ["systemuser_org"] = new JsonObject { ["authority"] = "iso6523-actorid-upis", ["ID"] = $"0192:{systemUserOrg}" },
            },
            ["consumer"] = new JsonObject { ["authority"] = "iso6523-actorid-upis", ["ID"] = $"0192:{supplierOrg}" },
        };
        return SignAltinn(payload, altinnIssuer);
    }

    private string SignAltinn(JsonObject payload, string altinnIssuer)
    {
        long now = Jwt.Now();
        payload["iss"] = altinnIssuer;
        payload["iat"] = now;
        payload["nbf"] = now;
        payload["exp"] = now + settings.Current.AltinnTokenLifetimeSeconds;
        // which revocation generation the token belongs to (POST /_sim/tokens/revoke)
        payload["sim_generation"] = generation.Current;
        counters.AltinnTokenIssued();
        return keys.Altinn.Sign(payload);
    }
}
