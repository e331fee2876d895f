using System;
using System.Collections.Generic;
using System.Linq;

namespace AltinnApp.Core.Session
{
    /// <summary>The hosts of one Altinn environment (reference §1).</summary>
    public sealed class AltinnEnvironment
    {
        private static readonly Dictionary<string, AltinnEnvironment> Known = new Dictionary<string, AltinnEnvironment>(StringComparer.OrdinalIgnoreCase)
        {
            ["prod"] = new AltinnEnvironment("prod", "https://maskinporten.no/", "https://platform.altinn.no/", "https://{org}.apps.altinn.no/"),
            ["tt02"] = new AltinnEnvironment("tt02", "https://test.maskinporten.no/", "https://platform.tt02.altinn.no/", "https://{org}.apps.tt02.altinn.no/"),
            ["at22"] = Cloud("at22"),
            ["at23"] = Cloud("at23"),
            ["at24"] = Cloud("at24"),
            ["yt01"] = Cloud("yt01"),
            // localtest mints system-user tokens itself: no Maskinporten, no exchange (reference §2.8)
            ["local"] = new AltinnEnvironment("local", null, "http://local.altinn.cloud/", "http://local.altinn.cloud/"),
        };

        public AltinnEnvironment(string name, string maskinportenUri, string platformUri, string appBaseUri)
        {
            Name = name;
            MaskinportenUri = maskinportenUri;
            PlatformUri = platformUri;
            AppBaseUri = appBaseUri;
        }

        private static AltinnEnvironment Cloud(string name) => new AltinnEnvironment(
            name, "https://test.maskinporten.no/", $"https://platform.{name}.altinn.cloud/", $"https://{{org}}.apps.{name}.altinn.cloud/");

        public string Name { get; }

        /// <summary>The Maskinporten issuer (with trailing slash); also the grant's audience. Null for localtest.</summary>
        public string MaskinportenUri { get; }

        public string PlatformUri { get; }

        /// <summary>App host; <c>{org}</c> is replaced by the app owner.</summary>
        public string AppBaseUri { get; }

        public bool IsLocalTest => string.Equals(Name, "local", StringComparison.OrdinalIgnoreCase);

        public static IReadOnlyCollection<string> Names => Known.Keys.ToArray();

        public static bool TryGet(string name, out AltinnEnvironment environment)
        {
            environment = null;
            return name != null && Known.TryGetValue(name, out environment);
        }

        /// <summary>This environment with any of the three hosts overridden (a proxy, the simulator).</summary>
        public AltinnEnvironment With(string maskinportenUri, string platformUri, string appBaseUri) => new AltinnEnvironment(
            Name,
            maskinportenUri != null ? UriRules.WithTrailingSlash(maskinportenUri) : MaskinportenUri,
            platformUri != null ? UriRules.WithTrailingSlash(platformUri) : PlatformUri,
            appBaseUri != null ? UriRules.WithTrailingSlash(appBaseUri) : AppBaseUri);

        public override string ToString() => Name;
    }
}
