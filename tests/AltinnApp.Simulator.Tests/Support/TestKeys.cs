using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace AltinnApp.Simulator.Tests.Support;

/// <summary>A client's signing key, as a JWK with kid or as a self-signed certificate.</summary>
public sealed class TestKeys
{
    private static readonly Lazy<TestKeys> SharedKeys = new(() => new TestKeys());

    private TestKeys()
    {
        Rsa = RSA.Create(2048);
        KeyId = "test-key-" + Guid.NewGuid().ToString("N")[..8];
        using var certificateKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=AltinnApp Simulator Test, O=Test, C=NO", certificateKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        OtherRsa = RSA.Create(2048);
    }

    /// <summary>Key generation is slow: every test shares one set.</summary>
    public static TestKeys Shared => SharedKeys.Value;

    public RSA Rsa { get; }
    public string KeyId { get; }
    /// <summary>Has its private key (CreateSelfSigned keeps it).</summary>
    public X509Certificate2 Certificate { get; }
    /// <summary>A key nobody registered.</summary>
    public RSA OtherRsa { get; }

    public JsonObject PublicJwk()
    {
        var p = Rsa.ExportParameters(false);
        return new JsonObject
        {
            ["kty"] = "RSA",
            ["kid"] = KeyId,
            ["use"] = "sig",
            ["alg"] = "RS256",
            ["n"] = WebEncoders.Base64UrlEncode(p.Modulus!),
            ["e"] = WebEncoders.Base64UrlEncode(p.Exponent!),
        };
    }

    public string CertificateBase64 => Convert.ToBase64String(Certificate.RawData);
}
