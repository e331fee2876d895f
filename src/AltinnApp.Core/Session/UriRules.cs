using System;

namespace AltinnApp.Core.Session
{
    internal static class UriRules
    {
        public static string WithTrailingSlash(string uri) => uri.EndsWith("/", StringComparison.Ordinal) ? uri : uri + "/";

        /// <summary>HTTPS everywhere, except loopback (the simulator, a local proxy) and localtest.</summary>
        public static void RequireSecure(string uri, string parameterName, bool allowHttpForLocalTest)
        {
            if (!Uri.TryCreate(uri.Replace("{org}", "org"), UriKind.Absolute, out var parsed) ||
                (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp))
            {
                throw new AltinnArgumentException("Altinn.Connect.InvalidUri",
                    $"-{parameterName} '{uri}' is not an absolute http(s) address. Give the full address, for example https://platform.tt02.altinn.no/.");
            }

            if (parsed.Scheme == Uri.UriSchemeHttp && !parsed.IsLoopback && !allowHttpForLocalTest)
            {
                throw new AltinnArgumentException("Altinn.Connect.InsecureUri",
                    $"-{parameterName} '{uri}' uses plain http to a host that is not this machine. Tokens must only travel over https: use an https:// address (http is allowed for 127.0.0.1, localhost and the local test environment).");
            }
        }
    }
}
