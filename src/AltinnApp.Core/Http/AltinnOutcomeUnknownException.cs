using System;
using System.Net.Http;
using System.Threading.Tasks;

namespace AltinnApp.Core.Http
{
    /// <summary>
    /// A create or process/next may have taken effect, but the transport cannot tell (no answer in time, a broken
    /// connection, a 502/504, or a 500 to process/next). The transport does not repeat it; the caller finds out what
    /// exists (the instance made, the process as it stands) and decides. Dispose it to release <see cref="Response"/>.
    /// </summary>
    public sealed class AltinnOutcomeUnknownException : Exception, IDisposable
    {
        internal AltinnOutcomeUnknownException(AltinnRequest request, Exception cause)
            : base($"{request.Operation}: {request} may or may not have taken effect: {RetryStage.Describe(cause)}.", cause)
        {
            Request = request;
        }

        internal AltinnOutcomeUnknownException(AltinnRequest request, HttpResponseMessage response)
            : base($"{request.Operation}: {request} may or may not have taken effect: {(int)response.StatusCode} {response.ReasonPhrase}.")
        {
            Request = request;
            Response = response;
        }

        /// <summary>The operation's name, as in its ErrorIds (<c>NewInstance</c>, <c>ProcessNext</c>).</summary>
        public string Operation => Request.Operation;

        public RequestKind Kind => Request.Kind;

        internal AltinnRequest Request { get; }

        /// <summary>The server's answer, when there was one (the body is read; no connection is held).</summary>
        public HttpResponseMessage Response { get; }

        /// <summary>
        /// The error for a caller that cannot find out or may not try again: the same the transport gives for that
        /// failure to any other request (<c>Altinn.&lt;Op&gt;.Timeout</c>, <c>.ConnectionFailed</c>, or the server's answer).
        /// </summary>
        public async Task<AltinnException> ToErrorAsync(string what, string notFoundHint = null)
        {
            if (Response != null) return await ErrorMapper.ToExceptionAsync(Response, Operation, what, notFoundHint).ConfigureAwait(false);
            return AltinnHttp.TransportError(Request, InnerException) ?? new AltinnException($"Altinn.{Operation}.ConnectionFailed", AltinnErrorKind.ConnectionError, Message, InnerException);
        }

        public void Dispose() => Response?.Dispose();
    }
}
