using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using AltinnApp.Simulator.Infrastructure;

namespace AltinnApp.Simulator.Maskinporten;

public sealed record GrantError(string Error, string Description);

/// <summary>
/// The error codes and texts Maskinporten sends (Digdir's troubleshooting page, felleslosninger/docs
/// <c>_docs/Maskinporten/maskinporten_feilsoking.md</c>; for MP-303 with a system user, Altinn's
/// system-user troubleshooting page). The texts are Maskinporten's own, with the MP number in front
/// as the page lists them; only MP-303 names the value it found wrong, as the page says it usually does.
/// </summary>
public static class MaskinportenErrors
{
    public const string ClientNotFound = "MP-100: Invalid assertion. Client authentication failed.";
    public const string WrongAudience = "MP-110: Invalid assertion. Client authentication failed. Invalid JWT claim aud";
    public const string InvalidCertificate = "MP-120: Invalid assertion. Client authentication failed. The JWT is signed with an invalid certificate.";
    public const string InvalidX5c = "MP-123: Invalid JWT header x5c";
    public const string InvalidSignature = "MP-124: Invalid JWT signature";
    public const string Expired = "MP-130: JWT is expired";
    public const string IssuedInFuture = "Issue time is after now";
    public const string InvalidParameter = "MP-011: Invalid assertion. Invalid parameter value";
    public const string GrantReused = "MP-012: Grant is used before";
    public const string InvalidScope = "MP-200: Token request contains invalid scopes for client";
    public const string UnknownDetailsType = "MP-301: Unknown authorization details type";
    public const string InvalidDetailsValues = "MP-303: Invalid authorization details values";

    /// <summary>RFC 6749 §5.2 codes, and RFC 9396 §5 for authorization_details.</summary>
    public const string InvalidGrant = "invalid_grant";
    public const string InvalidRequest = "invalid_request";
    public const string InvalidScopeCode = "invalid_scope";
    public const string InvalidAuthorizationDetails = "invalid_authorization_details";
    /// <summary>Maskinporten's code when Altinn finds no system user for the request (MP-303).</summary>
    public const string CustomerConfiguration = "invalid_altinn_customer_configuration";
}

/// <summary>A grant that passed every rule.</summary>
/// <remarks>SystemUser and AuthorizationDetail are null for a vendor's own grant (no authorization_details).</remarks>
public sealed record ValidGrant(RegisteredClient Client, SystemUser? SystemUser, string Scope, string ClientAmr, JsonObject? AuthorizationDetail);

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
    private const string VendorScopePrefix = "altinn:authentication/";

    public (ValidGrant? Grant, GrantError? Error) Validate(DecodedJwt grant, string expectedAudience)
    {
        // Header: algorithm and key reference.
        if (grant.Alg != "RS256")
            return Fail(MaskinportenErrors.InvalidRequest, MaskinportenErrors.InvalidParameter);

        string? issuer = grant.StringClaim("iss");
        var client = string.IsNullOrEmpty(issuer) ? null : clients.Find(issuer);
        if (client is null)
            return Fail(MaskinportenErrors.InvalidGrant, MaskinportenErrors.ClientNotFound);

        var (key, clientAmr, keyError) = ResolveKey(grant, client);
        if (keyError is not null) return (null, keyError);
        if (!grant.VerifyRs256(key!))
            return Fail(MaskinportenErrors.InvalidGrant, MaskinportenErrors.InvalidSignature);

        // Payload claims.
        if (!AudienceMatches(grant.Payload["aud"], expectedAudience))
            return Fail(MaskinportenErrors.InvalidGrant, MaskinportenErrors.WrongAudience);

        long now = Jwt.Now();
        long? iat = grant.NumericClaim("iat");
        long? exp = grant.NumericClaim("exp");
        if (iat is null || exp is null) return Fail(MaskinportenErrors.InvalidRequest, MaskinportenErrors.InvalidParameter);
        if (iat.Value - now > IatSkewSeconds)
            return Fail(MaskinportenErrors.InvalidGrant, MaskinportenErrors.IssuedInFuture);
        // Too old, too long-lived or already past exp: Maskinporten calls each of these an expired JWT.
        if (now - iat.Value > IatSkewSeconds || exp.Value - iat.Value > MaxLifetimeSeconds || exp.Value <= iat.Value || exp.Value < now)
            return Fail(MaskinportenErrors.InvalidGrant, MaskinportenErrors.Expired);

        string? jti = grant.StringClaim("jti");
        if (string.IsNullOrEmpty(jti)) return Fail(MaskinportenErrors.InvalidRequest, MaskinportenErrors.InvalidParameter);

        string? scope = grant.StringClaim("scope");
        var requested = (scope ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (requested.Length == 0 || requested.Any(s => !client.Scopes.Contains(s)))
            return Fail(MaskinportenErrors.InvalidScopeCode, MaskinportenErrors.InvalidScope);

        // A grant without authorization_details gets a plain Maskinporten token, as a vendor asks for one to call
        // Altinn's authentication API (its own scopes only: for the app scopes the simulator insists on a system user).
        bool vendorGrant = grant.Payload["authorization_details"] is null && requested.All(s => s.StartsWith(VendorScopePrefix, StringComparison.Ordinal));
        var (systemUser, detail, detailsError) = vendorGrant ? (null, null, null) : ResolveSystemUser(grant.Payload["authorization_details"], client);
        if (detailsError is not null) return (null, detailsError);

        // Last, so a grant that fails another rule does not burn its jti.
        if (!jtis.TryUse(jti))
            return Fail(MaskinportenErrors.InvalidGrant, MaskinportenErrors.GrantReused);

        return (new ValidGrant(client, systemUser, string.Join(' ', requested), clientAmr!, detail), null);
    }

    private static (RSA? Key, string? ClientAmr, GrantError? Error) ResolveKey(DecodedJwt grant, RegisteredClient client)
    {
        static (RSA?, string?, GrantError?) Bad(string description) => (null, null, new GrantError(MaskinportenErrors.InvalidGrant, description));

        if (grant.Header["x5c"] is JsonNode x5c)
        {
            // an array of base64 DER strings, leaf first (MP-123 is the answer to anything else)
            if (x5c is not JsonArray chain || chain.Count == 0 || chain[0] is not JsonValue leafValue || !leafValue.TryGetValue<string>(out var leafBase64))
                return Bad(MaskinportenErrors.InvalidX5c);
            byte[] der;
            try { der = Convert.FromBase64String(leafBase64); }
            catch (FormatException) { return Bad(MaskinportenErrors.InvalidX5c); }
            var registered = client.Certificates.FirstOrDefault(c => c.RawData.AsSpan().SequenceEqual(der));
            if (registered is null)
                return Bad(MaskinportenErrors.InvalidCertificate);
            var now = DateTime.UtcNow;
            if (now < registered.NotBefore.ToUniversalTime() || now > registered.NotAfter.ToUniversalTime())
                return Bad(MaskinportenErrors.InvalidSignature);
            var rsa = registered.GetRSAPublicKey();
            if (rsa is null) return Bad(MaskinportenErrors.InvalidCertificate);
            return (rsa, "virksomhetssertifikat", null);
        }

        if (grant.Header["kid"] is JsonValue kidValue && kidValue.TryGetValue<string>(out var kid))
        {
            // Digdir's page has no number of its own for an unknown kid: the signature cannot be checked
            // against any key of the client, which Maskinporten answers as an invalid signature.
            if (!client.KeysById.TryGetValue(kid, out var key))
                return Bad(MaskinportenErrors.InvalidSignature);
            return (key, "private_key_jwt", null);
        }

        return (null, null, new GrantError(MaskinportenErrors.InvalidRequest, MaskinportenErrors.InvalidParameter));
    }

    private static (SystemUser? User, JsonObject? Detail, GrantError? Error) ResolveSystemUser(JsonNode? node, RegisteredClient client)
    {
        // the shape of authorization_details (RFC 9396 §5: invalid_authorization_details)
        static (SystemUser?, JsonObject?, GrantError?) Bad(string description) =>
            (null, null, new GrantError(MaskinportenErrors.InvalidAuthorizationDetails, description));
        static (SystemUser?, JsonObject?, GrantError?) BadValue(string what) =>
            Bad($"{MaskinportenErrors.InvalidDetailsValues}: {what}");
        // well-formed, but Altinn has no system user for it (MP-303 as invalid_altinn_customer_configuration)
        static (SystemUser?, JsonObject?, GrantError?) NoSystemUser(string what) =>
            (null, null, new GrantError(MaskinportenErrors.CustomerConfiguration, $"{MaskinportenErrors.InvalidDetailsValues}: {what}"));

        if (node is null) return BadValue("authorization_details is missing (a system user needs one urn:altinn:systemuser entry)");
        if (node is not JsonArray array || array.Count != 1 || array[0] is not JsonObject entry)
            return BadValue("authorization_details must be an array of exactly one object");
        if (entry["type"]?.GetValueKind() != System.Text.Json.JsonValueKind.String || entry["type"]!.GetValue<string>() != SystemUserType)
            return Bad(MaskinportenErrors.UnknownDetailsType);
        if (entry["systemuser_org"] is not JsonObject org) return BadValue("systemuser_org is missing");
        if (org["authority"]?.GetValueKind() != System.Text.Json.JsonValueKind.String || org["authority"]!.GetValue<string>() != OrgAuthority)
            return BadValue($"systemuser_org.authority must be {OrgAuthority}");
        string? id = org["ID"]?.GetValueKind() == System.Text.Json.JsonValueKind.String ? org["ID"]!.GetValue<string>() : null;
        if (id is null || !id.StartsWith("0192:") || id.Length != 14 || !id[5..].All(char.IsAsciiDigit))
            return BadValue($"systemuser_org.ID {id}");
        string orgNumber = id[5..];

        var candidates = client.SystemUsers.Where(u => u.OrganizationNumber == orgNumber).ToList();
        if (candidates.Count == 0)
            return NoSystemUser($"no system user for systemuser_org.ID {id} and this client");

        string? externalRef = entry["externalRef"] is JsonValue refValue && refValue.TryGetValue<string>(out var r) ? r : null;
        // A system user created without externalRef has the organisation number as its reference.
        var match = candidates.FirstOrDefault(u => (u.ExternalRef ?? orgNumber) == (externalRef ?? orgNumber));
        if (match is null)
            return NoSystemUser($"no system user for systemuser_org.ID {id} with externalRef {externalRef ?? orgNumber}");
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
