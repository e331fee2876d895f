using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace AltinnApp.Simulator.Storage;

/// <summary>A party the simulator's "Register" knows: an organisation or a person.</summary>
public sealed record Party(int PartyId, string? OrganisationNumber, string? PersonNumber, string Name)
{
    public bool IsOrganisation => OrganisationNumber is not null;

    /// <summary>Stable per party id, so the same party always has the same UUID.</summary>
    public Guid PartyUuid => new(MD5.HashData(Encoding.UTF8.GetBytes($"party:{PartyId}")));
}

/// <summary>The built-in parties plus those added with <c>POST /_sim/parties</c>.</summary>
public sealed class PartyRegistry
{
    private readonly ConcurrentDictionary<int, Party> _byId = new();

    public PartyRegistry() => Reset();

    public void Reset()
    {
        _byId.Clear();
        Add(new Party(500700, "950474084", null, "STOLT SKJERMET TIGER AS"));
        Add(new Party(500701, "310461598", null, "GLAD NORSK KATT AS"));
        Add(new Party(500702, "313725138", null, "RASK BLÅ HEST AS"));
        Add(new Party(500703, "910825526", null, "TRYGG GRØNN UGLE AS"));
        Add(new Party(500800, null, "08089403198", "Ola Nordmann"));
        Add(new Party(500801, null, "17912099997", "Kari Nordmann"));
    }

    public void Add(Party party) => _byId[party.PartyId] = party;

    public Party? ById(int partyId) => _byId.GetValueOrDefault(partyId);

    public Party? ByOrganisationNumber(string number) =>
        _byId.Values.FirstOrDefault(p => p.OrganisationNumber == number);

    public Party? ByPersonNumber(string number) =>
        _byId.Values.FirstOrDefault(p => p.PersonNumber == number);
}
