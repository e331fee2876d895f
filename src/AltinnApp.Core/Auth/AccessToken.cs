using System;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AltinnApp.Core.Auth
{
    /// <summary>
    /// An Altinn access token. The value is kept in memory only and is never part of ToString,
    /// so it cannot reach an output stream or a log by accident.
    /// </summary>
    public sealed class AccessToken
    {
        internal AccessToken(string value, DateTimeOffset expiresOn, DateTimeOffset issuedOn)
        {
            Value = value;
            ExpiresOn = expiresOn;
            IssuedOn = issuedOn;
        }

        internal string Value { get; }

        /// <summary>
        /// The token itself, for Get-AltinnAccessToken to hand to a caller who asked for it. A method, not a property, so
        /// no formatter, serializer or ToString() ever shows it.
        /// </summary>
        public string Reveal() => Value;

        public DateTimeOffset ExpiresOn { get; }

        public DateTimeOffset IssuedOn { get; }

        public TimeSpan Lifetime => ExpiresOn - IssuedOn;

        /// <summary>The <c>client_id</c> claim, when the token has one.</summary>
        public string ClientId { get; private set; }

        /// <summary>The organisation number of the system user the token is for (from <c>authorization_details</c>).</summary>
        public string SystemUserOrganization { get; private set; }

        /// <summary>The system user's id (<c>authorization_details.systemuser_id</c>): the same for every client an agent system user files for.</summary>
        public string SystemUserId { get; private set; }

        /// <summary>
        /// True for a raw Maskinporten token (it carries <c>client_amr</c>, which the exchange removes):
        /// Altinn apps refuse those (reference §2.1, §2.4).
        /// </summary>
        public bool IsMaskinportenToken { get; private set; }

        /// <summary>The organisation that owns the Maskinporten client (the <c>consumer</c> claim): the vendor.</summary>
        public string ConsumerOrganization { get; private set; }

        /// <summary>Reads <c>exp</c>, <c>iat</c> and the system-user claims from a JWT without validating it (the server does that).</summary>
        internal static AccessToken FromJwt(string jwt, string source)
        {
            var cleaned = Clean(jwt);
            JsonWebToken parsed;
            try
            {
                parsed = new JsonWebToken(cleaned);
            }
            catch (ArgumentException)
            {
                // the message of the IdentityModel exception may quote the token: do not pass it on
                throw new AltinnAuthenticationException("Altinn.Token.Malformed", $"The token from {source} is not a JWT access token (three base64url parts separated by dots).");
            }

            var exp = parsed.ValidTo;
            if (exp == DateTime.MinValue)
            {
                throw new AltinnAuthenticationException("Altinn.Token.NoExpiry", $"The token from {source} has no expiry time (exp), so it cannot be managed safely.");
            }

            var iat = parsed.IssuedAt != DateTime.MinValue ? parsed.IssuedAt : DateTime.UtcNow;
            var token = new AccessToken(cleaned, new DateTimeOffset(exp, TimeSpan.Zero), new DateTimeOffset(iat, TimeSpan.Zero));
            token.ReadClaims(parsed);
            return token;
        }

        private void ReadClaims(JsonWebToken parsed)
        {
            try
            {
                using (var doc = JsonDocument.Parse(Base64UrlEncoder.Decode(parsed.EncodedPayload)))
                {
                    var root = doc.RootElement;
                    if (root.ValueKind != JsonValueKind.Object) return;
                    if (root.TryGetProperty("client_id", out var clientId) && clientId.ValueKind == JsonValueKind.String) ClientId = clientId.GetString();
                    IsMaskinportenToken = root.TryGetProperty("client_amr", out _);
                    if (root.TryGetProperty("consumer", out var consumer) && consumer.ValueKind == JsonValueKind.Object &&
                        consumer.TryGetProperty("ID", out var consumerId) && consumerId.ValueKind == JsonValueKind.String)
                    {
                        var value = consumerId.GetString();
                        ConsumerOrganization = value.StartsWith("0192:", StringComparison.Ordinal) ? value.Substring(5) : value;
                    }

                    if (!root.TryGetProperty("authorization_details", out var details)) return;

                    // an object in an exchanged token, a one-element array in a Maskinporten token
                    var detail = details.ValueKind == JsonValueKind.Array && details.GetArrayLength() == 1 ? details[0] : details;
                    if (detail.ValueKind == JsonValueKind.Object &&
                        detail.TryGetProperty("systemuser_org", out var org) && org.ValueKind == JsonValueKind.Object &&
                        org.TryGetProperty("ID", out var id) && id.ValueKind == JsonValueKind.String)
                    {
                        var value = id.GetString();
                        SystemUserOrganization = value.StartsWith("0192:", StringComparison.Ordinal) ? value.Substring(5) : value;
                    }

                    if (detail.ValueKind == JsonValueKind.Object &&
                        detail.TryGetProperty("systemuser_id", out var ids) && ids.ValueKind == JsonValueKind.Array && ids.GetArrayLength() > 0 &&
                        ids[0].ValueKind == JsonValueKind.String)
                    {
                        SystemUserId = ids[0].GetString();
                    }
                }
            }
            catch (Exception ex) when (ex is JsonException || ex is FormatException || ex is ArgumentException)
            {
                // the claims are informative only; the server decides whether the token is good
            }
        }

        /// <summary>The exchange answers text/plain, but may quote it as a JSON string (reference §2.4).</summary>
        internal static string Clean(string raw)
        {
            var s = (raw ?? string.Empty).Trim();
            if (s.Length >= 2 && s[0] == '"' && s[s.Length - 1] == '"') s = s.Substring(1, s.Length - 2).Trim();
            if (s.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) s = s.Substring(7).Trim();
            return s;
        }

        public override string ToString() => $"Altinn access token (expires {ExpiresOn:u})";
    }
}
