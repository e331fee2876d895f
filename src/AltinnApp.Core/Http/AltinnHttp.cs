using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using AltinnApp.Core.Auth;
using Polly;
using Polly.Retry;

namespace AltinnApp.Core.Http
{
    /// <summary>
    /// The one way the engine talks HTTP: bearer token (renewed once on 401) → retry (Polly: 429/5xx,
    /// Retry-After, backoff with jitter, only where repeating is safe) → per-kind timeout → redacted log.
    /// </summary>
    public sealed class AltinnHttp : IDisposable
    {
        private static readonly ResiliencePropertyKey<AltinnRequest> RequestKey = new ResiliencePropertyKey<AltinnRequest>("altinn.request");
        private static readonly ResiliencePropertyKey<bool> ReconcileKey = new ResiliencePropertyKey<bool>("altinn.reconcile");

        private readonly HttpClient _client;
        private readonly bool _ownsClient;
        private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
        private long _requestCount;

        public AltinnHttp(HttpMessageHandler handler, AltinnHttpOptions options, bool disposeHandler = true)
        {
            Options = options ?? new AltinnHttpOptions();
            _client = new HttpClient(handler, disposeHandler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
            _client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("AltinnApp", typeof(AltinnHttp).Assembly.GetName().Version.ToString(3)));
            _ownsClient = true;
            _pipeline = BuildPipeline(Options);
        }

        public AltinnHttpOptions Options { get; }

        /// <summary>Set once the session's token source exists (the token source itself uses this pipeline unauthenticated).</summary>
        public TokenProvider Tokens { get; set; }

        public long RequestCount => Interlocked.Read(ref _requestCount);

        /// <summary>
        /// Sends the request and returns the final response, whatever its status: the caller maps a failure
        /// status to an error. Throws <see cref="AltinnException"/> when no response could be had.
        /// </summary>
        public async Task<HttpResponseMessage> SendAsync(AltinnRequest request, CancellationToken cancellationToken)
        {
            var context = ResilienceContextPool.Shared.Get(cancellationToken);
            context.Properties.Set(RequestKey, request);
            try
            {
                return await _pipeline.ExecuteAsync(
                    async (ctx, state) =>
                    {
                        if (ctx.Properties.TryGetValue(ReconcileKey, out var reconcile) && reconcile && state.Reconcile != null)
                        {
                            ctx.Properties.Set(ReconcileKey, false);
                            var existing = await state.Reconcile(ctx.CancellationToken).ConfigureAwait(false);
                            if (existing != null)
                            {
                                AltinnLog.Verbose($"{state.Operation}: the earlier attempt took effect; not repeating it.");
                                return existing;
                            }
                        }

                        return await SendAuthenticatedAsync(state, ctx.CancellationToken).ConfigureAwait(false);
                    },
                    context,
                    request).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (AttemptTimeoutException ex)
            {
                throw new AltinnException(ErrorCatalogue.Id(request.Operation, ErrorReason.Timeout), AltinnErrorKind.OperationTimeout,
                    $"{request.Method} {request.Uri.GetLeftPart(UriPartial.Path)} did not answer within {ex.Timeout.TotalSeconds:0} s. Altinn may be slow or unreachable; try again later, or raise the timeout with Connect-Altinn {AltinnHttpOptions.TimeoutParameterFor(request.Kind)}.");
            }
            catch (HttpRequestException ex)
            {
                throw new AltinnException(ErrorCatalogue.Id(request.Operation, ErrorReason.ConnectionFailed), AltinnErrorKind.ConnectionError,
                    $"Could not reach {request.Uri.GetLeftPart(UriPartial.Authority)} for {request.Operation}: {Describe(ex)}. Check the network, the proxy (-Proxy) and the environment's addresses.", ex);
            }
            catch (IOException ex)
            {
                throw new AltinnException(ErrorCatalogue.Id(request.Operation, ErrorReason.ConnectionFailed), AltinnErrorKind.ConnectionError,
                    $"The connection to {request.Uri.GetLeftPart(UriPartial.Authority)} broke during {request.Operation}: {ex.Message}", ex);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }

        private async Task<HttpResponseMessage> SendAuthenticatedAsync(AltinnRequest request, CancellationToken cancellationToken)
        {
            AccessToken token = null;
            if (request.Authenticate)
            {
                if (Tokens == null) throw new InvalidOperationException("The session has no token provider.");
                token = await Tokens.GetAsync(cancellationToken).ConfigureAwait(false);
                var warning = Tokens.TakeExpiryWarning();
                if (warning != null) AltinnLog.Warning(warning);
            }

            var response = await SendOnceAsync(request, token, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized && token != null && Tokens.CanRefresh)
            {
                // the token may have been revoked or the clocks disagree: renew once and repeat once
                AltinnLog.Verbose($"{request.Operation}: 401 Unauthorized; renewing the Altinn token and repeating the request once.");
                response.Dispose();
                token = await Tokens.GetAsync(cancellationToken, rejected: token).ConfigureAwait(false);
                response = await SendOnceAsync(request, token, cancellationToken).ConfigureAwait(false);
            }

            return response;
        }

        private async Task<HttpResponseMessage> SendOnceAsync(AltinnRequest request, AccessToken token, CancellationToken cancellationToken)
        {
            var message = new HttpRequestMessage(request.Method, request.Uri);
            if (request.Content != null) message.Content = request.Content();
            if (token != null) message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
            request.Configure?.Invoke(message);

            var timeout = Options.TimeoutFor(request.Kind);
            var stopwatch = Stopwatch.StartNew();
            Interlocked.Increment(ref _requestCount);
            AltinnLog.Verbose($"{request.Method} {request.Uri}");
            AltinnLog.Debug($"{request.Operation}: sending {request.Method} {request.Uri.GetLeftPart(UriPartial.Path)} with headers {HeaderNames(message)}{Describe(message.Content)}; timeout {timeout.TotalSeconds:0} s.");
            using (var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeoutSource.CancelAfter(timeout);
                try
                {
                    var response = await _client.SendAsync(message, request.Completion, timeoutSource.Token).ConfigureAwait(false);
                    AltinnLog.Verbose($"{request.Method} {request.Uri.GetLeftPart(UriPartial.Path)}: {(int)response.StatusCode} {response.ReasonPhrase} in {stopwatch.ElapsedMilliseconds} ms");
                    AltinnLog.Debug($"{request.Operation}: answer {(int)response.StatusCode} with headers {HeaderNames(response)}{Describe(response.Content)}.");
                    return response;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new AttemptTimeoutException(timeout);
                }
                finally
                {
                    if (request.Completion == HttpCompletionOption.ResponseContentRead) message.Content?.Dispose();
                }
            }
        }

        private static ResiliencePipeline<HttpResponseMessage> BuildPipeline(AltinnHttpOptions options)
        {
            var retry = new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Math.Max(1, options.MaxRetries),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.MaxRetryDelay,
                ShouldHandle = args => new ValueTask<bool>(ShouldRetry(args.Context, args.Outcome)),
                DelayGenerator = args =>
                {
                    var retryAfter = RetryAfter(args.Outcome.Result);
                    if (retryAfter == null) return new ValueTask<TimeSpan?>((TimeSpan?)null);
                    var capped = retryAfter.Value > options.MaxRetryDelay ? options.MaxRetryDelay : retryAfter.Value;
                    return new ValueTask<TimeSpan?>(capped < TimeSpan.Zero ? TimeSpan.Zero : capped);
                },
                OnRetry = args =>
                {
                    args.Context.Properties.TryGetValue(RequestKey, out var request);
                    var reason = args.Outcome.Exception != null
                        ? Describe(args.Outcome.Exception)
                        : $"{(int)args.Outcome.Result.StatusCode} {args.Outcome.Result.ReasonPhrase}";
                    AltinnLog.Verbose($"Retry {args.AttemptNumber + 1} of {options.MaxRetries} for {request}: {reason}; waiting {args.RetryDelay.TotalSeconds:0.0} s.");
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            };
            if (options.MaxRetries <= 0) return new ResiliencePipelineBuilder<HttpResponseMessage>().Build();
            return new ResiliencePipelineBuilder<HttpResponseMessage>().AddRetry(retry).Build();
        }

        /// <summary>
        /// Whether an outcome may be repeated. Safe calls repeat on 429/502/503/504 and network failures. A call
        /// that creates something repeats only where it certainly did not take effect (connection refused, 429,
        /// 503), or after <see cref="AltinnRequest.Reconcile"/> has checked what exists; process/next also on 500.
        /// </summary>
        internal static bool ShouldRetry(ResilienceContext context, Outcome<HttpResponseMessage> outcome)
        {
            if (!context.Properties.TryGetValue(RequestKey, out var request)) return false;
            if (context.CancellationToken.IsCancellationRequested) return false;

            var idempotent = IsIdempotent(request);
            if (outcome.Exception != null)
            {
                if (outcome.Exception is OperationCanceledException && !(outcome.Exception is AttemptTimeoutException)) return false;
                if (!IsTransient(outcome.Exception)) return false;
                if (idempotent || IsConnectionRefused(outcome.Exception)) return true;
                return MarkReconcile(context, request);
            }

            var status = (int)outcome.Result.StatusCode;
            if (status == 429 || status == 503) return true;
            if (status == 502 || status == 504) return idempotent || MarkReconcile(context, request);
            // app-lib undoes a process/next whose end-of-task step fails (the PDF: EndTaskEventHandler unlocks the data and
            // the process state is never stored), so a 500 repeats once Reconcile has seen the process where it was
            if (status == 500 && request.Kind == RequestKind.ProcessNext) return MarkReconcile(context, request);
            return false;
        }

        private static bool MarkReconcile(ResilienceContext context, AltinnRequest request)
        {
            if (request.Reconcile == null) return false;
            context.Properties.Set(ReconcileKey, true);
            return true;
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

        internal static TimeSpan? RetryAfter(HttpResponseMessage response)
        {
            var header = response?.Headers.RetryAfter;
            if (header == null) return null;
            if (header.Delta.HasValue) return header.Delta.Value;
            if (header.Date.HasValue) return header.Date.Value - DateTimeOffset.UtcNow;
            return null;
        }

        // names only: header values (Authorization above all) never reach a log
        private static string HeaderNames(HttpRequestMessage message) => Names(message.Headers, message.Content?.Headers);

        private static string HeaderNames(HttpResponseMessage message) => Names(message.Headers, message.Content?.Headers);

        private static string Names(HttpHeaders headers, HttpHeaders contentHeaders)
        {
            var names = new System.Collections.Generic.List<string>();
            foreach (var header in headers) names.Add(header.Key);
            if (contentHeaders != null) foreach (var header in contentHeaders) names.Add(header.Key);
            return names.Count == 0 ? "(none)" : string.Join(", ", names);
        }

        private static string Describe(HttpContent content)
        {
            if (content == null) return string.Empty;
            var type = content.Headers.ContentType?.MediaType ?? "no content type";
            var length = content.Headers.ContentLength;
            return length.HasValue ? $"; body {type}, {length.Value} bytes" : $"; body {type}";
        }

        private static string Describe(Exception exception)
        {
            for (var e = exception; e != null; e = e.InnerException)
            {
                if (e is SocketException socket) return $"{socket.SocketErrorCode} ({socket.Message})";
            }

            if (exception is AttemptTimeoutException timeout) return $"no answer within {timeout.Timeout.TotalSeconds:0} s";
            return exception.InnerException?.Message ?? exception.Message;
        }

        public void Dispose()
        {
            if (_ownsClient) _client.Dispose();
        }
    }

    /// <summary>One attempt ran out of time (as opposed to the user pressing Ctrl+C).</summary>
    public sealed class AttemptTimeoutException : TimeoutException
    {
        public AttemptTimeoutException(TimeSpan timeout)
            : base($"No answer within {timeout.TotalSeconds:0} s.")
        {
            Timeout = timeout;
        }

        public TimeSpan Timeout { get; }
    }
}
