using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using AltinnApp.Core.Http;
using AltinnApp.Core.Models;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Api
{
    /// <summary>The app itself: its metadata (read once per session) and the parties the caller may represent in it.</summary>
    public sealed class ApplicationApi
    {
        private readonly AppApiTransport _transport;

        internal ApplicationApi(AppApiTransport transport)
        {
            _transport = transport;
        }

        /// <summary>
        /// The app's metadata, read once per session. The read runs on the token of the caller that starts it; when that
        /// caller gives up, the read is not kept and the others waiting for it read again on their own token.
        /// </summary>
        public Task<AltinnApplication> GetApplicationAsync(AppIdentifier app, CancellationToken cancellationToken) =>
            _transport.Session.GetApplicationCachedAsync(app.ToString(), ct => LoadApplicationAsync(app, ct), cancellationToken);

        private async Task<AltinnApplication> LoadApplicationAsync(AppIdentifier app, CancellationToken cancellationToken)
        {
            // metadata is anonymous in Altinn, but a token does no harm and keeps one code path
            var request = new AltinnRequest(HttpMethod.Get, _transport.AppUri(app, AppRoutes.ApplicationMetadata), RequestKind.Read, "GetApplication");
            var application = await _transport.SendForJsonAsync<AltinnApplication>(request, $"Reading the metadata of app {app}",
                $"Check the app id '{app}' and the environment: the app may not be deployed there.", cancellationToken).ConfigureAwait(false);
            return _transport.Bind(application);
        }

        /// <summary>
        /// The app's metadata with every task of its process (<c>GET api/v1/meta/process</c>, anonymous like the metadata,
        /// the app's BPMN as text/xml), each read once per session.
        /// </summary>
        public async Task<AltinnApplication> DescribeApplicationAsync(AppIdentifier app, CancellationToken cancellationToken)
        {
            var application = await GetApplicationAsync(app, cancellationToken).ConfigureAwait(false);
            application.ProcessTasks = await _transport.Session.GetProcessCachedAsync(app.ToString(), () => LoadProcessAsync(app, cancellationToken)).ConfigureAwait(false);
            return application;
        }

        private async Task<IReadOnlyList<AltinnAppTask>> LoadProcessAsync(AppIdentifier app, CancellationToken cancellationToken)
        {
            var request = new AltinnRequest(HttpMethod.Get, _transport.AppUri(app, AppRoutes.ProcessDefinition), RequestKind.Read, "GetApplication");
            string text;
            using (var response = await _transport.Http.SendAsync(request, cancellationToken).ConfigureAwait(false))
            {
                if (!response.IsSuccessStatusCode) throw await ErrorMapper.ToExceptionAsync(response, request.Operation, $"Reading the process of app {app}").ConfigureAwait(false);
                text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            }

            try
            {
                return ProcessDefinition.Parse(text);
            }
            catch (System.FormatException ex)
            {
                throw new AltinnException(ErrorCatalogue.Id("GetApplication", ErrorReason.BadResponse), AltinnErrorKind.ProtocolError,
                    $"The process of app {app} (api/v1/meta/process) is not a BPMN process the module can read: {ex.Message}. The app's config/process/process.bpmn needs fixing by its owner.");
            }
        }

        /// <summary>Storage's list of an owner's apps (altinn-storage <c>ApplicationsController.GetMany</c>, anonymous), on the platform host.</summary>
        public const string StorageApplicationsRoute = "storage/api/v1/applications/{org}";

        /// <summary>
        /// The ids (<c>org/app</c>) of the apps Altinn lists for an owner (<c>GET storage/api/v1/applications/{org}</c>); for
        /// tab completion, so the caller bounds the wait with its token.
        /// </summary>
        public async Task<IReadOnlyList<string>> ListApplicationIdsAsync(string org, CancellationToken cancellationToken)
        {
            if (string.IsNullOrEmpty(org) || org.IndexOf('-') >= 0 || org.IndexOf(' ') >= 0 || org.IndexOf('/') >= 0)
                return new string[0]; // storage answers 400 for such an owner id: nothing to ask
            var uri = new System.Uri(AltinnApp.Core.Session.UriRules.WithTrailingSlash(_transport.Session.Environment.PlatformUri) + StorageApplicationsRoute.Replace("{org}", System.Uri.EscapeDataString(org)));
            var request = new AltinnRequest(HttpMethod.Get, uri, RequestKind.Read, "ListApplications");
            using (var document = await _transport.SendForDocumentAsync(request, $"Listing the apps of {org}", cancellationToken).ConfigureAwait(false))
            {
                var ids = new List<string>();
                if (document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                    && document.RootElement.TryGetProperty("applications", out var list) && list.ValueKind == System.Text.Json.JsonValueKind.Array)
                {
                    foreach (var item in list.EnumerateArray())
                    {
                        if (item.ValueKind == System.Text.Json.JsonValueKind.Object && item.TryGetProperty("id", out var id) && id.ValueKind == System.Text.Json.JsonValueKind.String)
                            ids.Add(id.GetString());
                    }
                }

                return ids;
            }
        }

        /// <summary>
        /// The parties the caller may represent (<c>GET api/v1/parties</c>). For a system user Altinn lists one: its own
        /// organisation, with the party id a create for it will carry, so a journaled create can look for an instance
        /// it may have made before it has ever seen one.
        /// </summary>
        public Task<IReadOnlyList<AltinnParty>> GetPartiesAsync(AppIdentifier app, CancellationToken cancellationToken) =>
            GetPartiesAsync(app, false, cancellationToken);

        /// <summary>
        /// The parties as above; with <paramref name="allowedToInstantiate"/> Altinn's <c>allowedToInstantiateFilter=true</c>,
        /// which narrows a person user's list to the parties that may start the app. A system user's list (its own
        /// organisation) is the same either way: an agent system user's clients are not in it (app-lib <c>PartiesController.Get</c>).
        /// </summary>
        public async Task<IReadOnlyList<AltinnParty>> GetPartiesAsync(AppIdentifier app, bool allowedToInstantiate, CancellationToken cancellationToken)
        {
            var uri = _transport.AppUri(app, AppRoutes.Parties, query: allowedToInstantiate ? "allowedToInstantiateFilter=true" : null);
            var request = new AltinnRequest(HttpMethod.Get, uri, RequestKind.Read, "GetParties")
            {
                // the controller has no [Produces] and the app has XML formatters too: ask for JSON
                Configure = message => message.Headers.Accept.ParseAdd("application/json"),
            };
            var list = await _transport.SendForJsonAsync<List<AltinnParty>>(request, $"Listing the parties the system user may represent in {app}",
                $"Check the app id '{app}' and the environment: the app may not be deployed there.", cancellationToken).ConfigureAwait(false);
            return list ?? new List<AltinnParty>();
        }

        /// <summary>
        /// A form data type's model schema (<c>api/jsonschema/{dataType}</c>), read once a session. The app answers 500 for a
        /// type it has no schema for. A read the caller gave up is not kept.
        /// </summary>
        public Task<FormSchema> GetFormSchemaAsync(AppIdentifier app, string dataType, CancellationToken cancellationToken) =>
            _transport.Session.GetSchemaCachedAsync(app.ToString(), dataType, async () =>
            {
                var request = new AltinnRequest(HttpMethod.Get, _transport.AppUri(app, AppRoutes.JsonSchema, new Dictionary<string, string> { ["id"] = dataType }), RequestKind.Read, "GetSchema");
                using (var response = await _transport.Http.SendAsync(request, cancellationToken).ConfigureAwait(false))
                {
                    if (!response.IsSuccessStatusCode) throw await ErrorMapper.ToExceptionAsync(response, request.Operation, $"Reading the schema of {dataType} in app {app}").ConfigureAwait(false);
                    var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    try
                    {
                        return FormSchema.Parse(text, dataType);
                    }
                    catch (System.Text.Json.JsonException ex)
                    {
                        throw new AltinnException(ErrorCatalogue.Id("GetSchema", ErrorReason.BadResponse), AltinnErrorKind.ProtocolError, $"The schema of {dataType} in app {app} is not a JSON schema the module can read: {ex.Message}");
                    }
                }
            });

        /// <summary>The task a data type belongs to (its <c>taskId</c>), from the metadata this session read; null when unknown.</summary>
        internal async Task<string> OwnerTaskAsync(AppIdentifier app, string dataType, CancellationToken cancellationToken)
        {
            if (string.IsNullOrEmpty(dataType)) return null;
            try
            {
                var application = await GetApplicationAsync(app, cancellationToken).ConfigureAwait(false);
                var taskId = application.FindDataType(dataType)?.TaskId;
                return string.IsNullOrEmpty(taskId) ? null : taskId;
            }
            catch (AltinnException)
            {
                return null; // the message then speaks of "the task it belongs to"
            }
        }
    }
}
