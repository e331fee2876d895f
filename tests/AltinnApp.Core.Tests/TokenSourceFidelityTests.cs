using System.Net;
using System.Text;
using AltinnApp.Core.Auth;
using AltinnApp.Core.Http;
using AltinnApp.Core.Session;
using Microsoft.IdentityModel.Tokens;

namespace AltinnApp.Core.Tests;

/// <summary>
/// What the token sources make of localtest's fixed system user and of the exchange's one 401, against
/// a fake platform behind the session's handler.
/// </summary>
public class TokenSourceFidelityTests
{
    private sealed class Fake(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public readonly List<Uri> Seen = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Seen.Add(request.RequestUri!);
            return Task.FromResult(answer(request));
        }
    }

    private static string LocaltestToken(string org) =>
        Base64UrlEncoder.Encode("{\"alg\":\"RS256\",\"typ\":\"JWT\"}") + "." +
        Base64UrlEncoder.Encode($"{{\"exp\":{DateTimeOffset.UtcNow.AddMinutes(30).ToUnixTimeSeconds()},\"actual_iss\":\"localtest\"," +
            $"\"authorization_details\":{{\"type\":\"urn:altinn:systemuser\",\"systemuser_org\":{{\"authority\":\"iso6523-actorid-upis\",\"ID\":\"0192:{org}\"}}}}}}") + ".c2ln";

    private static AltinnConnectOptions Local(string organisation)
    {
        return new ConnectOptionsBuilder
        {
            Environment = "local",
            PlatformUri = "http://127.0.0.1:5999/",
            AppBaseUri = "http://127.0.0.1:5999/",
            SystemUserOrganization = organisation,
            MaximumRetryCount = 0,
        }.Build();
    }

    [Fact]
    public async Task Local_with_another_organisation_than_localtests_system_user_is_refused_naming_both()
    {
        // localtest answers with its test system user's organisation whatever was asked (HomeController.GetTestSystemUserToken)
        var fake = new Fake(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(LocaltestToken("950474084"), Encoding.UTF8, "text/plain") });

        var ex = await Assert.ThrowsAsync<AltinnArgumentException>(() => AltinnSession.ConnectAsync(Local("310461598"), fake, CancellationToken.None));

        Assert.Equal("Altinn.Connect.LocalTestOrganizationMismatch", ex.ErrorId);
        Assert.Contains("belongs to organisation 950474084", ex.Message);
        Assert.Contains("-SystemUserOrganization 310461598", ex.Message);
        Assert.Contains("Connect with -SystemUserOrganization 950474084", ex.Message);
        Assert.Single(fake.Seen);
    }

    [Fact]
    public async Task Local_with_localtests_own_organisation_connects_as_it()
    {
        var fake = new Fake(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(LocaltestToken("950474084"), Encoding.UTF8, "text/plain") });
        using var session = await AltinnSession.ConnectAsync(Local("950474084"), fake, CancellationToken.None);
        Assert.Equal("950474084", session.SystemUserOrganization);
        Assert.Contains("systemUserId=d111dbab-d619-4f15-bf29-58fe570a9ae6", fake.Seen[0].Query);
    }

    private static MaskinportenTokenSource Source() =>
        new(new RsaSigningKey(System.Security.Cryptography.RSA.Create(2048), "k-1", "a test"), new GrantRequest { ClientId = "c-1", SystemUserOrganization = "950474084" },
            "https://test.maskinporten.no/", "https://platform.tt02.altinn.no/", null!);

    [Fact]
    public void The_exchanges_401_says_it_is_altinns_answer_to_any_failure_and_lists_the_likely_causes()
    {
        var body = "{\"type\":\"https://tools.ietf.org/html/rfc9110#section-15.5.2\",\"title\":\"Unauthorized\",\"status\":401,\"traceId\":\"00-1-2-00\"}";
        var ex = Source().ExchangeError(401, "Unauthorized", body, "application/problem+json");

        Assert.Equal("Altinn.TokenExchange.Refused", ex.ErrorId);
        Assert.Contains("any failure behind the exchange", ex.Message);
        Assert.Contains("another environment's Maskinporten", ex.Message);
        Assert.Contains("-Environment", ex.Message);
        Assert.Contains("clock", ex.Message);
        Assert.Contains("try again in a few minutes", ex.Message);
        Assert.Contains("refused earlier, by Maskinporten", ex.Message);
    }

    [Fact]
    public void Other_exchange_answers_carry_altinns_own_words()
    {
        var ex = Source().ExchangeError(400, "Bad Request", "Invalid token provider: x. Trusted token providers are 'Maskinporten', 'Id-porten' and 'AltinnStudio'.", "text/plain");
        Assert.Contains("400 Bad Request – Invalid token provider: x", ex.Message);
        Assert.Contains("-PlatformUri", ex.Message);
        Assert.DoesNotContain("any failure behind the exchange", ex.Message);
    }
}
