using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using AltinnApp.Core;
using AltinnApp.Core.Auth;
using AltinnApp.Core.Http;
using AltinnApp.Core.Session;
using AltinnApp.Core.Validation;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    /// <summary>
    /// Connects to an Altinn environment as a system user. No parameter is Mandatory in PowerShell's sense:
    /// a missing one is a clear error, never a prompt, because a prompt hangs a scheduled task whose host
    /// is interactive (powershell.exe -File without -NonInteractive).
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "Altinn", DefaultParameterSetName = LocalTestSet)]
    [OutputType(typeof(AltinnSession))]
    public sealed class ConnectAltinnCommand : AltinnCmdlet
    {
        private const string Operation = "Connect";
        private const string CertificateSet = "Certificate";
        private const string CertificatePathSet = "CertificatePath";
        private const string CertificateThumbprintSet = "CertificateThumbprint";
        private const string CertificateBase64Set = "CertificateBase64";
        private const string JwkSet = "Jwk";
        private const string JwkPathSet = "JwkPath";
        private const string PrivateKeyPathSet = "PrivateKeyPath";
        private const string AccessTokenSet = "AccessToken";

        // No key parameter: -Environment local, whose localtest mints test tokens itself. It is the default
        // set, so a connect without any key lands here and gets a clear "no key" error for other environments.
        private const string LocalTestSet = "LocalTest";

        private static readonly string[] KeyParameters =
        {
            "-CertificateThumbprint", "-Certificate", "-CertificatePath", "-CertificateBase64", "-Jwk", "-JwkPath", "-PrivateKeyPath", "-AccessToken",
        };

        [Parameter(Position = 0)]
        [ArgumentCompleter(typeof(EnvironmentCompleter))]
        public string Environment { get; set; }

        [Parameter]
        public string ClientId { get; set; }

        [Parameter]
        public string SystemUserOrganization { get; set; }

        [Parameter]
        public string SystemUserExternalRef { get; set; }

        [Parameter]
        public string Scope { get; set; } = "altinn:instances.read altinn:instances.write";

        /// <summary>Default app (org/app) for cmdlets that are given no -App.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(AppCompleter))]
        public string App { get; set; }

        [Parameter(ParameterSetName = CertificateSet)]
        public X509Certificate2 Certificate { get; set; }

        [Parameter(ParameterSetName = CertificatePathSet)]
        public string CertificatePath { get; set; }

        [Parameter(ParameterSetName = CertificatePathSet)]
        [Parameter(ParameterSetName = CertificateBase64Set)]
        public SecureString CertificatePassword { get; set; }

        [Parameter(ParameterSetName = CertificateThumbprintSet)]
        public string CertificateThumbprint { get; set; }

        [Parameter(ParameterSetName = CertificateBase64Set)]
        public object CertificateBase64 { get; set; }

        /// <summary>The private JWK as JSON text or a SecureString.</summary>
        [Parameter(ParameterSetName = JwkSet)]
        public object Jwk { get; set; }

        [Parameter(ParameterSetName = JwkPathSet)]
        public string JwkPath { get; set; }

        [Parameter(ParameterSetName = PrivateKeyPathSet)]
        public string PrivateKeyPath { get; set; }

        [Parameter(ParameterSetName = JwkSet)]
        [Parameter(ParameterSetName = JwkPathSet)]
        [Parameter(ParameterSetName = PrivateKeyPathSet)]
        public string KeyId { get; set; }

        /// <summary>An Altinn token obtained elsewhere (plain text or SecureString).</summary>
        [Parameter(ParameterSetName = AccessTokenSet)]
        public object AccessToken { get; set; }

        [Parameter]
        public Uri MaskinportenUri { get; set; }

        [Parameter]
        public Uri PlatformUri { get; set; }

        [Parameter]
        public string AppBaseUri { get; set; }

        [Parameter]
        public Uri Proxy { get; set; }

        [Parameter]
        [Credential]
        public PSCredential ProxyCredential { get; set; }

        [Parameter]
        public SwitchParameter ProxyUseDefaultCredentials { get; set; }

        [Parameter]
        public SwitchParameter NoProxy { get; set; }

        [Parameter]
        [ValidateRange(1, 86400)]
        public int TimeoutSec { get; set; } = 100;

        /// <summary>process/next may make the PDF receipt while the caller waits: by default at least 300 s.</summary>
        [Parameter]
        [ValidateRange(1, 86400)]
        public int ProcessNextTimeoutSec { get; set; }

        /// <summary>One upload or download from start to end: by default at least 30 minutes.</summary>
        [Parameter]
        [ValidateRange(1, 604800)]
        public int TransferTimeoutSec { get; set; }

        [Parameter]
        [ValidateRange(0, 20)]
        public int MaximumRetryCount { get; set; } = 5;

        [Parameter]
        [ValidateRange(0, 600)]
        public double RetryIntervalSec { get; set; } = 1;

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            AltinnConnectOptions options;
            try
            {
                options = BuildOptions();
            }
            catch (AltinnException ex)
            {
                ThrowTerminatingError(ErrorRecords.From(ex, null));
                return;
            }

            AltinnSession session;
            try
            {
                session = Run(ct => AltinnSession.ConnectAsync(options, ct));
            }
            catch (AltinnException ex)
            {
                options.Key?.Dispose();
                ThrowTerminatingError(ErrorRecords.From(ex, null));
                return;
            }
            catch (PipelineStoppedException)
            {
                options.Key?.Dispose();
                throw;
            }

            var previous = SessionRegistry.Current;
            SessionRegistry.Current = session;
            if (previous != null && !ReferenceEquals(previous, session))
            {
                WriteVerbose($"Replaced the current session ({previous}). Sessions passed with -Session stay usable.");
            }

            WriteVerbose($"Connected to {session.Environment.Name} as system user of {session.SystemUserOrganization} ({session.KeySource}); token valid until {session.TokenExpiresOn:u}.");
            if (PassThru) WriteObject(session);
        }

        private AltinnConnectOptions BuildOptions()
        {
            var environment = ResolveEnvironment();
            RequireKeyFor(environment);

            var options = new AltinnConnectOptions
            {
                Environment = environment,
                ClientId = Optional(ClientId),
                SystemUserExternalRef = Optional(SystemUserExternalRef),
                Scope = NormalizeScope(Scope),
                DefaultApp = string.IsNullOrWhiteSpace(App) ? null : AppIdentifier.Parse(App).ToString(),
                Http = new AltinnHttpOptions(
                    timeout: TimeSpan.FromSeconds(TimeoutSec),
                    // left out, the longer kinds never get less time than an ordinary request
                    processNextTimeout: TimeSpan.FromSeconds(Given(nameof(ProcessNextTimeoutSec)) ? ProcessNextTimeoutSec : Math.Max(TimeoutSec, AltinnHttpOptions.DefaultProcessNextTimeoutSec)),
                    transferTimeout: TimeSpan.FromSeconds(Given(nameof(TransferTimeoutSec)) ? TransferTimeoutSec : Math.Max(TimeoutSec, AltinnHttpOptions.DefaultTransferTimeoutSec)),
                    maxRetries: MaximumRetryCount,
                    retryBaseDelay: TimeSpan.FromSeconds(RetryIntervalSec)),
            };

            var usesKey = ParameterSetName != AccessTokenSet && ParameterSetName != LocalTestSet;
            if (usesKey && options.ClientId == null)
            {
                throw Missing("ClientId", "Give -ClientId: the id of the Maskinporten client (integration) whose key signs the grant.");
            }

            if (!string.IsNullOrWhiteSpace(SystemUserOrganization))
            {
                options.SystemUserOrganization = NorwegianIdentifiers.RequireOrganizationNumber(SystemUserOrganization, nameof(SystemUserOrganization), Operation);
            }
            else if (ParameterSetName != AccessTokenSet)
            {
                throw Missing("SystemUserOrganization", "Give -SystemUserOrganization: the organisation number of the customer whose system user the script acts as.");
            }

            ConfigureProxy(options);
            options.Key = LoadKey();
            if (ParameterSetName == AccessTokenSet) options.AccessToken = SecretText(AccessToken, nameof(AccessToken));
            return options;
        }

        private AltinnEnvironment ResolveEnvironment()
        {
            AltinnEnvironment environment;
            var needsMaskinporten = ParameterSetName != AccessTokenSet && ParameterSetName != LocalTestSet;
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

            // the addresses as the user gave them first, so an error quotes them as typed
            if (MaskinportenUri != null) UriRules.RequireSecure(MaskinportenUri.OriginalString, nameof(MaskinportenUri), false);
            if (PlatformUri != null) UriRules.RequireSecure(PlatformUri.OriginalString, nameof(PlatformUri), environment.IsLocalTest);
            if (AppBaseUri != null) UriRules.RequireSecure(AppBaseUri, nameof(AppBaseUri), environment.IsLocalTest);
            environment = environment.With(MaskinportenUri?.OriginalString, PlatformUri?.OriginalString, AppBaseUri);
            if (environment.MaskinportenUri != null) UriRules.RequireSecure(environment.MaskinportenUri, nameof(MaskinportenUri), false);
            UriRules.RequireSecure(environment.PlatformUri, nameof(PlatformUri), environment.IsLocalTest);
            UriRules.RequireSecure(environment.AppBaseUri, nameof(AppBaseUri), environment.IsLocalTest);
            return environment;
        }

        /// <summary>Only localtest works without a key; everything else needs one of the key parameters.</summary>
        private void RequireKeyFor(AltinnEnvironment environment)
        {
            if (ParameterSetName == LocalTestSet && !environment.IsLocalTest)
            {
                throw new AltinnArgumentException("Altinn.Connect.MissingKey",
                    $"No key given. Connecting to '{environment.Name}' needs the Maskinporten client's key: give one of {string.Join(", ", KeyParameters)}. Only -Environment local (Altinn's localtest, which mints test tokens itself) works without a key.");
            }

            if (environment.MaskinportenUri == null && ParameterSetName != AccessTokenSet && ParameterSetName != LocalTestSet)
            {
                throw new AltinnArgumentException("Altinn.Connect.NoMaskinporten",
                    $"The environment '{environment.Name}' has no Maskinporten: leave the key out (localtest mints its own test tokens), give -AccessToken, or give -MaskinportenUri.");
            }
        }

        private void ConfigureProxy(AltinnConnectOptions options)
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

            options.NoProxy = NoProxy;
            if (Proxy == null) return;
            if (!Proxy.IsAbsoluteUri || (Proxy.Scheme != Uri.UriSchemeHttp && Proxy.Scheme != Uri.UriSchemeHttps))
            {
                throw new AltinnArgumentException("Altinn.Connect.InvalidProxy",
                    $"-Proxy '{Proxy.OriginalString}' is not an absolute http(s) address. Give the proxy like http://proxy.example.no:8080.");
            }

            var proxy = new WebProxy(Proxy) { BypassProxyOnLocal = false };
            if (ProxyCredential != null) proxy.Credentials = ProxyCredential.GetNetworkCredential();
            else if (ProxyUseDefaultCredentials) proxy.UseDefaultCredentials = true;
            options.Proxy = proxy;
        }

        private SigningKey LoadKey()
        {
            switch (ParameterSetName)
            {
                case CertificateSet:
                    if (Certificate == null) throw Missing("Certificate", "-Certificate is empty: give an X509Certificate2 with its private key, for example from Get-Item Cert:\\CurrentUser\\My\\<thumbprint>.");
                    return KeyLoader.FromCertificate(Certificate);
                case CertificatePathSet:
                    if (string.IsNullOrWhiteSpace(CertificatePath)) throw Missing("CertificatePath", "-CertificatePath is empty: give the path of the .pfx/.p12 file.");
                    return KeyLoader.FromCertificateFile(ResolvePath(CertificatePath), CertificatePassword);
                case CertificateThumbprintSet:
                    if (string.IsNullOrWhiteSpace(CertificateThumbprint)) throw Missing("CertificateThumbprint", "-CertificateThumbprint is empty: give the certificate's SHA-1 thumbprint (40 hexadecimal characters).");
                    return KeyLoader.FromThumbprint(CertificateThumbprint);
                case CertificateBase64Set:
                    return KeyLoader.FromCertificateBase64(SecretText(CertificateBase64, nameof(CertificateBase64)), CertificatePassword);
                case JwkSet:
                    return KeyLoader.FromJwk(SecretText(Jwk, nameof(Jwk)), Optional(KeyId), "-Jwk");
                case JwkPathSet:
                    if (string.IsNullOrWhiteSpace(JwkPath)) throw Missing("JwkPath", "-JwkPath is empty: give the path of the private JWK file (New-AltinnSigningKey writes one).");
                    return KeyLoader.FromJwkFile(ResolvePath(JwkPath), Optional(KeyId));
                case PrivateKeyPathSet:
                    if (string.IsNullOrWhiteSpace(PrivateKeyPath)) throw Missing("PrivateKeyPath", "-PrivateKeyPath is empty: give the path of the PEM private key file.");
                    if (string.IsNullOrWhiteSpace(KeyId)) throw Missing("KeyId", "A PEM key carries no key id: give -KeyId with the kid the public key was registered under in Maskinporten.");
                    return KeyLoader.FromPemFile(ResolvePath(PrivateKeyPath), KeyId.Trim());
                default:
                    return null;
            }
        }

        private bool Given(string parameterName) => MyInvocation.BoundParameters.ContainsKey(parameterName);

        private static AltinnArgumentException Missing(string parameterName, string message) =>
            new AltinnArgumentException($"Altinn.Connect.Missing{parameterName}", message);

        private static string Optional(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

        private static string NormalizeScope(string scope)
        {
            var normalized = string.Join(" ", (scope ?? string.Empty).Split(new[] { ' ', ',' }, StringSplitOptions.RemoveEmptyEntries));
            if (normalized.Length == 0)
            {
                throw new AltinnArgumentException("Altinn.Connect.MissingScope", "-Scope is empty. Leave it out for 'altinn:instances.read altinn:instances.write', or give the scopes the client was granted.");
            }

            return normalized;
        }

        /// <summary>A secret given as a string or a SecureString, as plain text for the engine (memory only).</summary>
        private static string SecretText(object value, string parameterName)
        {
            var raw = PayloadConverter.Unwrap(value);
            switch (raw)
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
                    throw new AltinnArgumentException($"Altinn.Connect.Invalid{parameterName}", $"-{parameterName} must be text or a SecureString, not {raw.GetType().Name}.");
            }
        }
    }

    /// <summary>Tab completion for -Environment.</summary>
    public sealed class EnvironmentCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            System.Management.Automation.Language.CommandAst commandAst, System.Collections.IDictionary fakeBoundParameters)
        {
            var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
            return AltinnEnvironment.Names
                .Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .OrderBy(n => n, StringComparer.Ordinal)
                .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n));
        }
    }
}
