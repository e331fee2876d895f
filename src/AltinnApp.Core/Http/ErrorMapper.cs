using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using AltinnApp.Core.Models;

namespace AltinnApp.Core.Http
{
    /// <summary>Turns a failed answer into an <see cref="AltinnApiException"/> with the server's own words.</summary>
    public static class ErrorMapper
    {
        private const int MaxBodyChars = 4000;

        /// <param name="notFoundHint">What to check when the thing was not found (404, or 403, which Altinn also answers for what does not exist).</param>
        public static async Task<AltinnApiException> ToExceptionAsync(HttpResponseMessage response, string operation, string what, string notFoundHint = null)
        {
            string text = null;
            try
            {
                if (response.Content != null) text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // a body that cannot be read is an empty body for the error's purpose
            }

            var body = ParseBody(text, response.Content?.Headers.ContentType?.MediaType);
            var status = (int)response.StatusCode;
            var kind = KindFor(status);
            var reason = ReasonFor(status);
            var words = string.IsNullOrEmpty(response.ReasonPhrase) ? null : response.ReasonPhrase;
            var serverSays = ServerWords(body, words);
            var message = $"{what} failed: {status}{(words == null ? string.Empty : " " + words)}{(string.IsNullOrEmpty(serverSays) ? string.Empty : " – " + serverSays)}";
            var hint = HintFor(status);
            // the caller's hint names what it looked for; it replaces the general one for 404, and adds to 403's
            if (notFoundHint != null && status == 404) hint = notFoundHint;
            else if (notFoundHint != null && status == 403) hint = hint.TrimEnd('.') + ". " + notFoundHint;
            message = message.TrimEnd('.', ' ');
            if (hint != null) message += ". " + hint.TrimEnd('.');
            message += ".";
            if (BoundedBody.WasCut(response)) message += $" (The answer's body was longer than {BoundedBody.Limit / (1024 * 1024)} MiB; only its first MiB was read.)";
            message += FieldList(body.ValidationErrors);
            return new AltinnApiException(ErrorCatalogue.Id(operation, reason), kind, message, status, body)
            {
                ValidationIssues = body.ValidationIssues,
                RecommendedAction = notFoundHint != null && (status == 404 || status == 403) ? notFoundHint : null,
            };
        }

        /// <summary>
        /// What the server said beyond the status: a bare ProblemDetails' title is the status's own words ("Not Found"),
        /// which the message already gives, so it is left out rather than said twice.
        /// </summary>
        internal static string ServerWords(ErrorBody body, string statusWords)
        {
            bool SameAsStatus(string text) =>
                text != null && statusWords != null && string.Equals(text.Trim().TrimEnd('.'), statusWords.Trim().TrimEnd('.'), StringComparison.OrdinalIgnoreCase);

            if (body.Kind == ErrorBodyKind.ProblemDetails)
            {
                var title = SameAsStatus(body.Title) ? null : body.Title;
                var detail = SameAsStatus(body.Detail) ? null : body.Detail;
                if (!string.IsNullOrEmpty(title) && !string.IsNullOrEmpty(detail) && title != detail) return $"{title}: {detail}";
                return string.IsNullOrEmpty(detail) ? title : detail;
            }

            var summary = body.Summary;
            return SameAsStatus(summary) ? null : summary;
        }

        /// <summary>JSON object (ProblemDetails, maybe with validation issues), JSON string, JSON array, text, or empty.</summary>
        public static ErrorBody ParseBody(string text, string mediaType)
        {
            var body = new ErrorBody { Kind = ErrorBodyKind.Empty };
            if (string.IsNullOrWhiteSpace(text)) return body;
            var trimmed = text.Trim();
            if (trimmed.Length > MaxBodyChars) trimmed = trimmed.Substring(0, MaxBodyChars) + "…";
            body.Text = ServerText.Redacted(trimmed);
            body.Kind = ErrorBodyKind.Text;

            if (trimmed.StartsWith("{", StringComparison.Ordinal) || trimmed.StartsWith("[", StringComparison.Ordinal) || trimmed.StartsWith("\"", StringComparison.Ordinal))
            {
                try
                {
                    using (var doc = JsonDocument.Parse(text))
                    {
                        var root = doc.RootElement;
                        switch (root.ValueKind)
                        {
                            case JsonValueKind.String:
                                body.Kind = ErrorBodyKind.JsonString;
                                body.Text = ServerText.Redacted(root.GetString());
                                break;
                            case JsonValueKind.Array:
                                body.Kind = ErrorBodyKind.JsonArray;
                                body.ValidationIssues = ReadIssues(root);
                                break;
                            case JsonValueKind.Object:
                                body.Kind = root.TryGetProperty("title", out _) || root.TryGetProperty("status", out _) || root.TryGetProperty("detail", out _)
                                    ? ErrorBodyKind.ProblemDetails
                                    : ErrorBodyKind.JsonObject;
                                body.Title = ServerText.Redacted(GetString(root, "title"));
                                body.Detail = ServerText.Redacted(GetString(root, "detail"));
                                if (root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Number) body.Status = s.GetInt32();
                                // ASP.NET Core's ProblemDetails factory adds the request's trace id: what Altinn support asks for
                                body.TraceId = ServerText.Redacted(GetString(root, "traceId"));
                                foreach (var name in new[] { "validationIssues", "uploadValidationIssues" })
                                {
                                    if (root.TryGetProperty(name, out var issues) && issues.ValueKind == JsonValueKind.Array)
                                    {
                                        body.ValidationIssues.AddRange(ReadIssues(issues));
                                    }
                                }

                                if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
                                {
                                    body.ValidationErrors = ReadErrors(errors);
                                }

                                if (body.Kind == ErrorBodyKind.JsonObject && root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
                                {
                                    body.Text = ServerText.Redacted(m.GetString());
                                }

                                break;
                        }
                    }
                }
                catch (JsonException)
                {
                    // not JSON after all: keep it as text
                }
            }

            return body;
        }

        /// <summary>The fields of a ValidationProblemDetails, one line each, for the end of an error message.</summary>
        internal static string FieldList(IReadOnlyDictionary<string, IReadOnlyList<string>> errors)
        {
            if (errors == null || errors.Count == 0) return string.Empty;
            var text = new StringBuilder();
            foreach (var field in errors)
            {
                var name = field.Key.Length == 0 ? "(request body)" : field.Key;
                text.Append(Environment.NewLine).Append("  - ").Append(name).Append(": ").Append(string.Join(" ", field.Value));
            }

            text.Append(Environment.NewLine).Append("The error's Exception.ValidationErrors holds these messages by field.");
            return text.ToString();
        }

        /// <summary>The <c>errors</c> map of a ValidationProblemDetails: field to messages (a lone string is taken as one message).</summary>
        private static IReadOnlyDictionary<string, IReadOnlyList<string>> ReadErrors(JsonElement errors)
        {
            // nothing is ever removed, so the dictionary enumerates in the server's order
            var map = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var property in errors.EnumerateObject())
            {
                var messages = new List<string>();
                if (property.Value.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in property.Value.EnumerateArray())
                    {
                        if (item.ValueKind == JsonValueKind.String) messages.Add(ServerText.Redacted(item.GetString()));
                    }
                }
                else if (property.Value.ValueKind == JsonValueKind.String)
                {
                    messages.Add(ServerText.Redacted(property.Value.GetString()));
                }

                map[ServerText.Redacted(property.Name)] = messages;
            }

            return new ReadOnlyDictionary<string, IReadOnlyList<string>>(map);
        }

        private static List<AltinnValidationIssue> ReadIssues(JsonElement array)
        {
            var list = new List<AltinnValidationIssue>();
            foreach (var item in array.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object) continue;
                try
                {
                    var issue = JsonSerializer.Deserialize<AltinnValidationIssue>(item.GetRawText(), AltinnJson.Options);
                    issue.Description = ServerText.Redacted(issue.Description);
                    list.Add(issue);
                }
                catch (JsonException)
                {
                    // an entry we cannot read is skipped; the status and title still say what happened
                }
            }

            return list;
        }

        private static string GetString(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        public static AltinnErrorKind KindFor(int status)
        {
            switch (status)
            {
                case 400: return AltinnErrorKind.InvalidData;
                case 401: return AltinnErrorKind.Authentication;
                case 403: return AltinnErrorKind.PermissionDenied;
                case 404: return AltinnErrorKind.ObjectNotFound;
                case 409: return AltinnErrorKind.Conflict;
                case 413: return AltinnErrorKind.InvalidData;
                case 415: return AltinnErrorKind.InvalidData;
                case 429:
                case 502:
                case 503:
                case 504: return AltinnErrorKind.ResourceUnavailable;
                default: return status >= 500 ? AltinnErrorKind.ProtocolError : AltinnErrorKind.InvalidOperation;
            }
        }

        public static string ReasonFor(int status)
        {
            switch (status)
            {
                case 400: return ErrorReason.BadRequest;
                case 401: return ErrorReason.Unauthorized;
                case 403: return ErrorReason.Forbidden;
                case 404: return ErrorReason.NotFound;
                case 409: return ErrorReason.Conflict;
                case 413: return ErrorReason.TooLarge;
                case 415: return ErrorReason.UnsupportedContentType;
                case 429: return ErrorReason.TooManyRequests;
                case 503: return ErrorReason.ServiceUnavailable;
                default: return status >= 500 ? ErrorReason.ServerError : "Http" + status; // the catalogue's ErrorReason.HttpStatus
            }
        }

        private static string HintFor(int status)
        {
            switch (status)
            {
                case 404: return "Check the app id, the instance or data element id, and the environment: it does not exist there";
                case 401: return "Altinn refused the access token even after renewing it: check that the system user is set up for this client and the scopes altinn:instances.read and altinn:instances.write";
                case 403: return "The system user is not allowed to do this for this party or app: check the rights delegated to the system user in Altinn";
                case 429:
                case 503: return "Altinn is busy; the request was repeated and still failed. Try again later, or raise -MaximumRetryCount on Connect-Altinn";
                default: return null;
            }
        }
    }
}
