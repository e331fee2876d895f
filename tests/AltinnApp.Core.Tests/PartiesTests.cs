using System.Net;
using System.Text;
using AltinnApp.Core.Api;
using AltinnApp.Core.Http;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Tests;

/// <summary><c>GET api/v1/parties</c>: the party list as app-lib sends Register's Party, and no person number in any log.</summary>
public class PartiesTests
{
    private static readonly AppIdentifier App = new("brg", "aarsregnskap");
    private const string FullPersonNumber = "08089403198";

    /// <summary>Answers by a function of the request; keeps the requests as sent.</summary>
    private sealed class FakeAltinn(Func<HttpRequestMessage, int, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public readonly List<HttpRequestMessage> Seen = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Seen.Add(request);
            return Task.FromResult(answer(request, Seen.Count));
        }
    }

    private sealed class ListLog : IAltinnLog
    {
        public readonly List<string> Lines = new();
        public void Verbose(string message) { lock (Lines) Lines.Add(message); }
        public void Debug(string message) { lock (Lines) Lines.Add(message); }
        public void Warning(string message) { lock (Lines) Lines.Add(message); }
        public void Progress(string activity, long done, long? total) { lock (Lines) Lines.Add(activity); }
    }

    private static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    // What app-lib's PartiesController sends a system user: [details.Party], Register's Party in camelCase, nulls written
    private const string SystemUserParties = """
        [{"partyId":500700,"partyUuid":"7bd8e8a1-5c4e-4b7d-9d6e-1f3c2a1b0e11","partyTypeName":2,"orgNumber":"950474084","ssn":null,
          "unitType":"AS","name":"STOLT SKJERMET TIGER AS","isDeleted":false,"onlyHierarchyElementWithNoAccess":false,"person":null,
          "organization":{"orgNumber":"950474084","name":"STOLT SKJERMET TIGER AS","unitType":"AS","telephoneNumber":null,"mobileNumber":null,
          "faxNumber":null,"eMailAddress":null,"internetAddress":null,"mailingAddress":null,"mailingPostalCode":null,"mailingPostalCity":null,
          "businessAddress":null,"businessPostalCode":null,"businessPostalCity":null,"unitStatus":null},"childParties":null}]
        """;

    [Fact]
    public async Task A_system_users_list_is_its_own_organisations_party_read_with_a_get_that_asks_for_json()
    {
        var altinn = new FakeAltinn((_, _) => Json(SystemUserParties));
        var session = await TestSessions.ConnectAsync(altinn);

        var parties = await session.Client.Applications.GetPartiesAsync(App, CancellationToken.None);

        var party = Assert.Single(parties);
        Assert.Equal(500700, party.PartyId);
        Assert.Equal(Guid.Parse("7bd8e8a1-5c4e-4b7d-9d6e-1f3c2a1b0e11"), party.PartyUuid);
        Assert.Equal("950474084", party.OrganizationNumber);
        Assert.Equal("STOLT SKJERMET TIGER AS", party.Name);
        Assert.Equal(AltinnPartyType.Organisation, party.Kind);
        Assert.Null(party.Ssn);
        Assert.Null(party.ChildParties);
        Assert.Equal("STOLT SKJERMET TIGER AS", party.ToString());

        var request = Assert.Single(altinn.Seen);
        Assert.Equal(HttpMethod.Get, request.Method);
        Assert.Equal("http://brg.apps.test/brg/aarsregnskap/api/v1/parties", request.RequestUri!.ToString());
        Assert.Contains(request.Headers.Accept, a => a.MediaType == "application/json");
        Assert.Equal("Bearer", request.Headers.Authorization!.Scheme);
    }

    [Fact]
    public async Task A_person_users_list_keeps_its_child_parties_and_each_kind_follows_the_unit_type()
    {
        const string list = """
            [{"partyId":500800,"partyTypeName":1,"ssn":"080894*****","name":"Ola Nordmann","isDeleted":false},
             {"partyId":500000,"partyTypeName":2,"orgNumber":"897069650","unitType":"AS","name":"DDG Fitness AS","isDeleted":false,
              "childParties":[{"partyId":500001,"partyTypeName":2,"orgNumber":"897069651","unitType":"BEDR","name":"DDG Fitness Bergen","isDeleted":false},
                              {"partyId":500002,"partyTypeName":2,"orgNumber":"897069652","unitType":"AAFY ","name":"DDG Fitness Oslo","isDeleted":true}]},
             {"partyId":500003,"partyTypeName":2,"orgNumber":"897069653","unitType":"KBO","name":"Konkursbo","isDeleted":false},
             {"partyId":510004,"partyTypeName":3,"name":"selvid","isDeleted":false}]
            """;
        var session = await TestSessions.ConnectAsync(new FakeAltinn((_, _) => Json(list)));

        var parties = await session.Client.Applications.GetPartiesAsync(App, CancellationToken.None);

        Assert.Equal([AltinnPartyType.Person, AltinnPartyType.Organisation, AltinnPartyType.BankruptcyEstate, AltinnPartyType.SelfIdentified],
            parties.Select(p => p.Kind!.Value).ToArray());
        Assert.Equal("080894*****", parties[0].Ssn);
        Assert.Null(parties[0].OrganizationNumber);
        var units = parties[1].ChildParties!;
        Assert.Equal([AltinnPartyType.SubUnit, AltinnPartyType.SubUnit], units.Select(p => p.Kind!.Value).ToArray());
        Assert.True(units[1].IsDeleted);
        Assert.Null(parties[1].PartyUuid);
    }

    [Fact]
    public async Task A_full_person_number_from_the_server_is_masked_in_the_party_and_never_logged()
    {
        // an app older than PartySsnMasking sends the number in full, in the party and in its person
        string list = $$"""
            [{"partyId":500800,"partyTypeName":1,"ssn":"{{FullPersonNumber}}","name":"Ola Nordmann","isDeleted":false,
              "person":{"ssn":"{{FullPersonNumber}}","name":"Ola Nordmann"},
              "childParties":[{"partyId":500801,"partyTypeName":1,"ssn":"17912099997","name":"Kari Nordmann","isDeleted":false}]}]
            """;
        var log = new ListLog();
        AltinnLog.Current = log;
        try
        {
            var session = await TestSessions.ConnectAsync(new FakeAltinn((_, _) => Json(list)));

            var party = Assert.Single(await session.Client.Applications.GetPartiesAsync(App, CancellationToken.None));

            Assert.Equal("080894*****", party.Ssn);
            Assert.Equal("179120*****", party.ChildParties![0].Ssn);
            Assert.DoesNotContain(FullPersonNumber, party.ToString());
            Assert.DoesNotContain(FullPersonNumber, System.Text.Json.JsonSerializer.Serialize(party, AltinnJson.Options));
            Assert.NotEmpty(log.Lines);
            Assert.All(log.Lines, line => Assert.DoesNotContain("94031", line));
        }
        finally
        {
            AltinnLog.Current = null!;
        }
    }

    [Fact]
    public async Task A_refusal_naming_a_person_number_is_mapped_under_GetParties_without_the_number()
    {
        var log = new ListLog();
        AltinnLog.Current = log;
        try
        {
            var session = await TestSessions.ConnectAsync(new FakeAltinn((_, _) =>
                Json($$"""{"title":"Forbidden","status":403,"detail":"Party {{FullPersonNumber}} is not allowed"}""", HttpStatusCode.Forbidden)));

            var error = await Assert.ThrowsAnyAsync<AltinnApiException>(() => session.Client.Applications.GetPartiesAsync(App, CancellationToken.None));

            Assert.StartsWith("Altinn.GetParties.", error.ErrorId);
            Assert.Equal(403, error.StatusCode);
            Assert.DoesNotContain(FullPersonNumber, error.Message);
            Assert.All(log.Lines, line => Assert.DoesNotContain(FullPersonNumber, line));
        }
        finally
        {
            AltinnLog.Current = null!;
        }
    }

    [Fact]
    public async Task A_read_is_repeated_after_a_503_and_an_unknown_app_says_to_check_the_app_id()
    {
        var flaky = new FakeAltinn((_, n) => n == 1 ? Json("{\"status\":503}", HttpStatusCode.ServiceUnavailable) : Json(SystemUserParties));
        var session = await TestSessions.ConnectAsync(flaky, retries: 1);
        Assert.Equal(500700, Assert.Single(await session.Client.Applications.GetPartiesAsync(App, CancellationToken.None)).PartyId);
        Assert.Equal(2, flaky.Seen.Count);

        var missing = await TestSessions.ConnectAsync(new FakeAltinn((_, _) => Json("{\"title\":\"Not Found\",\"status\":404}", HttpStatusCode.NotFound)));
        var error = await Assert.ThrowsAnyAsync<AltinnApiException>(() => missing.Client.Applications.GetPartiesAsync(App, CancellationToken.None));
        Assert.Equal("Altinn.GetParties.NotFound", error.ErrorId);
        Assert.Contains("Check the app id 'brg/aarsregnskap'", error.Message);
    }
}
