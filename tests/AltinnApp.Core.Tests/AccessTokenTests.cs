using System.Text;
using AltinnApp.Core;
using AltinnApp.Core.Auth;
using AltinnApp.Core.Session;
using Microsoft.IdentityModel.Tokens;

namespace AltinnApp.Core.Tests;

public class AccessTokenTests
{
    private static string Jwt(string payloadJson) =>
        Base64UrlEncoder.Encode("{\"alg\":\"RS256\",\"typ\":\"JWT\"}") + "." + Base64UrlEncoder.Encode(payloadJson) + ".c2ln";

    private static long In(TimeSpan span) => DateTimeOffset.UtcNow.Add(span).ToUnixTimeSeconds();

    [Fact]
    public void An_exchanged_token_names_its_system_user_organisation_and_client()
    {
        var token = AccessToken.FromJwt(Jwt($"{{\"exp\":{In(TimeSpan.FromMinutes(30))},\"client_id\":\"c-1\",\"authorization_details\":{{\"type\":\"urn:altinn:systemuser\",\"systemuser_org\":{{\"authority\":\"iso6523-actorid-upis\",\"ID\":\"0192:950474084\"}}}}}}"), "test");
        Assert.Equal("950474084", token.SystemUserOrganization);
        Assert.Equal("c-1", token.ClientId);
        Assert.False(token.IsMaskinportenToken);
    }

    [Fact]
    public void A_raw_maskinporten_token_is_refused_as_a_handed_in_token()
    {
        var raw = Jwt($"{{\"exp\":{In(TimeSpan.FromMinutes(2))},\"client_amr\":\"private_key_jwt\",\"authorization_details\":[{{\"type\":\"urn:altinn:systemuser\",\"systemuser_org\":{{\"ID\":\"0192:310461598\"}}}}]}}");
        Assert.Equal("310461598", AccessToken.FromJwt(raw, "test").SystemUserOrganization);
        var ex = Assert.Throws<AltinnArgumentException>(() => new StaticTokenSource(raw));
        Assert.Equal("Altinn.AccessToken.NotExchanged", ex.ErrorId);
        Assert.DoesNotContain(raw, ex.Message);
    }

    [Fact]
    public void Text_that_is_not_a_jwt_is_refused_without_echoing_it()
    {
        var ex = Assert.Throws<AltinnAuthenticationException>(() => AccessToken.FromJwt("secret-looking-text", "-AccessToken"));
        Assert.Equal("Altinn.Token.Malformed", ex.ErrorId);
        Assert.DoesNotContain("secret-looking-text", ex.Message);
    }

    [Fact]
    public async Task A_handed_in_token_warns_once_when_it_has_less_than_five_minutes_left()
    {
        var provider = new TokenProvider(new StaticTokenSource(Jwt($"{{\"exp\":{In(TimeSpan.FromMinutes(4))}}}")));
        await provider.GetAsync(CancellationToken.None);
        Assert.Contains("cannot be renewed", provider.TakeExpiryWarning());
        Assert.Null(provider.TakeExpiryWarning());

        var later = new TokenProvider(new StaticTokenSource(Jwt($"{{\"exp\":{In(TimeSpan.FromMinutes(20))}}}")));
        await later.GetAsync(CancellationToken.None);
        Assert.Null(later.TakeExpiryWarning());
    }
}

public class MaskinportenErrorTests
{
    private static readonly GrantRequest Grant = new() { ClientId = "c-1", SystemUserOrganization = "950474084" };

    [Theory]
    [InlineData("invalid_client", "Invalid assertion: kid 'k' is not a key registered for client 'c-1'", "KeyNotAccepted")]
    [InlineData("invalid_client", "Invalid assertion: signature does not verify against the key named by kid/x5c", "KeyNotAccepted")]
    [InlineData("invalid_client", "Invalid assertion: the x5c certificate is not registered for client 'c-1'", "KeyNotAccepted")]
    [InlineData("invalid_client", "Invalid assertion: iss 'c-9' is not a registered client", "InvalidClient")]
    [InlineData("invalid_grant", "Invalid authorization_details: organisation 950474084 has no system user for client 'c-1'", "SystemUserNotFound")]
    [InlineData("invalid_altinn_customer_configuration", "Altinn could not find the system user", "SystemUserNotFound")]
    [InlineData("invalid_scope", "scope not allowed for client 'c-1': x", "InvalidScope")]
    [InlineData("invalid_grant", "Invalid assertion: iat must be within 10 s of the server clock", "InvalidGrant")]
    [InlineData(null, null, "Refused")]
    public void A_refusal_is_named_by_its_cause(string error, string description, string reason)
    {
        var (actual, hint) = MaskinportenTokenSource.Classify(error, description, Grant);
        Assert.Equal(reason, actual);
        Assert.False(string.IsNullOrWhiteSpace(hint));
    }
}

public class AltinnEnvironmentTests
{
    // reference §1
    [Theory]
    [InlineData("prod", "https://maskinporten.no/", "https://platform.altinn.no/", "https://{org}.apps.altinn.no/")]
    [InlineData("tt02", "https://test.maskinporten.no/", "https://platform.tt02.altinn.no/", "https://{org}.apps.tt02.altinn.no/")]
    [InlineData("at22", "https://test.maskinporten.no/", "https://platform.at22.altinn.cloud/", "https://{org}.apps.at22.altinn.cloud/")]
    [InlineData("at23", "https://test.maskinporten.no/", "https://platform.at23.altinn.cloud/", "https://{org}.apps.at23.altinn.cloud/")]
    [InlineData("at24", "https://test.maskinporten.no/", "https://platform.at24.altinn.cloud/", "https://{org}.apps.at24.altinn.cloud/")]
    [InlineData("yt01", "https://test.maskinporten.no/", "https://platform.yt01.altinn.cloud/", "https://{org}.apps.yt01.altinn.cloud/")]
    [InlineData("local", null, "http://local.altinn.cloud/", "http://local.altinn.cloud/")]
    public void Each_environment_has_the_documented_hosts(string name, string maskinporten, string platform, string apps)
    {
        Assert.True(AltinnEnvironment.TryGet(name.ToUpperInvariant(), out var environment));
        Assert.Equal(maskinporten, environment.MaskinportenUri);
        Assert.Equal(platform, environment.PlatformUri);
        Assert.Equal(apps, environment.AppBaseUri);
        Assert.Equal(name == "local", environment.IsLocalTest);
    }

    [Fact]
    public void Overrides_get_a_trailing_slash_and_keep_the_rest()
    {
        Assert.True(AltinnEnvironment.TryGet("tt02", out var tt02));
        var custom = tt02.With("http://127.0.0.1:5099", null, null);
        Assert.Equal("http://127.0.0.1:5099/", custom.MaskinportenUri);
        Assert.Equal(tt02.PlatformUri, custom.PlatformUri);
        Assert.False(AltinnEnvironment.TryGet("tt2", out _));
    }
}
