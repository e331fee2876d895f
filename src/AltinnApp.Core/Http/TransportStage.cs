using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace AltinnApp.Core.Http
{
    /// <summary>Hands one request on: to the next piece of the transport, or onto the wire.</summary>
    internal delegate Task<HttpResponseMessage> AltinnSend(AltinnRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// One piece of the transport with one job (retry, authentication, timeout), done around the piece after it.
    /// Pieces work on the whole <see cref="AltinnRequest"/>, not on one message, because a repeat needs a fresh
    /// body from the request's content factory. <see cref="AltinnHttp"/> puts them in order.
    /// </summary>
    internal abstract class TransportStage
    {
        public abstract Task<HttpResponseMessage> SendAsync(AltinnRequest request, AltinnSend next, CancellationToken cancellationToken);

        /// <summary>The pieces in order, the first outermost, ending in <paramref name="wire"/>.</summary>
        public static AltinnSend Compose(AltinnSend wire, params TransportStage[] stages)
        {
            var send = wire;
            for (var i = stages.Length - 1; i >= 0; i--)
            {
                var stage = stages[i];
                var next = send;
                send = (request, cancellationToken) => stage.SendAsync(request, next, cancellationToken);
            }

            return send;
        }
    }
}
