using System;
using System.Buffers;
using System.Collections.Generic;
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
using AltinnApp.Core.Validation;
using AltinnApp.Core.Session;

namespace AltinnApp.Core.Api
{
    /// <summary>
    /// An instance's data: form data (PUT and read), file uploads, downloads, removal, and the wait for Altinn's
    /// virus scan. What goes on the wire is here too: <see cref="FormDataPayload"/> is the body of the PUT.
    /// </summary>
    public sealed class DataApi
    {
        private readonly AppApiTransport _transport;
        private readonly ApplicationApi _applications;
        private readonly InstanceApi _instances;

        internal DataApi(AppApiTransport transport, ApplicationApi applications, InstanceApi instances)
        {
            _transport = transport;
            _applications = applications;
            _instances = instances;
        }

        private AltinnSession Session => _transport.Session;

        public async Task<AltinnDataElement> PutFormDataAsync(AppIdentifier app, InstanceIdentifier id, string dataGuid, string dataType, FormDataPayload payload,
            string language, CancellationToken cancellationToken)
        {
            var uri = _transport.InstanceUri(app, id, AppRoutes.DataElementTyped, new Dictionary<string, string> { ["dataGuid"] = dataGuid, ["dataType"] = dataType }, AppApiTransport.LanguageQuery(language));
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
                element = await _transport.SendForJsonAsync<AltinnDataElement>(request, $"Updating {dataType} data of instance {id}", cancellationToken).ConfigureAwait(false);
            }
            catch (AltinnApiException ex) when (ex.StatusCode == 409)
            {
                throw ServerErrors.ExplainDataConflict(ex, "SetData", app.ToString(), id.ToString(), dataType, dataGuid,
                    await _applications.OwnerTaskAsync(app, dataType, cancellationToken).ConfigureAwait(false)) ?? ex;
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
            return _transport.Bind(element);
        }

        /// <summary>Uploads a file as a new data element (<c>POST data/type/{dataType}</c>, answered 200 with DataPostResponse).</summary>
        public async Task<(AltinnDataElement Element, AltinnInstance Instance)> UploadAsync(AppIdentifier app, InstanceIdentifier id, string dataType, FileUpload file,
            string language, IProgress<long> progress, CancellationToken cancellationToken)
        {
            var uri = _transport.InstanceUri(app, id, AppRoutes.DataByType, new Dictionary<string, string> { ["dataType"] = dataType }, AppApiTransport.LanguageQuery(language));
            var request = new AltinnRequest(HttpMethod.Post, uri, RequestKind.Upload, "AddAttachment")
            {
                Content = () =>
                {
                    var content = AppApiTransport.FileContent(file, progress);
                    content.Headers.ContentDisposition = AppApiTransport.AttachmentDisposition(file.FileName);
                    return content;
                },
            };

            JsonDocument answer;
            try
            {
                answer = await _transport.SendForDocumentAsync(request, $"Uploading '{file.FileName}' as {dataType} to instance {id}", cancellationToken).ConfigureAwait(false);
            }
            catch (AltinnApiException ex) when (ex.StatusCode == 409)
            {
                throw ServerErrors.ExplainDataConflict(ex, "AddAttachment", app.ToString(), id.ToString(), dataType, null,
                    await _applications.OwnerTaskAsync(app, dataType, cancellationToken).ConfigureAwait(false)) ?? ex;
            }
            catch (AltinnApiException ex) when (ex.StatusCode == 403)
            {
                throw await DataChangeRefusedAsync(ex, "AddAttachment", app, id, dataType, cancellationToken).ConfigureAwait(false);
            }
            catch (AltinnApiException ex) when (ServerErrors.ExplainMetadataRejection(ex, "AddAttachment", app.ToString()) is AltinnApiException explained)
            {
                Session.ForgetApplication(app.ToString());
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
                return (element != null ? _transport.Bind(element) : null, instance != null ? _transport.Bind(instance) : null);
            }
        }

        /// <summary>Form data as text: JSON, or XML when <paramref name="asXml"/>.</summary>
        public async Task<string> GetFormDataAsync(AppIdentifier app, InstanceIdentifier id, string dataGuid, string dataType, bool asXml, CancellationToken cancellationToken)
        {
            var uri = _transport.InstanceUri(app, id, AppRoutes.DataElementTyped, new Dictionary<string, string> { ["dataGuid"] = dataGuid, ["dataType"] = dataType });
            var request = new AltinnRequest(HttpMethod.Get, uri, RequestKind.Read, "GetData")
            {
                Configure = r => r.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(asXml ? "application/xml" : "application/json")),
            };
            using (var response = await _transport.Http.SendAsync(request, cancellationToken).ConfigureAwait(false))
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
            var uri = _transport.InstanceUri(app, id, AppRoutes.DataElementTyped, new Dictionary<string, string> { ["dataGuid"] = element.Id, ["dataType"] = element.DataType }, AppApiTransport.LanguageQuery(language));
            var request = new AltinnRequest(HttpMethod.Get, uri, RequestKind.Download, operation)
            {
                Completion = HttpCompletionOption.ResponseHeadersRead,
                Configure = r =>
                {
                    if (!string.IsNullOrEmpty(accept)) r.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
                },
            };
            using (var response = await _transport.Http.SendAsync(request, cancellationToken).ConfigureAwait(false))
            {
                if (!response.IsSuccessStatusCode) throw await ErrorMapper.ToExceptionAsync(response, request.Operation, $"Downloading data element {element.Id} ({element.DataType}) of instance {id}").ConfigureAwait(false);
                var disposition = response.Content.Headers.ContentDisposition;
                var name = disposition?.FileNameStar ?? disposition?.FileName?.Trim('"');
                var total = response.Content.Headers.ContentLength;
                long written = 0;
                using (var source = await response.Content.ReadAsStreamAsync().ConfigureAwait(false))
                {
                    // a pooled buffer: a receipt is a few KiB, and a fresh 80 KiB array per download was most of a submission's garbage
                    const int chunk = 81920;
                    var buffer = ArrayPool<byte>.Shared.Rent(chunk);
                    int read;
                    try
                    {
                        using (var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                        // .NET Framework's response stream ignores the token: closing the answer is what ends a stalled read
                        using (idle.Token.Register(response.Dispose))
                        {
                            idle.CancelAfter(_transport.Http.Options.TransferTimeout);
                            while (true)
                            {
                                try
                                {
                                    read = await source.ReadAsync(buffer, 0, chunk, idle.Token).ConfigureAwait(false);
                                }
                                catch (Exception) when (cancellationToken.IsCancellationRequested)
                                {
                                    throw new OperationCanceledException(cancellationToken);
                                }
                                catch (Exception) when (idle.IsCancellationRequested)
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
                    finally
                    {
                        // every read has been awaited by now, so nothing writes into the buffer after it goes back
                        ArrayPool<byte>.Shared.Return(buffer);
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
                $"The download of data element {element.Id} of instance {id} did not finish within {_transport.Http.Options.TransferTimeout.TotalSeconds:0} s ({written} bytes had arrived). Nothing was kept; try again, or raise the timeout with Connect-Altinn {AltinnHttpOptions.TimeoutParameterFor(RequestKind.Download)}.");

        /// <summary>
        /// Waits until Altinn's virus scan of the given elements has left <c>Pending</c>. Infected is an error; so is a
        /// scan still pending after <paramref name="timeout"/>. Returns the instance as last read.
        /// </summary>
        public async Task<AltinnInstance> WaitForFileScanAsync(AppIdentifier app, InstanceIdentifier id, IReadOnlyCollection<string> elementIds, TimeSpan timeout,
            TimeSpan pollInterval, CancellationToken cancellationToken)
        {
            var clock = _transport.Http.Clock;
            var started = clock.UtcNow;
            while (true)
            {
                var instance = await _instances.GetInstanceAsync(app, id, cancellationToken).ConfigureAwait(false);
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
            var uri = _transport.InstanceUri(app, id, AppRoutes.DataElement, new Dictionary<string, string> { ["dataGuid"] = dataGuid }, AppApiTransport.LanguageQuery(language));
            var request = new AltinnRequest(HttpMethod.Delete, uri, RequestKind.Write, "RemoveData");
            JsonDocument answer;
            try
            {
                answer = await _transport.SendForDocumentAsync(request, $"Deleting data element {dataGuid} of instance {id}", cancellationToken).ConfigureAwait(false);
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
                return doc.RootElement.TryGetProperty("instance", out var i) && i.ValueKind == JsonValueKind.Object ? _transport.Bind(i.Deserialize<AltinnInstance>(AltinnJson.Options)) : null;
            }
        }

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
                current = await _instances.GetInstanceAsync(app, id, cancellationToken).ConfigureAwait(false);
            }
            catch (AltinnException)
            {
                // gone, or not this system user's: the general explanation lists that case
            }

            if (current != null && (current.Ended || current.IsArchived)) return ServerErrors.InstanceClosed(operation, id.ToString(), " (Altinn answered 403)", ex);
            return ServerErrors.DataChangeForbidden(ex, operation, app.ToString(), id.ToString(), dataType, current?.CurrentTask, current?.CurrentTaskType,
                KnownOwners.ClientOf(Session, id.ToString().Split('/')[0]), Session.SystemUserOrganization);
        }
    }

    /// <summary>Form data ready to send: JSON or XML text.</summary>
    public sealed class FormDataPayload
    {
        public FormDataPayload(string text, string contentType)
        {
            Text = text;
            ContentType = contentType;
        }

        public string Text { get; }

        /// <summary><c>application/json</c> or <c>application/xml</c>.</summary>
        public string ContentType { get; }

        public bool IsXml => ContentType.IndexOf("xml", StringComparison.OrdinalIgnoreCase) >= 0;

        /// <summary>The plain values (dictionaries, lists, values) this was made from, when given as a hashtable or object; else null.</summary>
        public object Values { get; private set; }

        /// <summary>
        /// Form data from plain values (dictionaries, lists, text, numbers, booleans, dates: what the cmdlets make of a
        /// hashtable or object), as the JSON the app's data model reads.
        /// </summary>
        public static FormDataPayload FromValues(object values) =>
            new FormDataPayload(JsonSerializer.Serialize(values, AltinnJson.Options), "application/json") { Values = values };

        /// <summary>
        /// Form data from a document given as text: XML (starting with '&lt;') or a JSON object (starting with '{'), checked
        /// to be well-formed. Null when the text is neither, so the caller can try it as a path.
        /// </summary>
        /// <param name="source">What the message names: the parameter, or the file it pointed at.</param>
        public static FormDataPayload FromDocument(string text, string source, string operation)
        {
            var trimmed = (text ?? string.Empty).Trim();
            if (trimmed.StartsWith("<", StringComparison.Ordinal))
            {
                try
                {
                    var doc = new System.Xml.XmlDocument { XmlResolver = null };
                    doc.LoadXml(trimmed);
                }
                catch (System.Xml.XmlException ex)
                {
                    throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.InvalidXml), $"{source} is not well-formed XML: {ex.Message} Fix the XML, or give the data as a hashtable.");
                }

                return new FormDataPayload(trimmed, "application/xml");
            }

            if (trimmed.StartsWith("{", StringComparison.Ordinal))
            {
                try
                {
                    using (JsonDocument.Parse(trimmed))
                    {
                    }
                }
                catch (JsonException ex)
                {
                    throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.InvalidJson), $"{source} is not valid JSON: {ex.Message} Fix the JSON, or give the data as a hashtable.");
                }

                return new FormDataPayload(trimmed, "application/json");
            }

            return null;
        }
    }

    /// <summary>A file to upload, streamed from disk.</summary>
    public sealed class FileUpload
    {
        public string Path { get; set; }
        public string FileName { get; set; }
        /// <summary>What the Content-Type header says; when not <see cref="ContentTypeGiven"/>, the metadata check picks it from the extension.</summary>
        public string ContentType { get; set; }

        /// <summary>The user stated the content type (-ContentType): it is sent as given, never replaced.</summary>
        public bool ContentTypeGiven { get; set; }

        public long Length { get; set; }
    }

    /// <summary>What a download brought: the server's file name and content type, and the bytes written.</summary>
    public sealed class DownloadResult
    {
        public DownloadResult(string fileName, string contentType, long length)
        {
            FileName = fileName;
            ContentType = contentType;
            Length = length;
        }

        public string FileName { get; }

        public string ContentType { get; }

        public long Length { get; }
    }
}
