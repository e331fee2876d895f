using System;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Polly.Retry;

namespace AltinnApp.Core.Http
{
    /// <summary>
    /// Repeats what is safe to repeat: 429 and 503 always (the app did nothing), 502, 504 and network failures where
    /// the <see cref="RequestKind"/> is idempotent, a refused connection always. Waits per Retry-After, else an
    /// exponential backoff with jitter, on the session's clock. A <see cref="RequestKind.Create"/> or
    /// <see cref="RequestKind.ProcessNext"/> that may have taken effect is never repeated here: it ends in
    /// <see cref="AltinnOutcomeUnknownException"/>, for the caller to find out what happened.
    /// </summary>
    internal sealed class RetryStage : TransportStage
    {
        private static readonly ResiliencePropertyKey<AltinnRequest> RequestKey = new ResiliencePropertyKey<AltinnRequest>("altinn.request");
        private static readonly Random Jitter = new Random();

        private readonly AltinnHttpOptions _options;
        private readonly IAltinnClock _clock;
        private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

        public RetryStage(AltinnHttpOptions options, IAltinnClock clock)
        {
            _options = options;
            _clock = clock ?? SystemClock.Instance;
            _pipeline = BuildPipeline();
        }

        /// <summary>What to do with an outcome.</summary>
        internal enum Verdict
        {
            /// <summary>Final: hand it to the caller.</summary>
            Final,

            /// <summary>Safe to send again.</summary>
            Repeat,

            /// <summary>A create or process/next that may have taken effect.</summary>
            OutcomeUnknown,
        }

        public override async Task<HttpResponseMessage> SendAsync(AltinnRequest request, AltinnSend next, CancellationToken cancellationToken)
        {
            var context = ResilienceContextPool.Shared.Get(cancellationToken);
            context.Properties.Set(RequestKey, request);
            HttpResponseMessage response;
            try
            {
                response = await _pipeline.ExecuteAsync(
                    (ctx, state) => new ValueTask<HttpResponseMessage>(next(state, ctx.CancellationToken)),
                    context,
                    request).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && Judge(request, ex) == Verdict.OutcomeUnknown)
            {
                throw AltinnOutcomeUnknownException.From(request, ex);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }

            if (Judge(request, response) == Verdict.OutcomeUnknown) throw AltinnOutcomeUnknownException.From(request, response);
            return response;
        }

        /// <summary>The wait before repeat number <paramref name="attempt"/>+1: base delay doubled per attempt, ±25 % jitter, capped.</summary>
        public TimeSpan Backoff(int attempt)
        {
            double factor;
            lock (Jitter) factor = 0.75 + (Jitter.NextDouble() * 0.5);
            var ticks = _options.RetryBaseDelay.Ticks * Math.Pow(2, Math.Min(attempt, 30)) * factor;
            return ticks >= _options.MaxRetryDelay.Ticks ? _options.MaxRetryDelay : TimeSpan.FromTicks((long)ticks);
        }

        internal static Verdict Judge(AltinnRequest request, Exception exception)
        {
            if (exception is OperationCanceledException && !(exception is AttemptTimeoutException)) return Verdict.Final;
            if (!IsTransient(exception)) return Verdict.Final;
            if (IsIdempotent(request) || IsConnectionRefused(exception)) return Verdict.Repeat;
            return MayHaveTakenEffect(request) ? Verdict.OutcomeUnknown : Verdict.Final;
        }

        internal static Verdict Judge(AltinnRequest request, HttpResponseMessage response)
        {
            var status = (int)response.StatusCode;
            if (status == 429 || status == 503) return Verdict.Repeat;
            if (status == 502 || status == 504)
            {
                if (IsIdempotent(request)) return Verdict.Repeat;
                return MayHaveTakenEffect(request) ? Verdict.OutcomeUnknown : Verdict.Final;
            }

            // app-lib undoes a process/next whose end-of-task step fails (the PDF: EndTaskEventHandler unlocks the data and
            // the process state is never stored), so after a 500 the caller reads the process before sending it again
            if (status == 500 && request.Kind == RequestKind.ProcessNext) return Verdict.OutcomeUnknown;
            return Verdict.Final;
        }

        internal static bool IsIdempotent(AltinnRequest request)
        {
            switch (request.Kind)
            {
                case RequestKind.Read:
                case RequestKind.Write:
                case RequestKind.Download:
                case RequestKind.Token:
                    return true;
                case RequestKind.Upload:
                    return request.Method != HttpMethod.Post;
                default:
                    return false;
            }
        }

        private static bool MayHaveTakenEffect(AltinnRequest request) => request.Kind == RequestKind.Create || request.Kind == RequestKind.ProcessNext;

        internal static bool IsTransient(Exception exception) =>
            exception is AttemptTimeoutException || exception is HttpRequestException || exception is IOException || exception is SocketException;

        internal static bool IsConnectionRefused(Exception exception)
        {
            for (var e = exception; e != null; e = e.InnerException)
            {
                if (e is SocketException socket && socket.SocketErrorCode == SocketError.ConnectionRefused) return true;
            }

            return false;
        }

        /// <summary>How long Retry-After asks to wait, a date read against <paramref name="now"/>; null when it says nothing.</summary>
        internal static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
        {
            var header = response?.Headers.RetryAfter;
            if (header == null) return null;
            if (header.Delta.HasValue) return header.Delta.Value;
            if (header.Date.HasValue) return header.Date.Value - now;
            return null;
        }

        private TimeSpan WaitBefore(int attempt, HttpResponseMessage response)
        {
            var retryAfter = RetryAfter(response, _clock.UtcNow);
            if (retryAfter == null) return Backoff(attempt);
            if (retryAfter.Value < TimeSpan.Zero) return TimeSpan.Zero;
            return retryAfter.Value > _options.MaxRetryDelay ? _options.MaxRetryDelay : retryAfter.Value;
        }

        private ResiliencePipeline<HttpResponseMessage> BuildPipeline()
        {
            if (_options.MaxRetries <= 0) return ResiliencePipeline<HttpResponseMessage>.Empty;
            var retry = new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = _options.MaxRetries,
                ShouldHandle = args => new ValueTask<bool>(ShouldRepeat(args.Context, args.Outcome)),
                // Polly decides and counts; the wait happens in OnRetry, on the session's clock
                DelayGenerator = _ => new ValueTask<TimeSpan?>(TimeSpan.Zero),
                OnRetry = async args =>
                {
                    args.Context.Properties.TryGetValue(RequestKey, out var request);
                    var wait = WaitBefore(args.AttemptNumber, args.Outcome.Result);
                    var reason = args.Outcome.Exception != null
                        ? Describe(args.Outcome.Exception)
                        : $"{(int)args.Outcome.Result.StatusCode} {args.Outcome.Result.ReasonPhrase}";
                    AltinnLog.Verbose($"Retry {args.AttemptNumber + 1} of {_options.MaxRetries} for {request}: {reason}; waiting {wait.TotalSeconds:0.0} s.");
                    args.Outcome.Result?.Dispose();
                    await _clock.Delay(wait, args.Context.CancellationToken).ConfigureAwait(false);
                },
            };
            return new ResiliencePipelineBuilder<HttpResponseMessage>().AddRetry(retry).Build();
        }

        private static bool ShouldRepeat(ResilienceContext context, Outcome<HttpResponseMessage> outcome)
        {
            if (!context.Properties.TryGetValue(RequestKey, out var request)) return false;
            if (context.CancellationToken.IsCancellationRequested) return false;
            var verdict = outcome.Exception != null ? Judge(request, outcome.Exception) : Judge(request, outcome.Result);
            return verdict == Verdict.Repeat;
        }

        internal static string Describe(Exception exception)
        {
            for (var e = exception; e != null; e = e.InnerException)
            {
                if (e is SocketException socket) return $"{socket.SocketErrorCode} ({socket.Message})";
            }

            if (exception is AttemptTimeoutException timeout) return $"no answer within {timeout.Timeout.TotalSeconds:0} s";
            return exception.InnerException?.Message ?? exception.Message;
        }
    }
}
