using System;
using System.Collections.Concurrent;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace AltinnApp.Core.Http
{
    /// <summary>
    /// What every request of one session to one host shares, whichever runspace or parallel submission sends it:
    /// a 429's Retry-After holds all of them until then (each retry would otherwise find the same wall), and a
    /// circuit that opens after <see cref="AltinnHttpOptions.CircuitThreshold"/> consecutive 5xx answers or failures
    /// with no answer. While it is open, requests fail at once with <c>Altinn.&lt;Operation&gt;.CircuitOpen</c>, which
    /// says when it tries again; after <see cref="AltinnHttpOptions.CircuitBreakDuration"/> one request goes through
    /// as a probe, and its answer closes or reopens the circuit. It sits inside <see cref="RetryStage"/>, so it sees
    /// every attempt; a request it refuses was never sent, so that refusal is never an unknown outcome.
    /// </summary>
    internal sealed class SessionGate : TransportStage
    {
        private readonly AltinnHttpOptions _options;
        private readonly IAltinnClock _clock;
        private readonly ConcurrentDictionary<string, HostState> _hosts = new ConcurrentDictionary<string, HostState>(StringComparer.OrdinalIgnoreCase);

        public SessionGate(AltinnHttpOptions options, IAltinnClock clock)
        {
            _options = options;
            _clock = clock ?? SystemClock.Instance;
        }

        internal enum Circuit
        {
            Closed,
            Open,
            HalfOpen,
        }

        public override async Task<HttpResponseMessage> SendAsync(AltinnRequest request, AltinnSend next, CancellationToken cancellationToken)
        {
            var host = _hosts.GetOrAdd(request.Uri.GetLeftPart(UriPartial.Authority), _ => new HostState());
            await WaitForBackOffAsync(host, cancellationToken).ConfigureAwait(false);
            var probe = Admit(host, request);

            HttpResponseMessage response;
            try
            {
                response = await next(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                if (cancellationToken.IsCancellationRequested || !RetryStage.IsTransient(ex)) Release(host, probe);
                else Record(host, request, probe, failed: true, RetryStage.Describe(ex));
                throw;
            }

            var status = (int)response.StatusCode;
            if (status == 429) HoldFor(host, request, RetryStage.RetryAfter(response, _clock.UtcNow));
            Record(host, request, probe, failed: status >= 500, $"{status} {response.ReasonPhrase}");
            return response;
        }

        /// <summary>The circuit of a host, for tests and diagnostics.</summary>
        internal Circuit StateOf(Uri uri) =>
            _hosts.TryGetValue(uri.GetLeftPart(UriPartial.Authority), out var host) ? host.State : Circuit.Closed;

        /// <summary>Until when the session holds requests to a host after a 429 (in the past when it does not).</summary>
        internal DateTimeOffset HeldUntil(Uri uri) =>
            _hosts.TryGetValue(uri.GetLeftPart(UriPartial.Authority), out var host) ? host.NotBefore : DateTimeOffset.MinValue;

        private async Task WaitForBackOffAsync(HostState host, CancellationToken cancellationToken)
        {
            while (true)
            {
                DateTimeOffset until;
                lock (host) until = host.NotBefore;
                var wait = until - _clock.UtcNow;
                if (wait <= TimeSpan.Zero) return;
                await _clock.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }

        private void HoldFor(HostState host, AltinnRequest request, TimeSpan? retryAfter)
        {
            // a 429 without Retry-After leaves the wait to the request's own backoff
            if (retryAfter == null || retryAfter.Value <= TimeSpan.Zero) return;
            var wait = retryAfter.Value > _options.MaxRetryDelay ? _options.MaxRetryDelay : retryAfter.Value;
            var until = _clock.UtcNow + wait;
            lock (host)
            {
                if (until <= host.NotBefore) return;
                host.NotBefore = until;
            }

            AltinnLog.Verbose($"{request.Uri.Host} answered 429 Too Many Requests to {request.Operation}: every request of this session to it waits {wait.TotalSeconds:0.#} s, until {until.ToLocalTime():HH:mm:ss}.");
        }

        /// <summary>Lets the request through, or refuses it while the circuit is open; true when it is the half-open probe.</summary>
        private bool Admit(HostState host, AltinnRequest request)
        {
            if (_options.CircuitThreshold <= 0) return false;
            DateTimeOffset retryAt;
            string last;
            int failures;
            lock (host)
            {
                if (host.State == Circuit.Closed) return false;
                if (host.State == Circuit.Open && _clock.UtcNow >= host.OpenUntil)
                {
                    host.State = Circuit.HalfOpen;
                    host.ProbeInFlight = true;
                    return true;
                }

                if (host.State == Circuit.HalfOpen && !host.ProbeInFlight)
                {
                    host.ProbeInFlight = true;
                    return true;
                }

                retryAt = host.OpenUntil;
                last = host.LastFailure;
                failures = host.Failures;
            }

            var when = retryAt > _clock.UtcNow
                ? $"It sends one request again at {retryAt.ToLocalTime():HH:mm:ss} ({(retryAt - _clock.UtcNow).TotalSeconds:0} s from now) to see whether {request.Uri.Host} is back"
                : $"One request is testing right now whether {request.Uri.Host} is back";
            throw new AltinnException(ErrorCatalogue.Id(request.Operation, ErrorReason.CircuitOpen), AltinnErrorKind.ResourceUnavailable,
                $"{request} was not sent: {request.Uri.Host} failed {failures} requests of this session in a row (last: {last}), so the session holds every request to it for {_options.CircuitBreakDuration.TotalSeconds:0} s. {when}. Run the command again after that; with a journal, a rerun is safe.");
        }

        private void Record(HostState host, AltinnRequest request, bool probe, bool failed, string what)
        {
            if (_options.CircuitThreshold <= 0) return;
            string opened = null;
            lock (host)
            {
                if (probe) host.ProbeInFlight = false;
                if (!failed)
                {
                    if (host.State != Circuit.Closed) AltinnLog.Verbose($"{request.Uri.Host} answered again ({what}): the session sends requests to it again.");
                    host.Failures = 0;
                    host.State = Circuit.Closed;
                    return;
                }

                host.Failures++;
                host.LastFailure = what;
                var reopen = host.State == Circuit.HalfOpen && probe;
                if (reopen || (host.State == Circuit.Closed && host.Failures >= _options.CircuitThreshold))
                {
                    host.OpenUntil = _clock.UtcNow + _options.CircuitBreakDuration;
                    // said once when it opens; a probe that fails only moves the time on
                    if (host.State == Circuit.Closed) opened = host.OpenUntil.ToLocalTime().ToString("HH:mm:ss");
                    host.State = Circuit.Open;
                }
            }

            if (opened != null)
            {
                AltinnLog.Warning($"{request.Uri.Host} failed {_options.CircuitThreshold} requests of this session in a row (last: {what} to {request.Operation}). The session sends it nothing more until {opened}, then tries one request; until then requests fail with Altinn.<Operation>.CircuitOpen.");
            }
        }

        // a probe that was cancelled, or failed for a reason that says nothing about the host, lets the next request probe
        private static void Release(HostState host, bool probe)
        {
            if (!probe) return;
            lock (host) host.ProbeInFlight = false;
        }

        private sealed class HostState
        {
            public DateTimeOffset NotBefore = DateTimeOffset.MinValue;
            public Circuit State;
            public int Failures;
            public string LastFailure;
            public DateTimeOffset OpenUntil;
            public bool ProbeInFlight;
        }
    }
}
