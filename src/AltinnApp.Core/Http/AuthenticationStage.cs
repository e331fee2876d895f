using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using AltinnApp.Core.Auth;

namespace AltinnApp.Core.Http
{
    /// <summary>
    /// Puts the session's bearer token on the request; on a 401 renews the token once and repeats once (the token
    /// may have been revoked, or the clocks disagree). A second 401 is the answer.
    /// </summary>
    internal sealed class AuthenticationStage : TransportStage
    {
        private readonly Func<TokenProvider> _tokens;

        /// <param name="tokens">Read per request: the session's token source is made after the transport it uses.</param>
        public AuthenticationStage(Func<TokenProvider> tokens)
        {
            _tokens = tokens;
        }

        public override async Task<HttpResponseMessage> SendAsync(AltinnRequest request, AltinnSend next, CancellationToken cancellationToken)
        {
            if (!request.Authenticate) return await next(request, cancellationToken).ConfigureAwait(false);

            var tokens = _tokens() ?? throw new InvalidOperationException("The session has no token provider.");
            var token = await tokens.GetAsync(cancellationToken).ConfigureAwait(false);
            var warning = tokens.TakeExpiryWarning();
            if (warning != null) AltinnLog.Warning(warning);

            var response = await next(request.WithToken(token), cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.Unauthorized || !tokens.CanRefresh) return response;

            AltinnLog.Verbose($"{request.Operation}: 401 Unauthorized; renewing the Altinn token and repeating the request once.");
            response.Dispose();
            token = await tokens.GetAsync(token, cancellationToken).ConfigureAwait(false);
            return await next(request.WithToken(token), cancellationToken).ConfigureAwait(false);
        }
    }
}
