using System.Collections.Generic;
using System.Diagnostics;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;

namespace AltinnApp.Core.Http
{
    /// <summary>
    /// Logs each message on the wire and its answer: method, address, status, time, header names and body
    /// type and length. Never a header value or a body; everything passes <see cref="Redactor"/> in <see cref="AltinnLog"/>.
    /// </summary>
    internal sealed class LogHandler : DelegatingHandler
    {
        public LogHandler(HttpMessageHandler inner)
            : base(inner)
        {
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage message, CancellationToken cancellationToken)
        {
            // nothing is formatted when nobody listens: these four lines are most of a request's log work
            var verbose = AltinnLog.IsVerboseEnabled;
            var debug = AltinnLog.IsDebugEnabled;
            if (!verbose && !debug) return await base.SendAsync(message, cancellationToken).ConfigureAwait(false);

            var operation = AltinnHttp.RequestOf(message)?.Operation ?? "Request";
            var stopwatch = Stopwatch.StartNew();
            if (verbose) AltinnLog.Verbose($"{message.Method} {message.RequestUri}");
            if (debug) AltinnLog.Debug($"{operation}: sending {message.Method} {message.RequestUri.GetLeftPart(System.UriPartial.Path)} with headers {HeaderNames(message.Headers, message.Content?.Headers)}{Describe(message.Content)}.");
            var response = await base.SendAsync(message, cancellationToken).ConfigureAwait(false);
            if (verbose) AltinnLog.Verbose($"{message.Method} {message.RequestUri.GetLeftPart(System.UriPartial.Path)}: {(int)response.StatusCode} {response.ReasonPhrase} in {stopwatch.ElapsedMilliseconds} ms");
            if (debug) AltinnLog.Debug($"{operation}: answer {(int)response.StatusCode} with headers {HeaderNames(response.Headers, response.Content?.Headers)}{Describe(response.Content)}.");
            return response;
        }

        // names only: header values (Authorization above all) never reach a log
        private static string HeaderNames(HttpHeaders headers, HttpHeaders contentHeaders)
        {
            var names = new List<string>();
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
    }
}
