using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace AltinnApp.Simulator.Maskinporten;

/// <summary>Body of <c>POST /_sim/clients</c>.</summary>
public sealed class ClientRegistrationDto
{
    public string? ClientId { get; set; }
    public List<JsonObject>? Jwks { get; set; }
    public List<string>? Certificates { get; set; }
    public List<string>? Scopes { get; set; }
    public List<SystemUserDto>? SystemUsers { get; set; }
    /// <summary>The vendor (supplier) organisation that owns the client; goes into <c>consumer</c>.</summary>
    public string? ConsumerOrganizationNumber { get; set; }
    /// <summary>The system the client belongs to; goes into <c>system_id</c>.</summary>
    public string? SystemId { get; set; }
}

public sealed class SystemUserDto
{
    public string? OrganizationNumber { get; set; }
    public string? ExternalRef { get; set; }
    public string? SystemUserId { get; set; }
    /// <summary><c>standard</c> (default) or <c>agent</c> (a system user for client relationships).</summary>
    public string? Kind { get; set; }
    /// <summary>An agent system user's clients, each with its access packages.</summary>
    public List<ClientDelegationDto>? Clients { get; set; }
}

public sealed class ClientDelegationDto
{
    public string? OrganizationNumber { get; set; }
    public List<string>? AccessPackages { get; set; }

    public ClientDelegation ToDelegation() => new(
        OrganizationNumber is { Length: 9 } org && org.All(char.IsAsciiDigit) ? org : throw new ArgumentException($"client organizationNumber '{OrganizationNumber}' is not 9 digits"),
        new HashSet<string>(AccessPackages ?? [], StringComparer.Ordinal));
}

public sealed record SystemUser(string OrganizationNumber, string? ExternalRef, string SystemUserId,
    SystemUserKind Kind = SystemUserKind.Standard, IReadOnlyList<ClientDelegation>? Clients = null);

/// <summary>A Maskinporten client as registered by a test.</summary>
public sealed class RegisteredClient
{
    public const string DefaultConsumerOrg = "991825827";

    public required string ClientId { get; init; }
    public required IReadOnlyDictionary<string, RSA> KeysById { get; init; }
    public required IReadOnlyList<X509Certificate2> Certificates { get; init; }
    public required IReadOnlySet<string> Scopes { get; init; }
    public required IReadOnlyList<SystemUser> SystemUsers { get; init; }
    public required string ConsumerOrganizationNumber { get; init; }
    public required string SystemId { get; init; }

    public static RegisteredClient Parse(ClientRegistrationDto dto)
    {
        if (string.IsNullOrWhiteSpace(dto.ClientId)) throw new ArgumentException("clientId is required");
        var keys = new Dictionary<string, RSA>(StringComparer.Ordinal);
        foreach (var jwk in dto.Jwks ?? [])
        {
            string kid = jwk["kid"]?.GetValue<string>() ?? throw new ArgumentException("every JWK needs a kid");
            if (jwk["kty"]?.GetValue<string>() != "RSA") throw new ArgumentException($"JWK {kid} is not an RSA key");
            var rsa = RSA.Create();
            rsa.ImportParameters(new RSAParameters
            {
                Modulus = WebEncoders.Base64UrlDecode(jwk["n"]?.GetValue<string>() ?? throw new ArgumentException($"JWK {kid} has no n")),
                Exponent = WebEncoders.Base64UrlDecode(jwk["e"]?.GetValue<string>() ?? throw new ArgumentException($"JWK {kid} has no e")),
            });
            keys[kid] = rsa;
        }
        var certificates = (dto.Certificates ?? [])
            .Select(c => X509CertificateLoader.LoadCertificate(Convert.FromBase64String(c)))
            .ToList();
        string consumer = string.IsNullOrWhiteSpace(dto.ConsumerOrganizationNumber) ? DefaultConsumerOrg : dto.ConsumerOrganizationNumber;
        var systemUsers = (dto.SystemUsers ?? [])
            .Select(u => new SystemUser(
                u.OrganizationNumber ?? throw new ArgumentException("every system user needs an organizationNumber"),
                string.IsNullOrEmpty(u.ExternalRef) ? null : u.ExternalRef,
                u.SystemUserId ?? StableGuid($"{dto.ClientId}|{u.OrganizationNumber}|{u.ExternalRef}").ToString(),
                KindOf(u.Kind),
                (u.Clients ?? []).Select(c => c.ToDelegation()).ToList()))
            .ToList();
        return new RegisteredClient
        {
            ClientId = dto.ClientId,
            KeysById = keys,
            Certificates = certificates,
            Scopes = new HashSet<string>(dto.Scopes ?? [], StringComparer.Ordinal),
            SystemUsers = systemUsers,
            ConsumerOrganizationNumber = consumer,
            SystemId = string.IsNullOrWhiteSpace(dto.SystemId) ? $"{consumer}_{dto.ClientId}" : dto.SystemId,
        };
    }

    private static SystemUserKind KindOf(string? kind) => kind?.ToLowerInvariant() switch
    {
        null or "" or "standard" => SystemUserKind.Standard,
        "agent" => SystemUserKind.Agent,
        _ => throw new ArgumentException($"system user kind '{kind}' is neither standard nor agent"),
    };

    private static Guid StableGuid(string text) => new(MD5.HashData(Encoding.UTF8.GetBytes(text)));
}

public sealed class ClientRegistry(SystemUserDirectory systemUsers)
{
    private readonly ConcurrentDictionary<string, RegisteredClient> _clients = new(StringComparer.Ordinal);

    /// <summary>Registers the client and creates its system users in the directory, where authorisation looks them up.</summary>
    public void Register(RegisteredClient client)
    {
        _clients[client.ClientId] = client;
        foreach (var user in client.SystemUsers)
            systemUsers.Create(user.SystemUserId, user.Kind, user.OrganizationNumber, user.Clients);
    }

    public bool Remove(string clientId) => _clients.TryRemove(clientId, out _);
    public RegisteredClient? Find(string clientId) => _clients.GetValueOrDefault(clientId);
    public void Clear()
    {
        _clients.Clear();
        systemUsers.Clear();
    }
}
