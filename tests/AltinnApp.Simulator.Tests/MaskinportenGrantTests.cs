using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AltinnApp.Simulator.Tests.Support;
using Microsoft.IdentityModel.Tokens;

namespace AltinnApp.Simulator.Tests;

public sealed class MaskinportenGrantTests(SimulatorFactory factory) : IClassFixture<SimulatorFactory>
{
    private readonly SimulatorHarness _sim = new(factory);

    [Fact]
    public async Task A_good_jwk_grant_gives_a_maskinporten_token_with_the_system_user_claims()
    {
        await _sim.RegisterClientAsync();
        var response = await _sim.PostGrantAsync(new GrantBuilder().Build());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("Bearer", body["token_type"]!.GetValue<string>());
        Assert.Equal(120, body["expires_in"]!.GetValue<int>());
        Assert.Equal("altinn:instances.read altinn:instances.write", body["scope"]!.GetValue<string>());

        var claims = SimulatorHarness.DecodePayload(body["access_token"]!.GetValue<string>());
        Assert.Equal(SimulatorFactory.Issuer, claims["iss"]!.GetValue<string>());
        Assert.Equal("private_key_jwt", claims["client_amr"]!.GetValue<string>());
        Assert.Equal(SimulatorHarness.ClientId, claims["client_id"]!.GetValue<string>());
        Assert.Equal("0192:313725138", claims["consumer"]!["ID"]!.GetValue<string>());
        var detail = claims["authorization_details"]!.AsArray().Single()!;
        Assert.Equal("urn:altinn:systemuser", detail["type"]!.GetValue<string>());
        Assert.Equal("0192:950474084", detail["systemuser_org"]!["ID"]!.GetValue<string>());
        Assert.Single(detail["systemuser_id"]!.AsArray());
        Assert.False(string.IsNullOrEmpty(detail["system_id"]!.GetValue<string>()));
        Assert.Equal(120, claims["exp"]!.GetValue<long>() - claims["iat"]!.GetValue<long>());
        Assert.NotNull(claims["jti"]);
    }

    [Fact]
    public async Task A_good_certificate_grant_is_accepted_by_x5c()
    {
        await _sim.RegisterClientAsync();
        var response = await _sim.PostGrantAsync(new GrantBuilder { UseCertificate = true }.Build());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["access_token"]!.GetValue<string>();
        Assert.Equal("virksomhetssertifikat", SimulatorHarness.DecodePayload(token)["client_amr"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_grants_log_shows_header_and_claims_without_signature()
    {
        await _sim.RegisterClientAsync();
        await _sim.MaskinportenTokenAsync(new GrantBuilder { ExternalRef = null });

        var grants = JsonNode.Parse(await _sim.Http.GetStringAsync("/_sim/grants"))!.AsArray();
        var grant = Assert.Single(grants)!;
        Assert.Equal(TestKeys.Shared.KeyId, grant["header"]!["kid"]!.GetValue<string>());
        Assert.Equal(SimulatorFactory.Issuer, grant["payload"]!["aud"]!.GetValue<string>());
        Assert.DoesNotContain("signature", grant.ToJsonString());
    }

    // Maskinporten's codes and texts: Digdir's troubleshooting page (felleslosninger/docs
    // _docs/Maskinporten/maskinporten_feilsoking.md); MP-303 with invalid_altinn_customer_configuration from
    // Altinn's system-user troubleshooting page; invalid_authorization_details from RFC 9396 §5.
    private const string ClientNotFound = "MP-100: Invalid assertion. Client authentication failed.";
    private const string WrongAudience = "MP-110: Invalid assertion. Client authentication failed. Invalid JWT claim aud";
    private const string InvalidCertificate = "MP-120: Invalid assertion. Client authentication failed. The JWT is signed with an invalid certificate.";
    private const string InvalidSignature = "MP-124: Invalid JWT signature";
    private const string Expired = "MP-130: JWT is expired";
    private const string InvalidParameter = "MP-011: Invalid assertion. Invalid parameter value";
    private const string InvalidScope = "MP-200: Token request contains invalid scopes for client";
    private const string InvalidDetailsValues = "MP-303: Invalid authorization details values";

    public static TheoryData<string, string, string> BrokenGrants => new()
    {
        { "aud-without-trailing-slash", "invalid_grant", WrongAudience },
        { "aud-token-endpoint", "invalid_grant", WrongAudience },
        { "unknown-iss", "invalid_grant", ClientNotFound },
        { "unknown-kid", "invalid_grant", InvalidSignature },
        { "wrong-signing-key", "invalid_grant", InvalidSignature },
        { "certificate-signed-by-other-key", "invalid_grant", InvalidSignature },
        { "rs384", "invalid_request", InvalidParameter },
        { "lifetime-over-120", "invalid_grant", Expired },
        { "iat-too-old", "invalid_grant", Expired },
        { "iat-in-future", "invalid_grant", "Issue time is after now" },
        { "jti-missing", "invalid_request", InvalidParameter },
        { "scope-not-allowed", "invalid_scope", InvalidScope },
        { "authorization-details-missing", "invalid_authorization_details", InvalidDetailsValues + ": authorization_details is missing" },
        { "authorization-details-object", "invalid_authorization_details", InvalidDetailsValues + ": authorization_details must be an array" },
        { "authorization-details-two-entries", "invalid_authorization_details", InvalidDetailsValues + ": authorization_details must be an array of exactly one" },
        { "authorization-details-wrong-type", "invalid_authorization_details", "MP-301: Unknown authorization details type" },
        { "authorization-details-wrong-authority", "invalid_authorization_details", InvalidDetailsValues + ": systemuser_org.authority" },
        { "authorization-details-id-without-0192", "invalid_authorization_details", InvalidDetailsValues + ": systemuser_org.ID 950474084" },
        { "org-without-system-user", "invalid_altinn_customer_configuration", InvalidDetailsValues + ": no system user for systemuser_org.ID 0192:310461598" },
    };

    [Theory]
    [MemberData(nameof(BrokenGrants))]
    public async Task A_grant_breaking_one_rule_is_refused_with_maskinportens_own_code_and_text(string rule, string error, string descriptionPart)
    {
        await _sim.RegisterClientAsync();
        var grant = new GrantBuilder();
        var detail = new JsonObject
        {
            ["type"] = "urn:altinn:systemuser",
            ["systemuser_org"] = new JsonObject { ["authority"] = "iso6523-actorid-upis", ["ID"] = "0192:950474084" },
        };
        switch (rule)
        {
            case "aud-without-trailing-slash": grant.Audience = "http://localhost"; break;
            case "aud-token-endpoint": grant.Audience = "http://localhost/token"; break;
            case "unknown-iss": grant.ClientId = "someone-else"; break;
            case "unknown-kid": grant.KeyIdOverride = "not-registered"; break;
            case "wrong-signing-key": grant.SigningKeyOverride = TestKeys.Shared.OtherRsa; break;
            case "certificate-signed-by-other-key": grant.UseCertificate = true; grant.SigningKeyOverride = TestKeys.Shared.OtherRsa; break;
            case "rs384": grant.Algorithm = SecurityAlgorithms.RsaSha384; break;
            case "lifetime-over-120": grant.LifetimeSeconds = 121; break;
            case "iat-too-old": grant.IssuedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 30; break;
            case "iat-in-future": grant.IssuedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 30; break;
            case "jti-missing": grant.Jti = null; break;
            case "scope-not-allowed": grant.Scope = "altinn:instances.read altinn:serviceowner/instances.write"; break;
            case "authorization-details-missing": grant.RemoveAuthorizationDetails = true; break;
            case "authorization-details-object": grant.AuthorizationDetails = detail; break;
            case "authorization-details-two-entries": grant.AuthorizationDetails = new JsonArray(detail.DeepClone(), detail.DeepClone()); break;
            case "authorization-details-wrong-type": detail["type"] = "urn:altinn:resource"; grant.AuthorizationDetails = new JsonArray(detail); break;
            case "authorization-details-wrong-authority": detail["systemuser_org"]!["authority"] = "iso6523"; grant.AuthorizationDetails = new JsonArray(detail); break;
            case "authorization-details-id-without-0192": detail["systemuser_org"]!["ID"] = "950474084"; grant.AuthorizationDetails = new JsonArray(detail); break;
            case "org-without-system-user": grant.OrganizationNumber = "310461598"; break;
            default: throw new ArgumentException(rule);
        }

        await AssertRefused(await _sim.PostGrantAsync(grant.Build()), error, descriptionPart);
    }

    [Fact]
    public async Task A_jti_can_be_used_only_once()
    {
        await _sim.RegisterClientAsync();
        var grant = new GrantBuilder { Jti = Guid.NewGuid().ToString() };
        Assert.Equal(HttpStatusCode.OK, (await _sim.PostGrantAsync(grant.Build())).StatusCode);
        await AssertRefused(await _sim.PostGrantAsync(grant.Build()), "invalid_grant", "MP-012: Grant is used before");
    }

    [Fact]
    public async Task A_certificate_that_is_not_registered_is_refused()
    {
        await _sim.RegisterClientAsync();
        using var otherKey = RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Other", otherKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var other = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var handler = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string payload = new JsonObject
        {
            ["aud"] = SimulatorFactory.Issuer, ["iss"] = SimulatorHarness.ClientId, ["scope"] = "altinn:instances.read",
            ["iat"] = now, ["exp"] = now + 60, ["jti"] = Guid.NewGuid().ToString(),
            ["authorization_details"] = new JsonArray(new JsonObject
            {
                ["type"] = "urn:altinn:systemuser",
                ["systemuser_org"] = new JsonObject { ["authority"] = "iso6523-actorid-upis", ["ID"] = "0192:950474084" },
            }),
        }.ToJsonString();
        string assertion = handler.CreateToken(payload, new SigningCredentials(new RsaSecurityKey(otherKey), SecurityAlgorithms.RsaSha256),
            new Dictionary<string, object> { ["x5c"] = new[] { Convert.ToBase64String(other.RawData) } });

        await AssertRefused(await _sim.PostGrantAsync(assertion), "invalid_grant", InvalidCertificate);
    }

    [Fact]
    public async Task ExternalRef_must_match_when_the_system_user_has_one()
    {
        await _sim.RegisterClientAsync(externalRef: "kunde-42");
        await AssertRefused(await _sim.PostGrantAsync(new GrantBuilder().Build()), "invalid_altinn_customer_configuration",
            InvalidDetailsValues + ": no system user for systemuser_org.ID 0192:950474084 with externalRef 950474084");
        await AssertRefused(await _sim.PostGrantAsync(new GrantBuilder { ExternalRef = "kunde-43" }.Build()), "invalid_altinn_customer_configuration",
            InvalidDetailsValues + ": no system user for systemuser_org.ID 0192:950474084 with externalRef kunde-43");

        var ok = await _sim.PostGrantAsync(new GrantBuilder { ExternalRef = "kunde-42" }.Build());
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var token = JsonNode.Parse(await ok.Content.ReadAsStringAsync())!["access_token"]!.GetValue<string>();
        Assert.Equal("kunde-42", SimulatorHarness.DecodePayload(token)["authorization_details"]![0]!["externalRef"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_form_must_carry_the_jwt_bearer_grant_type_and_an_assertion()
    {
        await _sim.RegisterClientAsync();
        await AssertRefused(await _sim.PostGrantAsync(new GrantBuilder().Build(), grantType: "client_credentials"), "invalid_request", "grant_type");
        await AssertRefused(await _sim.PostGrantAsync(""), "invalid_request", "assertion");
        await AssertRefused(await _sim.PostGrantAsync("not.a-jwt"), "invalid_request", InvalidParameter);
    }

    [Fact]
    public async Task A_deleted_client_can_no_longer_log_in()
    {
        await _sim.RegisterClientAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await _sim.Http.DeleteAsync($"/_sim/clients/{SimulatorHarness.ClientId}")).StatusCode);
        await AssertRefused(await _sim.PostGrantAsync(new GrantBuilder().Build()), "invalid_grant", ClientNotFound);
    }

    [Fact]
    public async Task The_maskinporten_token_lifetime_follows_the_settings()
    {
        await _sim.RegisterClientAsync();
        var settings = await _sim.Http.PutAsync("/_sim/settings", SimulatorHarness.Json(new JsonObject { ["maskinportenTokenLifetimeSeconds"] = 30 }));
        Assert.Equal(30, JsonNode.Parse(await settings.Content.ReadAsStringAsync())!["maskinportenTokenLifetimeSeconds"]!.GetValue<int>());
        var response = await _sim.PostGrantAsync(new GrantBuilder().Build());
        Assert.Equal(30, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["expires_in"]!.GetValue<int>());
    }

    private static async Task AssertRefused(HttpResponseMessage response, string error, string descriptionPart)
    {
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        var body = JsonNode.Parse(text)!;
        Assert.Equal(error, body["error"]!.GetValue<string>());
        // Maskinporten's text as it sends it: the whole description, or its start where MP-303 names the value
        Assert.StartsWith(descriptionPart, body["error_description"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
