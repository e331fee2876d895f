using System.Security.Cryptography;
using System.Text.Json;
using AltinnApp.Core;
using AltinnApp.Core.Auth;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AltinnApp.Core.Tests;

public class KeyGeneratorTests
{
    private static GrantRequest Request => GrantBuilderTests.Request;

    [Fact]
    public void The_pkcs8_pem_is_read_back_by_the_runtime_as_the_same_key()
    {
        using var key = KeyGenerator.Create(2048, "kid-1");
        var pem = key.PrivateKeyText(PrivateKeyFormat.Pem);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----\n", pem);
        Assert.EndsWith("-----END PRIVATE KEY-----\n", pem);
        Assert.All(pem.Split('\n').Where(l => !l.StartsWith("-----")), line => Assert.True(line.Length <= 64));

        using var imported = RSA.Create();
        imported.ImportFromPem(pem);
        var publicJwk = JsonDocument.Parse(key.PublicJwk).RootElement;
        Assert.Equal(publicJwk.GetProperty("n").GetString(), Base64UrlEncoder.Encode(imported.ExportParameters(false).Modulus));
        Assert.Equal(2048, imported.KeySize);
    }

    [Fact]
    public async Task The_private_jwk_signs_a_grant_the_public_jwk_verifies()
    {
        using var generated = KeyGenerator.Create(3072, null);
        using var signingKey = KeyLoader.FromJwk(generated.PrivateKeyText(PrivateKeyFormat.Jwk), null, "test");
        var grant = GrantBuilder.Build(signingKey, Request, DateTimeOffset.UtcNow);

        var publicKey = new JsonWebKey(generated.PublicJwk);
        Assert.Equal(generated.KeyId, publicKey.Kid);
        Assert.Equal(generated.KeyId, new JsonWebToken(grant).Kid);
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(grant, new TokenValidationParameters
        {
            ValidAudience = Request.Audience,
            ValidIssuer = Request.ClientId,
            IssuerSigningKey = publicKey,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
    }

    [Fact]
    public void The_public_jwk_holds_no_private_member()
    {
        using var key = KeyGenerator.Create(2048, "kid-1");
        var names = JsonDocument.Parse(key.PublicJwk).RootElement.EnumerateObject().Select(p => p.Name).OrderBy(n => n);
        Assert.Equal(new[] { "alg", "e", "kid", "kty", "n", "use" }, names);
        Assert.DoesNotContain("\"d\"", key.ToString());
    }

    [Fact]
    public void The_default_kid_is_the_rfc7638_thumbprint()
    {
        using var key = KeyGenerator.Create(2048, null);
        var thumbprint = Base64UrlEncoder.Encode(new JsonWebKey(key.PublicJwk).ComputeJwkThumbprint());
        Assert.Equal(thumbprint, key.KeyId);
    }

    [Theory]
    [InlineData(1024)]
    [InlineData(2047)]
    public void Keys_below_2048_bits_are_refused(int size)
    {
        var ex = Assert.Throws<AltinnArgumentException>(() => KeyGenerator.Create(size, null));
        Assert.Equal("Altinn.SigningKey.InvalidKeySize", ex.ErrorId);
    }

    [Fact]
    public void A_key_can_sign_again_after_an_earlier_copy_of_it_was_disposed()
    {
        // Disconnect-Altinn disposes the key; connecting again with the same key material must still work
        using var rsa = RSA.Create(2048);
        var parameters = rsa.ExportParameters(true);
        var first = new RsaSigningKey(RSA.Create(parameters), "kid-1", "test");
        GrantBuilder.Build(first, Request, DateTimeOffset.UtcNow);
        first.Dispose();

        using var second = new RsaSigningKey(RSA.Create(parameters), "kid-1", "test");
        var grant = GrantBuilder.Build(second, Request, DateTimeOffset.UtcNow);
        Assert.Equal("kid-1", new JsonWebToken(grant).Kid);
    }
}
