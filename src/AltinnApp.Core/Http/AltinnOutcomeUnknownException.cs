using System;
using System.Net.Http;
using System.Threading.Tasks;

namespace AltinnApp.Core.Http
{
    /// <summary>
    /// A create or process/next may have taken effect, but the transport cannot tell (no answer in time, a broken
    /// connection, a 502/504, or a 500 to process/next). The transport does not repeat it; the caller finds out what
    /// exists (the instance made, the process as it stands) and decides. Its ErrorId, kind and message are those
    /// the transport gives the same failure of any other request, so a caller that does not look still reports it
    /// as before. Dispose it to release <see cref="Response"/>.
    /// </summary>
    public sealed class AltinnOutcomeUnknownException : AltinnException, IDisposable
    {
        private readonly AltinnException _failure;

        private AltinnOutcomeUnknownException(AltinnRequest request, AltinnException failure, HttpResponseMessage response, Exception cause)
            : base(failure.ErrorId, failure.Kind, failure.Message, cause)
        {
            Request = request;
            Response = response;
            _failure = failure;
        }

        /// <summary>The operation's name, as in its ErrorIds (<c>NewInstance</c>, <c>ProcessNext</c>).</summary>
        public string Operation => Request.Operation;

        internal AltinnRequest Request { get; }

        /// <summary>The server's answer, when there was one (its body is read; no connection is held).</summary>
        public HttpResponseMessage Response { get; }

        internal static AltinnOutcomeUnknownException From(AltinnRequest request, Exception cause) =>
            new AltinnOutcomeUnknownException(request,
                AltinnHttp.TransportError(request, cause) ?? new AltinnException(ErrorCatalogue.Id(request.Operation, ErrorReason.ConnectionFailed), AltinnErrorKind.ConnectionError,
                    $"The connection to {request.Uri.GetLeftPart(UriPartial.Authority)} broke during {request.Operation}: {RetryStage.Describe(cause)}", cause),
                null, cause);

        internal static AltinnOutcomeUnknownException From(AltinnRequest request, HttpResponseMessage response)
        {
            var status = (int)response.StatusCode;
            var failure = new AltinnException(ErrorCatalogue.Id(request.Operation, ErrorMapper.ReasonFor(status)), ErrorMapper.KindFor(status),
                $"{request} was answered {status} {response.ReasonPhrase}, so it is unknown whether it took effect.");
            return new AltinnOutcomeUnknownException(request, failure, response, null);
        }

        /// <summary>
        /// The error for a caller that looked and found nothing, and may not try again: the server's answer in its
        /// own words (as <see cref="ErrorMapper"/> gives any failed answer), or the transport's error for the failure.
        /// </summary>
        public async Task<AltinnException> ToErrorAsync(string what, string notFoundHint = null)
        {
            if (Response != null) return await ErrorMapper.ToExceptionAsync(Response, Operation, what, notFoundHint).ConfigureAwait(false);
            return new AltinnException(_failure.ErrorId, _failure.Kind, _failure.Message, InnerException);
        }

        public void Dispose() => Response?.Dispose();
    }
}
