using System;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using AltinnApp.Core.Auth;

namespace AltinnApp.Core.Http
{
    /// <summary>
    /// The one way the engine talks HTTP. It puts the transport's pieces in order, each with one job:
    /// <see cref="RetryStage"/> (repeats only what is safe; a create or process/next that may have taken effect
    /// becomes <see cref="AltinnOutcomeUnknownException"/>) → <see cref="SessionGate"/> (a 429's wait and the circuit,
    /// shared by the whole session) → <see cref="AuthenticationStage"/> (bearer token,
    /// renewed once on 401) → <see cref="TimeoutStage"/> (per kind) → the wire: a fresh message per attempt,
    /// through <see cref="LogHandler"/> (redacted log) to the network.
    /// </summary>
    public sealed class AltinnHttp : IDisposable
    {
        private const string RequestProperty = "AltinnApp.Request";

        private readonly HttpClient _client;
        private readonly RetryStage _retry;
        private readonly AltinnSend _send;
        private long _requestCount;

        public AltinnHttp(HttpMessageHandler handler, AltinnHttpOptions options, bool disposeHandler = true, IAltinnClock clock = null)
        {
            Options = options ?? new AltinnHttpOptions();
            Clock = clock ?? SystemClock.Instance;
            _client = new HttpClient(new LogHandler(handler), disposeHandler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
            // no Expect: 100-continue (.NET Framework's default for a POST with a body): a round trip and a wait for nothing
            _client.DefaultRequestHeaders.ExpectContinue = false;
            _client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("AltinnApp", typeof(AltinnHttp).Assembly.GetName().Version.ToString(3)));
            _retry = new RetryStage(Options, Clock);
            Gate = new SessionGate(Options, Clock);
            _send = TransportStage.Compose(SendOnWireAsync, _retry, Gate, new AuthenticationStage(() => Tokens), new TimeoutStage(Options));
        }

        public AltinnHttpOptions Options { get; }

        /// <summary>The back-off after a 429 and the circuit, shared by every request of the session.</summary>
        internal SessionGate Gate { get; }

        /// <summary>The session's clock: token expiry, backoff and Retry-After, and the waits built on this transport.</summary>
        public IAltinnClock Clock { get; }

        /// <summary>Set once the session's token source exists (the token source itself uses this pipeline unauthenticated).</summary>
        public TokenProvider Tokens { get; set; }

        public long RequestCount => Interlocked.Read(ref _requestCount);

        /// <summary>
        /// Sends the request and returns the final response, whatever its status: the caller maps a failure
        /// status to an error. Throws <see cref="AltinnException"/> when no response could be had, and
        /// <see cref="AltinnOutcomeUnknownException"/> when a create or process/next may have taken effect.
        /// </summary>
        public async Task<HttpResponseMessage> SendAsync(AltinnRequest request, CancellationToken cancellationToken)
        {
            try
            {
                return await _send(request, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (TransportError(request, ex) is AltinnException error)
            {
                throw error;
            }
        }

        /// <summary>The wait before repeating attempt <paramref name="attempt"/> (0 for the first) of what the caller checked was safe to repeat.</summary>
        internal Task WaitBeforeRepeatAsync(int attempt, CancellationToken cancellationToken) => Clock.Delay(_retry.Backoff(attempt), cancellationToken);

        /// <summary>The error for a failure with no answer, or null when it is not one.</summary>
        internal static AltinnException TransportError(AltinnRequest request, Exception exception)
        {
            switch (exception)
            {
                case AttemptTimeoutException timeout:
                    return new AltinnException(ErrorCatalogue.Id(request.Operation, ErrorReason.Timeout), AltinnErrorKind.OperationTimeout,
                        $"{request.Method} {request.Uri.GetLeftPart(UriPartial.Path)} did not answer within {timeout.Timeout.TotalSeconds:0} s. Altinn may be slow or unreachable; try again later, or raise the timeout with Connect-Altinn {AltinnHttpOptions.TimeoutParameterFor(request.Kind)}.");
                case HttpRequestException http:
                    return new AltinnException(ErrorCatalogue.Id(request.Operation, ErrorReason.ConnectionFailed), AltinnErrorKind.ConnectionError,
                        $"Could not reach {request.Uri.GetLeftPart(UriPartial.Authority)} for {request.Operation}: {RetryStage.Describe(http)}. Check the network, the proxy (-Proxy) and the environment's addresses.", http);
                case IOException io:
                    return new AltinnException(ErrorCatalogue.Id(request.Operation, ErrorReason.ConnectionFailed), AltinnErrorKind.ConnectionError,
                        $"The connection to {request.Uri.GetLeftPart(UriPartial.Authority)} broke during {request.Operation}: {io.Message}", io);
                default:
                    return null;
            }
        }

        /// <summary>The request a message on the wire was made for (read by <see cref="LogHandler"/>).</summary>
        internal static AltinnRequest RequestOf(HttpRequestMessage message) =>
            message.Properties.TryGetValue(RequestProperty, out var value) ? value as AltinnRequest : null;

        // the end of the pieces: one fresh message per attempt, so a repeat never resends a consumed body
        private async Task<HttpResponseMessage> SendOnWireAsync(AltinnRequest request, CancellationToken cancellationToken)
        {
            var message = new HttpRequestMessage(request.Method, request.Uri);
            message.Properties[RequestProperty] = request;
            if (request.Content != null) message.Content = request.Content();
            if (request.Token != null) message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", request.Token.Value);
            request.Configure?.Invoke(message);

            Interlocked.Increment(ref _requestCount);
            HttpResponseMessage response = null;
            try
            {
                if (request.Completion == HttpCompletionOption.ResponseHeadersRead) return await _client.SendAsync(message, request.Completion, cancellationToken).ConfigureAwait(false);

                // headers first, then the body here, inside the attempt's time: an error or token answer only up to its cap
                response = await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                if ((int)response.StatusCode >= 400 || request.Kind == RequestKind.Token) await BoundedBody.LoadAsync(response, cancellationToken).ConfigureAwait(false);
                else if (response.Content != null) await BufferAsync(response, cancellationToken).ConfigureAwait(false);
                var done = response;
                response = null;
                return done;
            }
            finally
            {
                response?.Dispose();
                if (request.Completion == HttpCompletionOption.ResponseContentRead) message.Content?.Dispose();
            }
        }

        // LoadIntoBufferAsync takes no token in netstandard2.0 (and .NET Framework's stream ignores one): closing the
        // answer is what ends a stalled read when the attempt's time is up or the caller stops
        private static async Task BufferAsync(HttpResponseMessage response, CancellationToken cancellationToken)
        {
            // 0 loading, 1 loaded, 2 closed by the stop: an answer whose body has arrived is never closed behind the caller's
            // back (it would fail later as a disposed object rather than as the stop it is)
            var state = 0;
            try
            {
                using (cancellationToken.Register(() =>
                {
                    if (Interlocked.CompareExchange(ref state, 2, 0) == 0) response.Dispose();
                }))
                {
                    await response.Content.LoadIntoBufferAsync().ConfigureAwait(false);
                }

                if (Interlocked.CompareExchange(ref state, 1, 0) == 2) throw new OperationCanceledException(cancellationToken);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }

        public void Dispose() => _client.Dispose();
    }
}
