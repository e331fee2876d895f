using System;
using System.Collections.Generic;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AltinnApp.Core.Auth
{
    /// <summary>What a system-user grant says, apart from time and key.</summary>
    public sealed class GrantRequest
    {
        public string ClientId { get; set; }

        /// <summary>The Maskinporten issuer with its trailing slash.</summary>
        public string Audience { get; set; }

        public string Scope { get; set; }

        public string SystemUserOrganization { get; set; }

        public string SystemUserExternalRef { get; set; }
    }

    /// <summary>Builds the JWT grant exactly as Maskinporten requires it for a system user (reference §2.2).</summary>
    public static class GrantBuilder
    {
        /// <summary>Well under Maskinporten's 120 s limit, with room for clock drift.</summary>
        public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

        public static string Build(SigningKey key, GrantRequest request, DateTimeOffset now, string jti = null)
        {
            var iat = now.ToUnixTimeSeconds();
            var systemUser = new Dictionary<string, object>
            {
                ["type"] = "urn:altinn:systemuser",
                ["systemuser_org"] = new Dictionary<string, object>
                {
                    ["authority"] = "iso6523-actorid-upis",
                    ["ID"] = "0192:" + request.SystemUserOrganization,
                },
            };
            if (!string.IsNullOrEmpty(request.SystemUserExternalRef)) systemUser["externalRef"] = request.SystemUserExternalRef;

            // only the claims Maskinporten documents: an unknown claim is refused with "Invalid assertion"
            var payload = new Dictionary<string, object>
            {
                ["aud"] = request.Audience,
                ["iss"] = request.ClientId,
                ["iat"] = iat,
                ["exp"] = iat + (long)Lifetime.TotalSeconds,
                ["jti"] = jti ?? Guid.NewGuid().ToString(),
                ["scope"] = request.Scope,
            };

            // a vendor's own grant (Connect-Altinn -Vendor) names no system user: Maskinporten then issues a plain token
            if (!string.IsNullOrEmpty(request.SystemUserOrganization)) payload["authorization_details"] = new object[] { systemUser };

            // no cached signature provider: IdentityModel keys its cache by the public key, so after a
            // Disconnect-Altinn (which disposes the key) a new connect with the same key would get the dead one
            var credentials = new SigningCredentials(key.SecurityKey, SecurityAlgorithms.RsaSha256)
            {
                CryptoProviderFactory = new CryptoProviderFactory { CacheSignatureProviders = false },
            };
            var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
            return handler.CreateToken(JsonSerializer.Serialize(payload), credentials, key.HeaderClaims);
        }
    }
}
