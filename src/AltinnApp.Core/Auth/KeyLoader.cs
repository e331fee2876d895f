using System;
using System.IO;
using System.Reflection;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.Tokens;

namespace AltinnApp.Core.Auth
{
    /// <summary>Turns each way an ops team holds its Maskinporten key into a <see cref="SigningKey"/>.</summary>
    public static class KeyLoader
    {
        private delegate void ImportPem(ReadOnlySpan<char> pem);

        public static SigningKey FromCertificate(X509Certificate2 certificate) =>
            new CertificateSigningKey(certificate, "the -Certificate object", ownsCertificate: false);

        public static SigningKey FromCertificateFile(string path, SecureString password)
        {
            var bytes = ReadFile(path, "certificate");
            try
            {
                return new CertificateSigningKey(Certificate.LoadPkcs12(bytes, password, $"'{path}'"), $"'{path}'", ownsCertificate: true);
            }
            finally
            {
                Array.Clear(bytes, 0, bytes.Length);
            }
        }

        public static SigningKey FromCertificateBase64(string base64, SecureString password)
        {
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String((base64 ?? string.Empty).Trim());
            }
            catch (FormatException)
            {
                throw new AltinnArgumentException("Altinn.Certificate.InvalidBase64",
                    "-CertificateBase64 is not valid base64. Give the .pfx file's bytes encoded as base64, for example [Convert]::ToBase64String([IO.File]::ReadAllBytes('client.pfx')).");
            }

            try
            {
                return new CertificateSigningKey(Certificate.LoadPkcs12(bytes, password, "-CertificateBase64"), "-CertificateBase64", ownsCertificate: true);
            }
            finally
            {
                Array.Clear(bytes, 0, bytes.Length);
            }
        }

        public static SigningKey FromThumbprint(string thumbprint)
        {
            var certificate = Certificate.FindByThumbprint(thumbprint);
            return new CertificateSigningKey(certificate, "the certificate store", ownsCertificate: true);
        }

        /// <summary>A private RSA JWK (JSON text). <paramref name="keyId"/> overrides the JWK's own kid.</summary>
        public static SigningKey FromJwk(string json, string keyId, string source)
        {
            JsonWebKey jwk;
            try
            {
                jwk = new JsonWebKey(json);
            }
            catch (Exception ex) when (ex is ArgumentException || ex is System.Text.Json.JsonException || ex is FormatException)
            {
                throw new AltinnArgumentException("Altinn.Jwk.Invalid",
                    $"The JWK from {source} is not valid JSON Web Key text. Give the private RSA key as JSON with kty, n, e, d, p, q, dp, dq and qi (New-AltinnSigningKey writes one).");
            }

            if (!string.Equals(jwk.Kty, "RSA", StringComparison.Ordinal))
            {
                throw new AltinnArgumentException("Altinn.Jwk.NotRsa", $"The JWK from {source} is of type '{jwk.Kty}'. Maskinporten grants are signed with RS256: give an RSA key (kty RSA).");
            }

            if (string.IsNullOrEmpty(jwk.D) || string.IsNullOrEmpty(jwk.P) || string.IsNullOrEmpty(jwk.Q))
            {
                throw new AltinnArgumentException("Altinn.Jwk.NoPrivateKey",
                    $"The JWK from {source} holds only the public key (it has no 'd', 'p' and 'q'). The public JWK is what you register with Maskinporten; Connect-Altinn needs the private one.");
            }

            var parameters = new RSAParameters
            {
                Modulus = Base64UrlEncoder.DecodeBytes(jwk.N),
                Exponent = Base64UrlEncoder.DecodeBytes(jwk.E),
                D = Base64UrlEncoder.DecodeBytes(jwk.D),
                P = Base64UrlEncoder.DecodeBytes(jwk.P),
                Q = Base64UrlEncoder.DecodeBytes(jwk.Q),
                DP = Base64UrlEncoder.DecodeBytes(jwk.DP ?? string.Empty),
                DQ = Base64UrlEncoder.DecodeBytes(jwk.DQ ?? string.Empty),
                InverseQ = Base64UrlEncoder.DecodeBytes(jwk.QI ?? string.Empty),
            };

            var rsa = RSA.Create();
            try
            {
                rsa.ImportParameters(parameters);
            }
            catch (CryptographicException)
            {
                rsa.Dispose();
                throw new AltinnArgumentException("Altinn.Jwk.Invalid", $"The JWK from {source} does not hold a consistent RSA private key (n, e, d, p, q, dp, dq, qi do not fit together).");
            }
            finally
            {
                Secrets.Clear(parameters);
            }

            return new RsaSigningKey(rsa, string.IsNullOrWhiteSpace(keyId) ? jwk.Kid : keyId, source);
        }

        public static SigningKey FromJwkFile(string path, string keyId)
        {
            var bytes = ReadFile(path, "JWK");
            try
            {
                return FromJwk(Text(bytes), keyId, $"'{path}'");
            }
            finally
            {
                Array.Clear(bytes, 0, bytes.Length);
            }
        }

        /// <summary>A PEM private key (PKCS#1 or PKCS#8). Needs .NET 5 or later, that is PowerShell 7.</summary>
        public static SigningKey FromPemFile(string path, string keyId)
        {
            var bytes = ReadFile(path, "private key");
            var pem = Text(bytes);
            Array.Clear(bytes, 0, bytes.Length);
            if (pem.IndexOf("ENCRYPTED", StringComparison.Ordinal) >= 0)
            {
                throw new AltinnArgumentException("Altinn.Pem.Encrypted",
                    $"The PEM key in '{path}' is encrypted. Give an unencrypted PKCS#1 or PKCS#8 key (keep it readable by the script's account only), or use a .pfx with -CertificatePath and -CertificatePassword.");
            }

            if (pem.IndexOf("PRIVATE KEY-----", StringComparison.Ordinal) < 0)
            {
                throw new AltinnArgumentException("Altinn.Pem.NoPrivateKey",
                    $"'{path}' holds no PEM private key (no '-----BEGIN PRIVATE KEY-----' or '-----BEGIN RSA PRIVATE KEY-----'). A public key or a certificate cannot sign a grant.");
            }

            var method = typeof(RSA).GetMethod("ImportFromPem", new[] { typeof(ReadOnlySpan<char>) });
            if (method == null)
            {
                throw new AltinnException("Altinn.Pem.NotSupported", AltinnErrorKind.NotEnabled,
                    "Reading PEM keys needs PowerShell 7 or later (.NET 5+). In Windows PowerShell 5.1, give the key as a JWK (-JwkPath) or a .pfx file (-CertificatePath).");
            }

            var rsa = RSA.Create();
            try
            {
                var import = (ImportPem)Delegate.CreateDelegate(typeof(ImportPem), rsa, method);
                import(pem.AsSpan());
            }
            catch (Exception ex) when (ex is ArgumentException || ex is CryptographicException || ex is TargetInvocationException)
            {
                rsa.Dispose();
                throw new AltinnArgumentException("Altinn.Pem.Invalid", $"The PEM key in '{path}' could not be read as an RSA private key (PKCS#1 or PKCS#8).");
            }

            return new RsaSigningKey(rsa, keyId, $"'{path}'");
        }

        /// <summary>
        /// A key file's text: UTF-8, or whatever its byte order mark says. Windows PowerShell 5.1 writes a BOM
        /// (Out-File -Encoding UTF8, Set-Content -Encoding UTF8) or UTF-16 (Out-File, '>'), and the JSON reader
        /// takes a leading U+FEFF for a stray character.
        /// </summary>
        internal static string Text(byte[] bytes)
        {
            using (var reader = new StreamReader(new MemoryStream(bytes), new System.Text.UTF8Encoding(false), detectEncodingFromByteOrderMarks: true))
            {
                return reader.ReadToEnd();
            }
        }

        internal static byte[] ReadFile(string path, string what)
        {
            if (Directory.Exists(path))
            {
                throw new AltinnArgumentException("Altinn.File.PathIsFolder", $"'{path}' is a folder. Give the path of the {what} file.");
            }

            if (!File.Exists(path))
            {
                throw new AltinnException("Altinn.File.FileNotFound", AltinnErrorKind.ObjectNotFound, $"The {what} file '{path}' does not exist. Check the path (relative paths are taken from the current PowerShell location).");
            }

            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(path);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                var hint = ex is UnauthorizedAccessException
                    ? "Check that the account running the script may read it."
                    : "Another program may hold it open or locked: close it, or check that the account running the script may read the file.";
                throw new AltinnException("Altinn.File.CannotRead", AltinnErrorKind.ReadError,
                    $"The {what} file '{path}' could not be read: {ex.Message.TrimEnd('.')}. {hint}");
            }

            if (bytes.Length == 0)
            {
                throw new AltinnArgumentException("Altinn.File.EmptyFile",
                    $"The {what} file '{path}' is empty. Check the path, or write the {what} into it again (a copy or download may have been cut short).");
            }

            return bytes;
        }
    }
}
