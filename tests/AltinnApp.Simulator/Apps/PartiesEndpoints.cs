using AltinnApp.Simulator.Infrastructure;
using AltinnApp.Simulator.Models;
using AltinnApp.Simulator.Storage;

namespace AltinnApp.Simulator.Apps;

/// <summary>
/// ALD <c>PartiesController.Get</c>: the parties the caller may represent. A system user represents its own
/// organisation alone, so the list has that one party (<c>[details.Party]</c>, looked up in Register by the
/// system user's organisation number), with person numbers masked (<c>PartySsnMasking</c>).
/// </summary>
public static class PartiesEndpoints
{
    private const string FilterParameter = "allowedToInstantiateFilter";

    public static void MapParties(this RouteGroupBuilder app)
    {
        app.MapGet("/api/v1/parties", List);
    }

    private static IResult List(HttpContext http, PartyRegistry parties)
    {
        var call = AppCall.From(http);
        // [ApiController] binds bool allowedToInstantiateFilter (the first value) before the action runs: a value that is
        // no bool is a 400 ValidationProblemDetails with the model binder's words for a parameter
        var filter = http.Request.Query[FilterParameter];
        if (filter.Count > 0 && !bool.TryParse(filter[0], out _))
            return InstantiationBinding.ValidationProblem(new System.Text.Json.Nodes.JsonObject
            {
                [FilterParameter] = new System.Text.Json.Nodes.JsonArray(string.IsNullOrEmpty(filter[0])
                    ? $"The value '{filter[0]}' is invalid."
                    : $"The value '{filter[0]}' is not valid."),
            });

        // Authenticated.SystemUser (every token the simulator issues): the system user's organisation. The filter
        // applies to a person user's list only.
        string? orgNumber = call.Caller.SystemUserOrgNumber;
        var party = orgNumber is null ? null : parties.ByOrganisationNumber(orgNumber);
        // Register's lookup fails for an unknown organisation and nothing in the app catches it
        if (party is null) return Responses.Empty(StatusCodes.Status500InternalServerError);
        return Responses.Json(new List<RegisterParty> { View(party) });
    }

    /// <summary>Register's Party of a simulator party; an organisation carries its Organization, a person a masked number.</summary>
    public static RegisterParty View(Party party) => new()
    {
        PartyId = party.PartyId,
        PartyUuid = party.PartyUuid,
        PartyTypeName = party.IsOrganisation ? 2 : 1,
        OrgNumber = party.OrganisationNumber,
        Ssn = Mask(party.PersonNumber),
        UnitType = party.IsOrganisation ? "AS" : null,
        Name = party.Name,
        Person = party.IsOrganisation ? null : new RegisterPerson { Ssn = Mask(party.PersonNumber), Name = party.Name },
        Organization = party.IsOrganisation
            ? new RegisterOrganization { OrgNumber = party.OrganisationNumber, Name = party.Name, UnitType = "AS" }
            : null,
    };

    /// <summary>ALD <c>NationalIdentityNumberExtensions.Mask</c>: the first six digits, then a star for each of the rest.</summary>
    private static string? Mask(string? number) =>
        number is null ? null : number.Length <= 6 ? new string('*', number.Length) : number[..6] + new string('*', number.Length - 6);
}
