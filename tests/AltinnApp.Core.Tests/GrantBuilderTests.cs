using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using AltinnApp.Core.Auth;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AltinnApp.Core.Tests;

public class GrantBuilderTests
{
    /// <summary>The system-user grant the auth tests share.</summary>
    internal static readonly GrantRequest Request = new()
    {
        ClientId = "client-1",
        Audience = "https://test.maskinporten.no/",
        Scope = "altinn:instances.read altinn:instances.write",
        SystemUserOrganization = "950474084",
    };

    [Fact]
    public void A_jwk_grant_names_the_key_by_kid_and_carries_exactly_the_documented_claims()
    {
        using var rsa = RSA.Create(2048);
        using var key = new RsaSigningKey(RSA.Create(rsa.ExportParameters(true)), "kid-1", "test");
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var jwt = new JsonWebToken(GrantBuilder.Build(key, Request, now, "jti-1"));

        Assert.Equal("RS256", jwt.Alg);
        Assert.Equal("kid-1", jwt.Kid);
        Assert.False(jwt.TryGetHeaderValue<object>("x5c", out _));
        var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(jwt.EncodedPayload)).RootElement;
        var names = payload.EnumerateObject().Select(p => p.Name).OrderBy(n => n).ToArray();
        Assert.Equal(new[] { "aud", "authorization_details", "exp", "iat", "iss", "jti", "scope" }, names);
        Assert.Equal("https://test.maskinporten.no/", payload.GetProperty("aud").GetString());
        Assert.Equal("client-1", payload.GetProperty("iss").GetString());
        Assert.Equal(1_800_000_000, payload.GetProperty("iat").GetInt64());
        Assert.True(payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64() <= 120);
        Assert.Equal("jti-1", payload.GetProperty("jti").GetString());

        var details = payload.GetProperty("authorization_details");
        Assert.Equal(JsonValueKind.Array, details.ValueKind);
        Assert.Equal(1, details.GetArrayLength());
        Assert.Equal("urn:altinn:systemuser", details[0].GetProperty("type").GetString());
        Assert.Equal("iso6523-actorid-upis", details[0].GetProperty("systemuser_org").GetProperty("authority").GetString());
        Assert.Equal("0192:950474084", details[0].GetProperty("systemuser_org").GetProperty("ID").GetString());
        Assert.False(details[0].TryGetProperty("externalRef", out _));
    }

    [Fact]
    public async Task The_grant_signature_verifies_with_the_public_key()
    {
        using var rsa = RSA.Create(2048);
        using var key = new RsaSigningKey(RSA.Create(rsa.ExportParameters(true)), "kid-1", "test");
        var token = GrantBuilder.Build(key, Request, DateTimeOffset.UtcNow);
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidAudience = Request.Audience,
            ValidIssuer = Request.ClientId,
            IssuerSigningKey = new RsaSecurityKey(rsa.ExportParameters(false)) { KeyId = "kid-1" },
        });
        Assert.True(result.IsValid, result.Exception?.Message);
    }

    [Fact]
    public void A_certificate_grant_carries_x5c_and_no_kid()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var key = new CertificateSigningKey(certificate, "test", ownsCertificate: false);
        var jwt = new JsonWebToken(GrantBuilder.Build(key, Request, DateTimeOffset.UtcNow));

        Assert.True(string.IsNullOrEmpty(jwt.Kid));
        Assert.True(jwt.TryGetHeaderValue<JsonElement>("x5c", out var x5c) || jwt.TryGetHeaderValue<object>("x5c", out _));
        var header = JsonDocument.Parse(Base64UrlEncoder.Decode(jwt.EncodedHeader)).RootElement;
        Assert.Equal(Convert.ToBase64String(certificate.RawData), header.GetProperty("x5c")[0].GetString());
    }

    [Fact]
    public void Each_grant_has_a_fresh_jti()
    {
        using var key = new RsaSigningKey(RSA.Create(2048), "kid-1", "test");
        var a = new JsonWebToken(GrantBuilder.Build(key, Request, DateTimeOffset.UtcNow));
        var b = new JsonWebToken(GrantBuilder.Build(key, Request, DateTimeOffset.UtcNow));
        Assert.NotEqual(a.Id, b.Id);
    }

    [Fact]
    public void An_external_ref_is_sent_when_the_system_user_has_one()
    {
        using var key = new RsaSigningKey(RSA.Create(2048), "kid-1", "test");
        var request = new GrantRequest { ClientId = "c", Audience = "https://maskinporten.no/", Scope = "s", SystemUserOrganization = "950474084", SystemUserExternalRef = "ref-9" };
        var jwt = new JsonWebToken(GrantBuilder.Build(key, request, DateTimeOffset.UtcNow));
        var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(jwt.EncodedPayload)).RootElement;
        Assert.Equal("ref-9", payload.GetProperty("authorization_details")[0].GetProperty("externalRef").GetString());
    }
}
