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
    private static readonly GrantRequest Grant = new() { ClientId = "c-1", SystemUserOrganization = "950474084", Audience = "https://test.maskinporten.no/", Scope = "altinn:instances.read" };

    // What Maskinporten really sends (Digdir's troubleshooting page, felleslosninger/docs
    // _docs/Maskinporten/maskinporten_feilsoking.md; MP-303 as invalid_altinn_customer_configuration from
    // Altinn's system-user troubleshooting page), and what the hint must tell the user to fix.
    [Theory]
    [InlineData("invalid_grant", "MP-100: Invalid assertion. Client authentication failed.", "InvalidClient", "-ClientId")]
    [InlineData("invalid_grant", "MP-110: Invalid assertion. Client authentication failed. Invalid JWT claim aud", "WrongAudience", "-MaskinportenUri")]
    [InlineData("invalid_grant", "MP-120: Invalid assertion. Client authentication failed. The JWT is signed with an invalid certificate.", "KeyNotAccepted", "register it with the client")]
    [InlineData("invalid_grant", "MP-121: Invalid assertion. Client authentication failed. Expired key", "KeyNotAccepted", "register the key again")]
    [InlineData("invalid_grant", "MP-124: Invalid JWT signature", "KeyNotAccepted", "Register its public key")]
    [InlineData("invalid_grant", "MP-123: Invalid JWT header x5c", "KeyNotAccepted", "Register its public key")]
    [InlineData("invalid_grant", "MP-130: JWT is expired", "ClockSkew", "clock")]
    [InlineData("invalid_grant", "Issue time is after now", "ClockSkew", "clock is ahead")]
    [InlineData("invalid_grant", "MP-012: Grant is used before", "GrantReused", "jti")]
    [InlineData("invalid_scope", "MP-200: Token request contains invalid scopes for client", "InvalidScope", "'altinn:instances.read'")]
    [InlineData("invalid_scope", "MP-201: Token request contains scopes not allowed for maskinporten", "InvalidScope", "integration type")]
    [InlineData("invalid_altinn_customer_configuration", "MP-303: Invalid authorization details values", "SystemUserNotFound", "accepted the system user request")]
    [InlineData("invalid_altinn_customer_configuration", null, "SystemUserNotFound", "-SystemUserExternalRef")]
    [InlineData("invalid_authorization_details", "MP-301: Unknown authorization details type", "InvalidAuthorizationDetails", "-SystemUserOrganization 950474084")]
    [InlineData("invalid_request", "MP-011: Invalid assertion. Invalid parameter value", "InvalidRequest", "line breaks")]
    [InlineData("invalid_client", null, "InvalidClient", "-ClientId 'c-1'")]
    [InlineData("invalid_grant", "something Maskinporten has not documented", "InvalidGrant", "clock")]
    [InlineData(null, null, "Refused", "clock")]
    public void A_refusal_is_named_by_maskinportens_code_and_mp_number(string error, string description, string reason, string hintPart)
    {
        var (actual, hint) = MaskinportenTokenSource.Classify(error, description, Grant, "RSA key 'k-1'");
        Assert.Equal(reason, actual);
        Assert.Contains(hintPart, hint);
    }

    [Fact]
    public void The_words_of_the_simulator_before_no_longer_decide_the_cause()
    {
        // an invalid_client text that mentions a kid is not a key problem unless Maskinporten says so by number
        Assert.Equal("InvalidClient", MaskinportenTokenSource.Classify("invalid_client", "kid 'k' is not a key registered", Grant).Reason);
        Assert.Equal("InvalidGrant", MaskinportenTokenSource.Classify("invalid_grant", "organisation 950474084 has no system user", Grant).Reason);
    }

    [Fact]
    public void The_system_user_hint_names_the_organisation_client_and_external_reference()
    {
        var grant = new GrantRequest { ClientId = "c-1", SystemUserOrganization = "310461598", SystemUserExternalRef = "contract-42" };
        var (_, hint) = MaskinportenTokenSource.Classify("invalid_altinn_customer_configuration", "MP-303: Invalid authorization details values", grant);
        Assert.Contains("'c-1'", hint);
        Assert.Contains("310461598", hint);
        Assert.Contains("'contract-42'", hint);
        Assert.Contains("system register", hint);
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
