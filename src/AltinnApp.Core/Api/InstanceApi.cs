using System;
using System.Collections.Generic;
using System.Globalization;
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
    /// Instances: create (simple or multipart, at most one instance per call even when an answer is lost), read,
    /// delete, and the active list of a party.
    /// </summary>
    public sealed class InstanceApi
    {
        private readonly AppApiTransport _transport;

        internal InstanceApi(AppApiTransport transport)
        {
            _transport = transport;
        }

        private AltinnSession Session => _transport.Session;

        /// <summary>The app's metadata, from the session's cache.</summary>
        internal Task<AltinnApplication> ApplicationAsync(AppIdentifier app, CancellationToken cancellationToken) =>
            new ApplicationApi(_transport).GetApplicationAsync(app, cancellationToken);

        /// <param name="claimedElsewhere">Instances other creations own, so reconciliation does not take them for this one's; may be null.</param>
        public async Task<AltinnInstance> CreateInstanceAsync(AppIdentifier app, InstanceOwnerSpec owner, DateTime? dueBefore, DateTime? visibleAfter,
            IDictionary<string, string> prefill, string language, Func<ISet<string>> claimedElsewhere, CancellationToken cancellationToken)
        {
            // prefill values are text on the wire (InstansiationInstance.Prefill is Dictionary<string, string>): PrefillValues makes them
            var body = new Dictionary<string, object> { ["instanceOwner"] = owner.ToJson() };
            if (dueBefore.HasValue) body["dueBefore"] = AppApiTransport.ToUtc(dueBefore.Value);
            if (visibleAfter.HasValue) body["visibleAfter"] = AppApiTransport.ToUtc(visibleAfter.Value);
            if (prefill != null && prefill.Count > 0) body["prefill"] = prefill;
            var json = JsonSerializer.Serialize(body, AltinnJson.Options);

            var request = new AltinnRequest(HttpMethod.Post, _transport.AppUri(app, AppRoutes.CreateSimple, query: AppApiTransport.LanguageQuery(language)), RequestKind.Create, "NewInstance")
            {
                Content = () => new StringContent(json, Encoding.UTF8, "application/json"),
            };
            return await CreateAsync(request, app, owner, claimedElsewhere, sendsFiles: false, cancellationToken, content: json).ConfigureAwait(false);
        }

        /// <param name="claimedElsewhere">Instances other creations own, so reconciliation does not take them for this one's; may be null.</param>
        public async Task<AltinnInstance> CreateInstanceMultipartAsync(AppIdentifier app, InstanceOwnerSpec owner, DateTime? dueBefore, DateTime? visibleAfter,
            IReadOnlyList<MultipartPart> parts, string language, Func<ISet<string>> claimedElsewhere, CancellationToken cancellationToken)
        {
            var template = new Dictionary<string, object> { ["instanceOwner"] = owner.ToJson() };
            if (dueBefore.HasValue) template["dueBefore"] = AppApiTransport.ToUtc(dueBefore.Value);
            if (visibleAfter.HasValue) template["visibleAfter"] = AppApiTransport.ToUtc(visibleAfter.Value);
            var templateJson = JsonSerializer.Serialize(template, AltinnJson.Options);

            var request = new AltinnRequest(HttpMethod.Post, _transport.AppUri(app, AppRoutes.CreateMultipart, query: AppApiTransport.LanguageQuery(language)), RequestKind.Create, "NewInstance")
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
                            var content = AppApiTransport.FileContent(part.File, null);
                            content.Headers.ContentDisposition = AppApiTransport.FormDataDisposition(part.DataType, part.File.FileName);
                            multipart.Add(content);
                        }
                    }

                    return multipart;
                },
            };
            try
            {
                return await CreateAsync(request, app, owner, claimedElsewhere, sendsFiles: true, cancellationToken).ConfigureAwait(false);
            }
            catch (AltinnApiException ex) when (ServerErrors.ExplainMetadataRejection(ex, "NewInstance", app.ToString()) is AltinnApiException explained)
            {
                // the app's rules are not what this session read: read them again next time
                Session.ForgetApplication(app.ToString());
                throw explained;
            }
        }

        /// <summary>
        /// Sends a create; when its outcome is unknown the reconciler looks for the instance it made before anything
        /// is repeated, so one call makes at most one instance.
        /// </summary>
        private async Task<AltinnInstance> CreateAsync(AltinnRequest request, AppIdentifier app, InstanceOwnerSpec owner, Func<ISet<string>> claimedElsewhere, bool sendsFiles, CancellationToken cancellationToken, string content = null)
        {
            var since = _transport.Http.Clock.UtcNow;
            using (var ticket = await Session.Creations.BeginAsync(app, owner, sendsFiles ? null : request.Uri + "\n" + content, cancellationToken).ConfigureAwait(false))
            {
                AltinnInstance instance;
                try
                {
                    instance = _transport.Bind(await _transport.SendCheckingOutcomeAsync<AltinnInstance>(request, $"Creating an instance of {app} for {owner}",
                        ct => Session.Creations.FindCreatedAsync(this, app, owner, since, claimedElsewhere, sendsFiles, ct, ticket),
                        $"Check the app id '{app}' and the environment: the app may not be deployed there (Get-AltinnApplication -App {app} tells).",
                        cancellationToken).ConfigureAwait(false));
                }
                catch (AltinnApiException ex) when (ServerErrors.CreateForOtherOrganisation(ex, app.ToString(), owner.OrganizationNumber, Session.SystemUserOrganization,
                    Session.SystemUserId, Session.HasFiledForClient) is AltinnApiException explained)
                {
                    throw explained;
                }
                catch (AltinnApiException ex) when (ServerErrors.CreateForOwnOrganisation(ex, app.ToString(), owner.OrganizationNumber, Session.SystemUserOrganization,
                    Session.SystemUserId, Session.HasFiledForClient) is AltinnApiException explained)
                {
                    throw explained;
                }

                Session.NoteFiledFor(owner.OrganizationNumber);
                Session.Creations.Claim(instance);
                return instance;
            }
        }

        public async Task<AltinnInstance> GetInstanceAsync(AppIdentifier app, InstanceIdentifier id, CancellationToken cancellationToken)
        {
            var request = new AltinnRequest(HttpMethod.Get, _transport.InstanceUri(app, id, AppRoutes.Instance), RequestKind.Read, "GetInstance");
            try
            {
                return _transport.Bind(await _transport.SendForJsonAsync<AltinnInstance>(request, $"Reading instance {id}", cancellationToken).ConfigureAwait(false));
            }
            catch (AltinnApiException ex) when (ex.StatusCode == 403 || ex.StatusCode == 404)
            {
                // Altinn answers 403 for an instance that does not exist as for one the caller may not see
                throw ServerErrors.InstanceNotFoundOrForbidden(ex, app.ToString(), id.ToString(), Session.SystemUserOrganization, KnownOwners.ClientOf(Session, id.ToString().Split('/')[0]));
            }
        }

        public async Task<AltinnInstance> DeleteInstanceAsync(AppIdentifier app, InstanceIdentifier id, bool hard, CancellationToken cancellationToken)
        {
            var request = new AltinnRequest(HttpMethod.Delete, _transport.InstanceUri(app, id, AppRoutes.Instance, query: "hard=" + (hard ? "true" : "false")), RequestKind.Write, "RemoveInstance");
            try
            {
                return _transport.Bind(await _transport.SendForJsonAsync<AltinnInstance>(request, $"Deleting instance {id}", cancellationToken).ConfigureAwait(false));
            }
            catch (AltinnApiException ex) when (ServerErrors.IsInstanceLevelRefusal(ex))
            {
                throw ServerErrors.InstanceNotFoundOrForbidden(ex, app.ToString(), id.ToString(), Session.SystemUserOrganization, KnownOwners.ClientOf(Session, id.ToString().Split('/')[0]));
            }
        }

        public async Task<IReadOnlyList<AltinnActiveInstance>> GetActiveInstancesAsync(AppIdentifier app, int partyId, CancellationToken cancellationToken)
        {
            var uri = _transport.AppUri(app, AppRoutes.ActiveInstances, new Dictionary<string, string> { ["instanceOwnerPartyId"] = partyId.ToString(CultureInfo.InvariantCulture) });
            var request = new AltinnRequest(HttpMethod.Get, uri, RequestKind.Read, "GetActiveInstances");
            var list = await _transport.SendForJsonAsync<List<AltinnActiveInstance>>(request, $"Listing the active instances of party {partyId} in {app}", cancellationToken).ConfigureAwait(false);
            foreach (var item in list)
            {
                item.App = app.ToString();
                ((ISessionBound)item).Bind(Session);
            }

            return list;
        }
    }

    /// <summary>Who the instance is for: exactly one of the three.</summary>
    public sealed class InstanceOwnerSpec
    {
        public string OrganizationNumber { get; set; }
        public string PersonNumber { get; set; }
        public int? PartyId { get; set; }

        internal Dictionary<string, object> ToJson()
        {
            var owner = new Dictionary<string, object>();
            if (PartyId.HasValue) owner["partyId"] = PartyId.Value.ToString(CultureInfo.InvariantCulture);
            if (OrganizationNumber != null) owner["organisationNumber"] = OrganizationNumber;
            if (PersonNumber != null) owner["personNumber"] = PersonNumber;
            return owner;
        }

        /// <summary>For logs and errors: a person number is masked.</summary>
        public override string ToString() =>
            OrganizationNumber != null ? "organisation " + OrganizationNumber
            : PersonNumber != null ? "person " + Validation.NorwegianIdentifiers.MaskPersonNumber(PersonNumber)
            : "party " + PartyId;
    }

    /// <summary>One part of a multipart create: form data or a file, under its data type's name.</summary>
    public sealed class MultipartPart
    {
        public string DataType { get; set; }
        public FormDataPayload FormData { get; set; }
        public FileUpload File { get; set; }
    }
}
