using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace AltinnApp.Simulator.Infrastructure;

/// <summary>A compact JWS split into its parts; the signature is checked separately.</summary>
public sealed record DecodedJwt(JsonObject Header, JsonObject Payload, byte[] SigningInput, byte[] Signature)
{
    public string? Alg => Header["alg"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public string? StringClaim(string name) =>
        Payload[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public long? NumericClaim(string name)
    {
        if (Payload[name] is not JsonValue value) return null;
        if (value.TryGetValue<long>(out var l)) return l;
        if (value.TryGetValue<double>(out var d)) return (long)d;
        if (value.TryGetValue<JsonElement>(out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out var ed)) return (long)ed;
        return null;
    }

    public bool VerifyRs256(RSA key) =>
        key.VerifyData(SigningInput, Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
}

/// <summary>Minimal RS256 JWT reading and writing; enough for grants and the tokens the simulator issues.</summary>
public static class Jwt
{
    public static string Sign(JsonObject header, JsonObject payload, RSA key)
    {
        string encodedHeader = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(header.ToJsonString()));
        string encodedPayload = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(payload.ToJsonString(SimJson.Options)));
        string signingInput = $"{encodedHeader}.{encodedPayload}";
        byte[] signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{WebEncoders.Base64UrlEncode(signature)}";
    }

    public static DecodedJwt? TryDecode(string? token)
    {
        if (string.IsNullOrWhiteSpace(token)) return null;
        var parts = token.Trim().Split('.');
        if (parts.Length != 3) return null;
        try
        {
            var header = JsonNode.Parse(WebEncoders.Base64UrlDecode(parts[0])) as JsonObject;
            var payload = JsonNode.Parse(WebEncoders.Base64UrlDecode(parts[1])) as JsonObject;
            if (header is null || payload is null) return null;
            return new DecodedJwt(header, payload, Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), WebEncoders.Base64UrlDecode(parts[2]));
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}

/// <summary>An RSA key the simulator signs with (one for Maskinporten, one for Altinn Authentication).</summary>
public sealed class SigningKey
{
    public SigningKey(string purpose)
    {
        Rsa = RSA.Create(2048);
        var modulus = Rsa.ExportParameters(false).Modulus!;
        KeyId = $"sim-{purpose}-{Convert.ToHexString(SHA256.HashData(modulus))[..16].ToLowerInvariant()}";
    }

    public RSA Rsa { get; }
    public string KeyId { get; }

    public JsonObject Header() => new() { ["alg"] = "RS256", ["kid"] = KeyId, ["typ"] = "JWT" };

    public string Sign(JsonObject payload) => Jwt.Sign(Header(), payload, Rsa);

    /// <summary>The public key as a JWK, for the JWKS endpoints.</summary>
    public JsonObject PublicJwk()
    {
        var p = Rsa.ExportParameters(false);
        return new JsonObject
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["alg"] = "RS256",
            ["kid"] = KeyId,
            ["n"] = WebEncoders.Base64UrlEncode(p.Modulus!),
            ["e"] = WebEncoders.Base64UrlEncode(p.Exponent!),
        };
    }
}

/// <summary>The simulator's two signing keys; made once per process (per test host).</summary>
public sealed class SimulatorKeys
{
    public SigningKey Maskinporten { get; } = new("maskinporten");
    public SigningKey Altinn { get; } = new("altinn");
}

public static class Issuers
{
    /// <summary>The simulator's own base URL with a trailing slash: the Maskinporten issuer and grant <c>aud</c>.</summary>
    public static string Maskinporten(HttpRequest request) => $"{request.Scheme}://{request.Host}/";

    public static string Altinn(HttpRequest request) => $"{request.Scheme}://{request.Host}/authentication/api/v1/openid/";
}
