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
                        if (doc.RootElement.TryGetProperty("error", out var e)) error = e.GetString();
                        if (doc.RootElement.TryGetProperty("error_description", out var d)) description = d.GetString();
                    }
                }
            }
            catch (JsonException)
            {
            }

            description = Redactor.Redact(description);
            var hint = error == "invalid_client"
                ? "Check -ClientId and that the key or certificate is registered for that client in Maskinporten (Samarbeidsportalen)."
                : error == "invalid_scope"
                    ? "Check -Scope: the client must have been granted every scope it asks for."
                    : "Check the key, the client id, that the system user exists for -SystemUserOrganization (and -SystemUserExternalRef if it was created with one), and this machine's clock.";
            var id = error == null ? "Altinn.Maskinporten.Refused" : "Altinn.Maskinporten." + ToPascal(error);
            return new AltinnAuthenticationException(id,
                $"Maskinporten refused the grant ({status}{(error != null ? " " + error : string.Empty)}){(description != null ? ": " + description : string.Empty)}. {hint}")
            {
                OAuthError = error,
            };
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
            Description = $"local test environment token for system '{systemId}'";
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

        public StaticTokenSource(string token)
        {
            _token = AccessToken.FromJwt(token, "-AccessToken");
        }

        public string Description => "access token given to Connect-Altinn";

        public bool CanRefresh => false;

        public AccessToken Token => _token;

        public Task<AccessToken> FetchAsync(CancellationToken cancellationToken)
        {
            if (_token.ExpiresOn <= DateTimeOffset.UtcNow)
            {
                throw new AltinnAuthenticationException("Altinn.AccessToken.Expired",
                    $"The access token given to Connect-Altinn expired at {_token.ExpiresOn:u} and cannot be renewed. Connect again with a new token, or with a key so the module can renew tokens itself.");
            }

            return Task.FromResult(_token);
        }
    }
}
