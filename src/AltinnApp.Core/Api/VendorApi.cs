using System;
using System.Collections.Generic;
using System.Linq;
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
    /// <summary>Routes of Altinn's authentication API a vendor calls, relative to the platform address.</summary>
    public static class VendorRoutes
    {
        // altinn-authentication src/Authentication/Controllers/SystemRegisterController.cs
        public const string Systems = "authentication/api/v1/systemregister/vendor";
        public const string System = "authentication/api/v1/systemregister/vendor/{systemId}";

        // RequestSystemUserController.cs
        public const string Request = "authentication/api/v1/systemuser/request/vendor";
        public const string AgentRequest = "authentication/api/v1/systemuser/request/vendor/agent";
        public const string RequestById = "authentication/api/v1/systemuser/request/vendor/{requestId}";
        public const string AgentRequestById = "authentication/api/v1/systemuser/request/vendor/agent/{requestId}";
        public const string RequestByExternalRef = "authentication/api/v1/systemuser/request/vendor/byexternalref/{systemId}/{orgNo}/{externalRef}";
        public const string AgentRequestByExternalRef = "authentication/api/v1/systemuser/request/vendor/agent/byexternalref/{systemId}/{orgNo}/{externalRef}";

        // SystemUserController.cs
        public const string SystemUsers = "authentication/api/v1/systemuser/vendor/bysystem/{systemId}";

        // the scopes of the controllers' policies (AuthzConstants); the list of system users asks for systemregister.write
        public const string RegisterWriteScope = "altinn:authentication/systemregister.write";
        public const string RequestWriteScope = "altinn:authentication/systemuser.request.write";
        public const string RequestReadScope = "altinn:authentication/systemuser.request.read";
    }

    /// <summary>What Register-AltinnSystem and Set-AltinnSystem send.</summary>
    public sealed class SystemDefinition
    {
        public string SystemId { get; set; }
        public IDictionary<string, string> Names { get; set; }
        public IDictionary<string, string> Descriptions { get; set; }
        public IList<string> Rights { get; set; }
        public IList<string> AccessPackages { get; set; }
        public IList<string> ClientIds { get; set; }
        public IList<string> AllowedRedirectUrls { get; set; }
        public bool IsVisible { get; set; }
    }

    /// <summary>What New-AltinnSystemUserRequest sends for one customer.</summary>
    public sealed class SystemUserRequestDefinition
    {
        public AltinnSystemUserKind Kind { get; set; }
        public string SystemId { get; set; }
        public string CustomerOrganization { get; set; }
        public string ExternalRef { get; set; }
        public string IntegrationTitle { get; set; }
        public IList<string> Rights { get; set; }
        public IList<string> AccessPackages { get; set; }
        public string RedirectUrl { get; set; }
    }

    /// <summary>
    /// The vendor's side of Altinn's authentication API: the system register, system user requests and the
    /// system users of a system. Called with the vendor's own Maskinporten token (a -Vendor session), which the
    /// controllers read the vendor's organisation from (its <c>consumer</c> claim).
    /// </summary>
    public sealed class VendorApi
    {
        private readonly AltinnSession _session;

        internal VendorApi(AltinnSession session)
        {
            _session = session;
        }

        public override string ToString() => $"authentication API of {_session.Environment.PlatformUri}";

        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _knownSystems =
            new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.OrdinalIgnoreCase);

        /// <summary>The system ids this session has read or registered, for tab completion.</summary>
        public IReadOnlyList<string> KnownSystemIds => _knownSystems.Keys.ToList();

        // ---- the system register ----

        public async Task<IReadOnlyList<AltinnSystem>> GetSystemsAsync(CancellationToken cancellationToken)
        {
            const string op = "GetSystem";
            Require(op, VendorRoutes.RegisterWriteScope);
            var request = new AltinnRequest(HttpMethod.Get, Uri(VendorRoutes.Systems), RequestKind.Read, op);
            var list = await SendAsync<List<VendorWire.SystemListItem>>(request, "Reading the vendor's systems", null, cancellationToken).ConfigureAwait(false);
            return (list ?? new List<VendorWire.SystemListItem>()).Select(s => Bind(AltinnSystem.From(s))).ToList();
        }

        public async Task<AltinnSystem> GetSystemAsync(string systemId, CancellationToken cancellationToken)
        {
            const string op = "GetSystem";
            Require(op, VendorRoutes.RegisterWriteScope);
            var request = new AltinnRequest(HttpMethod.Get, Uri(VendorRoutes.System, ("systemId", RequireSystemId(systemId, op))), RequestKind.Read, op);
            var system = await SendAsync<VendorWire.RegisteredSystem>(request, $"Reading system '{systemId}'", NoSystem(systemId), cancellationToken).ConfigureAwait(false);
            return Bind(AltinnSystem.From(system));
        }

        public async Task<AltinnSystem> RegisterSystemAsync(SystemDefinition definition, CancellationToken cancellationToken)
        {
            const string op = "RegisterSystem";
            Require(op, VendorRoutes.RegisterWriteScope);
            var body = ToWire(definition, op);
            var request = new AltinnRequest(HttpMethod.Post, Uri(VendorRoutes.Systems), RequestKind.Create, op)
            {
                Content = () => Json(body),
            };
            try
            {
                using (await SendAsync<JsonDocument>(request, $"Registering system '{definition.SystemId}'", null, cancellationToken).ConfigureAwait(false))
                {
                }
            }
            catch (AltinnOutcomeUnknownException unknown)
            {
                using (unknown)
                {
                    // a repeat would be refused as SystemId_Exists: look instead
                    AltinnLog.Verbose($"{op}: the register may have taken effect ({unknown.ErrorId}); reading system '{definition.SystemId}'.");
                    try
                    {
                        return await GetSystemAsync(definition.SystemId, cancellationToken).ConfigureAwait(false);
                    }
                    catch (AltinnApiException)
                    {
                        throw await unknown.ToErrorAsync($"Registering system '{definition.SystemId}'", null).ConfigureAwait(false);
                    }
                }
            }

            return await GetSystemAsync(definition.SystemId, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>PUT of the whole system (UpdateWholeRegisteredSystem): client ids are added to those it has, never removed by it.</summary>
        public async Task<AltinnSystem> UpdateSystemAsync(SystemDefinition definition, CancellationToken cancellationToken)
        {
            const string op = "SetSystem";
            Require(op, VendorRoutes.RegisterWriteScope);
            var body = ToWire(definition, op);
            var request = new AltinnRequest(HttpMethod.Put, Uri(VendorRoutes.System, ("systemId", definition.SystemId)), RequestKind.Write, op)
            {
                Content = () => Json(body),
            };
            using (await SendAsync<JsonDocument>(request, $"Updating system '{definition.SystemId}'", NoSystem(definition.SystemId), cancellationToken).ConfigureAwait(false))
            {
            }

            return await GetSystemAsync(definition.SystemId, cancellationToken).ConfigureAwait(false);
        }

        // ---- system user requests ----

        /// <summary>
        /// Checks a request definition as NewRequestAsync would, sending nothing: -WhatIf shows the errors the real run gives.
        /// </summary>
        public void CheckRequest(SystemUserRequestDefinition definition) => Checked(definition);

        private VendorWire.Request Checked(SystemUserRequestDefinition definition)
        {
            const string op = "NewSystemUserRequest";
            Require(op, VendorRoutes.RequestWriteScope);
            var systemId = RequireSystemId(definition.SystemId, op);
            var customer = NorwegianIdentifiers.RequireOrganizationNumber(definition.CustomerOrganization, "CustomerOrganization", op);
            var agent = definition.Kind == AltinnSystemUserKind.Agent;
            var rights = Clean(definition.Rights);
            var packages = Clean(definition.AccessPackages);
            if (agent && rights.Count > 0)
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(op, ErrorReason.InvalidRequestDefinition),
                    "An agent system user acts for the customer's clients through access packages only: give -AccessPackage, and leave -Right out (or leave -Agent out for a standard system user).");
            }

            if (rights.Count == 0 && packages.Count == 0)
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(op, ErrorReason.InvalidRequestDefinition),
                    agent
                        ? "An agent system user needs at least one access package: give -AccessPackage with the packages the system is registered with (Get-AltinnSystem shows them)."
                        : "A standard system user needs at least one right or access package: give -Right (resource ids, such as app_ttd_brg-aarsregnskap) or -AccessPackage, among those the system is registered with (Get-AltinnSystem shows them).");
            }

            var body = new VendorWire.Request
            {
                ExternalRef = Optional(definition.ExternalRef),
                SystemId = systemId,
                PartyOrgNo = customer,
                IntegrationTitle = Optional(definition.IntegrationTitle),
                Rights = agent ? null : VendorWire.ToRights(rights),
                AccessPackages = VendorWire.ToPackages(packages),
                RedirectUrl = Optional(definition.RedirectUrl),
            };
            if (body.RedirectUrl != null && !(System.Uri.TryCreate(body.RedirectUrl, UriKind.Absolute, out var redirect) && redirect.Scheme == "https"))
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(op, ErrorReason.InvalidRedirectUrl),
                    $"-RedirectUrl '{body.RedirectUrl}' is not an absolute https:// address: give one of the system's allowed redirect URLs (Get-AltinnSystem shows them), or leave it out.");
            }

            return body;
        }

        /// <summary>
        /// Creates the request, or returns the one Altinn holds for the same system, customer and external reference
        /// while it is not timed out (CreateRequest answers it with 200): so a rerun asks nothing twice.
        /// </summary>
        public async Task<AltinnSystemUserRequest> NewRequestAsync(SystemUserRequestDefinition definition, CancellationToken cancellationToken)
        {
            const string op = "NewSystemUserRequest";
            var body = Checked(definition);
            var agent = definition.Kind == AltinnSystemUserKind.Agent;
            var systemId = body.SystemId;
            var customer = body.PartyOrgNo;

            // Altinn answers a repeat for the same system, customer and reference with the request it holds, so it is safe to send again
            var request = new AltinnRequest(HttpMethod.Post, Uri(agent ? VendorRoutes.AgentRequest : VendorRoutes.Request), RequestKind.Write, op)
            {
                Content = () => Json(new
                {
                    externalRef = body.ExternalRef,
                    systemId = body.SystemId,
                    partyOrgNo = body.PartyOrgNo,
                    integrationTitle = body.IntegrationTitle,
                    rights = body.Rights,
                    accessPackages = body.AccessPackages,
                    redirectUrl = body.RedirectUrl,
                }),
            };
            var what = $"Requesting {(agent ? "an agent" : "a")} system user of '{systemId}' for {customer}";
            try
            {
                var created = await SendAsync<VendorWire.Request>(request, what, NoSystem(systemId), cancellationToken).ConfigureAwait(false);
                return Bind(AltinnSystemUserRequest.From(created, definition.Kind));
            }
            catch (AltinnException exists) when (exists.ErrorId == ErrorCatalogue.Id(op, ErrorReason.SystemUserExists))
            {
                // Altinn refuses a request once its system user exists (SystemUser_AlreadyExists, AUTH-00004); the request
                // that made it is still there, Accepted, so a rerun returns it like any other request Altinn holds
                AltinnLog.Verbose($"{op}: the system user of '{systemId}' for {customer} exists; reading its accepted request.");
                AltinnSystemUserRequest accepted;
                try
                {
                    accepted = await GetRequestByExternalRefAsync(systemId, customer, body.ExternalRef, definition.Kind, cancellationToken).ConfigureAwait(false);
                }
                catch (AltinnException)
                {
                    throw exists;
                }

                if (accepted.Status != RequestStatus.Accepted) throw exists;
                return accepted;
            }
        }

        public async Task<AltinnSystemUserRequest> GetRequestAsync(string requestId, AltinnSystemUserKind kind, CancellationToken cancellationToken)
        {
            const string op = "GetSystemUserRequest";
            Require(op, VendorRoutes.RequestReadScope);
            if (!Guid.TryParse(requestId, out var id))
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(op, ErrorReason.InvalidRequestId),
                    $"-RequestId '{requestId}' is not a request id (a GUID, as New-AltinnSystemUserRequest returns it).");
            }

            var route = kind == AltinnSystemUserKind.Agent ? VendorRoutes.AgentRequestById : VendorRoutes.RequestById;
            var request = new AltinnRequest(HttpMethod.Get, Uri(route, ("requestId", id.ToString())), RequestKind.Read, op);
            var found = await SendAsync<VendorWire.Request>(request, $"Reading system user request {id}",
                $"Altinn holds no {(kind == AltinnSystemUserKind.Agent ? "agent " : string.Empty)}request {id} of this vendor: check the id{(kind == AltinnSystemUserKind.Agent ? string.Empty : ", and give -Agent for an agent request")}.",
                cancellationToken).ConfigureAwait(false);
            return Bind(AltinnSystemUserRequest.From(found, kind));
        }

        public async Task<AltinnSystemUserRequest> GetRequestByExternalRefAsync(string systemId, string customerOrganization, string externalRef, AltinnSystemUserKind kind, CancellationToken cancellationToken)
        {
            const string op = "GetSystemUserRequest";
            Require(op, VendorRoutes.RequestReadScope);
            systemId = RequireSystemId(systemId, op);
            var customer = NorwegianIdentifiers.RequireOrganizationNumber(customerOrganization, "CustomerOrganization", op);
            // a request made without a reference has the organisation number as its reference
            var reference = Optional(externalRef) ?? customer;
            var route = kind == AltinnSystemUserKind.Agent ? VendorRoutes.AgentRequestByExternalRef : VendorRoutes.RequestByExternalRef;
            var request = new AltinnRequest(HttpMethod.Get, Uri(route, ("systemId", systemId), ("orgNo", customer), ("externalRef", reference)), RequestKind.Read, op);
            var found = await SendAsync<VendorWire.Request>(request, $"Reading the system user request of '{systemId}' for {customer} with reference '{reference}'",
                $"Altinn holds no {(kind == AltinnSystemUserKind.Agent ? "agent " : string.Empty)}request of system '{systemId}' for {customer} with external reference '{reference}': check the three values{(kind == AltinnSystemUserKind.Agent ? string.Empty : ", and give -Agent for an agent request")}.",
                cancellationToken).ConfigureAwait(false);
            return Bind(AltinnSystemUserRequest.From(found, kind));
        }

        /// <summary>
        /// Reads the request again until the customer has answered (Accepted, Rejected, Denied) or it has timed out,
        /// on the session's clock; past <paramref name="timeout"/>, an error that says the request is still waiting.
        /// </summary>
        public async Task<AltinnSystemUserRequest> WaitForAnswerAsync(AltinnSystemUserRequest request, TimeSpan timeout, TimeSpan interval, CancellationToken cancellationToken)
        {
            var clock = _session.Clock;
            var started = clock.UtcNow;
            var current = request;
            while (!current.IsFinal)
            {
                var waited = clock.UtcNow - started;
                if (waited >= timeout) throw NotAnswered(current, timeout);

                AltinnLog.Current.Progress($"Waiting for {current.CustomerOrganization} to answer request {current.RequestId} ({current.Status})",
                    (long)waited.TotalSeconds, (long)timeout.TotalSeconds);
                var pause = timeout - waited < interval ? timeout - waited : interval;
                await clock.Delay(pause, cancellationToken).ConfigureAwait(false);
                current = await GetRequestAsync(current.RequestId, current.Kind, cancellationToken).ConfigureAwait(false);
            }

            AltinnLog.Current.Progress($"Request {current.RequestId}: {current.Status}", (long)timeout.TotalSeconds, (long)timeout.TotalSeconds);
            return current;
        }

        /// <summary>The error for a request the customer has not answered within the wait.</summary>
        public AltinnException NotAnswered(AltinnSystemUserRequest current, TimeSpan timeout) =>
            new AltinnException(ErrorCatalogue.Id("GetSystemUserRequest", ErrorReason.Timeout), AltinnErrorKind.OperationTimeout,
                $"The customer {current.CustomerOrganization} has not answered system user request {current.RequestId} within {timeout.TotalSeconds:0} s (status {current.Status}). " +
                $"The request stays open: have the customer open {current.ConfirmUrl}, then run Get-AltinnSystemUserRequest -RequestId {current.RequestId}{(current.Kind == AltinnSystemUserKind.Agent ? " -Agent" : string.Empty)} -Wait again, with a longer -Timeout if need be.");

        // ---- system users ----

        public async Task<IReadOnlyList<AltinnSystemUser>> GetSystemUsersAsync(string systemId, CancellationToken cancellationToken)
        {
            const string op = "GetSystemUser";
            Require(op, VendorRoutes.RegisterWriteScope);
            systemId = RequireSystemId(systemId, op);
            var users = new List<AltinnSystemUser>();
            var next = Uri(VendorRoutes.SystemUsers, ("systemId", systemId));
            var pages = 0;
            while (next != null)
            {
                var request = new AltinnRequest(HttpMethod.Get, next, RequestKind.Read, op);
                var page = await SendAsync<VendorWire.Page<VendorWire.SystemUser>>(request, $"Listing the system users of '{systemId}'", NoSystem(systemId), cancellationToken).ConfigureAwait(false);
                users.AddRange((page?.Data ?? new List<VendorWire.SystemUser>()).Select(u => Bind(AltinnSystemUser.From(u))));
                next = page?.Links?.Next != null && ++pages < 1000 ? new Uri(Uri(VendorRoutes.Systems), page.Links.Next) : null;
                // a next link must stay on the platform: the token goes with it
                if (next != null && next.Host != Uri(VendorRoutes.Systems).Host) next = null;
            }

            return users;
        }

        // ---- shared ----

        private void Require(string operation, string scope)
        {
            _session.RequireConnected();
            if (!_session.IsVendor)
            {
                throw new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.NotVendorSession), AltinnErrorKind.InvalidOperation,
                    $"This session acts as the system user of {_session.SystemUserOrganization}; the system register and system user requests take the vendor's own token. " +
                    "Connect with Connect-Altinn -Vendor (the vendor's Maskinporten client and key, no -SystemUserOrganization), and pass that session with -Session if you keep both.");
            }

            var granted = (_session.Scope ?? string.Empty).Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
            if (!granted.Contains(scope, StringComparer.Ordinal))
            {
                throw new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.ScopeNotGranted), AltinnErrorKind.PermissionDenied,
                    $"This needs the scope {scope}, and the session was connected with '{_session.Scope}'. Connect-Altinn -Vendor without -Scope asks for all three vendor scopes; the Maskinporten client must have been given {scope} (Digdir gives it to the vendor's organisation on request).");
            }
        }

        private static string RequireSystemId(string systemId, string operation)
        {
            var id = (systemId ?? string.Empty).Trim();
            if (id.Length == 0)
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.MissingSystemId),
                    "-SystemId is empty: give the id of the vendor's system in Altinn's system register (Get-AltinnSystem lists them), such as 991825827_accounting.");
            }

            return id;
        }

        private SystemDefinition Check(SystemDefinition d, string operation)
        {
            RequireSystemId(d.SystemId, operation);
            return d;
        }

        private VendorWire.RegisteredSystem ToWire(SystemDefinition definition, string operation)
        {
            Check(definition, operation);
            var vendorOrg = _session.VendorOrganization;
            return new VendorWire.RegisteredSystem
            {
                Id = definition.SystemId.Trim(),
                Vendor = new VendorWire.VendorInfo { Id = "0192:" + vendorOrg },
                Name = new Dictionary<string, string>(definition.Names ?? new Dictionary<string, string>()),
                Description = new Dictionary<string, string>(definition.Descriptions ?? new Dictionary<string, string>()),
                Rights = VendorWire.ToRights(Clean(definition.Rights)),
                AccessPackages = VendorWire.ToPackages(Clean(definition.AccessPackages)),
                ClientId = Clean(definition.ClientIds),
                IsVisible = definition.IsVisible,
                AllowedRedirectUrls = Clean(definition.AllowedRedirectUrls),
            };
        }

        private static List<string> Clean(IEnumerable<string> values) =>
            (values ?? Enumerable.Empty<string>()).Select(v => v?.Trim()).Where(v => !string.IsNullOrEmpty(v)).ToList();

        private static string Optional(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

        private static string NoSystem(string systemId) =>
            $"Altinn's system register has no system '{systemId}' of this vendor: check -SystemId (Get-AltinnSystem lists the vendor's systems), or register it with Register-AltinnSystem.";

        private T Bind<T>(T value)
            where T : ISessionBound
        {
            if (value is AltinnSystem system && system.SystemId != null) _knownSystems[system.SystemId] = true;
            value?.Bind(_session);
            return value;
        }

        private Uri Uri(string route, params (string Name, string Value)[] values)
        {
            var path = route;
            foreach (var (name, value) in values) path = path.Replace("{" + name + "}", System.Uri.EscapeDataString(value));
            return new Uri(new Uri(_session.Environment.PlatformUri), path);
        }

        private static HttpContent Json(object body) =>
            new StringContent(JsonSerializer.Serialize(body, AltinnJson.Options), Encoding.UTF8, "application/json");

        private async Task<T> SendAsync<T>(AltinnRequest request, string what, string notFoundHint, CancellationToken cancellationToken)
        {
            using (var response = await _session.Http.SendAsync(request, cancellationToken).ConfigureAwait(false))
            {
                var text = response.Content == null ? string.Empty : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    throw VendorErrors.From((int)response.StatusCode, response.ReasonPhrase, text, response.Content?.Headers.ContentType?.MediaType,
                        request.Operation, what, notFoundHint, ScopeOf(request.Operation));
                }

                try
                {
                    return string.IsNullOrWhiteSpace(text) ? default(T) : JsonSerializer.Deserialize<T>(text, AltinnJson.Options);
                }
                catch (JsonException ex)
                {
                    throw new AltinnException(ErrorCatalogue.Id(request.Operation, ErrorReason.BadResponse), AltinnErrorKind.ProtocolError,
                        $"{what}: the answer from {request.Uri.GetLeftPart(UriPartial.Authority)} is not the JSON Altinn's authentication API sends ({ex.Message}). Check the environment's addresses.");
                }
            }
        }

        private static string ScopeOf(string operation)
        {
            switch (operation)
            {
                case "NewSystemUserRequest": return VendorRoutes.RequestWriteScope;
                case "GetSystemUserRequest": return VendorRoutes.RequestReadScope;
                default: return VendorRoutes.RegisterWriteScope;
            }
        }
    }
}
