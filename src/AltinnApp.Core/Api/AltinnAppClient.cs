using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
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
    /// <summary>
    /// One method per app API operation (reference §4), typed models in and out. It builds every URL and
    /// reads every body; it never writes to a PowerShell stream.
    /// </summary>
    public sealed class AltinnAppClient
    {
        private readonly AltinnSession _session;

        internal AltinnAppClient(AltinnSession session)
        {
            _session = session;
        }

        // a session exported with its instance (ConvertTo-Json) shows this, not the type's name
        public override string ToString() => $"app API of {_session.Environment?.AppBaseUri}";

        private AltinnHttp Http => _session.Http;

        public Uri AppUri(AppIdentifier app, string route, IDictionary<string, string> values = null, string query = null)
        {
            var path = route;
            if (values != null)
            {
                foreach (var pair in values) path = path.Replace("{" + pair.Key + "}", Uri.EscapeDataString(pair.Value));
            }

            var baseUri = _session.Environment.AppBaseUri.Replace("{org}", app.Org);
            var uri = UriRules.WithTrailingSlash(baseUri) + app.Org + "/" + app.App + "/" + path;
            if (!string.IsNullOrEmpty(query)) uri += "?" + query;
            return new Uri(uri);
        }

        private Uri InstanceUri(AppIdentifier app, InstanceIdentifier id, string route, IDictionary<string, string> more = null, string query = null)
        {
            var values = new Dictionary<string, string>
            {
                ["instanceOwnerPartyId"] = id.PartyId.ToString(CultureInfo.InvariantCulture),
                ["instanceGuid"] = id.InstanceGuid.ToString("D"),
            };
            if (more != null) foreach (var pair in more) values[pair.Key] = pair.Value;
            return AppUri(app, route, values, query);
        }

        private static string LanguageQuery(string language) => string.IsNullOrEmpty(language) ? null : "language=" + Uri.EscapeDataString(language);

        // ---- application ----

        public Task<AltinnApplication> GetApplicationAsync(AppIdentifier app, CancellationToken cancellationToken) =>
            _session.GetApplicationCachedAsync(app.ToString(), async () =>
            {
                // metadata is anonymous in Altinn, but a token does no harm and keeps one code path
                var request = new AltinnRequest(HttpMethod.Get, AppUri(app, AppRoutes.ApplicationMetadata), RequestKind.Read, "GetApplication");
                var application = await SendForJsonAsync<AltinnApplication>(request, $"Reading the metadata of app {app}", CancellationToken.None, notFoundHint: $"Check the app id '{app}' and the environment: the app may not be deployed there.").ConfigureAwait(false);
                return Bind(application);
            });

        // ---- instances ----

        public async Task<AltinnInstance> CreateInstanceAsync(AppIdentifier app, InstanceOwnerSpec owner, DateTime? dueBefore, DateTime? visibleAfter,
            IDictionary<string, string> prefill, string language, CancellationToken cancellationToken, Func<ISet<string>> claimedElsewhere = null)
        {
            // prefill values are text on the wire (InstansiationInstance.Prefill is Dictionary<string, string>): PrefillValues makes them
            var body = new Dictionary<string, object> { ["instanceOwner"] = owner.ToJson() };
            if (dueBefore.HasValue) body["dueBefore"] = ToUtc(dueBefore.Value);
            if (visibleAfter.HasValue) body["visibleAfter"] = ToUtc(visibleAfter.Value);
            if (prefill != null && prefill.Count > 0) body["prefill"] = prefill;
            var json = JsonSerializer.Serialize(body, AltinnJson.Options);

            var request = new AltinnRequest(HttpMethod.Post, AppUri(app, AppRoutes.CreateSimple, query: LanguageQuery(language)), RequestKind.Create, "NewInstance")
            {
                Content = () => new StringContent(json, Encoding.UTF8, "application/json"),
            };
            return await CreateAsync(request, app, owner, claimedElsewhere, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Sends a create; when its outcome is unknown the reconciler looks for the instance it made before anything
        /// is repeated, so one call makes at most one instance.
        /// </summary>
        private async Task<AltinnInstance> CreateAsync(AltinnRequest request, AppIdentifier app, InstanceOwnerSpec owner, Func<ISet<string>> claimedElsewhere, CancellationToken cancellationToken)
        {
            var since = Http.Clock.UtcNow;
            using (_session.Creations.Begin(app, owner))
            {
                AltinnInstance instance;
                try
                {
                    instance = Bind(await SendCheckingOutcomeAsync<AltinnInstance>(request, $"Creating an instance of {app} for {owner}", cancellationToken,
                        ct => _session.Creations.FindCreatedAsync(this, app, owner, since, claimedElsewhere, ct),
                        notFoundHint: $"Check the app id '{app}' and the environment: the app may not be deployed there (Get-AltinnApplication -App {app} tells).").ConfigureAwait(false));
                }
                catch (AltinnApiException ex) when (ServerErrors.CreateForOtherOrganisation(ex, app.ToString(), owner.OrganizationNumber, _session.SystemUserOrganization) is AltinnApiException explained)
                {
                    throw explained;
                }

                _session.Creations.Claim(instance);
                return instance;
            }
        }

        public async Task<AltinnInstance> CreateInstanceMultipartAsync(AppIdentifier app, InstanceOwnerSpec owner, DateTime? dueBefore, DateTime? visibleAfter,
            IReadOnlyList<MultipartPart> parts, string language, CancellationToken cancellationToken, Func<ISet<string>> claimedElsewhere = null)
        {
            var template = new Dictionary<string, object> { ["instanceOwner"] = owner.ToJson() };
            if (dueBefore.HasValue) template["dueBefore"] = ToUtc(dueBefore.Value);
            if (visibleAfter.HasValue) template["visibleAfter"] = ToUtc(visibleAfter.Value);
            var templateJson = JsonSerializer.Serialize(template, AltinnJson.Options);

            var request = new AltinnRequest(HttpMethod.Post, AppUri(app, AppRoutes.CreateMultipart, query: LanguageQuery(language)), RequestKind.Create, "NewInstance")
            {
                Content = () =>
                {
                    var multipart = new MultipartFormDataContent();
                    var instancePart = new StringContent(templateJson, Encoding.UTF8, "application/json");
                    multipart.Add(instancePart, "instance");
                    foreach (var part in parts)
                    {
                        if (part.FormData != null)
                        {
                            var content = new StringContent(part.FormData.Text, Encoding.UTF8);
                            content.Headers.ContentType = new MediaTypeHeaderValue(part.FormData.ContentType);
                            multipart.Add(content, part.DataType);
                        }
                        else
                        {
                            var content = FileContent(part.File, null);
                            content.Headers.ContentDisposition = FormDataDisposition(part.DataType, part.File.FileName);
                            multipart.Add(content);
                        }
                    }

                    return multipart;
                },
            };
            try
            {
                return await CreateAsync(request, app, owner, claimedElsewhere, cancellationToken).ConfigureAwait(false);
            }
            catch (AltinnApiException ex) when (ServerErrors.ExplainMetadataRejection(ex, "NewInstance", app.ToString()) is AltinnApiException explained)
            {
                // the app's rules are not what this session read: read them again next time
                _session.ForgetApplication(app.ToString());
                throw explained;
            }
        }

        public async Task<AltinnInstance> GetInstanceAsync(AppIdentifier app, InstanceIdentifier id, CancellationToken cancellationToken)
        {
            var request = new AltinnRequest(HttpMethod.Get, InstanceUri(app, id, AppRoutes.Instance), RequestKind.Read, "GetInstance");
            try
            {
                return Bind(await SendForJsonAsync<AltinnInstance>(request, $"Reading instance {id}", cancellationToken).ConfigureAwait(false));
            }
            catch (AltinnApiException ex) when (ex.StatusCode == 403 || ex.StatusCode == 404)
            {
                // Altinn answers 403 for an instance that does not exist as for one the caller may not see
                throw ServerErrors.InstanceNotFoundOrForbidden(ex, app.ToString(), id.ToString(), _session.SystemUserOrganization);
            }
        }

        public async Task<AltinnInstance> DeleteInstanceAsync(AppIdentifier app, InstanceIdentifier id, bool hard, CancellationToken cancellationToken)
        {
            var request = new AltinnRequest(HttpMethod.Delete, InstanceUri(app, id, AppRoutes.Instance, query: "hard=" + (hard ? "true" : "false")), RequestKind.Write, "RemoveInstance");
            try
            {
                return Bind(await SendForJsonAsync<AltinnInstance>(request, $"Deleting instance {id}", cancellationToken).ConfigureAwait(false));
            }
            catch (AltinnApiException ex) when (ServerErrors.IsInstanceLevelRefusal(ex))
            {
                throw ServerErrors.InstanceNotFoundOrForbidden(ex, app.ToString(), id.ToString(), _session.SystemUserOrganization);
            }
        }

        public async Task<IReadOnlyList<AltinnActiveInstance>> GetActiveInstancesAsync(AppIdentifier app, int partyId, CancellationToken cancellationToken)
        {
            var uri = AppUri(app, AppRoutes.ActiveInstances, new Dictionary<string, string> { ["instanceOwnerPartyId"] = partyId.ToString(CultureInfo.InvariantCulture) });
            var request = new AltinnRequest(HttpMethod.Get, uri, RequestKind.Read, "GetActiveInstances");
            var list = await SendForJsonAsync<List<AltinnActiveInstance>>(request, $"Listing the active instances of party {partyId} in {app}", cancellationToken).ConfigureAwait(false);
            foreach (var item in list)
            {
                item.App = app.ToString();
                ((ISessionBound)item).Bind(_session);
            }

            return list;
        }

        /// <summary>
        /// The parties the caller may represent (<c>GET api/v1/parties</c>). For a system user Altinn lists one: its own
        /// organisation, with the party id a create for it will carry, so a journaled create can look for an instance
        /// it may have made before it has ever seen one.
        /// </summary>
        public async Task<IReadOnlyList<AltinnParty>> GetPartiesAsync(AppIdentifier app, CancellationToken cancellationToken)
        {
            var request = new AltinnRequest(HttpMethod.Get, AppUri(app, AppRoutes.Parties), RequestKind.Read, "GetParties")
            {
                // the controller has no [Produces] and the app has XML formatters too: ask for JSON
                Configure = message => message.Headers.Accept.ParseAdd("application/json"),
            };
            var list = await SendForJsonAsync<List<AltinnParty>>(request, $"Listing the parties the system user may represent in {app}", cancellationToken,
                notFoundHint: $"Check the app id '{app}' and the environment: the app may not be deployed there.").ConfigureAwait(false);
            return list ?? new List<AltinnParty>();
        }

        // ---- data ----

        public async Task<AltinnDataElement> PutFormDataAsync(AppIdentifier app, InstanceIdentifier id, string dataGuid, string dataType, FormDataPayload payload,
            string language, CancellationToken cancellationToken)
        {
            var uri = InstanceUri(app, id, AppRoutes.DataElementTyped, new Dictionary<string, string> { ["dataGuid"] = dataGuid, ["dataType"] = dataType }, LanguageQuery(language));
            var request = new AltinnRequest(HttpMethod.Put, uri, RequestKind.Write, "SetData")
            {
                Content = () =>
                {
                    var content = new StringContent(payload.Text, Encoding.UTF8);
                    content.Headers.ContentType = new MediaTypeHeaderValue(payload.ContentType) { CharSet = "utf-8" };
                    return content;
                },
            };
            AltinnDataElement element;
            try
            {
                element = await SendForJsonAsync<AltinnDataElement>(request, $"Updating {dataType} data of instance {id}", cancellationToken).ConfigureAwait(false);
            }
            catch (AltinnApiException ex) when (ex.StatusCode == 409)
            {
                throw ServerErrors.ExplainDataConflict(ex, "SetData", app.ToString(), id.ToString(), dataType, dataGuid,
                    await OwnerTaskAsync(app, dataType, cancellationToken).ConfigureAwait(false)) ?? ex;
            }
            catch (AltinnApiException ex) when (ex.StatusCode == 403)
            {
                throw await DataChangeRefusedAsync(ex, "SetData", app, id, dataType, cancellationToken).ConfigureAwait(false);
            }
            catch (AltinnApiException ex) when (ServerErrors.ExplainFormDataRefusal(ex, "SetData", app.ToString(), dataType) is AltinnApiException explained)
            {
                throw explained;
            }

            element.InstanceId = id.ToString();
            element.AppId = app.ToString();
            return Bind(element);
        }

        /// <summary>Uploads a file as a new data element (<c>POST data/type/{dataType}</c>, answered 200 with DataPostResponse).</summary>
        public async Task<(AltinnDataElement Element, AltinnInstance Instance)> UploadAsync(AppIdentifier app, InstanceIdentifier id, string dataType, FileUpload file,
            string language, IProgress<long> progress, CancellationToken cancellationToken)
        {
            var uri = InstanceUri(app, id, AppRoutes.DataByType, new Dictionary<string, string> { ["dataType"] = dataType }, LanguageQuery(language));
            var request = new AltinnRequest(HttpMethod.Post, uri, RequestKind.Upload, "AddAttachment")
            {
                Content = () =>
                {
                    var content = FileContent(file, progress);
                    content.Headers.ContentDisposition = AttachmentDisposition(file.FileName);
                    return content;
                },
            };

            JsonDocument answer;
            try
            {
                answer = await SendForDocumentAsync(request, $"Uploading '{file.FileName}' as {dataType} to instance {id}", cancellationToken).ConfigureAwait(false);
            }
            catch (AltinnApiException ex) when (ex.StatusCode == 409)
            {
                throw ServerErrors.ExplainDataConflict(ex, "AddAttachment", app.ToString(), id.ToString(), dataType, null,
                    await OwnerTaskAsync(app, dataType, cancellationToken).ConfigureAwait(false)) ?? ex;
            }
            catch (AltinnApiException ex) when (ex.StatusCode == 403)
            {
                throw await DataChangeRefusedAsync(ex, "AddAttachment", app, id, dataType, cancellationToken).ConfigureAwait(false);
            }
            catch (AltinnApiException ex) when (ServerErrors.ExplainMetadataRejection(ex, "AddAttachment", app.ToString()) is AltinnApiException explained)
            {
                _session.ForgetApplication(app.ToString());
                throw explained;
            }

            using (var doc = answer)
            {
                var root = doc.RootElement;
                var newId = root.TryGetProperty("newDataElementId", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                var instance = root.TryGetProperty("instance", out var i) ? i.Deserialize<AltinnInstance>(AltinnJson.Options) : null;
                var element = instance?.Data?.FirstOrDefault(d => string.Equals(d.Id, newId, StringComparison.OrdinalIgnoreCase));
                if (instance != null && instance.AppId == null) instance.AppId = app.ToString();
                if (element != null) element.InstanceId = id.ToString();
                return (element != null ? Bind(element) : null, instance != null ? Bind(instance) : null);
            }
        }

        /// <summary>Form data as text: JSON, or XML when <paramref name="asXml"/>.</summary>
        public async Task<string> GetFormDataAsync(AppIdentifier app, InstanceIdentifier id, string dataGuid, string dataType, bool asXml, CancellationToken cancellationToken)
        {
            var uri = InstanceUri(app, id, AppRoutes.DataElementTyped, new Dictionary<string, string> { ["dataGuid"] = dataGuid, ["dataType"] = dataType });
            var request = new AltinnRequest(HttpMethod.Get, uri, RequestKind.Read, "GetData")
            {
                Configure = r => r.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(asXml ? "application/xml" : "application/json")),
            };
            using (var response = await Http.SendAsync(request, cancellationToken).ConfigureAwait(false))
            {
                if (!response.IsSuccessStatusCode) throw await ErrorMapper.ToExceptionAsync(response, request.Operation, $"Reading data element {dataGuid} of instance {id}").ConfigureAwait(false);
                return await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            }
        }

        /// <summary>
        /// Streams a data element into <paramref name="destination"/> (<c>GET data/{id}/type/{dataType}</c>, as the
        /// guide fetches the receipt). Returns the server's file name (Content-Disposition) and content type.
        /// </summary>
        public async Task<DownloadResult> DownloadAsync(AppIdentifier app, InstanceIdentifier id, AltinnDataElement element, string accept, string language,
            string operation, Stream destination, IProgress<long> progress, CancellationToken cancellationToken)
        {
            var uri = InstanceUri(app, id, AppRoutes.DataElementTyped, new Dictionary<string, string> { ["dataGuid"] = element.Id, ["dataType"] = element.DataType }, LanguageQuery(language));
            var request = new AltinnRequest(HttpMethod.Get, uri, RequestKind.Download, operation)
            {
                Completion = HttpCompletionOption.ResponseHeadersRead,
                Configure = r =>
                {
                    if (!string.IsNullOrEmpty(accept)) r.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
                },
            };
            using (var response = await Http.SendAsync(request, cancellationToken).ConfigureAwait(false))
            {
                if (!response.IsSuccessStatusCode) throw await ErrorMapper.ToExceptionAsync(response, request.Operation, $"Downloading data element {element.Id} ({element.DataType}) of instance {id}").ConfigureAwait(false);
                var disposition = response.Content.Headers.ContentDisposition;
                var name = disposition?.FileNameStar ?? disposition?.FileName?.Trim('"');
                var total = response.Content.Headers.ContentLength;
                long written = 0;
                using (var source = await response.Content.ReadAsStreamAsync().ConfigureAwait(false))
                {
                    var buffer = new byte[81920];
                    int read;
                    using (var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                    {
                        idle.CancelAfter(Http.Options.TransferTimeout);
                        while (true)
                        {
                            try
                            {
                                read = await source.ReadAsync(buffer, 0, buffer.Length, idle.Token).ConfigureAwait(false);
                            }
                            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                            {
                                throw DownloadTimeout(operation, element, id, written);
                            }
                            catch (Exception ex) when (ex is IOException || ex is HttpRequestException)
                            {
                                throw new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.ConnectionFailed), AltinnErrorKind.ConnectionError,
                                    $"The download of data element {element.Id} of instance {id} broke off after {written} bytes ({ex.Message}). Nothing was kept; try again.");
                            }

                            if (read == 0) break;
                            try
                            {
                                await destination.WriteAsync(buffer, 0, read, idle.Token).ConfigureAwait(false);
                            }
                            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                            {
                                throw DownloadTimeout(operation, element, id, written);
                            }

                            written += read;
                            progress?.Report(written);
                        }
                    }
                }

                if (total.HasValue && written != total.Value)
                {
                    throw new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.Incomplete), AltinnErrorKind.ConnectionError,
                        $"The download of data element {element.Id} of instance {id} ended after {written} of {total.Value} bytes. Nothing was kept; try again.");
                }

                return new DownloadResult(name, response.Content.Headers.ContentType?.MediaType, written);
            }
        }

        private AltinnException DownloadTimeout(string operation, AltinnDataElement element, InstanceIdentifier id, long written) =>
            new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.Timeout), AltinnErrorKind.OperationTimeout,
                $"The download of data element {element.Id} of instance {id} did not finish within {Http.Options.TransferTimeout.TotalSeconds:0} s ({written} bytes had arrived). Nothing was kept; try again, or raise the timeout with Connect-Altinn {AltinnHttpOptions.TimeoutParameterFor(RequestKind.Download)}.");

        /// <summary>
        /// Waits until Altinn's virus scan of the given elements has left <c>Pending</c>. Infected is an error; so is a
        /// scan still pending after <paramref name="timeout"/>. Returns the instance as last read.
        /// </summary>
        public async Task<AltinnInstance> WaitForFileScanAsync(AppIdentifier app, InstanceIdentifier id, IReadOnlyCollection<string> elementIds, TimeSpan timeout,
            TimeSpan pollInterval, CancellationToken cancellationToken)
        {
            var clock = Http.Clock;
            var started = clock.UtcNow;
            while (true)
            {
                var instance = await GetInstanceAsync(app, id, cancellationToken).ConfigureAwait(false);
                var watched = (instance.Data ?? new List<AltinnDataElement>()).Where(d => elementIds.Contains(d.Id, StringComparer.OrdinalIgnoreCase)).ToList();
                var infected = watched.Where(d => d.FileScanResult == AltinnFileScanResult.Infected).ToList();
                if (infected.Count > 0)
                {
                    var names = string.Join(", ", infected.Select(d => $"'{d.Filename}' ({d.Id})"));
                    throw new AltinnException("Altinn.AddAttachment.Infected", AltinnErrorKind.SecurityError,
                        $"Altinn's virus scan found malware in {names} on instance {id}. The file stays on the instance until you remove it: Remove-AltinnData -InstanceId {id} -App {app} -DataElementId {infected[0].Id}. Check the file on your side before sending it again.");
                }

                var pending = watched.Where(d => d.FileScanResult == AltinnFileScanResult.Pending).ToList();
                if (pending.Count == 0) return instance;
                var elapsed = clock.UtcNow - started;
                if (elapsed >= timeout)
                {
                    var names = string.Join(", ", pending.Select(d => $"'{d.Filename}'"));
                    throw new AltinnException("Altinn.AddAttachment.ScanTimeout", AltinnErrorKind.OperationTimeout,
                        $"The virus scan of {names} on instance {id} was still pending after {timeout.TotalSeconds:0} s. The files are uploaded; check later with Get-AltinnInstance (FileScanResult of its Data), or raise -TimeoutSec.");
                }

                AltinnLog.Verbose($"Instance {id}: the virus scan of {pending.Count} file(s) is pending; checking again in {pollInterval.TotalSeconds:0.#} s.");
                var wait = timeout - elapsed;
                await clock.Delay(wait < pollInterval ? (wait > TimeSpan.Zero ? wait : TimeSpan.Zero) : pollInterval, cancellationToken).ConfigureAwait(false);
            }
        }

        public async Task<AltinnInstance> DeleteDataAsync(AppIdentifier app, InstanceIdentifier id, string dataGuid, string language, CancellationToken cancellationToken)
        {
            var uri = InstanceUri(app, id, AppRoutes.DataElement, new Dictionary<string, string> { ["dataGuid"] = dataGuid }, LanguageQuery(language));
            var request = new AltinnRequest(HttpMethod.Delete, uri, RequestKind.Write, "RemoveData");
            JsonDocument answer;
            try
            {
                answer = await SendForDocumentAsync(request, $"Deleting data element {dataGuid} of instance {id}", cancellationToken).ConfigureAwait(false);
            }
            catch (AltinnApiException ex) when (ServerErrors.ExplainDataConflict(ex, "RemoveData", app.ToString(), id.ToString(), null) is AltinnApiException explained)
            {
                throw explained;
            }
            catch (AltinnApiException ex) when (ex.StatusCode == 403)
            {
                throw await DataChangeRefusedAsync(ex, "RemoveData", app, id, null, cancellationToken).ConfigureAwait(false);
            }

            using (var doc = answer)
            {
                return doc.RootElement.TryGetProperty("instance", out var i) && i.ValueKind == JsonValueKind.Object ? Bind(i.Deserialize<AltinnInstance>(AltinnJson.Options)) : null;
            }
        }

        // ---- process ----

        public async Task<AltinnProcessState> GetProcessAsync(AppIdentifier app, InstanceIdentifier id, CancellationToken cancellationToken)
        {
            var request = new AltinnRequest(HttpMethod.Get, InstanceUri(app, id, AppRoutes.Process), RequestKind.Read, "GetProcess");
            return await SendForJsonAsync<AltinnProcessState>(request, $"Reading the process of instance {id}", cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Moves the process on. When the outcome of an attempt is unknown the process is read first: if it has moved
        /// past <paramref name="fromTask"/>, the earlier attempt took effect and is not repeated.
        /// </summary>
        public async Task<AltinnProcessState> ProcessNextAsync(AppIdentifier app, InstanceIdentifier id, string fromTask, string action, string language, CancellationToken cancellationToken)
        {
            var body = action == null ? null : JsonSerializer.Serialize(new Dictionary<string, object> { ["action"] = action }, AltinnJson.Options);
            var request = new AltinnRequest(HttpMethod.Put, InstanceUri(app, id, AppRoutes.ProcessNext, query: LanguageQuery(language)), RequestKind.ProcessNext, "ProcessNext")
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
                return await SendCheckingOutcomeAsync(request, $"Moving the process of instance {id} on{(action != null ? " with action '" + action + "'" : string.Empty)}", cancellationToken, MovedOn).ConfigureAwait(false);
            }
            catch (AltinnApiException ex) when (ServerErrors.IsInstanceLevelRefusal(ex))
            {
                // process/next reads the instance from Storage before any policy check: a missing instance is Storage's 404 there
                throw ServerErrors.InstanceNotFoundOrForbidden(ex, app.ToString(), id.ToString(), _session.SystemUserOrganization);
            }
        }

        public async Task<IReadOnlyList<AltinnValidationIssue>> ValidateAsync(AppIdentifier app, InstanceIdentifier id, string language, CancellationToken cancellationToken)
        {
            var request = new AltinnRequest(HttpMethod.Get, InstanceUri(app, id, AppRoutes.Validate, query: LanguageQuery(language)), RequestKind.Read, "TestInstance");
            List<AltinnValidationIssue> issues;
            try
            {
                issues = await SendForJsonAsync<List<AltinnValidationIssue>>(request, $"Validating instance {id}", cancellationToken).ConfigureAwait(false);
            }
            catch (AltinnApiException ex) when (ServerErrors.IsInstanceLevelRefusal(ex) || (ex.StatusCode == 404 && (ex.Body?.Detail ?? string.Empty).Contains("Unable to find instance")))
            {
                throw ServerErrors.InstanceNotFoundOrForbidden(ex, app.ToString(), id.ToString(), _session.SystemUserOrganization);
            }
            foreach (var issue in issues) issue.InstanceId = id.ToString();
            return issues;
        }

        // ---- plumbing ----

        /// <summary>
        /// Altinn's 403 to a data change does not say why (see <see cref="ServerErrors.DataChangeForbidden"/>): read the
        /// instance once to tell the user. Ended or archived: the submitted case. Readable and at a task: that task's
        /// policy grants no <c>write</c>. Not readable: the general explanation, which names the missing instance too.
        /// </summary>
        private async Task<AltinnApiException> DataChangeRefusedAsync(AltinnApiException ex, string operation, AppIdentifier app, InstanceIdentifier id,
            string dataType, CancellationToken cancellationToken)
        {
            AltinnInstance current = null;
            try
            {
                current = await GetInstanceAsync(app, id, cancellationToken).ConfigureAwait(false);
            }
            catch (AltinnException)
            {
                // gone, or not this system user's: the general explanation lists that case
            }

            if (current != null && (current.Ended || current.IsArchived)) return ServerErrors.InstanceClosed(operation, id.ToString(), " (Altinn answered 403)", ex);
            return ServerErrors.DataChangeForbidden(ex, operation, app.ToString(), id.ToString(), dataType, current?.CurrentTask, current?.CurrentTaskType);
        }

        /// <summary>The task a data type belongs to (its <c>taskId</c>), from the metadata this session read; null when unknown.</summary>
        private async Task<string> OwnerTaskAsync(AppIdentifier app, string dataType, CancellationToken cancellationToken)
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

        private T Bind<T>(T value)
            where T : ISessionBound
        {
            value?.Bind(_session);
            return value;
        }

        private async Task<T> SendForJsonAsync<T>(AltinnRequest request, string what, CancellationToken cancellationToken, string notFoundHint = null)
        {
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
        private async Task<T> SendCheckingOutcomeAsync<T>(AltinnRequest request, string what, CancellationToken cancellationToken,
            Func<CancellationToken, Task<T>> tookEffect, string notFoundHint = null)
            where T : class
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    return await SendForJsonAsync<T>(request, what, cancellationToken, notFoundHint).ConfigureAwait(false);
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

        private async Task<JsonDocument> SendForDocumentAsync(AltinnRequest request, string what, CancellationToken cancellationToken)
        {
            using (var response = await Http.SendAsync(request, cancellationToken).ConfigureAwait(false))
            {
                if (!response.IsSuccessStatusCode) throw await ErrorMapper.ToExceptionAsync(response, request.Operation, what).ConfigureAwait(false);
                using (var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false))
                {
                    return await JsonDocument.ParseAsync(stream, default, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        private static string ToUtc(DateTime value) =>
            (value.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(value, DateTimeKind.Local) : value).ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

        private static HttpContent FileContent(FileUpload file, IProgress<long> progress)
        {
            var stream = new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
            var content = new ProgressStreamContent(stream, progress);
            // Parse, not the constructor: a stated content type may carry parameters (text/plain; charset=utf-8)
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(file.ContentType);
            content.Headers.ContentLength = file.Length;
            return content;
        }

        /// <summary><c>attachment; filename="a b.pdf"; filename*=UTF-8''a%20b.pdf</c>: quoted, with RFC 5987 for non-ASCII (reference §10).</summary>
        internal static ContentDispositionHeaderValue AttachmentDisposition(string fileName)
        {
            var value = new ContentDispositionHeaderValue("attachment") { FileName = QuoteAscii(fileName) };
            value.Parameters.Add(new NameValueHeaderValue("filename*", "UTF-8''" + Rfc5987(fileName)));
            return value;
        }

        private static ContentDispositionHeaderValue FormDataDisposition(string name, string fileName)
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

        internal static string Rfc5987(string value)
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
