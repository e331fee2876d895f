using AltinnApp.Core;
using AltinnApp.Core.Api;
using AltinnApp.Core.Auth;
using Microsoft.IdentityModel.Tokens;

namespace AltinnApp.Core.Tests;

/// <summary>
/// Filing for a client with a system user for client relationships: the token's system user id, and the 403 to a create
/// for another organisation, which names the client, the system user and the firm and the reasons Altinn leaves open.
/// </summary>
public class ClientRefusalTests
{
    private const string Firm = "313725138";
    private const string Client = "310461598";
    private const string SystemUserId = "0f8e3b2a-1c4d-4e5f-8a9b-0c1d2e3f4a5b";

    private static AltinnApiException Forbidden() =>
        new("Altinn.NewInstance.Forbidden", AltinnErrorKind.PermissionDenied, "Altinn answered 403.", 403, null);

    [Fact]
    public void An_exchanged_token_names_the_system_user_id_and_the_firm_not_the_client()
    {
        string payload = $"{{\"exp\":{DateTimeOffset.UtcNow.AddMinutes(30).ToUnixTimeSeconds()},\"authorization_details\":{{\"type\":\"urn:altinn:systemuser\"," +
                         $"\"systemuser_id\":[\"{SystemUserId}\"],\"systemuser_org\":{{\"authority\":\"iso6523-actorid-upis\",\"ID\":\"0192:{Firm}\"}}}}}}";
        var token = AccessToken.FromJwt(Base64UrlEncoder.Encode("{\"alg\":\"RS256\"}") + "." + Base64UrlEncoder.Encode(payload) + ".c2ln", "test");
        Assert.Equal(SystemUserId, token.SystemUserId);
        Assert.Equal(Firm, token.SystemUserOrganization);
    }

    [Fact]
    public void Before_any_client_was_filed_for_the_message_names_the_client_the_system_user_and_every_reason()
    {
        var ex = ServerErrors.CreateForOtherOrganisation(Forbidden(), "brg/aarsregnskap", Client, Firm, SystemUserId, knownAgent: false)!;
        Assert.Equal("Altinn.NewInstance.Forbidden", ex.ErrorId);
        Assert.Equal(403, ex.StatusCode);
        Assert.Contains($"for organisation {Client}", ex.Message);
        Assert.Contains($"{Client} is not a client of system user {SystemUserId} of {Firm}", ex.Message);
        Assert.Contains($"lacks the access package brg/aarsregnskap requires for {Client}", ex.Message);
        Assert.Contains($"standard system user, which files for {Firm} alone", ex.Message);
        Assert.StartsWith($"Connect-Altinn -SystemUserOrganization {Client}", ex.RecommendedAction);
    }

    [Fact]
    public void Once_the_session_filed_for_a_client_it_is_an_agent_and_the_message_does_not_speak_of_its_own_organisation_only()
    {
        var ex = ServerErrors.CreateForOtherOrganisation(Forbidden(), "brg/aarsregnskap", Client, Firm, SystemUserId, knownAgent: true)!;
        Assert.Contains($"{Client} is not a client of system user {SystemUserId} of {Firm}", ex.Message);
        Assert.Contains("access package", ex.Message);
        Assert.DoesNotContain("alone", ex.Message);
        Assert.DoesNotContain("Connect-Altinn", ex.Message);
        Assert.StartsWith($"Have {Firm} delegate {Client} to system user {SystemUserId} of {Firm}", ex.RecommendedAction);
    }

    [Fact]
    public void The_sessions_own_organisation_and_other_answers_are_left_to_the_general_mapping()
    {
        Assert.Null(ServerErrors.CreateForOtherOrganisation(Forbidden(), "brg/aarsregnskap", Firm, Firm, SystemUserId));
        Assert.Null(ServerErrors.CreateForOtherOrganisation(new AltinnApiException("Altinn.NewInstance.NotFound", AltinnErrorKind.ObjectNotFound, "x", 404, null),
            "brg/aarsregnskap", Client, Firm, SystemUserId));
    }
}
