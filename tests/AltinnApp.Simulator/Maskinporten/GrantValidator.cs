using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using AltinnApp.Simulator.Infrastructure;

namespace AltinnApp.Simulator.Maskinporten;

public sealed record GrantError(string Error, string Description);

/// <summary>A grant that passed every rule.</summary>
public sealed record ValidGrant(RegisteredClient Client, SystemUser SystemUser, string Scope, string ClientAmr, JsonObject AuthorizationDetail);

/// <summary>
/// Checks a Maskinporten JWT grant rule by rule (reference §2.2), so the error names the rule that failed.
/// </summary>
public sealed class GrantValidator(ClientRegistry clients, JtiCache jtis)
{
    public const string GrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    public const int MaxLifetimeSeconds = 120;
    public const int IatSkewSeconds = 10;
    private const string SystemUserType = "urn:altinn:systemuser";
    private const string OrgAuthority = "iso6523-actorid-upis";

    public (ValidGrant? Grant, GrantError? Error) Validate(DecodedJwt grant, string expectedAudience)
    {
        // Header: algorithm and key reference.
        if (grant.Alg != "RS256")
            return Fail("invalid_grant", $"Invalid assertion: alg must be RS256 (got '{grant.Alg}')");

        string? issuer = grant.StringClaim("iss");
        if (string.IsNullOrEmpty(issuer))
            return Fail("invalid_client", "Invalid assertion: iss (the client id) is missing");
        var client = clients.Find(issuer);
        if (client is null)
            return Fail("invalid_client", $"Invalid assertion: iss '{issuer}' is not a registered client");

        var (key, clientAmr, keyError) = ResolveKey(grant, client);
        if (keyError is not null) return (null, keyError);
        if (!grant.VerifyRs256(key!))
            return Fail("invalid_client", "Invalid assertion: signature does not verify against the key named by kid/x5c");

        // Payload claims.
        if (!AudienceMatches(grant.Payload["aud"], expectedAudience))
            return Fail("invalid_grant", $"Invalid assertion: aud must be the issuer '{expectedAudience}' (with trailing slash), got '{grant.Payload["aud"]?.ToJsonString()}'");

        long now = Jwt.Now();
        long? iat = grant.NumericClaim("iat");
        long? exp = grant.NumericClaim("exp");
        if (iat is null) return Fail("invalid_grant", "Invalid assertion: iat is missing");
        if (exp is null) return Fail("invalid_grant", "Invalid assertion: exp is missing");
        if (Math.Abs(now - iat.Value) > IatSkewSeconds)
            return Fail("invalid_grant", $"Invalid assertion: iat must be within {IatSkewSeconds} s of the server clock (iat {iat}, now {now})");
        if (exp.Value - iat.Value > MaxLifetimeSeconds)
            return Fail("invalid_grant", $"Invalid assertion: exp - iat must be at most {MaxLifetimeSeconds} s (got {exp.Value - iat.Value})");
        if (exp.Value <= iat.Value || exp.Value < now)
            return Fail("invalid_grant", "Invalid assertion: exp is not in the future");

        string? jti = grant.StringClaim("jti");
        if (string.IsNullOrEmpty(jti)) return Fail("invalid_grant", "Invalid assertion: jti is missing");

        string? scope = grant.StringClaim("scope");
        if (string.IsNullOrWhiteSpace(scope)) return Fail("invalid_scope", "scope is missing from the assertion");
        var notAllowed = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(s => !client.Scopes.Contains(s)).ToList();
        if (notAllowed.Count > 0)
            return Fail("invalid_scope", $"scope not allowed for client '{client.ClientId}': {string.Join(' ', notAllowed)}");

        var (systemUser, detail, detailsError) = ResolveSystemUser(grant.Payload["authorization_details"], client);
        if (detailsError is not null) return (null, detailsError);

        // Last, so a grant that fails another rule does not burn its jti.
        if (!jtis.TryUse(jti))
            return Fail("invalid_grant", $"Invalid assertion: jti '{jti}' has already been used");

        return (new ValidGrant(client, systemUser!, string.Join(' ', scope.Split(' ', StringSplitOptions.RemoveEmptyEntries)), clientAmr!, detail!), null);
    }

    private static (RSA? Key, string? ClientAmr, GrantError? Error) ResolveKey(DecodedJwt grant, RegisteredClient client)
    {
        if (grant.Header["x5c"] is JsonArray chain)
        {
            if (chain.Count == 0 || chain[0] is not JsonValue leafValue || !leafValue.TryGetValue<string>(out var leafBase64))
                return (null, null, new GrantError("invalid_grant", "Invalid assertion: x5c must hold the base64 DER leaf certificate"));
            byte[] der;
            try { der = Convert.FromBase64String(leafBase64); }
            catch (FormatException) { return (null, null, new GrantError("invalid_grant", "Invalid assertion: x5c[0] is not base64")); }
            var registered = client.Certificates.FirstOrDefault(c => c.RawData.AsSpan().SequenceEqual(der));
            if (registered is null)
                return (null, null, new GrantError("invalid_client", $"Invalid assertion: the x5c certificate is not registered for client '{client.ClientId}'"));
            var now = DateTime.UtcNow;
            if (now < registered.NotBefore.ToUniversalTime() || now > registered.NotAfter.ToUniversalTime())
                return (null, null, new GrantError("invalid_client", "Invalid assertion: the x5c certificate is not valid now"));
            var rsa = registered.GetRSAPublicKey();
            if (rsa is null) return (null, null, new GrantError("invalid_client", "Invalid assertion: the x5c certificate has no RSA key"));
            return (rsa, "virksomhetssertifikat", null);
        }

        if (grant.Header["kid"] is JsonValue kidValue && kidValue.TryGetValue<string>(out var kid))
        {
            if (!client.KeysById.TryGetValue(kid, out var key))
                return (null, null, new GrantError("invalid_client", $"Invalid assertion: kid '{kid}' is not a key registered for client '{client.ClientId}'"));
            return (key, "private_key_jwt", null);
        }

        return (null, null, new GrantError("invalid_grant", "Invalid assertion: the header must carry kid or x5c"));
    }

    private static (SystemUser? User, JsonObject? Detail, GrantError? Error) ResolveSystemUser(JsonNode? node, RegisteredClient client)
    {
        static (SystemUser?, JsonObject?, GrantError?) Bad(string description) =>
            (null, null, new GrantError("invalid_grant", $"Invalid authorization_details: {description}"));

        if (node is null) return Bad("missing (a system user needs one urn:altinn:systemuser entry)");
        if (node is not JsonArray array) return Bad("must be an array");
        if (array.Count != 1) return Bad($"must hold exactly one entry (got {array.Count})");
        if (array[0] is not JsonObject entry) return Bad("the entry must be an object");
        if (entry["type"]?.GetValueKind() != System.Text.Json.JsonValueKind.String || entry["type"]!.GetValue<string>() != SystemUserType)
            return Bad($"type must be '{SystemUserType}'");
        if (entry["systemuser_org"] is not JsonObject org) return Bad("systemuser_org is missing");
        if (org["authority"]?.GetValueKind() != System.Text.Json.JsonValueKind.String || org["authority"]!.GetValue<string>() != OrgAuthority)
            return Bad($"systemuser_org.authority must be '{OrgAuthority}'");
        string? id = org["ID"]?.GetValueKind() == System.Text.Json.JsonValueKind.String ? org["ID"]!.GetValue<string>() : null;
        if (id is null || !id.StartsWith("0192:") || id.Length != 14 || !id[5..].All(char.IsAsciiDigit))
            return Bad($"systemuser_org.ID must be '0192:<9-digit organisation number>' (got '{id}')");
        string orgNumber = id[5..];

        var candidates = client.SystemUsers.Where(u => u.OrganizationNumber == orgNumber).ToList();
        if (candidates.Count == 0)
            return Bad($"organisation {orgNumber} has no system user for client '{client.ClientId}'");

        string? externalRef = entry["externalRef"] is JsonValue refValue && refValue.TryGetValue<string>(out var r) ? r : null;
        // A system user created without externalRef has the organisation number as its reference.
        var match = candidates.FirstOrDefault(u => (u.ExternalRef ?? orgNumber) == (externalRef ?? orgNumber));
        if (match is null)
            return Bad(externalRef is null
                ? $"externalRef is required: the system user for {orgNumber} was registered with one"
                : $"externalRef '{externalRef}' does not match the system user for {orgNumber}");
        return (match, entry, null);
    }

    private static bool AudienceMatches(JsonNode? aud, string expected) => aud switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s == expected,
        JsonArray a => a.Count == 1 && a[0] is JsonValue v && v.TryGetValue<string>(out var s) && s == expected,
        _ => false,
    };

    private static (ValidGrant?, GrantError?) Fail(string error, string description) => (null, new GrantError(error, description));
}
