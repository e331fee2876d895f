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
    /// <para type="synopsis">Connects to an Altinn environment as a system user.</para>
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "Altinn", DefaultParameterSetName = CertificateThumbprintSet)]
    [OutputType(typeof(AltinnSession))]
    public sealed class ConnectAltinnCommand : AltinnCmdlet
    {
        private const string CertificateSet = "Certificate";
        private const string CertificatePathSet = "CertificatePath";
        private const string CertificateThumbprintSet = "CertificateThumbprint";
        private const string CertificateBase64Set = "CertificateBase64";
        private const string JwkSet = "Jwk";
        private const string JwkPathSet = "JwkPath";
        private const string PrivateKeyPathSet = "PrivateKeyPath";
        private const string AccessTokenSet = "AccessToken";
        private const string LocalTestSet = "LocalTest";

        [Parameter(Position = 0)]
        [ArgumentCompleter(typeof(EnvironmentCompleter))]
        public string Environment { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
        [Parameter(Mandatory = true, ParameterSetName = CertificatePathSet)]
        [Parameter(Mandatory = true, ParameterSetName = CertificateThumbprintSet)]
        [Parameter(Mandatory = true, ParameterSetName = CertificateBase64Set)]
        [Parameter(Mandatory = true, ParameterSetName = JwkSet)]
        [Parameter(Mandatory = true, ParameterSetName = JwkPathSet)]
        [Parameter(Mandatory = true, ParameterSetName = PrivateKeyPathSet)]
        [Parameter(ParameterSetName = LocalTestSet)]
        [ValidateNotNullOrEmpty]
        public string ClientId { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
        [Parameter(Mandatory = true, ParameterSetName = CertificatePathSet)]
        [Parameter(Mandatory = true, ParameterSetName = CertificateThumbprintSet)]
        [Parameter(Mandatory = true, ParameterSetName = CertificateBase64Set)]
        [Parameter(Mandatory = true, ParameterSetName = JwkSet)]
        [Parameter(Mandatory = true, ParameterSetName = JwkPathSet)]
        [Parameter(Mandatory = true, ParameterSetName = PrivateKeyPathSet)]
        [Parameter(Mandatory = true, ParameterSetName = LocalTestSet)]
        [Parameter(ParameterSetName = AccessTokenSet)]
        [ValidateNotNullOrEmpty]
        public string SystemUserOrganization { get; set; }

        [Parameter]
        public string SystemUserExternalRef { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Scope { get; set; } = "altinn:instances.read altinn:instances.write";

        /// <summary>Default app (org/app) for cmdlets that are given no -App.</summary>
        [Parameter]
        public string App { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
        public X509Certificate2 Certificate { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = CertificatePathSet)]
        [ValidateNotNullOrEmpty]
        public string CertificatePath { get; set; }

        [Parameter(ParameterSetName = CertificatePathSet)]
        [Parameter(ParameterSetName = CertificateBase64Set)]
        public SecureString CertificatePassword { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = CertificateThumbprintSet)]
        [ValidateNotNullOrEmpty]
        public string CertificateThumbprint { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = CertificateBase64Set)]
        [ValidateNotNullOrEmpty]
        public string CertificateBase64 { get; set; }

        /// <summary>The private JWK as JSON text or a SecureString.</summary>
        [Parameter(Mandatory = true, ParameterSetName = JwkSet)]
        [ValidateNotNull]
        public object Jwk { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = JwkPathSet)]
        [ValidateNotNullOrEmpty]
        public string JwkPath { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = PrivateKeyPathSet)]
        [ValidateNotNullOrEmpty]
        public string PrivateKeyPath { get; set; }

        [Parameter(ParameterSetName = JwkSet)]
        [Parameter(ParameterSetName = JwkPathSet)]
        [Parameter(Mandatory = true, ParameterSetName = PrivateKeyPathSet)]
        [ValidateNotNullOrEmpty]
        public string KeyId { get; set; }

        /// <summary>An Altinn token obtained elsewhere (plain text or SecureString).</summary>
        [Parameter(Mandatory = true, ParameterSetName = AccessTokenSet)]
        [ValidateNotNull]
        public object AccessToken { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = LocalTestSet)]
        public SwitchParameter LocalTest { get; set; }

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
        [ValidateRange(1, 86400)]
        public int TimeoutSec { get; set; } = 100;

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

            var previous = SessionRegistry.Current;
            SessionRegistry.Current = session;
            if (previous != null && !ReferenceEquals(previous, session))
            {
                WriteVerbose($"Replaced the current session ({previous}). Sessions passed with -Session stay usable.");
            }

            WriteVerbose($"Connected to {session.Environment.Name} as system user of {session.SystemUserOrganization}; token valid until {session.TokenExpiresOn:u}.");
            if (PassThru) WriteObject(session);
        }

        private AltinnConnectOptions BuildOptions()
        {
            var environment = ResolveEnvironment();
            var options = new AltinnConnectOptions
            {
                Environment = environment,
                ClientId = ClientId,
                SystemUserExternalRef = string.IsNullOrWhiteSpace(SystemUserExternalRef) ? null : SystemUserExternalRef,
                Scope = string.Join(" ", Scope.Split(new[] { ' ', ',' }, StringSplitOptions.RemoveEmptyEntries)),
                DefaultApp = App == null ? null : AppIdentifier.Parse(App).ToString(),
                Http = new AltinnHttpOptions
                {
                    Timeout = TimeSpan.FromSeconds(TimeoutSec),
                    ProcessNextTimeout = TimeSpan.FromSeconds(Math.Max(TimeoutSec, 300)),
                    MaxRetries = MaximumRetryCount,
                    RetryBaseDelay = TimeSpan.FromSeconds(RetryIntervalSec),
                },
            };

            if (SystemUserOrganization != null)
            {
                options.SystemUserOrganization = NorwegianIdentifiers.RequireOrganizationNumber(SystemUserOrganization, nameof(SystemUserOrganization));
            }

            if (Proxy != null)
            {
                var proxy = new WebProxy(Proxy);
                if (ProxyCredential != null) proxy.Credentials = ProxyCredential.GetNetworkCredential();
                options.Proxy = proxy;
            }

            if (ParameterSetName == LocalTestSet && !environment.IsLocalTest)
            {
                throw new AltinnArgumentException("Altinn.Connect.LocalTestNeedsLocal", "-LocalTest works only with -Environment local (Altinn's local test environment).");
            }

            if (environment.MaskinportenUri == null && ParameterSetName != AccessTokenSet && ParameterSetName != LocalTestSet)
            {
                throw new AltinnArgumentException("Altinn.Connect.NoMaskinporten",
                    $"The environment '{environment.Name}' has no Maskinporten: use -LocalTest (local test tokens) or -AccessToken, or give -MaskinportenUri.");
            }

            options.Key = LoadKey();
            if (ParameterSetName == AccessTokenSet) options.AccessToken = SecretText(AccessToken, nameof(AccessToken));
            return options;
        }

        private AltinnEnvironment ResolveEnvironment()
        {
            AltinnEnvironment environment;
            if (Environment == null)
            {
                if (MaskinportenUri == null && PlatformUri == null && AppBaseUri == null)
                {
                    throw new AltinnArgumentException("Altinn.Connect.NoEnvironment",
                        $"No environment given. Pass -Environment ({string.Join(", ", AltinnEnvironment.Names)}); production is never assumed.");
                }

                if (PlatformUri == null || AppBaseUri == null || (MaskinportenUri == null && ParameterSetName != AccessTokenSet && ParameterSetName != LocalTestSet))
                {
                    throw new AltinnArgumentException("Altinn.Connect.IncompleteUris",
                        "Without -Environment, give all of -MaskinportenUri, -PlatformUri and -AppBaseUri (or pick an -Environment and override only what differs).");
                }

                environment = new AltinnEnvironment("custom", null, null, null);
            }
            else if (!AltinnEnvironment.TryGet(Environment, out environment))
            {
                throw new AltinnArgumentException("Altinn.Connect.UnknownEnvironment",
                    $"'{Environment}' is not an Altinn environment. Use one of: {string.Join(", ", AltinnEnvironment.Names)}; or give -MaskinportenUri, -PlatformUri and -AppBaseUri for anything else.");
            }

            environment = environment.With(MaskinportenUri?.AbsoluteUri, PlatformUri?.AbsoluteUri, AppBaseUri);
            if (environment.MaskinportenUri != null) UriRules.RequireSecure(environment.MaskinportenUri, nameof(MaskinportenUri), false);
            UriRules.RequireSecure(environment.PlatformUri, nameof(PlatformUri), environment.IsLocalTest);
            UriRules.RequireSecure(environment.AppBaseUri, nameof(AppBaseUri), environment.IsLocalTest);
            return environment;
        }

        private SigningKey LoadKey()
        {
            switch (ParameterSetName)
            {
                case CertificateSet:
                    return KeyLoader.FromCertificate(Certificate);
                case CertificatePathSet:
                    return KeyLoader.FromCertificateFile(ResolvePath(CertificatePath), CertificatePassword);
                case CertificateThumbprintSet:
                    return KeyLoader.FromThumbprint(CertificateThumbprint);
                case CertificateBase64Set:
                    return KeyLoader.FromCertificateBase64(CertificateBase64, CertificatePassword);
                case JwkSet:
                    return KeyLoader.FromJwk(SecretText(Jwk, nameof(Jwk)), KeyId, "-Jwk");
                case JwkPathSet:
                    return KeyLoader.FromJwkFile(ResolvePath(JwkPath), KeyId);
                case PrivateKeyPathSet:
                    return KeyLoader.FromPemFile(ResolvePath(PrivateKeyPath), KeyId);
                default:
                    return null;
            }
        }

        /// <summary>A secret given as a string or a SecureString, as plain text for the engine (memory only).</summary>
        private static string SecretText(object value, string parameterName)
        {
            var raw = PayloadConverter.Unwrap(value);
            switch (raw)
            {
                case string s when !string.IsNullOrWhiteSpace(s):
                    return s;
                case SecureString secure:
                    return new NetworkCredential(string.Empty, secure).Password;
                default:
                    throw new AltinnArgumentException($"Altinn.Connect.Invalid{parameterName}", $"-{parameterName} must be text or a SecureString.");
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
