using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using AltinnApp.Core;
using AltinnApp.Core.Http;
using AltinnApp.Core.Session;
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

        [Parameter(Position = 0)]
        [ArgumentCompleter(typeof(EnvironmentCompleter))]
        public string Environment { get; set; }

        [Parameter]
        public string ClientId { get; set; }

        [Parameter]
        public string SystemUserOrganization { get; set; }

        [Parameter]
        public string SystemUserExternalRef { get; set; }

        /// <summary>Connect as the vendor itself, with its own Maskinporten token, for the system register and system user requests.</summary>
        [Parameter]
        public SwitchParameter Vendor { get; set; }

        // Initial values read the engine's defaults rather than copy them: the help's "Default value" is taken from them.
        [Parameter]
        public string Scope { get; set; } = AltinnConnectOptions.DefaultScope;

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

        // The ranges are the engine's, checked here as well so that PowerShell reports them while binding, as it always has.
        [Parameter]
        [ValidateRange(ConnectOptionsBuilder.MinTimeoutSec, ConnectOptionsBuilder.MaxTimeoutSec)]
        public int TimeoutSec { get; set; } = AltinnHttpOptions.DefaultTimeoutSec;

        [Parameter]
        [ValidateRange(ConnectOptionsBuilder.MinTimeoutSec, ConnectOptionsBuilder.MaxTimeoutSec)]
        public int ProcessNextTimeoutSec { get; set; }

        [Parameter]
        [ValidateRange(ConnectOptionsBuilder.MinTimeoutSec, ConnectOptionsBuilder.MaxTransferTimeoutSec)]
        public int TransferTimeoutSec { get; set; }

        [Parameter]
        [ValidateRange(0, ConnectOptionsBuilder.MaxRetryCount)]
        public int MaximumRetryCount { get; set; } = AltinnHttpOptions.DefaultMaxRetries;

        [Parameter]
        [ValidateRange(0, ConnectOptionsBuilder.MaxRetryIntervalSec)]
        public double RetryIntervalSec { get; set; } = AltinnHttpOptions.DefaultRetryIntervalSec;

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>A file the session's messages go to as well, one line each (for a scheduled run).</summary>
        [Parameter]
        public string LogPath { get; set; }

        protected override void ProcessRecord()
        {
            // opened first, so that a connect that fails (a wrong key, a refused client) is in the log too
            if (LogPath != null)
            {
                try
                {
                    LogFile = AltinnLogFile.Open(LogPath.Length == 0 ? LogPath : ResolvePath(LogPath));
                }
                catch (AltinnException ex)
                {
                    ThrowTerminatingError(ErrorRecordFor(ex, LogPath));
                    return;
                }
            }

            AltinnConnectOptions options;
            try
            {
                options = Builder().Build();
            }
            catch (AltinnException ex)
            {
                FailWithLog(ex);
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
                FailWithLog(ex);
                return;
            }
            catch (PipelineStoppedException)
            {
                options.Key?.Dispose();
                LogFile?.Dispose();
                throw;
            }

            if (LogFile != null) session.UseLogFile(LogFile);

            var previous = SessionRegistry.Current;
            SessionRegistry.Current = session;
            if (previous != null && !ReferenceEquals(previous, session))
            {
                WriteVerbose($"Replaced the current session ({previous}). Sessions passed with -Session stay usable.");
            }

            var connected = session.IsVendor
                ? $"Connected to {session.Environment.Name} as vendor {session.VendorOrganization} ({session.KeySource}); token valid until {session.TokenExpiresOn:u}."
                : $"Connected to {session.Environment.Name} as system user of {session.SystemUserOrganization} ({session.KeySource}); token valid until {session.TokenExpiresOn:u}.";
            WriteLogLine("INFO", connected);
            WriteVerbose(connected);
            if (PassThru) WriteObject(session);
        }

        /// <summary>The failure goes to the log file (if one was opened), which then closes: no session owns it.</summary>
        private void FailWithLog(AltinnException ex)
        {
            var record = ErrorRecordFor(ex, null);
            LogFile?.Dispose();
            LogFile = null;
            ThrowTerminatingError(record);
        }

        /// <summary>
        /// The bound parameters as the engine's builder, which checks them and fills in the defaults. What needs
        /// PowerShell stays here: paths resolve against the PowerShell location, values arrive wrapped in PSObject.
        /// </summary>
        private ConnectOptionsBuilder Builder()
        {
            var builder = new ConnectOptionsBuilder
            {
                Environment = Environment,
                MaskinportenUri = MaskinportenUri?.OriginalString,
                PlatformUri = PlatformUri?.OriginalString,
                AppBaseUri = AppBaseUri,
                ClientId = ClientId,
                SystemUserOrganization = SystemUserOrganization,
                SystemUserExternalRef = SystemUserExternalRef,
                Vendor = Vendor,
                App = App,
                Proxy = Proxy,
                ProxyCredential = ProxyCredential?.GetNetworkCredential(),
                ProxyUseDefaultCredentials = ProxyUseDefaultCredentials,
                NoProxy = NoProxy,
                ResolvePath = ResolvePath,
                Scope = Scope,
                TimeoutSec = TimeoutSec,
                MaximumRetryCount = MaximumRetryCount,
                RetryIntervalSec = RetryIntervalSec,
            };

            // left out, these follow -TimeoutSec in the engine, so only a given value is passed on
            if (Given(nameof(ProcessNextTimeoutSec))) builder.ProcessNextTimeoutSec = ProcessNextTimeoutSec;
            if (Given(nameof(TransferTimeoutSec))) builder.TransferTimeoutSec = TransferTimeoutSec;

            switch (ParameterSetName)
            {
                case CertificateSet: builder.UseCertificate(Certificate); break;
                case CertificatePathSet: builder.UseCertificateFile(CertificatePath, CertificatePassword); break;
                case CertificateThumbprintSet: builder.UseCertificateThumbprint(CertificateThumbprint); break;
                case CertificateBase64Set: builder.UseCertificateBase64(PayloadConverter.Unwrap(CertificateBase64), CertificatePassword); break;
                case JwkSet: builder.UseJwk(PayloadConverter.Unwrap(Jwk), KeyId); break;
                case JwkPathSet: builder.UseJwkFile(JwkPath, KeyId); break;
                case PrivateKeyPathSet: builder.UsePrivateKeyFile(PrivateKeyPath, KeyId); break;
                case AccessTokenSet: builder.UseAccessToken(PayloadConverter.Unwrap(AccessToken)); break;
            }

            return builder;
        }

        private bool Given(string parameterName) => MyInvocation.BoundParameters.ContainsKey(parameterName);
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
