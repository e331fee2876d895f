using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using AltinnApp.Core.Http;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Api
{
    /// <summary>An instance's process: read it, move it on (never twice for one call), and validate the instance.</summary>
    public sealed class ProcessApi
    {
        private readonly AppApiTransport _transport;

        internal ProcessApi(AppApiTransport transport)
        {
            _transport = transport;
        }

        public async Task<AltinnProcessState> GetProcessAsync(AppIdentifier app, InstanceIdentifier id, CancellationToken cancellationToken)
        {
            var request = new AltinnRequest(HttpMethod.Get, _transport.InstanceUri(app, id, AppRoutes.Process), RequestKind.Read, "GetProcess");
            return await _transport.SendForJsonAsync<AltinnProcessState>(request, $"Reading the process of instance {id}", cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Moves the process on. When the outcome of an attempt is unknown the process is read first: if it has moved
        /// past <paramref name="fromTask"/>, the earlier attempt took effect and is not repeated.
        /// </summary>
        public async Task<AltinnProcessState> ProcessNextAsync(AppIdentifier app, InstanceIdentifier id, string fromTask, string action, string language, CancellationToken cancellationToken)
        {
            var body = action == null ? null : JsonSerializer.Serialize(new Dictionary<string, object> { ["action"] = action }, AltinnJson.Options);
            var request = new AltinnRequest(HttpMethod.Put, _transport.InstanceUri(app, id, AppRoutes.ProcessNext, query: AppApiTransport.LanguageQuery(language)), RequestKind.ProcessNext, "ProcessNext")
            {
                Content = body == null ? (Func<HttpContent>)null : () => new StringContent(body, Encoding.UTF8, "application/json"),
            };
            async Task<AltinnProcessState> MovedOn(CancellationToken ct)
            {
                var state = await GetProcessAsync(app, id, ct).ConfigureAwait(false);
                return state.IsEnded || !string.Equals(state.CurrentTask?.ElementId, fromTask, StringComparison.Ordinal) ? state : null;
            }

            try
            {
                return await _transport.SendCheckingOutcomeAsync(request, $"Moving the process of instance {id} on{(action != null ? " with action '" + action + "'" : string.Empty)}",
                    MovedOn, null, cancellationToken).ConfigureAwait(false);
            }
            catch (AltinnApiException ex) when (ServerErrors.IsInstanceLevelRefusal(ex))
            {
                // process/next reads the instance from Storage before any policy check: a missing instance is Storage's 404 there
                throw ServerErrors.InstanceNotFoundOrForbidden(ex, app.ToString(), id.ToString(), _transport.Session.SystemUserOrganization, KnownOwners.ClientOf(_transport.Session, id.ToString().Split('/')[0]));
            }
        }

        public async Task<IReadOnlyList<AltinnValidationIssue>> ValidateAsync(AppIdentifier app, InstanceIdentifier id, string language, CancellationToken cancellationToken)
        {
            var request = new AltinnRequest(HttpMethod.Get, _transport.InstanceUri(app, id, AppRoutes.Validate, query: AppApiTransport.LanguageQuery(language)), RequestKind.Read, "TestInstance");
            List<AltinnValidationIssue> issues;
            try
            {
                issues = await _transport.SendForJsonAsync<List<AltinnValidationIssue>>(request, $"Validating instance {id}", cancellationToken).ConfigureAwait(false);
            }
            catch (AltinnApiException ex) when (ServerErrors.IsInstanceLevelRefusal(ex) || (ex.StatusCode == 404 && (ex.Body?.Detail ?? string.Empty).Contains("Unable to find instance")))
            {
                throw ServerErrors.InstanceNotFoundOrForbidden(ex, app.ToString(), id.ToString(), _transport.Session.SystemUserOrganization, KnownOwners.ClientOf(_transport.Session, id.ToString().Split('/')[0]));
            }
            foreach (var issue in issues) issue.InstanceId = id.ToString();
            return issues;
        }
    }
}
