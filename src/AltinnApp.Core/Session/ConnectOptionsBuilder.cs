using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using AltinnApp.Core.Auth;
using AltinnApp.Core.Http;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Session
{
    /// <summary>
    /// Turns Connect-Altinn's parameters into <see cref="AltinnConnectOptions"/>: every check that needs no
    /// PowerShell, with the ErrorIds and messages Connect-Altinn shows. A property left alone keeps its default.
    /// The key is loaded last, once everything else has passed, so a refused connect opens no key file and
    /// leaves no key in memory.
    /// </summary>
    public sealed class ConnectOptionsBuilder
    {
        /// <summary>The session's clock; null for the machine's (tests give one that does not sleep).</summary>
        public IAltinnClock Clock { get; set; }

        private const string Operation = "Connect";

        /// <summary>The range of -TimeoutSec and -ProcessNextTimeoutSec: a second to a day.</summary>
        public const int MinTimeoutSec = 1;

        public const int MaxTimeoutSec = 86400;

        /// <summary>-TransferTimeoutSec may be up to a week: a large file on a slow line.</summary>
        public const int MaxTransferTimeoutSec = 604800;

        public const int MaxRetryCount = 20;

        public const int MaxRetryIntervalSec = 600;

        /// <summary>Connect-Altinn's key parameters, in the order the no-key error lists them.</summary>
        public static readonly IReadOnlyList<string> KeyParameters = new[]
        {
            "-CertificateThumbprint", "-Certificate", "-CertificatePath", "-CertificateBase64", "-Jwk", "-JwkPath", "-PrivateKeyPath", "-AccessToken",
        };

        private readonly List<KeySource> _keySources = new List<KeySource>();

        /// <summary>A name from <see cref="AltinnEnvironment.Names"/>; may be left out when all three addresses are given.</summary>
        public string Environment { get; set; }

        /// <summary>Overrides the environment's Maskinporten address, as typed (so an error quotes it so).</summary>
        public string MaskinportenUri { get; set; }

        public string PlatformUri { get; set; }

        public string AppBaseUri { get; set; }

        public string ClientId { get; set; }

        public string SystemUserOrganization { get; set; }

        public string SystemUserExternalRef { get; set; }

        /// <summary>Connect as the vendor itself (no system user), for the system register and system user requests.</summary>
        public bool Vendor { get; set; }

        /// <summary>Spaces or commas between scopes.</summary>
        public string Scope { get; set; } = AltinnConnectOptions.DefaultScope;

        /// <summary>Default app (org/app) for cmdlets that are given no -App.</summary>
        public string App { get; set; }

        public Uri Proxy { get; set; }

        public NetworkCredential ProxyCredential { get; set; }

        public bool ProxyUseDefaultCredentials { get; set; }

        public bool NoProxy { get; set; }

        public int TimeoutSec { get; set; } = AltinnHttpOptions.DefaultTimeoutSec;

        /// <summary>Null: <see cref="AltinnHttpOptions.DefaultProcessNextTimeoutSec"/>, or <see cref="TimeoutSec"/> when that is longer.</summary>
        public int? ProcessNextTimeoutSec { get; set; }

        /// <summary>Null: <see cref="AltinnHttpOptions.DefaultTransferTimeoutSec"/>, or <see cref="TimeoutSec"/> when that is longer.</summary>
        public int? TransferTimeoutSec { get; set; }

        public int MaximumRetryCount { get; set; } = AltinnHttpOptions.DefaultMaxRetries;

        public double RetryIntervalSec { get; set; } = AltinnHttpOptions.DefaultRetryIntervalSec;

        /// <summary>Makes a key file's path full. Connect-Altinn resolves against PowerShell's location, which is not the process's.</summary>
        public Func<string, string> ResolvePath { get; set; } = Path.GetFullPath;

        public ConnectOptionsBuilder UseCertificate(X509Certificate2 certificate) => AddKey("-Certificate", () =>
        {
            if (certificate == null) throw Missing("Certificate", "-Certificate is empty: give an X509Certificate2 with its private key, for example from Get-Item Cert:\\CurrentUser\\My\\<thumbprint>.");
            return KeyLoader.FromCertificate(certificate);
        });

        public ConnectOptionsBuilder UseCertificateFile(string path, SecureString password) => AddKey("-CertificatePath", () =>
        {
            if (string.IsNullOrWhiteSpace(path)) throw Missing("CertificatePath", "-CertificatePath is empty: give the path of the .pfx/.p12 file.");
            return KeyLoader.FromCertificateFile(ResolvePath(path), password);
        });

        /// <summary>A certificate in CurrentUser\My or LocalMachine\My.</summary>
        public ConnectOptionsBuilder UseCertificateThumbprint(string thumbprint) => AddKey("-CertificateThumbprint", () =>
        {
            if (string.IsNullOrWhiteSpace(thumbprint)) throw Missing("CertificateThumbprint", "-CertificateThumbprint is empty: give the certificate's SHA-1 thumbprint (40 hexadecimal characters).");
            return KeyLoader.FromThumbprint(thumbprint);
        });

        /// <param name="base64">The .pfx bytes as base64: text or a <see cref="SecureString"/>.</param>
        public ConnectOptionsBuilder UseCertificateBase64(object base64, SecureString password) => AddKey("-CertificateBase64", () =>
            KeyLoader.FromCertificateBase64(SecretText(base64, "CertificateBase64"), password));

        /// <param name="jwk">The private JWK as JSON: text or a <see cref="SecureString"/>.</param>
        public ConnectOptionsBuilder UseJwk(object jwk, string keyId) => AddKey("-Jwk", () =>
            KeyLoader.FromJwk(SecretText(jwk, "Jwk"), Optional(keyId), "-Jwk"));

        public ConnectOptionsBuilder UseJwkFile(string path, string keyId) => AddKey("-JwkPath", () =>
        {
            if (string.IsNullOrWhiteSpace(path)) throw Missing("JwkPath", "-JwkPath is empty: give the path of the private JWK file (New-AltinnSigningKey writes one).");
            return KeyLoader.FromJwkFile(ResolvePath(path), Optional(keyId));
        });

        public ConnectOptionsBuilder UsePrivateKeyFile(string path, string keyId) => AddKey("-PrivateKeyPath", () =>
        {
            if (string.IsNullOrWhiteSpace(path)) throw Missing("PrivateKeyPath", "-PrivateKeyPath is empty: give the path of the PEM private key file.");
            if (string.IsNullOrWhiteSpace(keyId)) throw Missing("KeyId", "A PEM key carries no key id: give -KeyId with the kid the public key was registered under in Maskinporten.");
            return KeyLoader.FromPemFile(ResolvePath(path), keyId.Trim());
        });

        /// <param name="token">An Altinn token obtained elsewhere: text or a <see cref="SecureString"/>.</param>
        public ConnectOptionsBuilder UseAccessToken(object token)
        {
            _keySources.Add(new KeySource("-AccessToken", null, () => SecretText(token, "AccessToken")));
            return this;
        }

        /// <summary>Checks everything, in the order Connect-Altinn always has, then loads the key.</summary>
        public AltinnConnectOptions Build()
        {
            if (_keySources.Count > 1)
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id("Connect", ErrorReason.KeyConflict),
                    $"Give one key only: {string.Join(" and ", _keySources.ConvertAll(k => k.Parameter))} were given together.");
            }

            var source = _keySources.Count == 1 ? _keySources[0] : null;
            var signsGrant = source != null && source.LoadKey != null;
            var environment = ResolveEnvironment(signsGrant);
            RequireKeyFor(environment, source, signsGrant);

            if (Vendor) RequireVendorParameters(source, signsGrant);
            var scope = NormalizeScope(Vendor && Scope == AltinnConnectOptions.DefaultScope ? AltinnConnectOptions.VendorScope : Scope);
            var defaultApp = string.IsNullOrWhiteSpace(App) ? null : AppIdentifier.Parse(App).ToString();
            var http = BuildHttpOptions();

            var clientId = Optional(ClientId);
            if (signsGrant && clientId == null)
            {
                throw Missing("ClientId", "Give -ClientId: the id of the Maskinporten client (integration) whose key signs the grant.");
            }

            RequireClientIdFormat(clientId);

            string organization = null;
            var externalRef = Optional(SystemUserExternalRef);
            if (!string.IsNullOrWhiteSpace(SystemUserOrganization))
            {
                organization = NorwegianIdentifiers.RequireOrganizationNumber(SystemUserOrganization, nameof(SystemUserOrganization), Operation);
            }
            else if ((source == null || signsGrant) && !Vendor)
            {
                throw Missing("SystemUserOrganization", "Give -SystemUserOrganization: the organisation number of the customer whose system user the script acts as (or -Vendor, to connect as the vendor itself to register systems and request system users).");
            }
            else if (externalRef != null)
            {
                throw Missing("SystemUserOrganization",
                    "-SystemUserExternalRef names a system user of one organisation: give -SystemUserOrganization too, or leave -SystemUserExternalRef out (an -AccessToken already names its system user).");
            }

            var proxy = BuildProxy();

            // last: nothing after this may fail, so a loaded key is always handed on
            var key = source?.LoadKey?.Invoke();
            var accessToken = source?.ReadToken?.Invoke();
            return new AltinnConnectOptions(environment, clientId, organization, externalRef, scope, defaultApp, key, accessToken, proxy, NoProxy, http, Clock, Vendor);
        }

        private ConnectOptionsBuilder AddKey(string parameter, Func<SigningKey> load)
        {
            _keySources.Add(new KeySource(parameter, load, null));
            return this;
        }

        private AltinnEnvironment ResolveEnvironment(bool needsMaskinporten)
        {
            AltinnEnvironment environment;
            if (string.IsNullOrWhiteSpace(Environment))
            {
                if (MaskinportenUri == null && PlatformUri == null && AppBaseUri == null)
                {
                    throw new AltinnArgumentException("Altinn.Connect.NoEnvironment",
                        $"No environment given. Pass -Environment ({string.Join(", ", AltinnEnvironment.Names)}); production is never assumed.");
                }

                if (PlatformUri == null || AppBaseUri == null || (MaskinportenUri == null && needsMaskinporten))
                {
                    throw new AltinnArgumentException("Altinn.Connect.IncompleteUris",
                        "Without -Environment, give all of -MaskinportenUri, -PlatformUri and -AppBaseUri (or pick an -Environment and override only what differs).");
                }

                environment = new AltinnEnvironment("custom", null, null, null);
            }
            else if (!AltinnEnvironment.TryGet(Environment.Trim(), out environment))
            {
                throw new AltinnArgumentException("Altinn.Connect.UnknownEnvironment",
                    $"'{Environment}' is not an Altinn environment. Use one of: {string.Join(", ", AltinnEnvironment.Names)}; or give -MaskinportenUri, -PlatformUri and -AppBaseUri for anything else.");
            }

            // the addresses as given first, so an error quotes them as typed
            if (MaskinportenUri != null) UriRules.RequireSecure(MaskinportenUri, nameof(MaskinportenUri), false);
            if (PlatformUri != null) UriRules.RequireSecure(PlatformUri, nameof(PlatformUri), environment.IsLocalTest);
            if (AppBaseUri != null) UriRules.RequireSecure(AppBaseUri, nameof(AppBaseUri), environment.IsLocalTest);
            environment = environment.With(MaskinportenUri, PlatformUri, AppBaseUri);
            if (environment.MaskinportenUri != null) UriRules.RequireSecure(environment.MaskinportenUri, nameof(MaskinportenUri), false);
            UriRules.RequireSecure(environment.PlatformUri, nameof(PlatformUri), environment.IsLocalTest);
            UriRules.RequireSecure(environment.AppBaseUri, nameof(AppBaseUri), environment.IsLocalTest);
            return environment;
        }

        /// <summary>Only localtest works without a key; a key signs a Maskinporten grant, so it needs a Maskinporten.</summary>
        private static void RequireKeyFor(AltinnEnvironment environment, KeySource source, bool signsGrant)
        {
            if (source == null && !environment.IsLocalTest)
            {
                throw new AltinnArgumentException("Altinn.Connect.MissingKey",
                    $"No key given. Connecting to '{environment.Name}' needs the Maskinporten client's key: give one of {string.Join(", ", KeyParameters)}. Only -Environment local (Altinn's localtest, which mints test tokens itself) works without a key.");
            }

            if (signsGrant && environment.MaskinportenUri == null)
            {
                throw new AltinnArgumentException("Altinn.Connect.NoMaskinporten",
                    $"The environment '{environment.Name}' has no Maskinporten: leave the key out (localtest mints its own test tokens), give -AccessToken, or give -MaskinportenUri.");
            }
        }

        /// <summary>
        /// A vendor session signs its own grant: Altinn's vendor endpoints read the vendor from the Maskinporten
        /// token's consumer claim, so a handed-in Altinn token or localtest's test token cannot stand in.
        /// </summary>
        private void RequireVendorParameters(KeySource source, bool signsGrant)
        {
            if (!string.IsNullOrWhiteSpace(SystemUserOrganization) || !string.IsNullOrWhiteSpace(SystemUserExternalRef))
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.VendorConflict),
                    "-Vendor connects as the vendor itself, without a system user: leave out -SystemUserOrganization and -SystemUserExternalRef (connect once more with them, without -Vendor, to act as a customer's system user).");
            }

            if (!signsGrant)
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.MissingKey),
                    (source == null ? "-Vendor needs a key: " : "-Vendor cannot use -AccessToken: ") +
                    "give the key of the vendor's own Maskinporten client (-JwkPath, -Jwk, -PrivateKeyPath or a certificate) with -ClientId, so the module asks Maskinporten for the vendor's token itself.");
            }
        }

        private static string NormalizeScope(string scope)
        {
            var normalized = string.Join(" ", (scope ?? string.Empty).Split(new[] { ' ', ',' }, StringSplitOptions.RemoveEmptyEntries));
            if (normalized.Length == 0)
            {
                throw new AltinnArgumentException("Altinn.Connect.MissingScope", $"-Scope is empty. Leave it out for '{AltinnConnectOptions.DefaultScope}', or give the scopes the client was granted.");
            }

            return normalized;
        }

        /// <summary>Maskinporten client ids are single words (a GUID for newer clients); a space or line break is a copying slip Maskinporten would refuse.</summary>
        private static void RequireClientIdFormat(string clientId)
        {
            if (clientId == null) return;
            foreach (var c in clientId)
            {
                if (char.IsWhiteSpace(c) || char.IsControl(c))
                {
                    throw new AltinnArgumentException(ErrorCatalogue.Id("Connect", ErrorReason.InvalidParameter("ClientId")),
                        "-ClientId holds a space, line break or other invisible character. Give the client id exactly as Maskinporten's self-service shows it.");
                }
            }
        }

        private AltinnHttpOptions BuildHttpOptions()
        {
            RequireRange(TimeoutSec, MinTimeoutSec, MaxTimeoutSec, nameof(TimeoutSec));
            if (ProcessNextTimeoutSec.HasValue) RequireRange(ProcessNextTimeoutSec.Value, MinTimeoutSec, MaxTimeoutSec, nameof(ProcessNextTimeoutSec));
            if (TransferTimeoutSec.HasValue) RequireRange(TransferTimeoutSec.Value, MinTimeoutSec, MaxTransferTimeoutSec, nameof(TransferTimeoutSec));
            RequireRange(MaximumRetryCount, 0, MaxRetryCount, nameof(MaximumRetryCount));
            if (double.IsNaN(RetryIntervalSec) || RetryIntervalSec < 0 || RetryIntervalSec > MaxRetryIntervalSec)
            {
                throw OutOfRange(nameof(RetryIntervalSec), RetryIntervalSec, 0, MaxRetryIntervalSec);
            }

            return new AltinnHttpOptions(
                maxRetries: MaximumRetryCount,
                retryBaseDelay: TimeSpan.FromSeconds(RetryIntervalSec),
                timeout: TimeSpan.FromSeconds(TimeoutSec),
                // left out, the longer kinds never get less time than an ordinary request
                processNextTimeout: TimeSpan.FromSeconds(ProcessNextTimeoutSec ?? Math.Max(TimeoutSec, AltinnHttpOptions.DefaultProcessNextTimeoutSec)),
                transferTimeout: TimeSpan.FromSeconds(TransferTimeoutSec ?? Math.Max(TimeoutSec, AltinnHttpOptions.DefaultTransferTimeoutSec)));
        }

        private static void RequireRange(int value, int min, int max, string parameterName)
        {
            if (value < min || value > max) throw OutOfRange(parameterName, value, min, max);
        }

        private static AltinnArgumentException OutOfRange(string parameterName, double value, int min, int max) =>
            new AltinnArgumentException(ErrorCatalogue.Id("Connect", ErrorReason.InvalidParameter(parameterName)), $"-{parameterName} {value} is out of range: give a number from {min} to {max}.");

        private IWebProxy BuildProxy()
        {
            if (NoProxy && (Proxy != null || ProxyCredential != null || ProxyUseDefaultCredentials))
            {
                throw new AltinnArgumentException("Altinn.Connect.ProxyConflict", "-NoProxy cannot be combined with -Proxy, -ProxyCredential or -ProxyUseDefaultCredentials.");
            }

            if (Proxy == null && (ProxyCredential != null || ProxyUseDefaultCredentials))
            {
                throw new AltinnArgumentException("Altinn.Connect.ProxyCredentialWithoutProxy",
                    "-ProxyCredential and -ProxyUseDefaultCredentials need -Proxy: give the proxy's address too (the system proxy is used with the credentials the system has).");
            }

            if (ProxyCredential != null && ProxyUseDefaultCredentials)
            {
                throw new AltinnArgumentException("Altinn.Connect.ProxyConflict", "Give either -ProxyCredential or -ProxyUseDefaultCredentials, not both.");
            }

            if (Proxy == null) return null;
            if (!Proxy.IsAbsoluteUri || (Proxy.Scheme != Uri.UriSchemeHttp && Proxy.Scheme != Uri.UriSchemeHttps))
            {
                throw new AltinnArgumentException("Altinn.Connect.InvalidProxy",
                    $"-Proxy '{Proxy.OriginalString}' is not an absolute http(s) address. Give the proxy like http://proxy.example.no:8080.");
            }

            var proxy = new WebProxy(Proxy) { BypassProxyOnLocal = false };
            if (ProxyCredential != null) proxy.Credentials = ProxyCredential;
            else if (ProxyUseDefaultCredentials) proxy.UseDefaultCredentials = true;
            return proxy;
        }

        private static AltinnArgumentException Missing(string parameterName, string message) =>
            new AltinnArgumentException(ErrorCatalogue.Id("Connect", ErrorReason.MissingParameter(parameterName)), message);

        private static string Optional(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

        /// <summary>A secret given as text or a SecureString, as plain text for the engine (memory only).</summary>
        private static string SecretText(object value, string parameterName)
        {
            switch (value)
            {
                case string s when !string.IsNullOrWhiteSpace(s):
                    return s;
                case SecureString secure when secure.Length > 0:
                    return new NetworkCredential(string.Empty, secure).Password;
                case null:
                case string _:
                case SecureString _:
                    throw Missing(parameterName, $"-{parameterName} is empty. Check the variable or secret it was read from.");
                default:
                    throw new AltinnArgumentException(ErrorCatalogue.Id("Connect", ErrorReason.InvalidParameter(parameterName)), $"-{parameterName} must be text or a SecureString, not {value.GetType().Name}.");
            }
        }

        /// <summary>One key parameter: a signing key to load, or a token to read.</summary>
        private sealed class KeySource
        {
            public KeySource(string parameter, Func<SigningKey> loadKey, Func<string> readToken)
            {
                Parameter = parameter;
                LoadKey = loadKey;
                ReadToken = readToken;
            }

            public string Parameter { get; }

            public Func<SigningKey> LoadKey { get; }

            public Func<string> ReadToken { get; }
        }
    }
}
