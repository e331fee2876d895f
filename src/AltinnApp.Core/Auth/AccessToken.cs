using System;
using Microsoft.IdentityModel.JsonWebTokens;

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

        public DateTimeOffset ExpiresOn { get; }

        public DateTimeOffset IssuedOn { get; }

        public TimeSpan Lifetime => ExpiresOn - IssuedOn;

        /// <summary>Reads <c>exp</c> and <c>iat</c> from a JWT without validating it (the server does that).</summary>
        internal static AccessToken FromJwt(string jwt, string source)
        {
            var cleaned = Clean(jwt);
            try
            {
                var parsed = new JsonWebToken(cleaned);
                var exp = parsed.ValidTo;
                if (exp == DateTime.MinValue)
                {
                    throw new AltinnAuthenticationException("Altinn.Token.NoExpiry", $"The token from {source} has no expiry time (exp), so it cannot be managed safely.");
                }

                var iat = parsed.IssuedAt != DateTime.MinValue ? parsed.IssuedAt : DateTime.UtcNow;
                return new AccessToken(cleaned, new DateTimeOffset(exp, TimeSpan.Zero), new DateTimeOffset(iat, TimeSpan.Zero));
            }
            catch (ArgumentException ex)
            {
                // the message of the IdentityModel exception may quote the token: do not pass it on
                throw new AltinnAuthenticationException("Altinn.Token.Malformed", $"The answer from {source} is not a JWT access token ({ex.GetType().Name}).");
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
