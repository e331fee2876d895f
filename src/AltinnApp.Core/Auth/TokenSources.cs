using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using AltinnApp.Core.Http;

namespace AltinnApp.Core.Auth
{
    /// <summary>Where Altinn tokens come from.</summary>
    public interface ITokenSource
    {
        /// <summary>Key source and flow, for Get-AltinnSession.</summary>
        string Description { get; }

        /// <summary>False when the token was handed in and cannot be renewed.</summary>
        bool CanRefresh { get; }

        Task<AccessToken> FetchAsync(CancellationToken cancellationToken);
    }

    /// <summary>Grant → Maskinporten <c>/token</c> → Altinn exchange (reference §2.1).</summary>
    public sealed class MaskinportenTokenSource : ITokenSource
    {
        private readonly SigningKey _key;
        private readonly GrantRequest _grant;
        private readonly Uri _tokenUri;
        private readonly Uri _exchangeUri;
        private readonly AltinnHttp _http;

        public MaskinportenTokenSource(SigningKey key, GrantRequest grant, string maskinportenUri, string platformUri, AltinnHttp http)
        {
            _key = key;
            _grant = grant;
            _tokenUri = new Uri(new Uri(maskinportenUri), "token");
            _exchangeUri = new Uri(new Uri(platformUri), "authentication/api/v1/exchange/maskinporten");
            _http = http;
        }

        public string Description => _key.Description;

        public bool CanRefresh => true;

        public SigningKey Key => _key;

        public async Task<AccessToken> FetchAsync(CancellationToken cancellationToken)
        {
            var maskinportenToken = await RequestMaskinportenTokenAsync(cancellationToken).ConfigureAwait(false);
            return await ExchangeAsync(maskinportenToken, cancellationToken).ConfigureAwait(false);
        }

        private async Task<string> RequestMaskinportenTokenAsync(CancellationToken cancellationToken)
        {
            // a new grant for every attempt: Maskinporten refuses a jti it has seen
            var request = new AltinnRequest(HttpMethod.Post, _tokenUri, RequestKind.Token, "Maskinporten")
            {
                Authenticate = false,
                Content = () => new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "urn:ietf:params:oauth:grant-type:jwt-bearer",
                    ["assertion"] = GrantBuilder.Build(_key, _grant, DateTimeOffset.UtcNow),
                }),
            };

            using (var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false))
            {
                var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    throw MaskinportenError((int)response.StatusCode, body);
                }

                try
                {
                    using (var doc = JsonDocument.Parse(body))
                    {
                        if (doc.RootElement.TryGetProperty("access_token", out var token) && token.ValueKind == JsonValueKind.String)
                        {
                            return token.GetString();
                        }
                    }
                }
                catch (JsonException)
                {
                    // fall through to the error below
                }

                throw new AltinnAuthenticationException("Altinn.Maskinporten.BadResponse",
                    $"Maskinporten at {_tokenUri} answered {(int)response.StatusCode} without an access_token. Check -MaskinportenUri.");
            }
        }

        private AltinnAuthenticationException MaskinportenError(int status, string body)
        {
            string error = null, description = null;
            try
            {
                using (var doc = JsonDocument.Parse(body))
                {
                    if (doc.RootElement.ValueKind == JsonValueKind.Object)
                    {
                        if (doc.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String) error = e.GetString();
                        if (doc.RootElement.TryGetProperty("error_description", out var d) && d.ValueKind == JsonValueKind.String) description = d.GetString();
                    }
                }
            }
            catch (JsonException)
            {
            }

            description = Redactor.Redact(description);
            var (reason, hint) = Classify(error, description, _grant);
            return new AltinnAuthenticationException("Altinn.Maskinporten." + reason,
                $"Maskinporten refused the grant ({status}{(error != null ? " " + error : string.Empty)}){(description != null ? ": " + description.TrimEnd('.') : string.Empty)}. {hint}")
            {
                OAuthError = error,
            };
        }

        /// <summary>
        /// Maskinporten answers with a few OAuth error codes that cover many causes; the description says
        /// which. The ErrorId names the cause a user can act on, falling back to the error code itself.
        /// </summary>
        internal static (string Reason, string Hint) Classify(string error, string description, GrantRequest grant)
        {
            var text = (description ?? string.Empty).ToLowerInvariant();
            var code = (error ?? string.Empty).ToLowerInvariant();
            if (code.StartsWith("invalid_altinn", StringComparison.Ordinal) || text.Contains("system user") || text.Contains("systemuser") ||
                text.Contains("authorization_details") || text.Contains("externalref"))
            {
                return ("SystemUserNotFound",
                    $"Check that organisation {grant.SystemUserOrganization} has accepted a system user for client '{grant.ClientId}' in Altinn, and give -SystemUserExternalRef if the system user was created with one.");
            }

            if (code == "invalid_client" && (text.Contains("kid") || text.Contains("x5c") || text.Contains("signature") || text.Contains("certificate") || text.Contains(" key")))
            {
                return ("KeyNotAccepted",
                    $"The key or certificate that signed the grant is not registered for client '{grant.ClientId}'. Register its public key (New-AltinnSigningKey prints it) or the certificate with the Maskinporten client, or connect with the key that is registered (check -KeyId).");
            }

            switch (code)
            {
                case "invalid_client":
                    return ("InvalidClient", $"Check -ClientId '{grant.ClientId}': it must be the id of a Maskinporten client in this environment.");
                case "invalid_scope":
                    return ("InvalidScope", "Check -Scope: the client must have been granted every scope it asks for.");
                case "":
                    return ("Refused", "Check the key, the client id, the system user for -SystemUserOrganization and this machine's clock.");
                default:
                    return (ToPascal(code), "Check the key, the client id, the system user for -SystemUserOrganization (and -SystemUserExternalRef) and this machine's clock (grants are valid for seconds only).");
            }
        }

        private async Task<AccessToken> ExchangeAsync(string maskinportenToken, CancellationToken cancellationToken)
        {
            var request = new AltinnRequest(HttpMethod.Get, _exchangeUri, RequestKind.Token, "TokenExchange")
            {
                Authenticate = false,
                Configure = r =>
                {
                    r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", maskinportenToken);
                    r.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/plain"));
                },
            };

            using (var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false))
            {
                var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    throw new AltinnAuthenticationException("Altinn.TokenExchange.Refused",
                        $"Altinn's token exchange at {_exchangeUri} refused the Maskinporten token ({(int)response.StatusCode}). Check -Environment (or -PlatformUri) and that the system user is set up for this client in Altinn.");
                }

                return AccessToken.FromJwt(body, "Altinn's token exchange");
            }
        }

        private static string ToPascal(string snake)
        {
            var parts = snake.Split('_');
            for (var i = 0; i < parts.Length; i++)
            {
                if (parts[i].Length > 0) parts[i] = char.ToUpperInvariant(parts[i][0]) + parts[i].Substring(1);
            }

            return string.Concat(parts);
        }
    }

    /// <summary>The local test environment mints system-user tokens itself (reference §2.8).</summary>
    public sealed class LocalTestTokenSource : ITokenSource
    {
        private readonly Uri _uri;
        private readonly AltinnHttp _http;

        public LocalTestTokenSource(string platformUri, string systemUserOrganization, string systemId, string systemUserId, string scope, AltinnHttp http)
        {
            var query = "systemId=" + Uri.EscapeDataString(systemId) +
                        "&systemUserId=" + Uri.EscapeDataString(systemUserId) +
                        "&systemUserOrgNumber=" + Uri.EscapeDataString(systemUserOrganization) +
                        "&scope=" + Uri.EscapeDataString(scope);
            _uri = new Uri(new Uri(platformUri), "Home/GetTestSystemUserToken?" + query);
            _http = http;
            Description = $"localtest system-user token (system '{systemId}', no key)";
        }

        public string Description { get; }

        public bool CanRefresh => true;

        public async Task<AccessToken> FetchAsync(CancellationToken cancellationToken)
        {
            var request = new AltinnRequest(HttpMethod.Get, _uri, RequestKind.Token, "LocalTestToken") { Authenticate = false };
            using (var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false))
            {
                var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    throw new AltinnAuthenticationException("Altinn.LocalTest.TokenRefused",
                        $"The local test environment at {_uri.GetLeftPart(UriPartial.Authority)} did not give a test token ({(int)response.StatusCode}). Check that localtest is running and -PlatformUri points at it.");
                }

                return AccessToken.FromJwt(body, "the local test environment");
            }
        }
    }

    /// <summary>An Altinn token obtained elsewhere: used as is, never renewed.</summary>
    public sealed class StaticTokenSource : ITokenSource
    {
        private readonly AccessToken _token;
        private readonly Func<DateTimeOffset> _clock;

        public StaticTokenSource(string token, Func<DateTimeOffset> clock = null)
        {
            _token = AccessToken.FromJwt(token, "-AccessToken");
            _clock = clock ?? (() => DateTimeOffset.UtcNow);
            if (_token.IsMaskinportenToken)
            {
                throw new AltinnArgumentException("Altinn.AccessToken.NotExchanged",
                    "-AccessToken is a Maskinporten token, which Altinn apps do not accept: it must first be exchanged for an Altinn token (GET /authentication/api/v1/exchange/maskinporten). Give the exchanged token, or connect with the client's key and let Connect-Altinn do both steps.");
            }
        }

        public string Description => $"access token given to Connect-Altinn, cannot be renewed (expires {_token.ExpiresOn:u})";

        public bool CanRefresh => false;

        public AccessToken Token => _token;

        public Task<AccessToken> FetchAsync(CancellationToken cancellationToken)
        {
            if (_token.ExpiresOn <= _clock())
            {
                throw new AltinnAuthenticationException("Altinn.AccessToken.Expired",
                    $"The access token given to Connect-Altinn expired at {_token.ExpiresOn:u} and cannot be renewed. Connect again with a new token, or with a key so the module can renew tokens itself.");
            }

            return Task.FromResult(_token);
        }
    }
}
