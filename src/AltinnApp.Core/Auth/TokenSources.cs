using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
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

        private readonly bool _exchange;

        /// <param name="exchange">False for a vendor session: Altinn's authentication API takes the Maskinporten token itself.</param>
        public MaskinportenTokenSource(SigningKey key, GrantRequest grant, string maskinportenUri, string platformUri, AltinnHttp http, bool exchange = true)
        {
            _exchange = exchange;
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
            if (!_exchange) return AccessToken.FromJwt(maskinportenToken, "Maskinporten");
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

            AltinnLog.Debug($"Maskinporten: a grant signed with {_key.Description} for client '{_grant.ClientId}', {(_grant.SystemUserOrganization != null ? "system user of " + _grant.SystemUserOrganization : "as the vendor itself")}, scope '{_grant.Scope}'.");
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
            var (reason, hint) = Classify(error, description, _grant, _key.Description);
            return new AltinnAuthenticationException(ErrorCatalogue.Id("Maskinporten", reason),
                $"Maskinporten refused the grant ({status}{(error != null ? " " + error : string.Empty)}){(description != null ? ": " + description.TrimEnd('.') : string.Empty)}. {hint}")
            {
                OAuthError = error,
            };
        }

        private static readonly Regex MpNumber = new Regex(@"\bMP-(\d{3})\b", RegexOptions.CultureInvariant);

        /// <summary>
        /// Names a refusal by what Maskinporten really sends: an OAuth error code and, in error_description,
        /// an MP number with Maskinporten's text (Digdir's troubleshooting page, felleslosninger/docs
        /// _docs/Maskinporten/maskinporten_feilsoking.md; invalid_altinn_customer_configuration MP-303 from
        /// Altinn's system-user troubleshooting page). The ErrorId names the cause a user can act on; the hint
        /// says what to fix. Without an MP number it falls back to the code.
        /// </summary>
        internal static (string Reason, string Hint) Classify(string error, string description, GrantRequest grant, string keyDescription = null)
        {
            var code = (error ?? string.Empty).ToLowerInvariant();
            var match = MpNumber.Match(description ?? string.Empty);
            var mp = match.Success ? match.Groups[1].Value : null;
            var text = (description ?? string.Empty).ToLowerInvariant();
            var key = keyDescription ?? "the key";

            // Altinn found no system user for the grant's authorization_details
            if (code == "invalid_altinn_customer_configuration")
            {
                return (ErrorReason.SystemUserNotFound,
                    $"Altinn found no system user for client '{grant.ClientId}' and organisation {grant.SystemUserOrganization}" +
                    (grant.SystemUserExternalRef != null ? $" with external reference '{grant.SystemUserExternalRef}'" : " (no -SystemUserExternalRef given)") +
                    ". Check: that organisation has accepted the system user request for your system in Altinn; your system in Altinn's system register lists this client id;" +
                    " the system user was created with an external reference, which must then be given as -SystemUserExternalRef; -SystemUserOrganization is the organisation that owns the system user (for an agent system user, not one of its clients).");
            }

            switch (mp)
            {
                case "100":
                    return (ErrorReason.InvalidClient,
                        $"Maskinporten does not know client '{grant.ClientId}' here: check -ClientId (the client's id, which is the grant's iss) and that the client was made in the environment you connect to (test clients in Maskinporten's test environment, for tt02; production clients for prod).");
                case "110":
                    return (ErrorReason.WrongAudience,
                        $"The grant's aud '{grant.Audience}' is not this Maskinporten's issuer: check -Environment and -MaskinportenUri (the aud is Maskinporten's address with its trailing slash, and must be the same Maskinporten as the token endpoint).");
                case "120":
                    return (ErrorReason.KeyNotAccepted,
                        $"Maskinporten does not accept the certificate that signed the grant ({key}) for client '{grant.ClientId}': register it with the client, and use a valid business certificate (virksomhetssertifikat): a test certificate in test, a production certificate in prod.");
                case "121":
                    return (ErrorReason.KeyNotAccepted,
                        $"The key registered on client '{grant.ClientId}' has expired (a registered key lives one year): register the key again, or a new one (New-AltinnSigningKey), with the Maskinporten client.");
                case "122":
                    return (ErrorReason.KeyNotAccepted,
                        $"The business certificate ({key}) is issued to another organisation than the one that owns client '{grant.ClientId}': sign with a certificate of the client's own organisation.");
                case "123":
                case "124":
                    return (ErrorReason.KeyNotAccepted,
                        $"The grant's signature does not verify with any key or certificate registered for client '{grant.ClientId}' (signed with {key}). Register its public key (New-AltinnSigningKey prints it) or the certificate with the Maskinporten client, or connect with the key that is registered under that kid (check -KeyId); a certificate must not have expired, and a test certificate works only in test.");
                case "130":
                    return (ErrorReason.ClockSkew,
                        "Maskinporten found the grant expired: grants are valid for seconds only, so this machine's clock is probably behind Maskinporten's (or the request took too long on the way). Synchronise the clock (NTP) and connect again.");
                case "012":
                    return (ErrorReason.GrantReused,
                        "Maskinporten had already seen this grant's jti. The module makes a new grant for every request, so the same request reached Maskinporten twice (a proxy that repeats requests?): connect again, and check the proxy.");
                case "200":
                    return (ErrorReason.InvalidScope,
                        $"Client '{grant.ClientId}' has not been given every scope the grant asks for ('{grant.Scope}'): add them to the Maskinporten client (" +
                        (grant.SystemUserOrganization == null
                            ? "a vendor session needs " + AltinnApp.Core.Session.AltinnConnectOptions.VendorScope.Replace(" ", ", ") + ", which Digdir gives the vendor's organisation on request"
                            : "apps need altinn:instances.read and altinn:instances.write") +
                        "), or check -Scope for typing errors.");
                case "201":
                    return (ErrorReason.InvalidScope,
                        $"The scopes ('{grant.Scope}') do not allow the integration type of client '{grant.ClientId}': make a Maskinporten client of the type the scope accepts.");
                case "250":
                case "251":
                    return (ErrorReason.InvalidScope,
                        $"The organisation that owns client '{grant.ClientId}' has not been given (or delegated) access to the scopes ('{grant.Scope}'): ask the API owner for access, or check -Scope.");
                case "301":
                case "302":
                case "303":
                    return (ErrorReason.InvalidAuthorizationDetails,
                        $"Maskinporten refused the grant's authorization_details, built from -SystemUserOrganization {grant.SystemUserOrganization}" +
                        (grant.SystemUserExternalRef != null ? $" and -SystemUserExternalRef '{grant.SystemUserExternalRef}'" : string.Empty) +
                        ": check those values (an organisation number of nine digits, the external reference exactly as the system user was created with).");
                case "011":
                    return (ErrorReason.InvalidRequest,
                        "Maskinporten could not read the grant (an invalid parameter value): check -ClientId, -Scope and -SystemUserExternalRef for stray spaces or line breaks.");
            }

            // Maskinporten's text for an iat ahead of its clock carries no MP number
            if (text.Contains("issue time is after now"))
            {
                return (ErrorReason.ClockSkew,
                    "Maskinporten found the grant issued in the future: this machine's clock is ahead of Maskinporten's. Synchronise the clock (NTP) and connect again.");
            }

            switch (code)
            {
                case "invalid_client":
                    return (ErrorReason.InvalidClient, $"Check -ClientId '{grant.ClientId}': it must be the id of a Maskinporten client in this environment, with {key} registered.");
                case "invalid_scope":
                    return (ErrorReason.InvalidScope, $"Check -Scope: client '{grant.ClientId}' must have been given every scope it asks for ('{grant.Scope}').");
                case "":
                    return (ErrorReason.Refused, "Check the key, the client id, the system user for -SystemUserOrganization and this machine's clock.");
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
                    throw ExchangeError((int)response.StatusCode, response.ReasonPhrase, body, response.Content?.Headers.ContentType?.MediaType);
                }

                return AccessToken.FromJwt(body, "Altinn's token exchange");
            }
        }

        /// <summary>
        /// The exchange (altinn-authentication AuthenticationController.AuthenticateMaskinportenToken) answers a
        /// bare 401 for every failure behind it, so the message cannot name one cause: it lists the likely ones.
        /// </summary>
        internal AltinnAuthenticationException ExchangeError(int status, string reasonPhrase, string body, string mediaType)
        {
            if (status == 401)
            {
                return new AltinnAuthenticationException("Altinn.TokenExchange.Refused",
                    $"Altinn's token exchange at {_exchangeUri} answered 401 Unauthorized to the Maskinporten token. Altinn gives that one answer for any failure behind the exchange and does not say which; the likely causes: " +
                    "(1) the token comes from another environment's Maskinporten than this Altinn platform trusts: check -Environment, or that -MaskinportenUri and -PlatformUri belong to the same environment (test.maskinporten.no with tt02, maskinporten.no with prod); " +
                    "(2) the token expired or was not yet valid when it arrived: check this machine's clock (Altinn allows 10 s) and any proxy that holds requests; " +
                    "(3) a service Altinn looks things up in behind the exchange failed: try again in a few minutes. " +
                    "A missing scope or system user is refused earlier, by Maskinporten, with an error of its own.");
            }

            var serverSays = ErrorMapper.ParseBody(body, mediaType).Summary;
            string hint;
            switch (status)
            {
                case 400: hint = "Check -PlatformUri: it must be the Altinn platform whose /authentication/api/v1/exchange/maskinporten exchanges the token."; break;
                case 410: hint = "Altinn no longer offers enterprise-user (virksomhetsbruker) logins: use a system user."; break;
                case 429:
                case 503: hint = "Altinn is busy: try again later."; break;
                default: hint = "Check -Environment (or -PlatformUri), and try again later if Altinn is failing."; break;
            }

            return new AltinnAuthenticationException("Altinn.TokenExchange.Refused",
                $"Altinn's token exchange at {_exchangeUri} refused the Maskinporten token ({status} {reasonPhrase}{(string.IsNullOrEmpty(serverSays) ? string.Empty : " – " + serverSays.TrimEnd('.'))}). {hint}");
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
        private readonly string _organization;

        public LocalTestTokenSource(string platformUri, string systemUserOrganization, string systemId, string systemUserId, string scope, AltinnHttp http)
        {
            var query = "systemId=" + Uri.EscapeDataString(systemId) +
                        "&systemUserId=" + Uri.EscapeDataString(systemUserId) +
                        "&systemUserOrgNumber=" + Uri.EscapeDataString(systemUserOrganization) +
                        "&scope=" + Uri.EscapeDataString(scope);
            _uri = new Uri(new Uri(platformUri), "Home/GetTestSystemUserToken?" + query);
            _http = http;
            _organization = systemUserOrganization;
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

                var token = AccessToken.FromJwt(body, "the local test environment");
                RequireOrganization(token);
                return token;
            }
        }

        /// <summary>
        /// Localtest replaces the organisation asked for with the one its test system user belongs to
        /// (app-localtest HomeController.GetTestSystemUserToken): the token, not the parameter, says whom the
        /// session acts for. A session must never file for an organisation the user did not name.
        /// </summary>
        private void RequireOrganization(AccessToken token)
        {
            if (token.SystemUserOrganization == _organization) return;
            if (token.SystemUserOrganization == null)
            {
                throw new AltinnAuthenticationException("Altinn.LocalTest.NoSystemUserOrganization",
                    $"The local test environment at {_uri.GetLeftPart(UriPartial.Authority)} gave a token without a system user organisation (authorization_details.systemuser_org), so it cannot be told whom it acts for. Check that -PlatformUri points at localtest.");
            }

            throw new AltinnArgumentException("Altinn.Connect.LocalTestOrganizationMismatch",
                $"Localtest's test system user belongs to organisation {token.SystemUserOrganization}, and localtest puts that organisation in every token it gives, whatever is asked; -SystemUserOrganization {_organization} would file for {token.SystemUserOrganization} instead. " +
                $"Connect with -SystemUserOrganization {token.SystemUserOrganization} to work against localtest; to file for {_organization}, connect to a test environment (tt02) with a key and a system user of {_organization}.");
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
