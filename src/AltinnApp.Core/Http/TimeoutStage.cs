using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace AltinnApp.Core.Http
{
    /// <summary>
    /// Gives each attempt the timeout of its kind (<see cref="AltinnHttpOptions.TimeoutFor"/>) and tells a timeout
    /// (<see cref="AttemptTimeoutException"/>) from the caller's own cancellation. It runs on real time, not the
    /// session's clock: it bounds a wait for the network, which a test clock cannot speed up.
    /// </summary>
    internal sealed class TimeoutStage : TransportStage
    {
        private readonly AltinnHttpOptions _options;

        public TimeoutStage(AltinnHttpOptions options)
        {
            _options = options;
        }

        public override async Task<HttpResponseMessage> SendAsync(AltinnRequest request, AltinnSend next, CancellationToken cancellationToken)
        {
            var timeout = _options.TimeoutFor(request.Kind);
            using (var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeoutSource.CancelAfter(timeout);
                try
                {
                    return await next(request, timeoutSource.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new AttemptTimeoutException(timeout);
                }
            }
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
