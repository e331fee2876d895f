using System.Collections.Concurrent;
using AltinnApp.Simulator.Maskinporten;

namespace AltinnApp.Simulator.Vendor;

/// <summary>A system in the system register (altinn-authentication RegisteredSystemResponse).</summary>
public sealed class SimSystem
{
    public required string Id { get; init; }
    public required string VendorOrg { get; init; }
    public Dictionary<string, string> Name { get; set; } = new();
    public Dictionary<string, string> Description { get; set; } = new();
    public List<string> Rights { get; set; } = new();
    public List<string> AccessPackages { get; set; } = new();
    public List<string> ClientIds { get; set; } = new();
    public List<string> AllowedRedirectUrls { get; set; } = new();
    public bool IsVisible { get; set; }
    public bool IsDeleted { get; set; }
}

/// <summary>A system user request (RequestSystemResponse / AgentRequestSystemResponse).</summary>
public sealed class SimRequest
{
    public required Guid Id { get; init; }
    public required bool IsAgent { get; init; }
    public required string SystemId { get; init; }
    public required string VendorOrg { get; init; }
    public required string PartyOrgNo { get; init; }
    public required string ExternalRef { get; init; }
    public string? IntegrationTitle { get; init; }
    public List<string> Rights { get; init; } = new();
    public List<string> AccessPackages { get; init; } = new();
    public string? RedirectUrl { get; init; }
    public string Status { get; set; } = "New";
    public required DateTime Created { get; init; }
}

/// <summary>A system user made by approving a request; an agent one has the clients the customer delegated to it.</summary>
public sealed class SimSystemUser
{
    public required string Id { get; init; }
    public required string SystemId { get; init; }
    public required string VendorOrg { get; init; }
    public required string ReporteeOrgNo { get; init; }
    public required string ExternalRef { get; init; }
    public string? IntegrationTitle { get; init; }
    public required bool IsAgent { get; init; }
    public required DateTime Created { get; init; }
    public List<string> Clients { get; set; } = new();
    public List<string> Rights { get; init; } = new();
    public List<string> AccessPackages { get; init; } = new();
}

/// <summary>The system register, the requests and the system users they made.</summary>
public sealed class VendorStore(ClientRegistry clients)
{
    /// <summary>RequestRepository.REQUEST_TIMEOUT_DAYS: a request not answered in 180 days is Timedout.</summary>
    public const int RequestTimeoutDays = 180;

    private readonly object _gate = new();
    private readonly Dictionary<string, SimSystem> _systems = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, SimRequest> _requests = new();
    private readonly List<SimSystemUser> _users = new();

    public void Clear()
    {
        lock (_gate) { _systems.Clear(); _requests.Clear(); _users.Clear(); }
    }

    public SimSystem? System(string id) { lock (_gate) return _systems.GetValueOrDefault(id); }

    public List<SimSystem> SystemsOf(string vendorOrg) { lock (_gate) return _systems.Values.Where(s => s.VendorOrg == vendorOrg && !s.IsDeleted).ToList(); }

    /// <summary>The system a client id belongs to, other than <paramref name="except"/> (a client id is one system's only).</summary>
    public SimSystem? SystemWithClient(string clientId, string? except)
    {
        lock (_gate) return _systems.Values.FirstOrDefault(s => !s.IsDeleted && s.Id != except && s.ClientIds.Contains(clientId, StringComparer.OrdinalIgnoreCase));
    }

    public bool TryAdd(SimSystem system) { lock (_gate) return _systems.TryAdd(system.Id, system); }

    public SimRequest? Request(Guid id) { lock (_gate) return _requests.GetValueOrDefault(id) is { } r ? WithTimeout(r) : null; }

    public SimRequest? RequestByExternalRef(string systemId, string orgNo, string externalRef, bool agent)
    {
        lock (_gate)
        {
            var found = _requests.Values
                .Where(r => r.IsAgent == agent && r.SystemId == systemId && r.PartyOrgNo == orgNo && r.ExternalRef == externalRef)
                .OrderByDescending(r => r.Created).FirstOrDefault();
            return found is null ? null : WithTimeout(found);
        }
    }

    public void Add(SimRequest request) { lock (_gate) _requests[request.Id] = request; }

    public SimSystemUser? UserByExternalRef(string systemId, string orgNo, string externalRef)
    {
        lock (_gate) return _users.FirstOrDefault(u => u.SystemId == systemId && u.ReporteeOrgNo == orgNo && u.ExternalRef == externalRef);
    }

    public List<SimSystemUser> UsersOf(string systemId) { lock (_gate) return _users.Where(u => u.SystemId == systemId).ToList(); }

    public List<SimSystemUser> AllUsers() { lock (_gate) return _users.ToList(); }

    public List<SimRequest> AllRequests() { lock (_gate) return _requests.Values.Select(WithTimeout).ToList(); }

    /// <summary>
    /// The customer's answer in the portal. Accepting makes the system user and registers it with every Maskinporten
    /// client of the system, so a grant for it (systemuser_org, externalRef) gets a system-user token.
    /// </summary>
    public (SimSystemUser? User, string? Error) Answer(Guid id, bool accept, IReadOnlyList<string> agentClients)
    {
        lock (_gate)
        {
            if (!_requests.TryGetValue(id, out var request)) return (null, "no such request");
            WithTimeout(request);
            if (request.Status != "New") return (null, $"the request is {request.Status}, not New");
            if (!accept)
            {
                request.Status = "Rejected";
                return (null, null);
            }

            var system = _systems.GetValueOrDefault(request.SystemId);
            if (system is null || system.IsDeleted) return (null, "the system is gone");
            request.Status = "Accepted";
            var user = new SimSystemUser
            {
                Id = Guid.NewGuid().ToString(),
                SystemId = request.SystemId,
                VendorOrg = request.VendorOrg,
                ReporteeOrgNo = request.PartyOrgNo,
                ExternalRef = request.ExternalRef,
                IntegrationTitle = request.IntegrationTitle,
                IsAgent = request.IsAgent,
                Created = DateTime.UtcNow,
                Clients = request.IsAgent ? agentClients.Distinct().ToList() : new List<string>(),
                Rights = request.Rights,
                AccessPackages = request.AccessPackages,
            };
            _users.Add(user);
            foreach (var clientId in system.ClientIds) RegisterWithClient(clientId, system, user);
            return (user, null);
        }
    }

    private void RegisterWithClient(string clientId, SimSystem system, SimSystemUser user)
    {
        var client = clients.Find(clientId);
        if (client is null || client.ConsumerOrganizationNumber != system.VendorOrg) return;
        var systemUsers = client.SystemUsers.ToList();
        // a reference equal to the organisation number is how Altinn stores "no reference" (RequestSystemUserService)
        // an agent's clients come delegated with the packages the request asked for, as the firm delegates them in the
        // portal after approving (SystemUserClientDelegationController); authorisation then decides per client
        var delegations = user.IsAgent
            ? user.Clients.Select(org => new ClientDelegation(org, new HashSet<string>(user.AccessPackages, StringComparer.Ordinal))).ToList()
            : null;
        systemUsers.Add(new SystemUser(user.ReporteeOrgNo, user.ExternalRef == user.ReporteeOrgNo ? null : user.ExternalRef, user.Id,
            user.IsAgent ? SystemUserKind.Agent : SystemUserKind.Standard, delegations));
        clients.Register(new RegisteredClient
        {
            ClientId = client.ClientId,
            KeysById = client.KeysById,
            Certificates = client.Certificates,
            Scopes = client.Scopes,
            SystemUsers = systemUsers,
            ConsumerOrganizationNumber = client.ConsumerOrganizationNumber,
            SystemId = system.Id,
        });
    }

    private static SimRequest WithTimeout(SimRequest request)
    {
        if (request.Status == "New" && request.Created < DateTime.UtcNow.AddDays(-RequestTimeoutDays)) request.Status = "Timedout";
        return request;
    }
}
