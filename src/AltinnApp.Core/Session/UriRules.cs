using System;

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

        private static bool IsHttpAllowed(Uri uri, bool allowHttpForLocalTest) =>
            uri.IsLoopback ||
            (allowHttpForLocalTest && string.Equals(uri.Host, LocalTestHost, StringComparison.OrdinalIgnoreCase));
    }
}
