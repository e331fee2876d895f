namespace AltinnApp.Simulator.Models;

// Register's Party as the app library serialises it (Altinn.Platform.Register.Models, camelCase, nulls written,
// partyTypeName a number): the items of GET api/v1/parties, in the order of the OpenAPI schema "Party".

public sealed class RegisterParty
{
    public int PartyId { get; set; }
    public Guid? PartyUuid { get; set; }
    /// <summary>1 Person, 2 Organisation, 3 SelfIdentified, 4 SubUnit, 5 BankruptcyEstate.</summary>
    public int PartyTypeName { get; set; }
    public string? OrgNumber { get; set; }
    public string? Ssn { get; set; }
    public string? UnitType { get; set; }
    public string? Name { get; set; }
    public bool IsDeleted { get; set; }
    public bool OnlyHierarchyElementWithNoAccess { get; set; }
    public RegisterPerson? Person { get; set; }
    public RegisterOrganization? Organization { get; set; }
    public List<RegisterParty>? ChildParties { get; set; }
}

public sealed class RegisterOrganization
{
    public string? OrgNumber { get; set; }
    public string? Name { get; set; }
    public string? UnitType { get; set; }
    public string? TelephoneNumber { get; set; }
    public string? MobileNumber { get; set; }
    public string? FaxNumber { get; set; }
    public string? EMailAddress { get; set; }
    public string? InternetAddress { get; set; }
    public string? MailingAddress { get; set; }
    public string? MailingPostalCode { get; set; }
    public string? MailingPostalCity { get; set; }
    public string? BusinessAddress { get; set; }
    public string? BusinessPostalCode { get; set; }
    public string? BusinessPostalCity { get; set; }
    public string? UnitStatus { get; set; }
}

public sealed class RegisterPerson
{
    public string? Ssn { get; set; }
    public string? Name { get; set; }
    public string? FirstName { get; set; }
    public string? MiddleName { get; set; }
    public string? LastName { get; set; }
    public string? TelephoneNumber { get; set; }
    public string? MobileNumber { get; set; }
    public string? MailingAddress { get; set; }
    public string? MailingPostalCode { get; set; }
    public string? MailingPostalCity { get; set; }
    public string? AddressMunicipalNumber { get; set; }
    public string? AddressMunicipalName { get; set; }
    public string? AddressStreetName { get; set; }
    public string? AddressHouseNumber { get; set; }
    public string? AddressHouseLetter { get; set; }
    public string? AddressPostalCode { get; set; }
    public string? AddressCity { get; set; }
    public DateTime? DateOfDeath { get; set; }
}
