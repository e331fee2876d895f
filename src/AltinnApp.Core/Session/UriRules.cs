using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading.Tasks;

namespace AltinnApp.Core.Session
{
    internal static class UriRules
    {
        /// <summary>Altinn's local test environment (localtest) is served over plain http under this name, which resolves to this machine.</summary>
        public const string LocalTestHost = "local.altinn.cloud";

        public static string WithTrailingSlash(string uri) => uri.EndsWith("/", StringComparison.Ordinal) ? uri : uri + "/";

        /// <summary>
        /// HTTPS everywhere, except loopback (the simulator, a local proxy) and, for -Environment local, localtest's own
        /// host name. Any other host over http would carry tokens in clear text, so it is refused whatever the environment.
        /// </summary>
        public static void RequireSecure(string uri, string parameterName, bool allowHttpForLocalTest)
        {
            if (!Uri.TryCreate(uri.Replace("{org}", "org"), UriKind.Absolute, out var parsed) ||
                (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp) || string.IsNullOrEmpty(parsed.Host))
            {
                throw new AltinnArgumentException("Altinn.Connect.InvalidUri",
                    $"-{parameterName} '{uri}' is not an absolute http(s) address. Give the full address, for example https://platform.tt02.altinn.no/.");
            }

            if (parsed.Scheme == Uri.UriSchemeHttp && !IsHttpAllowed(parsed, allowHttpForLocalTest))
            {
                throw new AltinnArgumentException("Altinn.Connect.InsecureUri",
                    $"-{parameterName} '{uri}' uses plain http to '{parsed.Host}', which is not this machine. Tokens must only travel over https: use an https:// address (http is allowed only for 127.0.0.1, ::1, localhost and, with -Environment local, {LocalTestHost}).");
            }
        }

        /// <summary>The domains tokens and grants are meant for; anything else (but this machine) earns a warning at connect.</summary>
        internal static readonly string[] AltinnDomains = { "altinn.no", "altinn.cloud", "maskinporten.no" };

        /// <summary>The environment's addresses whose host is neither under <see cref="AltinnDomains"/> nor this machine.</summary>
        internal static IReadOnlyList<string> OutsideAltinn(AltinnEnvironment environment)
        {
            var outside = new List<string>();
            foreach (var (name, uri) in new[] { ("-MaskinportenUri", environment.MaskinportenUri), ("-PlatformUri", environment.PlatformUri), ("-AppBaseUri", environment.AppBaseUri) })
            {
                if (uri == null || !Uri.TryCreate(uri.Replace("{org}", "org"), UriKind.Absolute, out var parsed)) continue;
                if (parsed.IsLoopback || AltinnDomains.Any(d => IsUnder(parsed.Host, d))) continue;
                outside.Add($"{name} {parsed.Host}");
            }

            return outside;
        }

        private static bool IsUnder(string host, string domain) =>
            string.Equals(host, domain, StringComparison.OrdinalIgnoreCase) || host.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// localtest is reached over plain http at <see cref="LocalTestHost"/>, a name Altinn's public DNS gives as 127.0.0.1
        /// (app-localtest's README serves it there; its docker-compose maps the name to the host for the containers).
        /// The name is not this machine by itself, so before any token goes there over http the session checks that it
        /// resolves to loopback addresses only: a changed hosts file or DNS answer must not carry tokens in clear text
        /// elsewhere.
        /// </summary>
        internal static async Task RequireLocalTestHostIsThisMachineAsync(AltinnEnvironment environment, Func<string, Task<IPAddress[]>> resolve)
        {
            if (!environment.IsLocalTest) return;
            var http = new[] { environment.PlatformUri, environment.AppBaseUri }
                .Where(u => u != null && Uri.TryCreate(u.Replace("{org}", "org"), UriKind.Absolute, out var p) && p.Scheme == Uri.UriSchemeHttp
                    && string.Equals(p.Host, LocalTestHost, StringComparison.OrdinalIgnoreCase));
            if (!http.Any()) return;

            IPAddress[] addresses;
            try
            {
                addresses = await resolve(LocalTestHost).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException || ex is ArgumentException)
            {
                throw new AltinnArgumentException("Altinn.Connect.InsecureUri",
                    $"{LocalTestHost} does not resolve here ({ex.Message}), so the module cannot check that plain http to it stays on this machine. Add '127.0.0.1 {LocalTestHost}' to the hosts file, or give -PlatformUri and -AppBaseUri as http://127.0.0.1:<port>/.");
            }

            var away = addresses.Where(a => !IPAddress.IsLoopback(a)).ToArray();
            if (addresses.Length == 0 || away.Length > 0)
            {
                throw new AltinnArgumentException("Altinn.Connect.InsecureUri",
                    $"{LocalTestHost} resolves to {(away.Length == 0 ? "nothing" : string.Join(", ", away.Select(a => a.ToString())))} here, not to this machine, and -Environment local sends tokens to it over plain http. Fix the hosts file or DNS so that it is 127.0.0.1, or give -PlatformUri and -AppBaseUri as http://127.0.0.1:<port>/.");
            }
        }

        private static bool IsHttpAllowed(Uri uri, bool allowHttpForLocalTest) =>
            uri.IsLoopback ||
            (allowHttpForLocalTest && string.Equals(uri.Host, LocalTestHost, StringComparison.OrdinalIgnoreCase));
    }
}
