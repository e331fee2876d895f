using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using AltinnApp.Core.Api;
using AltinnApp.Core.Auth;
using AltinnApp.Core.Http;
using AltinnApp.Core.Models;

namespace AltinnApp.Core.Session
{
    /// <summary>
    /// One connection to one Altinn environment as one system user. It keeps the signing key (not only
    /// a token) and renews tokens itself; it is safe to share between runspaces.
    /// </summary>
    public sealed class AltinnSession : IDisposable
    {
        private readonly ConcurrentDictionary<string, ApplicationLoad> _applications =
            new ConcurrentDictionary<string, ApplicationLoad>(StringComparer.OrdinalIgnoreCase);

        private AltinnSession(AltinnConnectOptions options, TokenIdentity identity, AltinnHttp http, TokenProvider tokens)
        {
            Id = Guid.NewGuid();
            Environment = options.Environment;
            ClientId = identity.ClientId;
            SystemUserOrganization = identity.SystemUserOrganization;
            SystemUserExternalRef = options.SystemUserExternalRef;
            Scope = options.Scope;
            IsVendor = options.Vendor;
            DefaultApp = options.DefaultApp;
            Http = http;
            Tokens = tokens;
            Creations = new CreationReconciler(http.Clock);
            Client = new AltinnAppClient(this);
            Vendor = new Api.VendorApi(this);
            Connected = http.Clock.UtcNow.ToLocalTime();
        }

        public Guid Id { get; }

        public AltinnEnvironment Environment { get; }

        public string EnvironmentName => Environment.Name;

        public string ClientId { get; }

        public string SystemUserOrganization { get; }

        public string SystemUserExternalRef { get; }

        public string Scope { get; }

        /// <summary>Connected with -Vendor: the vendor's own Maskinporten token, for the system register and system user requests.</summary>
        public bool IsVendor { get; }

        /// <summary>The organisation that owns the Maskinporten client, from the token's consumer claim.</summary>
        public string VendorOrganization { get; private set; }

        public string DefaultApp { get; }

        public DateTimeOffset Connected { get; }

        /// <summary>Where the key came from (a certificate's subject and thumbprint, a key id, a file): never the key.</summary>
        public string KeySource => Tokens.Source.Description;

        public DateTimeOffset? TokenExpiresOn => Tokens.ExpiresOn;

        /// <summary>The id of the system user the session acts as, from its token; null until a token was fetched.</summary>
        public string SystemUserId => Tokens.SystemUserId;

        public int TokenFetchCount => Tokens.FetchCount;

        public bool IsDisconnected { get; private set; }

        /// <summary>Seconds one ordinary request may take (Connect-Altinn -TimeoutSec).</summary>
        public int TimeoutSec => (int)Http.Options.Timeout.TotalSeconds;

        /// <summary>Seconds process/next may take (Connect-Altinn -ProcessNextTimeoutSec).</summary>
        public int ProcessNextTimeoutSec => (int)Http.Options.ProcessNextTimeout.TotalSeconds;

        /// <summary>Seconds one upload or download may take from start to end (Connect-Altinn -TransferTimeoutSec).</summary>
        public int TransferTimeoutSec => (int)Http.Options.TransferTimeout.TotalSeconds;

        /// <summary>How often a failed request that is safe to repeat is repeated (Connect-Altinn -MaximumRetryCount).</summary>
        public int MaximumRetryCount => Http.Options.MaxRetries;

        internal AltinnHttp Http { get; }

        internal TokenProvider Tokens { get; }

        /// <summary>Whether the session can get a new token by itself (false for a token handed in with -AccessToken).</summary>
        public bool CanRenewToken => Tokens.CanRefresh;

        /// <summary>What this session created, and how to tell whether a create with an unknown outcome took effect.</summary>
        internal CreationReconciler Creations { get; }

        private int _filedForClient;

        /// <summary>
        /// True once Altinn let this session create for an organisation other than its system user's: the system user is
        /// then one for client relationships (agent), which the token alone does not tell.
        /// </summary>
        public bool HasFiledForClient => Volatile.Read(ref _filedForClient) == 1;

        internal void NoteFiledFor(string organizationNumber)
        {
            if (organizationNumber != null && SystemUserOrganization != null && !string.Equals(organizationNumber, SystemUserOrganization, StringComparison.Ordinal))
                Volatile.Write(ref _filedForClient, 1);
        }

        /// <summary>The one clock of this session: token expiry, retry waits, the scan and receipt waits.</summary>
        public IAltinnClock Clock => Http.Clock;

        public AltinnAppClient Client { get; }

        /// <summary>Altinn's authentication API for a vendor: system register, system user requests, system users.</summary>
        public Api.VendorApi Vendor { get; }

        /// <summary>The log file of Connect-Altinn -LogPath, null without one. Disconnect-Altinn closes it.</summary>
        public AltinnLogFile LogFile { get; private set; }

        /// <summary>The full path of <see cref="LogFile"/>, null without one.</summary>
        public string LogPath => LogFile?.Path;

        /// <summary>Sends this session's messages to <paramref name="file"/> too (null: to none); the session now owns it.</summary>
        public void UseLogFile(AltinnLogFile file)
        {
            var previous = LogFile;
            LogFile = file;
            if (previous != null && !ReferenceEquals(previous, file)) previous.Dispose();
        }

        public static async Task<AltinnSession> ConnectAsync(AltinnConnectOptions options, CancellationToken cancellationToken)
        {
            await UriRules.RequireLocalTestHostIsThisMachineAsync(options.Environment, host => Dns.GetHostAddressesAsync(host)).ConfigureAwait(false);
            return await ConnectAsync(options, CreateHandler(options), cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The same over a given handler (tests put a fake Altinn behind it).</summary>
        internal static async Task<AltinnSession> ConnectAsync(AltinnConnectOptions options, HttpMessageHandler handler, CancellationToken cancellationToken)
        {
            var foreign = UriRules.OutsideAltinn(options.Environment);
            if (foreign.Count > 0)
            {
                AltinnLog.Warning($"{string.Join(", ", foreign)} {(foreign.Count == 1 ? "is" : "are")} outside Altinn's and Maskinporten's domains (altinn.no, altinn.cloud, maskinporten.no) and this machine, and the session's tokens and keys' grants go there. Go on only if that is your own proxy or test server.");
            }

            var http = new AltinnHttp(handler, options.Http, clock: options.Clock);
            ITokenSource source;
            TokenIdentity identity;
            try
            {
                source = CreateTokenSource(options, http, out identity);
            }
            catch
            {
                http.Dispose();
                throw;
            }

            var tokens = new TokenProvider(source, () => http.Clock.UtcNow);
            http.Tokens = tokens;
            var session = new AltinnSession(options, identity, http, tokens);
            try
            {
                // fail at connect, not at the first submission: fetch a token now
                var first = await tokens.GetAsync(cancellationToken).ConfigureAwait(false);
                session.VendorOrganization = first.ConsumerOrganization;
                var warning = tokens.TakeExpiryWarning();
                if (warning != null) AltinnLog.Warning(warning);
            }
            catch
            {
                session.Dispose();
                throw;
            }

            return session;
        }

        /// <summary>The client and organisation a session's tokens are for, where the options leave them to the token source.</summary>
        private struct TokenIdentity
        {
            public string ClientId;
            public string SystemUserOrganization;
        }

        private static ITokenSource CreateTokenSource(AltinnConnectOptions options, AltinnHttp http, out TokenIdentity identity)
        {
            identity = new TokenIdentity { ClientId = options.ClientId, SystemUserOrganization = options.SystemUserOrganization };
            if (options.AccessToken != null)
            {
                var handedIn = new StaticTokenSource(options.AccessToken, () => http.Clock.UtcNow);
                var tokenOrganization = handedIn.Token.SystemUserOrganization;
                if (identity.SystemUserOrganization == null)
                {
                    identity.SystemUserOrganization = tokenOrganization;
                }
                else if (tokenOrganization != null && tokenOrganization != identity.SystemUserOrganization)
                {
                    throw new AltinnArgumentException("Altinn.Connect.TokenOrganizationMismatch",
                        $"-AccessToken is for the system user of organisation {tokenOrganization}, not {identity.SystemUserOrganization} as -SystemUserOrganization says. Leave -SystemUserOrganization out, or give a token for {identity.SystemUserOrganization}.");
                }

                identity.ClientId = identity.ClientId ?? handedIn.Token.ClientId;
                return handedIn;
            }

            if (options.Key == null)
            {
                if (!options.Environment.IsLocalTest)
                {
                    throw new AltinnArgumentException("Altinn.Connect.MissingKey",
                        $"No key given for '{options.Environment.Name}'. Only -Environment local works without one.");
                }

                // localtest's own test system and system user (reference §2.8)
                identity.ClientId = identity.ClientId ?? LocalTestSystemId;
                return new LocalTestTokenSource(options.Environment.PlatformUri, identity.SystemUserOrganization,
                    identity.ClientId, LocalTestSystemUserId, options.Scope, http);
            }

            var grant = new GrantRequest
            {
                ClientId = options.ClientId,
                Audience = UriRules.WithTrailingSlash(options.Environment.MaskinportenUri),
                Scope = options.Scope,
                SystemUserOrganization = options.SystemUserOrganization,
                SystemUserExternalRef = options.SystemUserExternalRef,
            };
            return new MaskinportenTokenSource(options.Key, grant, options.Environment.MaskinportenUri, options.Environment.PlatformUri, http, exchange: !options.Vendor);
        }

        /// <summary>The system localtest's test data registers (reference §2.8).</summary>
        public const string LocalTestSystemId = "913312465_sbs";

        private const string LocalTestSystemUserId = "d111dbab-d619-4f15-bf29-58fe570a9ae6";

        /// <summary>.NET Framework's default is 2 connections per host (ServicePointManager.DefaultConnectionLimit), which queues a parallel batch.</summary>
        internal const int NetFrameworkConnectionsPerServer = 64;

        internal static HttpClientHandler CreateHandler(AltinnConnectOptions options) => CreateHandler(options, RuntimeInformation.FrameworkDescription);

        /// <summary>The handler as it is made on the runtime <paramref name="framework"/> describes (tests ask for .NET Framework's).</summary>
        internal static HttpClientHandler CreateHandler(AltinnConnectOptions options, string framework)
        {
            var handler = new HttpClientHandler
            {
                // a bearer token must not follow a redirect to another host
                AllowAutoRedirect = false,
                // never keep Altinn's runtime cookie: with it, Altinn demands an anti-forgery token (reference §2.5)
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            };
            TlsPolicy.Apply(handler, framework);
            if (TlsPolicy.IsNetFramework(framework)) handler.MaxConnectionsPerServer = NetFrameworkConnectionsPerServer;
            if (options.NoProxy)
            {
                handler.UseProxy = false;
            }
            else if (options.Proxy != null)
            {
                handler.UseProxy = true;
                handler.Proxy = new LocalProxyBypass(options.Proxy);
            }
            else
            {
                // the system proxy, with the user's own credentials where it asks (NTLM, Negotiate), rather than a 407
                handler.DefaultProxyCredentials = CredentialCache.DefaultCredentials;
            }

            return handler;
        }

        /// <summary>
        /// The app's metadata, read once per session and app. The read runs on the token of the caller that starts it;
        /// every caller waits on its own token. A read that failed or was cancelled is not kept, and a caller whose read
        /// was cancelled by another caller's token starts a read of its own.
        /// </summary>
        internal async Task<AltinnApplication> GetApplicationCachedAsync(string appId, Func<CancellationToken, Task<AltinnApplication>> load, CancellationToken cancellationToken)
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ApplicationLoad mine = null;
                var entry = _applications.GetOrAdd(appId, _ => mine = new ApplicationLoad(load, cancellationToken));
                if (entry != mine && entry.HasFailed)
                {
                    // an earlier caller's read failed after all its callers had left: not an answer for this one
                    Forget(appId, entry);
                    continue;
                }

                var task = entry.Read;
                try
                {
                    return await WaitAsync(task, cancellationToken).ConfigureAwait(false);
                }
                catch when (task.IsFaulted || task.IsCanceled)
                {
                    Forget(appId, entry); // a failure is not cached
                    if (!task.IsCanceled || cancellationToken.IsCancellationRequested || entry.Token == cancellationToken) throw;
                }
            }
        }

        /// <summary>Removes this read only, not one another caller has started since.</summary>
        private void Forget(string appId, ApplicationLoad entry) =>
            ((ICollection<KeyValuePair<string, ApplicationLoad>>)_applications).Remove(new KeyValuePair<string, ApplicationLoad>(appId, entry));

        /// <summary>Waits for <paramref name="task"/>, or until this caller's token is cancelled (the task goes on for the others).</summary>
        private static async Task<T> WaitAsync<T>(Task<T> task, CancellationToken cancellationToken)
        {
            if (task.IsCompleted || !cancellationToken.CanBeCanceled) return await task.ConfigureAwait(false);
            var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using (cancellationToken.Register(() => cancelled.TrySetResult(true)))
            {
                if (await Task.WhenAny(task, cancelled.Task).ConfigureAwait(false) != task) throw new OperationCanceledException(cancellationToken);
            }

            return await task.ConfigureAwait(false);
        }

        /// <summary>One read of an app's metadata, started at most once, on the token of the caller that made it.</summary>
        private sealed class ApplicationLoad
        {
            private readonly Lazy<Task<AltinnApplication>> _read;

            public ApplicationLoad(Func<CancellationToken, Task<AltinnApplication>> load, CancellationToken token)
            {
                Token = token;
                _read = new Lazy<Task<AltinnApplication>>(() => load(token));
            }

            public CancellationToken Token { get; }

            public Task<AltinnApplication> Read => _read.Value;

            public bool HasFailed => _read.IsValueCreated && (_read.Value.IsFaulted || _read.Value.IsCanceled);
        }

        /// <summary>Drops an app's cached metadata, after Altinn refused something the metadata allowed (the app changed).</summary>
        internal void ForgetApplication(string appId)
        {
            _applications.TryRemove(appId, out _);
            foreach (var key in _schemas.Keys) if (key.StartsWith(appId + "|", StringComparison.OrdinalIgnoreCase)) _schemas.TryRemove(key, out _);
            _processes.TryRemove(appId, out _);
        }

        // an app's process tasks, read once a session beside its metadata
        private readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<AltinnAppTask>>>> _processes =
            new ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<AltinnAppTask>>>>(StringComparer.OrdinalIgnoreCase);

        internal Task<IReadOnlyList<AltinnAppTask>> GetProcessCachedAsync(string appId, Func<Task<IReadOnlyList<AltinnAppTask>>> load)
        {
            var task = _processes.GetOrAdd(appId, _ => new Lazy<Task<IReadOnlyList<AltinnAppTask>>>(load)).Value;
            if (task.IsFaulted || task.IsCanceled) _processes.TryRemove(appId, out _); // a failure is not cached
            return task;
        }

        // a data type's model schema, per app and data type, read once a session like the metadata
        private readonly ConcurrentDictionary<string, Lazy<Task<Api.FormSchema>>> _schemas =
            new ConcurrentDictionary<string, Lazy<Task<Api.FormSchema>>>(StringComparer.OrdinalIgnoreCase);

        internal Task<Api.FormSchema> GetSchemaCachedAsync(string appId, string dataType, Func<Task<Api.FormSchema>> load)
        {
            var key = appId + "|" + dataType;
            var task = _schemas.GetOrAdd(key, _ => new Lazy<Task<Api.FormSchema>>(load)).Value;
            if (task.IsFaulted || task.IsCanceled) _schemas.TryRemove(key, out _); // a failure is not cached
            return task;
        }

        public string[] CachedApplications => new System.Collections.Generic.List<string>(_applications.Keys).ToArray();

        /// <summary>The current token, renewed first when it is close to expiry (or always, with <paramref name="forceRefresh"/>).</summary>
        public async Task<AccessToken> GetTokenAsync(bool forceRefresh, CancellationToken cancellationToken)
        {
            RequireConnected();
            AccessToken current = null;
            if (forceRefresh) current = await Tokens.GetAsync(cancellationToken).ConfigureAwait(false);
            var token = await Tokens.GetAsync(current, cancellationToken).ConfigureAwait(false);
            var warning = Tokens.TakeExpiryWarning();
            if (warning != null) AltinnLog.Warning(warning);
            return token;
        }

        public void RequireConnected()
        {
            if (IsDisconnected)
            {
                throw new AltinnException("Altinn.Session.Disconnected", AltinnErrorKind.InvalidOperation,
                    "This session was closed with Disconnect-Altinn. Run Connect-Altinn again.");
            }
        }

        public override string ToString() => IsVendor ? $"{Environment.Name} {ClientId} as vendor" : $"{Environment.Name} {ClientId} as {SystemUserOrganization}";

        public void Dispose()
        {
            IsDisconnected = true;
            Tokens.Dispose();
            Http.Dispose();
            LogFile?.Dispose();
        }
    }
}
