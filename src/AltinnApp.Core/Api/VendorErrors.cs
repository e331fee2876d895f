using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using AltinnApp.Core.Http;
using AltinnApp.Core.Models;

namespace AltinnApp.Core.Api
{
    /// <summary>
    /// Reads the authentication API's refusals: ProblemDetails with an error code (<c>code</c>, AUTH-000NN from
    /// altinn-authentication src/Core/Problems/Problem.cs) and, for a refused system, <c>validationErrors</c>
    /// (AUTH.VLD-000NN from src/Core/Errors/ValidationErrors.cs, each with the paths it is about).
    /// </summary>
    internal static class VendorErrors
    {
        // Problem.cs, by the number of its descriptor
        private static readonly Dictionary<string, (string Reason, string Hint)> Problems = new Dictionary<string, (string, string)>
        {
            ["AUTH-00000"] = (ErrorReason.CustomerNotFound, "Altinn's register has no organisation with that number: check the customer's organisation number (a test environment knows only its test organisations)."),
            ["AUTH-00001"] = (ErrorReason.RightsRefused, "Ask only for rights and access packages the system is registered with (Get-AltinnSystem shows them; Set-AltinnSystem adds more)."),
            ["AUTH-00004"] = (ErrorReason.SystemUserExists, "The customer already has a system user of this system with this external reference: use it (Get-AltinnSystemUser lists them), or give another -ExternalRef for a second one."),
            ["AUTH-00006"] = (ErrorReason.RequestExists, "The customer has already accepted a request with this external reference: the system user exists (Get-AltinnSystemUser lists it)."),
            ["AUTH-00007"] = (ErrorReason.RequestExists, "A request with this external reference is still waiting for the customer: read it with Get-AltinnSystemUserRequest -ExternalRef and send the customer its confirmUrl."),
            ["AUTH-00008"] = (ErrorReason.RequestExists, "A request with this external reference was denied: give another -ExternalRef to ask again."),
            ["AUTH-00009"] = (ErrorReason.RequestExists, "The customer rejected a request with this external reference: give another -ExternalRef to ask again."),
            ["AUTH-00010"] = (ErrorReason.RequestNotFound, "Check the request id (New-AltinnSystemUserRequest returns it), and give -Agent for an agent request."),
            ["AUTH-00011"] = (ErrorReason.SystemNotFound, "Check -SystemId: it must be a system of this vendor in Altinn's system register (Get-AltinnSystem lists them; Register-AltinnSystem adds one)."),
            ["AUTH-00021"] = (ErrorReason.InvalidRedirectUrl, "Give one of the system's allowed redirect URLs (Get-AltinnSystem shows them; Set-AltinnSystem -AllowedRedirectUrl adds one), or leave -RedirectUrl out."),
            ["AUTH-00023"] = (ErrorReason.Unauthorized, "Altinn found no vendor organisation in the token: connect with Connect-Altinn -Vendor, whose Maskinporten token carries it."),
            ["AUTH-00025"] = (ErrorReason.RequestNotFound, "That id is a standard request: leave -Agent out."),
            ["AUTH-00026"] = (ErrorReason.InvalidRedirectUrl, "The system has no allowed redirect URLs: add one with Set-AltinnSystem -AllowedRedirectUrl, or leave -RedirectUrl out."),
            ["AUTH-00030"] = (ErrorReason.RequestNotFound, "Check the request id; leave -Agent out for a standard request."),
        };

        public static AltinnApiException From(int status, string reasonPhrase, string text, string mediaType, string operation, string what, string notFoundHint, string scope)
        {
            var body = ErrorMapper.ParseBody(text, mediaType);
            string code = null, detail = null;
            var validation = new List<string>();
            try
            {
                using (var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "null" : text))
                {
                    var root = doc.RootElement;
                    if (root.ValueKind == JsonValueKind.Object)
                    {
                        code = String(root, "code");
                        detail = String(root, "detail") ?? String(root, "title");
                        if (root.TryGetProperty("validationErrors", out var errors) && errors.ValueKind == JsonValueKind.Array)
                        {
                            foreach (var e in errors.EnumerateArray())
                            {
                                var paths = e.TryGetProperty("paths", out var p) && p.ValueKind == JsonValueKind.Array
                                    ? string.Join(", ", p.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()))
                                    : null;
                                validation.Add($"{String(e, "code")}: {String(e, "detail")}{(string.IsNullOrEmpty(paths) ? string.Empty : " (" + paths + ")")}");
                            }
                        }
                    }
                    else if (root.ValueKind == JsonValueKind.String)
                    {
                        // NotFound("…") and BadRequest("…") send a bare JSON string
                        detail = root.GetString();
                    }
                }
            }
            catch (JsonException)
            {
                detail = string.IsNullOrWhiteSpace(text) ? null : Redactor.Redact(text.Length > 300 ? text.Substring(0, 300) : text);
            }

            string reason, hint;
            if (code != null && Problems.TryGetValue(code, out var known))
            {
                (reason, hint) = known;
            }
            else if (validation.Count > 0)
            {
                reason = ErrorReason.SystemRefused;
                hint = "Correct what each line names and send it again: a system id is the vendor's organisation number, '_' and a name without spaces; rights are resource ids Altinn's resource register knows; redirect URLs are https://; a client id may belong to one system only.";
            }
            else if (status == 403)
            {
                reason = ErrorReason.Forbidden;
                hint = $"Altinn answers 403 when the token lacks the scope {scope}, or when the system belongs to another vendor than the token's organisation: check the Maskinporten client's scopes and -SystemId.";
            }
            else if (status == 404 && notFoundHint != null)
            {
                reason = ErrorReason.NotFound;
                hint = notFoundHint;
            }
            else
            {
                reason = ErrorMapper.ReasonFor(status);
                hint = status == 401
                    ? "Altinn refused the vendor token: connect again with Connect-Altinn -Vendor."
                    : status >= 500 ? "Altinn's authentication API is failing: try again later." : null;
            }

            var message = new StringBuilder();
            message.Append($"{what} failed: {status}{(string.IsNullOrEmpty(reasonPhrase) ? string.Empty : " " + reasonPhrase)}");
            if (!string.IsNullOrEmpty(detail)) message.Append(" – ").Append(Redactor.Redact(detail).TrimEnd('.'));
            if (code != null) message.Append($" ({code})");
            message.Append('.');
            if (hint != null) message.Append(' ').Append(hint);
            foreach (var line in validation) message.Append(System.Environment.NewLine).Append("  ").Append(Redactor.Redact(line));

            return new AltinnApiException(ErrorCatalogue.Id(operation, reason), ErrorMapper.KindFor(status), message.ToString(), status, body)
            {
                RecommendedAction = hint,
            };
        }

        private static string String(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    }
}
