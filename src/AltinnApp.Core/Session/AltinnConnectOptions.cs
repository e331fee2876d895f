using System.Net;
using AltinnApp.Core.Auth;
using AltinnApp.Core.Http;

namespace AltinnApp.Core.Session
{
    /// <summary>
    /// What Connect-Altinn was given, checked and with every default filled in. Only
    /// <see cref="ConnectOptionsBuilder.Build"/> makes one, so a session never starts from unchecked settings,
    /// and nothing can change them afterwards.
    /// </summary>
    public sealed class AltinnConnectOptions
    {
        /// <summary>Connect-Altinn -Scope left out: what an app's instances need (reference §2.2).</summary>
        public const string DefaultScope = "altinn:instances.read altinn:instances.write";

        /// <summary>
        /// Connect-Altinn -Vendor with -Scope left out: what the vendor endpoints of Altinn's authentication API take
        /// (altinn-authentication AuthzConstants: systemregister.write, systemuser.request.write and .read).
        /// </summary>
        public const string VendorScope = "altinn:authentication/systemregister.write altinn:authentication/systemuser.request.write altinn:authentication/systemuser.request.read";

        internal AltinnConnectOptions(
            AltinnEnvironment environment,
            string clientId = null,
            string systemUserOrganization = null,
            string systemUserExternalRef = null,
            string scope = null,
            string defaultApp = null,
            SigningKey key = null,
            string accessToken = null,
            IWebProxy proxy = null,
            bool noProxy = false,
            AltinnHttpOptions http = null,
            IAltinnClock clock = null,
            bool vendor = false)
        {
            Vendor = vendor;
            Environment = environment;
            ClientId = clientId;
            SystemUserOrganization = systemUserOrganization;
            SystemUserExternalRef = systemUserExternalRef;
            Scope = scope ?? DefaultScope;
            DefaultApp = defaultApp;
            Key = key;
            AccessToken = accessToken;
            Proxy = proxy;
            NoProxy = noProxy;
            Http = http ?? new AltinnHttpOptions();
            Clock = clock;
        }

        public AltinnEnvironment Environment { get; }

        /// <summary>Null with -AccessToken (read from the token) and for localtest without a key (its test system).</summary>
        public string ClientId { get; }

        /// <summary>Null only with -AccessToken, where the token names it.</summary>
        public string SystemUserOrganization { get; }

        public string SystemUserExternalRef { get; }

        /// <summary>A vendor session: the vendor's own Maskinporten token, no system user, for the authentication API.</summary>
        public bool Vendor { get; }

        public string Scope { get; }

        public string DefaultApp { get; }

        /// <summary>At most one of <see cref="Key"/> and <see cref="AccessToken"/>; neither only for a local-test environment.</summary>
        public SigningKey Key { get; }

        public string AccessToken { get; }

        public IWebProxy Proxy { get; }

        public bool NoProxy { get; }

        public AltinnHttpOptions Http { get; }

        /// <summary>The session's clock; the machine's when null (tests give one that does not sleep).</summary>
        public IAltinnClock Clock { get; }

        /// <summary>Never a key or token: those stay out of every text.</summary>
        public override string ToString() => $"{Environment?.Name} {ClientId} as {SystemUserOrganization}";
    }
}
