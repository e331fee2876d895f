using System.Collections.Concurrent;

namespace AltinnApp.Simulator.Maskinporten;

/// <summary>
/// The two kinds of system user Altinn has (AUTH <c>src/Core/Enums/SystemUserType.cs</c>: Standard, Agent): a standard one acts
/// for the organisation that owns it; an agent one ("system user for client relationships") acts for the clients its
/// owner (the facilitator, e.g. an accounting firm) has delegated to it, each with access packages.
/// </summary>
public enum SystemUserKind { Standard, Agent }

/// <summary>One client delegation of an agent system user: the client organisation and the access packages it covers.</summary>
public sealed record ClientDelegation(string OrganizationNumber, IReadOnlySet<string> AccessPackages);

/// <summary>Why the PDP denied (or allowed) a system user acting for a party; the app still answers a bare 403.</summary>
public enum PartyDecision { Permit, NotOwnOrganisation, NotAClient, LacksAccessPackage }

/// <summary>
/// Every system user the simulator knows, by id: its kind, owner and (agent) client delegations. The Maskinporten
/// client registration creates them (<c>POST /_sim/clients</c>); vendor onboarding calls <see cref="Create"/> once a
/// request is approved; <c>/_sim/systemusers/{id}/clients</c> adds and removes delegations while requests run.
/// Thread-safe: a delegation change is seen by the next request.
/// </summary>
public sealed class SystemUserDirectory
{
    /// <summary>
    /// The access packages the simulator's apps' policies (policy.xml) grant <c>instantiate</c>, <c>read</c>, <c>write</c>
    /// and the task actions to, for a client's system user. A client delegated without one of them is refused.
    /// </summary>
    public static readonly IReadOnlySet<string> PolicyAccessPackages = new HashSet<string>(StringComparer.Ordinal)
    {
        "urn:altinn:accesspackage:regnskapsforer-med-signeringsrettighet",
        "urn:altinn:accesspackage:ansvarlig-revisor",
    };

    private sealed class Entry(string id, SystemUserKind kind, string owner)
    {
        public string Id { get; } = id;
        public SystemUserKind Kind { get; } = kind;
        public string OwnerOrganizationNumber { get; } = owner;
        public ConcurrentDictionary<string, ClientDelegation> Clients { get; } = new(StringComparer.Ordinal);
    }

    private readonly ConcurrentDictionary<string, Entry> _byId = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates (or replaces) a system user. Clients are ignored for a standard one, as Altinn has none.</summary>
    public void Create(string systemUserId, SystemUserKind kind, string ownerOrganizationNumber, IEnumerable<ClientDelegation>? clients = null)
    {
        var entry = new Entry(systemUserId, kind, ownerOrganizationNumber);
        if (kind == SystemUserKind.Agent)
            foreach (var client in clients ?? []) entry.Clients[client.OrganizationNumber] = client;
        _byId[systemUserId] = entry;
    }

    public void Remove(string systemUserId) => _byId.TryRemove(systemUserId, out _);

    public void Clear() => _byId.Clear();

    public SystemUserKind? KindOf(string systemUserId) => _byId.TryGetValue(systemUserId, out var e) ? e.Kind : null;

    /// <summary>Delegates a client (or replaces its packages). False when the system user is unknown or not an agent.</summary>
    public bool Delegate(string systemUserId, ClientDelegation client)
    {
        if (!_byId.TryGetValue(systemUserId, out var e) || e.Kind != SystemUserKind.Agent) return false;
        e.Clients[client.OrganizationNumber] = client;
        return true;
    }

    /// <summary>Removes a client delegation; false when there was none.</summary>
    public bool Revoke(string systemUserId, string clientOrganizationNumber) =>
        _byId.TryGetValue(systemUserId, out var e) && e.Clients.TryRemove(clientOrganizationNumber, out _);

    public IReadOnlyList<ClientDelegation> ClientsOf(string systemUserId) =>
        _byId.TryGetValue(systemUserId, out var e) ? e.Clients.Values.OrderBy(c => c.OrganizationNumber, StringComparer.Ordinal).ToList() : [];

    /// <summary>The view of a system user for the control API.</summary>
    public object? Describe(string systemUserId) => _byId.TryGetValue(systemUserId, out var e)
        ? new
        {
            SystemUserId = e.Id,
            Kind = e.Kind == SystemUserKind.Agent ? "agent" : "standard",
            OwnerOrganizationNumber = e.OwnerOrganizationNumber,
            Clients = ClientsOf(e.Id).Select(c => new { c.OrganizationNumber, AccessPackages = c.AccessPackages.OrderBy(p => p, StringComparer.Ordinal) }),
        }
        : null;

    /// <summary>
    /// The PDP's decision for a system user acting for an organisation. A standard system user: its own organisation.
    /// An agent: a delegated client whose packages include one the app's policy grants; not its owner unless the owner
    /// delegated itself as a client (AUTH <c>SystemUserController.DelegateSelfToAgentSystemUser</c>). A system user the
    /// directory does not know (localtest's) is taken as standard.
    /// </summary>
    public PartyDecision Decide(string? systemUserId, string? systemUserOrganization, string? partyOrganization)
    {
        if (partyOrganization is null) return PartyDecision.NotOwnOrganisation;
        if (systemUserId is null || !_byId.TryGetValue(systemUserId, out var e) || e.Kind == SystemUserKind.Standard)
            return systemUserOrganization is not null && partyOrganization == systemUserOrganization ? PartyDecision.Permit : PartyDecision.NotOwnOrganisation;
        if (!e.Clients.TryGetValue(partyOrganization, out var client)) return PartyDecision.NotAClient;
        return client.AccessPackages.Overlaps(PolicyAccessPackages) ? PartyDecision.Permit : PartyDecision.LacksAccessPackage;
    }
}
