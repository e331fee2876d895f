using System;
using System.IO;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace AltinnApp.Core.Http
{
    /// <summary>
    /// Error answers and token answers are read into memory whole, and nobody needs more than their first part:
    /// they are read up to <see cref="Limit"/> and cut there, so a broken or hostile server cannot make the module
    /// hold gigabytes. <see cref="WasCut"/> tells the error message to say so.
    /// </summary>
    internal static class BoundedBody
    {
        /// <summary>1 MiB: far beyond any ProblemDetails or token answer.</summary>
        public const int Limit = 1024 * 1024;

        private static readonly ConditionalWeakTable<HttpResponseMessage, object> Cut = new ConditionalWeakTable<HttpResponseMessage, object>();

        /// <summary>Whether the answer's body was longer than <see cref="Limit"/> and was cut there.</summary>
        public static bool WasCut(HttpResponseMessage response) => response != null && Cut.TryGetValue(response, out _);

        /// <summary>Replaces the answer's body with its first <paramref name="limit"/> bytes, read within the request's time.</summary>
        public static async Task LoadAsync(HttpResponseMessage response, CancellationToken cancellationToken, int limit = Limit)
        {
            var content = response.Content;
            if (content == null) return;
            var declared = content.Headers.ContentLength;
            var buffer = new MemoryStream(declared.HasValue && declared.Value <= limit ? (int)declared.Value : 16 * 1024);
            bool cut;
            try
            {
                cut = await ReadAsync(content, buffer, limit, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }

            var bytes = new ByteArrayContent(buffer.GetBuffer(), 0, (int)Math.Min(buffer.Length, limit));
            foreach (var header in content.Headers)
            {
                if (!string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase)) bytes.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            response.Content = bytes;
            content.Dispose();
            if (cut) Cut.Add(response, null);
        }

        // .NET Framework's stream ignores the token: closing it is what ends a stalled read
        private static async Task<bool> ReadAsync(HttpContent content, MemoryStream buffer, int limit, CancellationToken cancellationToken)
        {
            using (var stream = await content.ReadAsStreamAsync().ConfigureAwait(false))
            using (cancellationToken.Register(stream.Dispose))
            {
                var chunk = new byte[16 * 1024];
                while (true)
                {
                    var room = (int)Math.Min(chunk.Length, limit + 1L - buffer.Length);
                    var read = await stream.ReadAsync(chunk, 0, room, cancellationToken).ConfigureAwait(false);
                    if (read == 0) break;
                    buffer.Write(chunk, 0, read);
                    if (buffer.Length > limit) break;
                }

                return buffer.Length > limit;
            }
        }
    }
}
