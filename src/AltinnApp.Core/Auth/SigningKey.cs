using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.Tokens;

namespace AltinnApp.Core.Auth
{
    /// <summary>The client's private key, however the ops team holds it, ready to sign Maskinporten grants.</summary>
    public abstract class SigningKey : IDisposable
    {
        /// <summary>Where the key came from, for Get-AltinnSession; never key material.</summary>
        public abstract string Description { get; }

        /// <summary>The JWT header claims that identify the key to Maskinporten: <c>x5c</c> or <c>kid</c> (reference §2.2).</summary>
        internal abstract IDictionary<string, object> HeaderClaims { get; }

        internal abstract SecurityKey SecurityKey { get; }

        public abstract void Dispose();
    }

    /// <summary>A business certificate: the grant carries the certificate in <c>x5c</c>.</summary>
    public sealed class CertificateSigningKey : SigningKey
    {
        private readonly X509Certificate2 _certificate;
        private readonly RSA _rsa;
        private readonly bool _ownsCertificate;

        public CertificateSigningKey(X509Certificate2 certificate, string source, bool ownsCertificate)
        {
            _certificate = certificate ?? throw new ArgumentNullException(nameof(certificate));
            _ownsCertificate = ownsCertificate;
            try
            {
                Certificate.RequireUsable(certificate, source);
                _rsa = Certificate.PrivateKey(certificate, source) ?? throw new AltinnArgumentException("Altinn.Key.NotRsa",
                    $"The certificate {Certificate.Describe(certificate)} from {source} has no RSA private key. Maskinporten grants are signed with RS256: use an RSA certificate.");
            }
            catch
            {
                if (ownsCertificate) certificate.Dispose();
                throw;
            }

            Description = $"Certificate {Certificate.Describe(certificate)} from {source}";
            Thumbprint = certificate.Thumbprint;
            NotAfter = certificate.NotAfter;
        }

        public override string Description { get; }

        public string Thumbprint { get; }

        public DateTime NotAfter { get; }

        internal override IDictionary<string, object> HeaderClaims => new Dictionary<string, object>
        {
            ["x5c"] = new[] { Convert.ToBase64String(_certificate.RawData) },
        };

        // no KeyId: with x5c the header must not name a kid
        internal override SecurityKey SecurityKey => new RsaSecurityKey(_rsa);

        public override void Dispose()
        {
            _rsa.Dispose();
            if (_ownsCertificate) _certificate.Dispose();
        }
    }

    /// <summary>An RSA key registered with Maskinporten as a JWK: the grant names it by <c>kid</c>.</summary>
    public sealed class RsaSigningKey : SigningKey
    {
        private readonly RSA _rsa;

        public RsaSigningKey(RSA rsa, string keyId, string source)
        {
            _rsa = rsa ?? throw new ArgumentNullException(nameof(rsa));
            if (string.IsNullOrWhiteSpace(keyId))
            {
                rsa.Dispose(); // the key is this object's from the start: refused, it is disposed here
                throw new AltinnArgumentException("Altinn.Key.MissingKeyId",
                    $"The key from {source} has no key id. Maskinporten finds a registered key by its kid: give -KeyId with the kid the key was registered under.");
            }

            if (rsa.KeySize < 2048)
            {
                var size = rsa.KeySize;
                rsa.Dispose();
                throw new AltinnArgumentException("Altinn.Key.TooSmall", $"The key from {source} is {size} bits. Maskinporten needs RSA keys of 2048 bits or more.");
            }

            KeyId = keyId;
            Description = $"RSA key '{keyId}' ({rsa.KeySize} bits) from {source}";
        }

        public string KeyId { get; }

        public override string Description { get; }

        internal override IDictionary<string, object> HeaderClaims => new Dictionary<string, object>();

        internal override SecurityKey SecurityKey => new RsaSecurityKey(_rsa) { KeyId = KeyId };

        public override void Dispose() => _rsa.Dispose();
    }
}
