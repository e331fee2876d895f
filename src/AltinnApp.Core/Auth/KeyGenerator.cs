using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace AltinnApp.Core.Auth
{
    /// <summary>How New-AltinnSigningKey writes the private key.</summary>
    public enum PrivateKeyFormat
    {
        /// <summary>A private JWK (JSON): what Connect-Altinn -JwkPath reads, on every PowerShell.</summary>
        Jwk,

        /// <summary>PKCS#8 PEM (<c>-----BEGIN PRIVATE KEY-----</c>): what Connect-Altinn -PrivateKeyPath and most tools read.</summary>
        Pem,
    }

    /// <summary>A new RSA key pair for a Maskinporten client, with the texts to store and to register.</summary>
    public sealed class GeneratedKey : IDisposable
    {
        private readonly RSA _rsa;

        internal GeneratedKey(RSA rsa, string keyId)
        {
            _rsa = rsa;
            KeyId = keyId;
            KeySize = rsa.KeySize;
        }

        public string KeyId { get; }

        public int KeySize { get; }

        /// <summary>The public JWK (kty, use, alg, kid, n, e) to register with the Maskinporten client.</summary>
        public string PublicJwk => KeyGenerator.ToJwk(_rsa.ExportParameters(false), KeyId, includePrivate: false);

        /// <summary>The private key as text in the given format. Secret: goes only into the owner-only file.</summary>
        /// <summary>The private key as file text, for New-AltinnSigningKey to write to its owner-only file; never shown.</summary>
        public string PrivateKeyText(PrivateKeyFormat format)
        {
            var parameters = _rsa.ExportParameters(true);
            try
            {
                return format == PrivateKeyFormat.Pem ? KeyGenerator.ToPkcs8Pem(parameters) : KeyGenerator.ToJwk(parameters, KeyId, includePrivate: true);
            }
            finally
            {
                Secrets.Clear(parameters);
            }
        }

        public void Dispose() => _rsa.Dispose();

        public override string ToString() => $"RSA key '{KeyId}' ({KeySize} bits)";
    }

    /// <summary>Makes RSA key pairs and writes them as JWK or PKCS#8 PEM without any library beyond the runtime.</summary>
    public static class KeyGenerator
    {
        public const int MinimumKeySize = 2048;

        public static GeneratedKey Create(int keySize, string keyId)
        {
            if (keySize < MinimumKeySize || keySize % 8 != 0)
            {
                throw new AltinnArgumentException("Altinn.SigningKey.InvalidKeySize",
                    $"-KeySize {keySize} is not allowed: Maskinporten needs RSA keys of {MinimumKeySize} bits or more (2048, 3072 or 4096).");
            }

            var rsa = CreateRsa(keySize);
            if (rsa.KeySize != keySize)
            {
                rsa.Dispose();
                throw new AltinnException("Altinn.SigningKey.NotSupported", AltinnErrorKind.NotEnabled,
                    $"This runtime could not make a {keySize}-bit RSA key. Try -KeySize 2048.");
            }

            try
            {
                return new GeneratedKey(rsa, string.IsNullOrWhiteSpace(keyId) ? Thumbprint(rsa.ExportParameters(false)) : keyId.Trim());
            }
            catch
            {
                rsa.Dispose();
                throw;
            }
        }

        private static RSA CreateRsa(int keySize)
        {
            // RSA.Create(int) exists from .NET Core 3.0 / .NET Framework 4.7.2; setting KeySize on an older
            // RSACryptoServiceProvider does not change its key, so use the sized constructor there
            var create = typeof(RSA).GetMethod("Create", new[] { typeof(int) });
            if (create != null) return (RSA)create.Invoke(null, new object[] { keySize });
            return new RSACryptoServiceProvider(keySize);
        }

        /// <summary>The RFC 7638 JWK thumbprint (SHA-256, base64url): a kid that follows from the key itself.</summary>
        public static string Thumbprint(RSAParameters publicKey)
        {
            // members in lexicographic order, no whitespace (RFC 7638 §3)
            var canonical = "{\"e\":\"" + Base64UrlEncoder.Encode(TrimLeadingZeros(publicKey.Exponent)) + "\",\"kty\":\"RSA\",\"n\":\"" + Base64UrlEncoder.Encode(TrimLeadingZeros(publicKey.Modulus)) + "\"}";
            using (var sha = SHA256.Create())
            {
                return Base64UrlEncoder.Encode(sha.ComputeHash(Encoding.UTF8.GetBytes(canonical)));
            }
        }

        internal static string ToJwk(RSAParameters p, string keyId, bool includePrivate)
        {
            var jwk = new Dictionary<string, string>
            {
                ["kty"] = "RSA",
                ["use"] = "sig",
                ["alg"] = "RS256",
                ["kid"] = keyId,
                ["n"] = Base64UrlEncoder.Encode(TrimLeadingZeros(p.Modulus)),
                ["e"] = Base64UrlEncoder.Encode(TrimLeadingZeros(p.Exponent)),
            };
            if (includePrivate)
            {
                jwk["d"] = Base64UrlEncoder.Encode(p.D);
                jwk["p"] = Base64UrlEncoder.Encode(p.P);
                jwk["q"] = Base64UrlEncoder.Encode(p.Q);
                jwk["dp"] = Base64UrlEncoder.Encode(p.DP);
                jwk["dq"] = Base64UrlEncoder.Encode(p.DQ);
                jwk["qi"] = Base64UrlEncoder.Encode(p.InverseQ);
            }

            return JsonSerializer.Serialize(jwk, new JsonSerializerOptions { WriteIndented = includePrivate });
        }

        /// <summary>PKCS#8 PrivateKeyInfo wrapping a PKCS#1 RSAPrivateKey, DER-encoded, as PEM (RFC 5208, RFC 8017 A.1.2, RFC 7468).</summary>
        internal static string ToPkcs8Pem(RSAParameters p)
        {
            var rsaPrivateKey = Der.Sequence(
                Der.Integer(new byte[] { 0 }),
                Der.Integer(p.Modulus), Der.Integer(p.Exponent), Der.Integer(p.D),
                Der.Integer(p.P), Der.Integer(p.Q), Der.Integer(p.DP), Der.Integer(p.DQ), Der.Integer(p.InverseQ));
            var rsaEncryption = new byte[] { 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01 }; // OID 1.2.840.113549.1.1.1
            var nullParameters = new byte[] { 0x05, 0x00 };
            var privateKeyInfo = Der.Sequence(
                Der.Integer(new byte[] { 0 }),
                Der.Sequence(rsaEncryption, nullParameters),
                Der.OctetString(rsaPrivateKey));

            var base64 = Convert.ToBase64String(privateKeyInfo);
            var pem = new StringBuilder("-----BEGIN PRIVATE KEY-----\n");
            for (var i = 0; i < base64.Length; i += 64) pem.Append(base64, i, Math.Min(64, base64.Length - i)).Append('\n');
            return pem.Append("-----END PRIVATE KEY-----\n").ToString();
        }

        private static byte[] TrimLeadingZeros(byte[] value)
        {
            var start = 0;
            while (start < value.Length - 1 && value[start] == 0) start++;
            if (start == 0) return value;
            var trimmed = new byte[value.Length - start];
            Array.Copy(value, start, trimmed, 0, trimmed.Length);
            return trimmed;
        }

        /// <summary>Just enough DER for an RSA private key.</summary>
        private static class Der
        {
            public static byte[] Sequence(params byte[][] items)
            {
                using (var content = new MemoryStream())
                {
                    foreach (var item in items) content.Write(item, 0, item.Length);
                    return Tagged(0x30, content.ToArray());
                }
            }

            public static byte[] OctetString(byte[] value) => Tagged(0x04, value);

            /// <summary>A non-negative INTEGER from big-endian magnitude bytes.</summary>
            public static byte[] Integer(byte[] magnitude)
            {
                var trimmed = TrimLeadingZeros(magnitude);
                if ((trimmed[0] & 0x80) != 0)
                {
                    // a set high bit would read as negative: prefix a zero byte
                    var padded = new byte[trimmed.Length + 1];
                    Array.Copy(trimmed, 0, padded, 1, trimmed.Length);
                    trimmed = padded;
                }

                return Tagged(0x02, trimmed);
            }

            private static byte[] Tagged(byte tag, byte[] content)
            {
                using (var output = new MemoryStream())
                {
                    output.WriteByte(tag);
                    if (content.Length < 0x80)
                    {
                        output.WriteByte((byte)content.Length);
                    }
                    else
                    {
                        var length = new List<byte>();
                        for (var n = content.Length; n > 0; n >>= 8) length.Insert(0, (byte)(n & 0xFF));
                        output.WriteByte((byte)(0x80 | length.Count));
                        output.Write(length.ToArray(), 0, length.Count);
                    }

                    output.Write(content, 0, content.Length);
                    return output.ToArray();
                }
            }
        }
    }
}
