using System.Text.Json.Nodes;
using AltinnApp.Simulator.Infrastructure;

namespace AltinnApp.Simulator.Exchange;

/// <summary>Who is calling an app route: the system user of an Altinn token.</summary>
public sealed record Caller(string? SystemUserId, string? SystemUserOrgNumber, string? SupplierOrgNumber, Maskinporten.SystemUserDirectory? Directory = null)
{
    /// <summary>Name for createdBy/lastChangedBy.</summary>
    public string Name => SystemUserId ?? SupplierOrgNumber ?? "unknown";

    /// <summary>
    /// The PDP's answer for this system user and a party (app-lib asks it per request with the system user's id from the
    /// token): a standard system user acts for its own organisation, an agent one for the clients delegated to it with an
    /// access package the app's policy grants. Persons are never a system user's party.
    /// </summary>
    public Maskinporten.PartyDecision Decide(Storage.Party party) =>
        Directory?.Decide(SystemUserId, SystemUserOrgNumber, party.OrganisationNumber)
        ?? (SystemUserOrgNumber is not null && party.OrganisationNumber == SystemUserOrgNumber
            ? Maskinporten.PartyDecision.Permit : Maskinporten.PartyDecision.NotOwnOrganisation);

    public bool MayActFor(Storage.Party party) => Decide(party) == Maskinporten.PartyDecision.Permit;
}

/// <summary>
/// The JwtCookie check of an app: a Bearer token signed by the Altinn key and not expired (10 s skew).
/// A raw Maskinporten token is signed by another key, so it is refused like a foreign one.
/// </summary>
public sealed class AltinnAuth(SimulatorKeys keys, Control.TokenGeneration generation, Maskinporten.SystemUserDirectory systemUsers)
{
    public const int ClockSkewSeconds = 10;

    public Caller? Authenticate(HttpRequest request)
    {
        string header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return null;
        var token = Jwt.TryDecode(header["Bearer ".Length..]);
        if (token is null || token.Alg != "RS256" || !token.VerifyRs256(keys.Altinn.Rsa)) return null;
        long now = Jwt.Now();
        if (token.NumericClaim("exp") is not long exp || exp + ClockSkewSeconds < now) return null;
        if (token.NumericClaim("nbf") is long nbf && nbf - ClockSkewSeconds > now) return null;
        // revoked by POST /_sim/tokens/revoke: as if Altinn no longer accepted it
        if ((token.NumericClaim("sim_generation") ?? 0) < generation.Current) return null;

        string? systemUserId = null, systemUserOrg = null;
        if (token.Payload["authorization_details"] is JsonObject detail && detail["type"]?.GetValue<string>() == "urn:altinn:systemuser")
        {
            systemUserId = (detail["systemuser_id"] as JsonArray)?.FirstOrDefault()?.GetValue<string>();
            string? orgId = detail["systemuser_org"]?["ID"]?.GetValue<string>();
            systemUserOrg = orgId is not null && orgId.StartsWith("0192:") ? orgId[5..] : orgId;
        }
        return new Caller(systemUserId, systemUserOrg, token.StringClaim("urn:altinn:orgNumber"), systemUsers);
    }
}
