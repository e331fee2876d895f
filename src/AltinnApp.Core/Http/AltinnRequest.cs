using System;
using System.Net.Http;

namespace AltinnApp.Core.Http
{
    /// <summary>What kind of call it is: decides the timeout and whether it may be repeated.</summary>
    public enum RequestKind
    {
        /// <summary>GET: safe to repeat.</summary>
        Read,

        /// <summary>PUT or DELETE: a full replace or a removal, safe to repeat.</summary>
        Write,

        /// <summary>
        /// POST that creates something: repeated by the transport only where it certainly did not take effect; when
        /// it may have, the transport throws <see cref="AltinnOutcomeUnknownException"/> and the caller looks.
        /// </summary>
        Create,

        /// <summary>PUT process/next: may run for long (PDF); like <see cref="Create"/>, never repeated blindly when its outcome is unknown.</summary>
        ProcessNext,

        /// <summary>A file upload: long timeout.</summary>
        Upload,

        /// <summary>A file download: long timeout.</summary>
        Download,

        /// <summary>Maskinporten or the exchange: no side effects, safe to repeat with a new grant.</summary>
        Token,
    }

    /// <summary>
    /// One logical request. The content is a factory so that every attempt (retry, renewal after 401)
    /// sends a fresh body.
    /// </summary>
    public sealed class AltinnRequest
    {
        public AltinnRequest(HttpMethod method, Uri uri, RequestKind kind, string operation)
        {
            Method = method;
            Uri = uri;
            Kind = kind;
            Operation = operation;
        }

        public HttpMethod Method { get; }

        public Uri Uri { get; }

        public RequestKind Kind { get; }

        /// <summary>Short name of the operation (ErrorId part and log text), e.g. <c>ProcessNext</c>.</summary>
        public string Operation { get; }

        public Func<HttpContent> Content { get; set; }

        /// <summary>Headers beyond authentication (Accept, Content-Disposition on content is set by the factory).</summary>
        public Action<HttpRequestMessage> Configure { get; set; }

        public bool Authenticate { get; set; } = true;

        /// <summary>Return as soon as headers arrive (downloads stream the body).</summary>
        public HttpCompletionOption Completion { get; set; } = HttpCompletionOption.ResponseContentRead;

        /// <summary>The bearer token of one attempt; set by the transport's authentication, never by callers.</summary>
        internal Auth.AccessToken Token { get; private set; }

        /// <summary>The same request carrying <paramref name="token"/> (renewal after a 401 sends a copy with the new one).</summary>
        internal AltinnRequest WithToken(Auth.AccessToken token)
        {
            var copy = (AltinnRequest)MemberwiseClone();
            copy.Token = token;
            return copy;
        }

        public override string ToString() => $"{Method} {Uri.GetLeftPart(UriPartial.Path)}";
    }
}
