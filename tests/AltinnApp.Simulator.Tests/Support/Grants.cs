using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AltinnApp.Simulator.Tests.Support;

/// <summary>Builds Maskinporten JWT grants with Microsoft.IdentityModel, one rule broken at a time if asked.</summary>
public sealed class GrantBuilder
{
    public string ClientId { get; set; } = SimulatorHarness.ClientId;
    public string Audience { get; set; } = SimulatorFactory.Issuer;
    public string Scope { get; set; } = "altinn:instances.read altinn:instances.write";
    public string OrganizationNumber { get; set; } = "950474084";
    public string? ExternalRef { get; set; }
    public long? IssuedAt { get; set; }
    public int LifetimeSeconds { get; set; } = 60;
    public string? Jti { get; set; } = Guid.NewGuid().ToString();
    /// <summary>Replaces authorization_details entirely when set (JsonNull to drop it: use RemoveAuthorizationDetails).</summary>
    public JsonNode? AuthorizationDetails { get; set; }
    public bool RemoveAuthorizationDetails { get; set; }
    public bool UseCertificate { get; set; }
    public RSA? SigningKeyOverride { get; set; }
    public string? KeyIdOverride { get; set; }
    public string Algorithm { get; set; } = SecurityAlgorithms.RsaSha256;

    public string Build()
    {
        var keys = TestKeys.Shared;
        long iat = IssuedAt ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var payload = new JsonObject
        {
            ["aud"] = Audience,
            ["iss"] = ClientId,
            ["scope"] = Scope,
            ["iat"] = iat,
            ["exp"] = iat + LifetimeSeconds,
        };
        if (Jti is not null) payload["jti"] = Jti;
        if (!RemoveAuthorizationDetails)
        {
            var detail = new JsonObject
            {
                ["type"] = "urn:altinn:systemuser",
                ["systemuser_org"] = new JsonObject { ["authority"] = "iso6523-actorid-upis", ["ID"] = $"0192:{OrganizationNumber}" },
            };
            if (ExternalRef is not null) detail["externalRef"] = ExternalRef;
            payload["authorization_details"] = AuthorizationDetails?.DeepClone() ?? new JsonArray(detail);
        }

        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        if (UseCertificate)
        {
            var certificateKey = new RsaSecurityKey(SigningKeyOverride ?? keys.Certificate.GetRSAPrivateKey()!);
            var header = new Dictionary<string, object> { ["x5c"] = new[] { keys.CertificateBase64 } };
            return handler.CreateToken(payload.ToJsonString(), new SigningCredentials(certificateKey, Algorithm), header);
        }
        var key = new RsaSecurityKey(SigningKeyOverride ?? keys.Rsa) { KeyId = KeyIdOverride ?? keys.KeyId };
        return handler.CreateToken(payload.ToJsonString(), new SigningCredentials(key, Algorithm));
    }
}
