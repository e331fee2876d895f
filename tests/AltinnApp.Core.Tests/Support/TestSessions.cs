using AltinnApp.Core.Http;
using AltinnApp.Core.Session;

namespace AltinnApp.Core.Tests;

/// <summary>A session of the engine against a fake Altinn (any <see cref="HttpMessageHandler"/>), with a ready token.</summary>
internal static class TestSessions
{
    public static Task<AltinnSession> ConnectAsync(HttpMessageHandler handler, int retries = 0, IAltinnClock clock = null)
    {
        var now = (clock ?? SystemClock.Instance).UtcNow;
        // a made-up environment on plain http, which the builder would refuse: straight to the options
        return AltinnSession.ConnectAsync(new AltinnConnectOptions(
            new AltinnEnvironment("test", "http://maskinporten.test/", "http://platform.test/", "http://{org}.apps.test/"),
            accessToken: TokenProviderTests.UnsignedJwt(now, now.AddMinutes(30)),
            systemUserOrganization: "950474084",
            http: new AltinnHttpOptions(
                maxRetries: retries,
                retryBaseDelay: TimeSpan.FromMilliseconds(1),
                maxRetryDelay: TimeSpan.FromMilliseconds(10)),
            clock: clock), handler, CancellationToken.None);
    }
}
