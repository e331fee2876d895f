using System;
using System.Threading;
using System.Threading.Tasks;

namespace AltinnApp.Core.Auth
{
    /// <summary>
    /// Hands out the current Altinn token and renews it shortly before it expires. Renewal is
    /// single-flight: however many runspaces share the session, one fetch happens at a time and the
    /// others take its result.
    /// </summary>
    public sealed class TokenProvider : IDisposable
    {
        private readonly ITokenSource _source;
        private readonly SemaphoreSlim _gate = new SemaphoreSlim(1, 1);
        private readonly Func<DateTimeOffset> _clock;
        private AccessToken _current;
        private int _fetchCount;
        private bool _expiryWarned;

        public TokenProvider(ITokenSource source, Func<DateTimeOffset> clock = null)
        {
            _source = source;
            _clock = clock ?? (() => DateTimeOffset.UtcNow);
        }

        public ITokenSource Source => _source;

        /// <summary>How many tokens were fetched in this session.</summary>
        public int FetchCount => Volatile.Read(ref _fetchCount);

        public DateTimeOffset? ExpiresOn => _current?.ExpiresOn;

        /// <summary>The system user id of the token held now; null before the first token.</summary>
        public string SystemUserId => Volatile.Read(ref _current)?.SystemUserId;

        public bool CanRefresh => _source.CanRefresh;

        /// <summary>
        /// Renew this long before expiry: a minute, or a quarter of a short lifetime, so a request that
        /// starts just before expiry still arrives with a valid token.
        /// </summary>
        public static TimeSpan RefreshMargin(TimeSpan lifetime)
        {
            var quarter = TimeSpan.FromTicks(Math.Max(0, lifetime.Ticks / 4));
            return quarter < TimeSpan.FromSeconds(60) ? quarter : TimeSpan.FromSeconds(60);
        }

        public Task<AccessToken> GetAsync(CancellationToken cancellationToken) => GetAsync(null, cancellationToken);

        /// <param name="rejected">A token Altinn refused: a new one is fetched unless another caller has already replaced it.</param>
        public async Task<AccessToken> GetAsync(AccessToken rejected, CancellationToken cancellationToken)
        {
            var token = Volatile.Read(ref _current);
            if (IsFresh(token, rejected)) return token;

            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                token = _current;
                if (IsFresh(token, rejected)) return token; // another caller renewed it while this one waited
                Http.AltinnLog.Debug(token == null ? $"Fetching an Altinn token ({_source.Description})."
                    : ReferenceEquals(token, rejected) ? "Fetching a new Altinn token: Altinn refused the current one."
                    : $"Fetching a new Altinn token: the current one expires at {token.ExpiresOn:u}.");
                token = await _source.FetchAsync(cancellationToken).ConfigureAwait(false);
                Http.AltinnLog.Debug($"Got an Altinn token valid until {token.ExpiresOn:u} ({(int)token.Lifetime.TotalSeconds} s).");
                Interlocked.Increment(ref _fetchCount);
                Volatile.Write(ref _current, token);
                _expiryWarned = false;
                return token;
            }
            finally
            {
                _gate.Release();
            }
        }

        /// <summary>For a token that cannot be renewed: a warning text once it has less than five minutes left.</summary>
        public string TakeExpiryWarning()
        {
            var token = _current;
            if (_source.CanRefresh || token == null || _expiryWarned) return null;
            var left = token.ExpiresOn - _clock();
            if (left > TimeSpan.FromMinutes(5)) return null;
            _expiryWarned = true;
            return $"The Altinn access token given to Connect-Altinn expires at {token.ExpiresOn:u} ({Math.Max(0, (int)left.TotalSeconds)} s from now) and cannot be renewed. Connect with a key for long-running work.";
        }

        /// <summary>Forget the token (Disconnect-Altinn).</summary>
        public void Clear() => Volatile.Write(ref _current, null);

        private bool IsFresh(AccessToken token, AccessToken rejected)
        {
            if (token == null || ReferenceEquals(token, rejected)) return false;
            if (!_source.CanRefresh) return token.ExpiresOn > _clock();
            return token.ExpiresOn - RefreshMargin(token.Lifetime) > _clock();
        }

        public void Dispose()
        {
            Clear();
            _gate.Dispose();
            (_source as MaskinportenTokenSource)?.Key.Dispose();
        }
    }
}
