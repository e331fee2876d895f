using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
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
    /// every attempt; a request it refuses was never sent, so that refusal is never an unknown outcome. After a 429 it
    /// also paces the session's requests to the host (<see cref="WaitForSlotAsync"/>).
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
            await WaitForSlotAsync(host, request, cancellationToken).ConfigureAwait(false);
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
            else Accepted(host);
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

        /// <summary>
        /// After a 429 the session sends to the host at a steady pace a little under what the host took in the second
        /// before it, rather than running into the limit again at full speed once the wait is over. Each probe above the
        /// limit costs the whole session a Retry-After, so the pace does not creep up: it ends <see cref="PaceEnd"/> after
        /// the last 429, and a limit that was lifted is then found at full speed.
        /// </summary>
        private async Task WaitForSlotAsync(HostState host, AltinnRequest request, CancellationToken cancellationToken)
        {
            TimeSpan wait;
            lock (host)
            {
                if (host.Rate <= 0) return;
                var now = _clock.UtcNow;
                if (now - host.Last429 >= PaceEnd)
                {
                    // long enough without a 429: the pace learnt then says little about now
                    host.Rate = 0;
                    return;
                }

                var slot = host.NextSlot > now ? host.NextSlot : now;
                host.NextSlot = slot + TimeSpan.FromTicks((long)(TimeSpan.TicksPerSecond / host.Rate));
                wait = slot - now;
            }

            if (wait > TimeSpan.Zero) await _clock.Delay(wait, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>How long after the last 429 the pace ends altogether.</summary>
        internal static readonly TimeSpan PaceEnd = TimeSpan.FromSeconds(30);

        /// <summary>The pace after a 429: 95 % of what the host took in the last second.</summary>
        internal const double PaceShare = 0.95;

        private void Accepted(HostState host)
        {
            var now = _clock.UtcNow;
            lock (host)
            {
                host.Answered.Enqueue(now);
                Trim(host, now);
            }
        }

        private static void Trim(HostState host, DateTimeOffset now)
        {
            while (host.Answered.Count > 0 && now - host.Answered.Peek() >= TimeSpan.FromSeconds(1)) host.Answered.Dequeue();
        }

        /// <summary>The pace requests to a host are held to (per second; 0 when none), for tests and diagnostics.</summary>
        internal double PaceOf(Uri uri) =>
            _hosts.TryGetValue(uri.GetLeftPart(UriPartial.Authority), out var host) ? host.Rate : 0;

        private void HoldFor(HostState host, AltinnRequest request, TimeSpan? retryAfter)
        {
            var now = _clock.UtcNow;
            double pace;
            lock (host)
            {
                Trim(host, now);
                var previous = host.Last429;
                host.Last429 = now;
                pace = 0;
                // a lone 429 costs its Retry-After and no more. A second within PaceEnd says the host limits the rate: the
                // session then goes at a little under what the host took in the second before it, and keeps that pace
                // (a later 429 does not lower it: a host that refuses now and then, whatever the rate, would otherwise
                // wear a batch down to a crawl) until PaceEnd passes without one
                if (host.Rate <= 0 && now - previous < PaceEnd)
                {
                    pace = host.Answered.Count * PaceShare;
                    if (pace >= 1) host.Rate = pace;
                }
            }

            // a 429 without Retry-After leaves the wait to the request's own backoff
            if (retryAfter == null || retryAfter.Value <= TimeSpan.Zero) return;
            var wait = retryAfter.Value > _options.MaxRetryDelay ? _options.MaxRetryDelay : retryAfter.Value;
            var until = now + wait;
            lock (host)
            {
                if (until <= host.NotBefore) return;
                host.NotBefore = until;
            }

            AltinnLog.Verbose($"{request.Uri.Host} answered 429 Too Many Requests to {request.Operation}: every request of this session to it waits {wait.TotalSeconds:0.#} s, until {until.ToLocalTime():HH:mm:ss}{(pace >= 1 ? $", then goes at most {pace:0.#} a second" : string.Empty)}.");
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

            // the pace after a 429: requests a second (0: none), and the next free moment
            public double Rate;
            public DateTimeOffset NextSlot;
            public DateTimeOffset Last429;

            // when the host answered other than 429, over the last second
            public readonly Queue<DateTimeOffset> Answered = new Queue<DateTimeOffset>();
        }
    }
}
