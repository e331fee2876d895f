using System.Text;
using AltinnApp.Core.Auth;
using Microsoft.IdentityModel.Tokens;

namespace AltinnApp.Core.Tests;

public class TokenProviderTests
{
    internal static string UnsignedJwt(DateTimeOffset iat, DateTimeOffset exp)
    {
        var header = Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        var payload = Base64UrlEncoder.Encode($"{{\"iat\":{iat.ToUnixTimeSeconds()},\"exp\":{exp.ToUnixTimeSeconds()}}}");
        return header + "." + payload + ".";
    }

    private sealed class CountingSource : ITokenSource
    {
        private readonly Func<DateTimeOffset> _clock;
        private readonly TimeSpan _lifetime;
        private readonly TimeSpan _delay;
        public int Fetches;

        public CountingSource(Func<DateTimeOffset> clock, TimeSpan lifetime, TimeSpan delay = default)
        {
            _clock = clock;
            _lifetime = lifetime;
            _delay = delay;
        }

        public string Description => "test";
        public bool CanRefresh => true;

        public async Task<AccessToken> FetchAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Fetches);
            if (_delay > TimeSpan.Zero) await Task.Delay(_delay, cancellationToken);
            var now = _clock();
            return AccessToken.FromJwt(UnsignedJwt(now, now + _lifetime), "test");
        }
    }

    [Fact]
    public async Task A_token_is_reused_until_shortly_before_it_expires()
    {
        var now = DateTimeOffset.UtcNow;
        var source = new CountingSource(() => now, TimeSpan.FromMinutes(30));
        var provider = new TokenProvider(source, () => now);

        var first = await provider.GetAsync(CancellationToken.None);
        now = now.AddMinutes(28);
        Assert.Same(first, await provider.GetAsync(CancellationToken.None));
        Assert.Equal(1, source.Fetches);

        now = now.AddMinutes(1).AddSeconds(1); // inside the 60 s margin
        Assert.NotSame(first, await provider.GetAsync(CancellationToken.None));
        Assert.Equal(2, source.Fetches);
    }

    [Fact]
    public async Task Parallel_callers_share_one_fetch()
    {
        var source = new CountingSource(() => DateTimeOffset.UtcNow, TimeSpan.FromMinutes(30), TimeSpan.FromMilliseconds(200));
        var provider = new TokenProvider(source);
        var tokens = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => provider.GetAsync(CancellationToken.None))));
        Assert.Equal(1, source.Fetches);
        Assert.All(tokens, t => Assert.Same(tokens[0], t));
    }

    [Fact]
    public async Task A_rejected_token_is_renewed_once_for_all_who_saw_it_rejected()
    {
        var source = new CountingSource(() => DateTimeOffset.UtcNow, TimeSpan.FromMinutes(30), TimeSpan.FromMilliseconds(100));
        var provider = new TokenProvider(source);
        var stale = await provider.GetAsync(CancellationToken.None);
        var renewed = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => provider.GetAsync(stale, CancellationToken.None))));
        Assert.Equal(2, source.Fetches);
        Assert.All(renewed, t => Assert.NotSame(stale, t));
    }

    [Theory]
    [InlineData(1800, 60)]
    [InlineData(120, 30)]
    [InlineData(20, 5)]
    public void The_refresh_margin_is_a_minute_or_a_quarter_of_a_short_lifetime(int lifetime, int margin) =>
        Assert.Equal(TimeSpan.FromSeconds(margin), TokenProvider.RefreshMargin(TimeSpan.FromSeconds(lifetime)));

    [Fact]
    public async Task A_handed_in_token_is_refused_once_expired()
    {
        var expired = UnsignedJwt(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(-1));
        var provider = new TokenProvider(new StaticTokenSource(expired));
        var ex = await Assert.ThrowsAsync<AltinnAuthenticationException>(() => provider.GetAsync(CancellationToken.None));
        Assert.Equal("Altinn.AccessToken.Expired", ex.ErrorId);
        Assert.DoesNotContain(expired, ex.Message);
    }

    [Fact]
    public void A_quoted_token_from_the_exchange_is_unquoted()
    {
        var jwt = UnsignedJwt(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(30));
        var token = AccessToken.FromJwt("\"" + jwt + "\"\n", "test");
        Assert.Equal(jwt, token.Value);
        Assert.DoesNotContain(jwt, token.ToString());
    }
}
