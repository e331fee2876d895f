using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using AltinnApp.Core.Http;
using AltinnApp.Core.Models;
using AltinnApp.Core.Validation;
using AltinnApp.Core.Session;

namespace AltinnApp.Core.Api
{
    /// <summary>
    /// What the app API classes share: the app's URLs, sending a request and reading its JSON answer, the check
    /// before a create or process/next is repeated, binding results to the session, and building request bodies.
    /// </summary>
    internal sealed class AppApiTransport
    {
        public AppApiTransport(AltinnSession session)
        {
            Session = session;
        }

        public AltinnSession Session { get; }

        public AltinnHttp Http => Session.Http;

        // ---- addresses ----

        public Uri AppUri(AppIdentifier app, string route, IDictionary<string, string> values = null, string query = null)
        {
            var path = route;
            if (values != null)
            {
                foreach (var pair in values) path = path.Replace("{" + pair.Key + "}", Uri.EscapeDataString(pair.Value));
            }

            var baseUri = Session.Environment.AppBaseUri.Replace("{org}", app.Org);
            var uri = UriRules.WithTrailingSlash(baseUri) + app.Org + "/" + app.App + "/" + path;
            if (!string.IsNullOrEmpty(query)) uri += "?" + query;
            return new Uri(uri);
        }

        public Uri InstanceUri(AppIdentifier app, InstanceIdentifier id, string route, IDictionary<string, string> more = null, string query = null)
        {
            var values = new Dictionary<string, string>
            {
                ["instanceOwnerPartyId"] = id.PartyId.ToString(CultureInfo.InvariantCulture),
                ["instanceGuid"] = id.InstanceGuid.ToString("D"),
            };
            if (more != null) foreach (var pair in more) values[pair.Key] = pair.Value;
            return AppUri(app, route, values, query);
        }

        public static string LanguageQuery(string language) => string.IsNullOrEmpty(language) ? null : "language=" + Uri.EscapeDataString(language);

        // ---- sending ----

        public T Bind<T>(T value)
            where T : ISessionBound
        {
            value?.Bind(Session);
            return value;
        }

        public Task<T> SendForJsonAsync<T>(AltinnRequest request, string what, CancellationToken cancellationToken) =>
            SendForJsonAsync<T>(request, what, null, cancellationToken);

        public async Task<T> SendForJsonAsync<T>(AltinnRequest request, string what, string notFoundHint, CancellationToken cancellationToken)
        {
            RefuseVendorSession(request);
            using (var response = await Http.SendAsync(request, cancellationToken).ConfigureAwait(false))
            {
                if (!response.IsSuccessStatusCode)
                {
                    throw await ErrorMapper.ToExceptionAsync(response, request.Operation, what, notFoundHint).ConfigureAwait(false);
                }

                using (var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false))
                {
                    try
                    {
                        return await JsonSerializer.DeserializeAsync<T>(stream, AltinnJson.Options, cancellationToken).ConfigureAwait(false);
                    }
                    catch (JsonException ex)
                    {
                        throw new AltinnException(ErrorCatalogue.Id(request.Operation, ErrorReason.BadResponse), AltinnErrorKind.ProtocolError,
                            $"{what}: the answer from {request.Uri.GetLeftPart(UriPartial.Authority)} is not the JSON Altinn sends ({ex.Message}). Check the environment's addresses.");
                    }
                }
            }
        }

        /// <summary>
        /// Sends a create or process/next. When the transport cannot tell whether it took effect, waits as before a
        /// repeat and asks <paramref name="tookEffect"/>: what it finds is the answer. Only when it finds nothing is
        /// the request sent again (at most the session's retry count); after that the failure is the error.
        /// </summary>
        public async Task<T> SendCheckingOutcomeAsync<T>(AltinnRequest request, string what, Func<CancellationToken, Task<T>> tookEffect, string notFoundHint,
            CancellationToken cancellationToken)
            where T : class
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    return await SendForJsonAsync<T>(request, what, notFoundHint, cancellationToken).ConfigureAwait(false);
                }
                catch (AltinnOutcomeUnknownException unknown)
                {
                    using (unknown)
                    {
                        AltinnLog.Verbose($"{request.Operation}: {request} may have taken effect ({unknown.ErrorId}); checking what Altinn holds before anything is repeated.");
                        await Http.WaitBeforeRepeatAsync(attempt, cancellationToken).ConfigureAwait(false);
                        var existing = await tookEffect(cancellationToken).ConfigureAwait(false);
                        if (existing != null)
                        {
                            AltinnLog.Verbose($"{request.Operation}: the earlier attempt took effect; not repeating it.");
                            return existing;
                        }

                        if (attempt >= Http.Options.MaxRetries) throw await unknown.ToErrorAsync(what, notFoundHint).ConfigureAwait(false);
                        AltinnLog.Verbose($"{request.Operation}: the earlier attempt did not take effect; sending it again ({attempt + 1} of {Http.Options.MaxRetries}).");
                    }
                }
            }
        }

        public async Task<JsonDocument> SendForDocumentAsync(AltinnRequest request, string what, CancellationToken cancellationToken)
        {
            RefuseVendorSession(request);
            using (var response = await Http.SendAsync(request, cancellationToken).ConfigureAwait(false))
            {
                if (!response.IsSuccessStatusCode) throw await ErrorMapper.ToExceptionAsync(response, request.Operation, what).ConfigureAwait(false);
                using (var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false))
                {
                    return await JsonDocument.ParseAsync(stream, default, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        /// <summary>
        /// A vendor session carries the vendor's own Maskinporten token, which no app takes (Altinn would answer 401 and
        /// leave the user checking a system user that is fine): it is refused before anything is sent.
        /// </summary>
        private void RefuseVendorSession(AltinnRequest request)
        {
            if (!Session.IsVendor) return;
            throw new AltinnException(ErrorCatalogue.Id(request.Operation, ErrorReason.VendorSession), AltinnErrorKind.InvalidOperation,
                $"This session was connected with -Vendor ({Session.VendorOrganization ?? "the vendor"}): a vendor session registers systems and asks for system users, and files nothing, so nothing was sent. " +
                "To work with an app, connect as the system user: Connect-Altinn -SystemUserOrganization <customer> -SystemUserExternalRef <ref> (the same -ClientId and key), and pass that session.");
        }

        // ---- request bodies ----

        public static string ToUtc(DateTime value) =>
            (value.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(value, DateTimeKind.Local) : value).ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

        public static HttpContent FileContent(FileUpload file, IProgress<long> progress)
        {
            var stream = new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
            var content = new ProgressStreamContent(stream, progress);
            // Parse, not the constructor: a stated content type may carry parameters (text/plain; charset=utf-8)
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(file.ContentType);
            content.Headers.ContentLength = file.Length;
            return content;
        }

        /// <summary><c>attachment; filename="a b.pdf"; filename*=UTF-8''a%20b.pdf</c>: quoted, with RFC 5987 for non-ASCII (reference §10).</summary>
        public static ContentDispositionHeaderValue AttachmentDisposition(string fileName)
        {
            var value = new ContentDispositionHeaderValue("attachment") { FileName = QuoteAscii(fileName) };
            value.Parameters.Add(new NameValueHeaderValue("filename*", "UTF-8''" + Rfc5987(fileName)));
            return value;
        }

        public static ContentDispositionHeaderValue FormDataDisposition(string name, string fileName)
        {
            var value = new ContentDispositionHeaderValue("form-data") { Name = "\"" + name + "\"", FileName = QuoteAscii(fileName) };
            value.Parameters.Add(new NameValueHeaderValue("filename*", "UTF-8''" + Rfc5987(fileName)));
            return value;
        }

        private static string QuoteAscii(string fileName)
        {
            var sb = new StringBuilder("\"");
            foreach (var c in fileName)
            {
                if (c == '"' || c == '\\') sb.Append('_');
                else if (c < 32 || c > 126) sb.Append('_');
                else sb.Append(c);
            }

            return sb.Append('"').ToString();
        }

        public static string Rfc5987(string value)
        {
            var sb = new StringBuilder();
            foreach (var b in Encoding.UTF8.GetBytes(value))
            {
                var c = (char)b;
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$&+-.^_`|~".IndexOf(c) >= 0) sb.Append(c);
                else sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }

            return sb.ToString();
        }
    }
}
