using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Serialization;
using AltinnApp.Core.Session;

namespace AltinnApp.Core.Models
{
    /// <summary>The wire shapes of Altinn's authentication API (altinn-authentication, src/Core/Models), as it sends and takes them.</summary>
    internal static class VendorWire
    {
        public const string OrgAuthority = "iso6523-actorid-upis";
        public const string ResourceAttribute = "urn:altinn:resource";

        public sealed class AttributePair
        {
            [JsonPropertyName("id")] public string Id { get; set; }
            [JsonPropertyName("value")] public string Value { get; set; }
        }

        public sealed class Right
        {
            [JsonPropertyName("action")] public string Action { get; set; }
            [JsonPropertyName("resource")] public List<AttributePair> Resource { get; set; } = new List<AttributePair>();
        }

        public sealed class AccessPackage
        {
            [JsonPropertyName("urn")] public string Urn { get; set; }
        }

        public sealed class VendorInfo
        {
            [JsonPropertyName("authority")] public string Authority { get; set; } = OrgAuthority;
            [JsonPropertyName("ID")] public string Id { get; set; }
        }

        /// <summary>RegisterSystemRequest and RegisteredSystemResponse.</summary>
        public sealed class RegisteredSystem
        {
            [JsonPropertyName("id")] public string Id { get; set; }
            [JsonPropertyName("vendor")] public VendorInfo Vendor { get; set; }
            [JsonPropertyName("name")] public Dictionary<string, string> Name { get; set; } = new Dictionary<string, string>();
            [JsonPropertyName("description")] public Dictionary<string, string> Description { get; set; } = new Dictionary<string, string>();
            [JsonPropertyName("rights")] public List<Right> Rights { get; set; } = new List<Right>();
            [JsonPropertyName("accessPackages")] public List<AccessPackage> AccessPackages { get; set; } = new List<AccessPackage>();
            [JsonPropertyName("clientId")] public List<string> ClientId { get; set; } = new List<string>();
            [JsonPropertyName("isVisible")] public bool IsVisible { get; set; }
            [JsonPropertyName("isDeleted")] public bool IsDeleted { get; set; }
            [JsonPropertyName("allowedRedirectUrls")] public List<string> AllowedRedirectUrls { get; set; } = new List<string>();
        }

        /// <summary>RegisteredSystemDTO, an item of the vendor's list (no client ids or redirect URLs).</summary>
        public sealed class SystemListItem
        {
            [JsonPropertyName("systemId")] public string SystemId { get; set; }
            [JsonPropertyName("systemVendorOrgNumber")] public string SystemVendorOrgNumber { get; set; }
            [JsonPropertyName("name")] public Dictionary<string, string> Name { get; set; } = new Dictionary<string, string>();
            [JsonPropertyName("description")] public Dictionary<string, string> Description { get; set; } = new Dictionary<string, string>();
            [JsonPropertyName("rights")] public List<Right> Rights { get; set; } = new List<Right>();
            [JsonPropertyName("accessPackages")] public List<AccessPackage> AccessPackages { get; set; } = new List<AccessPackage>();
            [JsonPropertyName("isVisible")] public bool IsVisible { get; set; }
        }

        /// <summary>CreateRequestSystemUser, CreateAgentRequestSystemUser, RequestSystemResponse and AgentRequestSystemResponse.</summary>
        public sealed class Request
        {
            [JsonPropertyName("id")] public Guid Id { get; set; }
            [JsonPropertyName("integrationTitle")] public string IntegrationTitle { get; set; }
            [JsonPropertyName("externalRef")] public string ExternalRef { get; set; }
            [JsonPropertyName("systemId")] public string SystemId { get; set; }
            [JsonPropertyName("partyOrgNo")] public string PartyOrgNo { get; set; }
            [JsonPropertyName("rights")] public List<Right> Rights { get; set; }
            [JsonPropertyName("accessPackages")] public List<AccessPackage> AccessPackages { get; set; }
            [JsonPropertyName("status")] public string Status { get; set; }
            [JsonPropertyName("redirectUrl")] public string RedirectUrl { get; set; }
            [JsonPropertyName("confirmUrl")] public string ConfirmUrl { get; set; }
            [JsonPropertyName("created")] public DateTime? Created { get; set; }
        }

        /// <summary>SystemUserExternalDTO.</summary>
        public sealed class SystemUser
        {
            [JsonPropertyName("id")] public string Id { get; set; }
            [JsonPropertyName("integrationTitle")] public string IntegrationTitle { get; set; }
            [JsonPropertyName("systemId")] public string SystemId { get; set; }
            [JsonPropertyName("reporteeOrgNo")] public string ReporteeOrgNo { get; set; }
            [JsonPropertyName("created")] public DateTime? Created { get; set; }
            [JsonPropertyName("isDeleted")] public bool IsDeleted { get; set; }
            [JsonPropertyName("supplierOrgno")] public string SupplierOrgNo { get; set; }
            [JsonPropertyName("externalRef")] public string ExternalRef { get; set; }
            [JsonPropertyName("userType")] public string UserType { get; set; }
        }

        /// <summary>Paginated&lt;T&gt;: <c>links.next</c> and <c>data</c>.</summary>
        public sealed class Page<T>
        {
            [JsonPropertyName("links")] public Links Links { get; set; }
            [JsonPropertyName("data")] public List<T> Data { get; set; } = new List<T>();
        }

        public sealed class Links
        {
            [JsonPropertyName("next")] public string Next { get; set; }
        }

        public static List<Right> ToRights(IEnumerable<string> resourceIds) =>
            (resourceIds ?? Enumerable.Empty<string>()).Select(r => new Right
            {
                Resource = new List<AttributePair> { new AttributePair { Id = ResourceAttribute, Value = r } },
            }).ToList();

        public static List<AccessPackage> ToPackages(IEnumerable<string> urns) =>
            (urns ?? Enumerable.Empty<string>()).Select(u => new AccessPackage { Urn = u }).ToList();

        public static string[] ResourceIds(IEnumerable<Right> rights) =>
            (rights ?? Enumerable.Empty<Right>())
                .SelectMany(r => r.Resource ?? new List<AttributePair>())
                .Where(p => p.Id == ResourceAttribute)
                .Select(p => p.Value).ToArray();

        public static string[] Urns(IEnumerable<AccessPackage> packages) =>
            (packages ?? Enumerable.Empty<AccessPackage>()).Select(p => p.Urn).Where(u => u != null).ToArray();

        /// <summary>ISO 8601 in UTC, so a CSV column sorts and reads the same on every machine.</summary>
        public static string Iso(DateTime? value) =>
            value == null ? null : DateTime.SpecifyKind(value.Value, value.Value.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : value.Value.Kind)
                .ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>A system in Altinn's system register, as its vendor sees it.</summary>
    public sealed class AltinnSystem : ISessionBound
    {
        public string SystemId { get; set; }
        public string VendorOrganization { get; set; }

        /// <summary>The Norwegian Bokmål name (the one Altinn shows the customer first).</summary>
        public string Name { get; set; }
        public IReadOnlyDictionary<string, string> Names { get; set; }
        public IReadOnlyDictionary<string, string> Descriptions { get; set; }

        /// <summary>Resource ids (such as app_ttd_brg-aarsregnskap) a standard system user may be given.</summary>
        public string[] Rights { get; set; }
        public string[] AccessPackages { get; set; }
        /// <summary>The Maskinporten client ids; null when read from the list of systems, which does not carry them.</summary>
        public string[] ClientIds { get; set; }
        public string[] AllowedRedirectUrls { get; set; }
        public bool IsVisible { get; set; }
        public bool IsDeleted { get; set; }

        [JsonIgnore] public AltinnSession Session { get; private set; }

        public void Bind(AltinnSession session) => Session = session;

        public override string ToString() => SystemId;

        internal static AltinnSystem From(VendorWire.RegisteredSystem s) => new AltinnSystem
        {
            SystemId = s.Id,
            VendorOrganization = VendorOrg(s.Vendor?.Id),
            Name = s.Name != null && s.Name.TryGetValue("nb", out var nb) ? nb : s.Name?.Values.FirstOrDefault(),
            Names = s.Name ?? new Dictionary<string, string>(),
            Descriptions = s.Description ?? new Dictionary<string, string>(),
            Rights = VendorWire.ResourceIds(s.Rights),
            AccessPackages = VendorWire.Urns(s.AccessPackages),
            ClientIds = (s.ClientId ?? new List<string>()).ToArray(),
            AllowedRedirectUrls = (s.AllowedRedirectUrls ?? new List<string>()).ToArray(),
            IsVisible = s.IsVisible,
            IsDeleted = s.IsDeleted,
        };

        internal static AltinnSystem From(VendorWire.SystemListItem s)
        {
            // the list (RegisteredSystemDTO) carries no client ids: unknown there, not none
            var system = From(new VendorWire.RegisteredSystem
            {
                Id = s.SystemId,
                Vendor = new VendorWire.VendorInfo { Id = s.SystemVendorOrgNumber },
                Name = s.Name,
                Description = s.Description,
                Rights = s.Rights,
                AccessPackages = s.AccessPackages,
                IsVisible = s.IsVisible,
            });
            system.ClientIds = null;
            return system;
        }

        internal static string VendorOrg(string id) => id != null && id.StartsWith("0192:", StringComparison.Ordinal) ? id.Substring(5) : id;
    }

    /// <summary>What kind of system user a request asks for.</summary>
    public enum AltinnSystemUserKind
    {
        /// <summary>Acts for the customer itself, with rights (resources) and access packages.</summary>
        Standard,

        /// <summary>Acts for the customer's clients (an accounting firm's), with access packages.</summary>
        Agent,
    }

    /// <summary>
    /// A system user request: what the customer is asked to approve at <see cref="ConfirmUrl"/>. Flat (texts,
    /// enum names, ISO dates), so it goes to a CSV file and back as it is.
    /// </summary>
    public sealed class AltinnSystemUserRequest : ISessionBound
    {
        public string RequestId { get; set; }
        public AltinnSystemUserKind Kind { get; set; }

        /// <summary>New, Accepted, Rejected, Denied or Timedout (altinn-authentication RequestStatus).</summary>
        public string Status { get; set; }
        public string SystemId { get; set; }
        public string CustomerOrganization { get; set; }
        public string ExternalRef { get; set; }
        public string IntegrationTitle { get; set; }

        /// <summary>Resource ids, separated by ';' (a CSV cell).</summary>
        public string Rights { get; set; }

        /// <summary>Access package URNs, separated by ';'.</summary>
        public string AccessPackages { get; set; }
        public string RedirectUrl { get; set; }

        /// <summary>The page the customer opens to approve the request.</summary>
        public string ConfirmUrl { get; set; }

        /// <summary>UTC, ISO 8601.</summary>
        public string Created { get; set; }

        /// <summary>True once the customer has answered or the request has timed out.</summary>
        public bool IsFinal => RequestStatus.IsFinal(Status);

        [JsonIgnore] public AltinnSession Session { get; private set; }

        public void Bind(AltinnSession session) => Session = session;

        public override string ToString() => $"{Kind} request {RequestId} for {CustomerOrganization} ({Status})";

        internal static AltinnSystemUserRequest From(VendorWire.Request r, AltinnSystemUserKind kind) => new AltinnSystemUserRequest
        {
            RequestId = r.Id.ToString(),
            Kind = kind,
            Status = r.Status,
            SystemId = r.SystemId,
            CustomerOrganization = r.PartyOrgNo,
            ExternalRef = r.ExternalRef,
            IntegrationTitle = r.IntegrationTitle,
            Rights = string.Join(";", VendorWire.ResourceIds(r.Rights)),
            AccessPackages = string.Join(";", VendorWire.Urns(r.AccessPackages)),
            RedirectUrl = r.RedirectUrl,
            ConfirmUrl = r.ConfirmUrl,
            Created = VendorWire.Iso(r.Created),
        };
    }

    /// <summary>The statuses of a system user request (altinn-authentication src/Core/Enums/RequestStatus).</summary>
    public static class RequestStatus
    {
        public const string New = "New";
        public const string Accepted = "Accepted";
        public const string Rejected = "Rejected";
        public const string Denied = "Denied";
        public const string Timedout = "Timedout";

        public static bool IsFinal(string status) =>
            status == Accepted || status == Rejected || status == Denied || status == Timedout;
    }

    /// <summary>A system user of the vendor's system, made when a customer approved a request.</summary>
    public sealed class AltinnSystemUser : ISessionBound
    {
        public string SystemUserId { get; set; }
        public string SystemId { get; set; }
        public string CustomerOrganization { get; set; }
        public string ExternalRef { get; set; }
        public string IntegrationTitle { get; set; }

        /// <summary>Standard or Agent.</summary>
        public string UserType { get; set; }
        public string Created { get; set; }
        public bool IsDeleted { get; set; }

        [JsonIgnore] public AltinnSession Session { get; private set; }

        public void Bind(AltinnSession session) => Session = session;

        public override string ToString() => $"{UserType} system user {SystemUserId} of {CustomerOrganization}";

        internal static AltinnSystemUser From(VendorWire.SystemUser u) => new AltinnSystemUser
        {
            SystemUserId = u.Id,
            SystemId = u.SystemId,
            CustomerOrganization = u.ReporteeOrgNo,
            ExternalRef = u.ExternalRef,
            IntegrationTitle = u.IntegrationTitle,
            UserType = NormalizeUserType(u.UserType),
            Created = VendorWire.Iso(u.Created),
            IsDeleted = u.IsDeleted,
        };

        // SystemUserType is serialised by name in lower case ("standard", "agent")
        private static string NormalizeUserType(string value) =>
            string.IsNullOrEmpty(value) ? null : char.ToUpperInvariant(value[0]) + value.Substring(1).ToLowerInvariant();
    }
}
