using System.Security.Cryptography;
using AltinnApp.Core.Api;
using AltinnApp.Core.Auth;
using AltinnApp.Core.Session;
using Microsoft.IdentityModel.JsonWebTokens;

namespace AltinnApp.Core.Tests;

/// <summary>A vendor session's options and grant, and how the authentication API's refusals become ErrorIds.</summary>
public class VendorTests
{
    private static string PrivateJwk()
    {
        using var key = KeyGenerator.Create(2048, "k-1");
        return key.PrivateKeyText(PrivateKeyFormat.Jwk);
    }

    private static ConnectOptionsBuilder Vendor() => new() { Environment = "tt02", ClientId = "vendor-client", Vendor = true };

    [Fact]
    public void A_vendor_session_asks_for_the_three_vendor_scopes_and_no_system_user()
    {
        var options = Vendor().UseJwk(PrivateJwk(), null).Build();
        Assert.True(options.Vendor);
        Assert.Null(options.SystemUserOrganization);
        Assert.Equal(AltinnConnectOptions.VendorScope, options.Scope);
        Assert.Equal(
            ["altinn:authentication/systemregister.write", "altinn:authentication/systemuser.request.write", "altinn:authentication/systemuser.request.read"],
            options.Scope.Split(' '));
        options.Key.Dispose();
    }

    [Fact]
    public void A_vendor_session_keeps_a_scope_it_is_given()
    {
        var builder = Vendor();
        builder.Scope = "altinn:authentication/systemuser.request.read";
        var options = builder.UseJwk(PrivateJwk(), null).Build();
        Assert.Equal("altinn:authentication/systemuser.request.read", options.Scope);
        options.Key.Dispose();
    }

    [Fact]
    public void Vendor_with_a_system_users_parameters_or_without_a_key_is_refused()
    {
        var withOrg = Vendor();
        withOrg.SystemUserOrganization = "950474084";
        Assert.Equal("Altinn.Connect.VendorConflict", Assert.ThrowsAny<AltinnException>(() => withOrg.UseJwk(PrivateJwk(), null).Build()).ErrorId);

        Assert.Equal("Altinn.Connect.MissingKey", Assert.ThrowsAny<AltinnException>(() => Vendor().Build()).ErrorId);
        var token = Assert.ThrowsAny<AltinnException>(() => Vendor().UseAccessToken(TokenProviderTests.UnsignedJwt(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(5))).Build());
        Assert.Equal("Altinn.Connect.MissingKey", token.ErrorId);
        Assert.Contains("-AccessToken", token.Message);
    }

    [Fact]
    public void Without_a_system_user_the_grant_has_no_authorization_details()
    {
        using var rsa = RSA.Create(2048);
        using var key = new RsaSigningKey(RSA.Create(rsa.ExportParameters(true)), "kid-1", "test");
        var jwt = new JsonWebToken(GrantBuilder.Build(key, new GrantRequest { ClientId = "c", Audience = "https://test.maskinporten.no/", Scope = AltinnConnectOptions.VendorScope }, DateTimeOffset.UtcNow));
        Assert.False(jwt.TryGetPayloadValue<object>("authorization_details", out _));
        Assert.Equal(AltinnConnectOptions.VendorScope, jwt.GetPayloadValue<string>("scope"));
    }

    [Theory]
    [InlineData(404, "AUTH-00011", "Altinn.NewSystemUserRequest.SystemNotFound")]
    [InlineData(400, "AUTH-00000", "Altinn.NewSystemUserRequest.CustomerNotFound")]
    [InlineData(400, "AUTH-00001", "Altinn.NewSystemUserRequest.RightsRefused")]
    [InlineData(400, "AUTH-00004", "Altinn.NewSystemUserRequest.SystemUserExists")]
    [InlineData(400, "AUTH-00021", "Altinn.NewSystemUserRequest.InvalidRedirectUrl")]
    [InlineData(400, "AUTH-00099", "Altinn.NewSystemUserRequest.BadRequest")]
    public void A_problem_code_names_the_reason(int status, string code, string errorId)
    {
        var body = $"{{\"title\":\"t\",\"status\":{status},\"detail\":\"Altinn's words\",\"code\":\"{code}\"}}";
        var error = VendorErrors.From(status, "Status", body, "application/problem+json", "NewSystemUserRequest", "Requesting", null, VendorRoutes.RequestWriteScope);
        Assert.Equal(errorId, error.ErrorId);
        Assert.Contains("Altinn's words", error.Message);
        Assert.Contains(code, error.Message);
    }

    [Fact]
    public void Validation_errors_are_listed_each_with_code_and_path_and_a_403_names_the_scope()
    {
        const string body = "{\"status\":400,\"code\":\"STD-00000\",\"validationErrors\":[{\"code\":\"AUTH.VLD-00002\",\"detail\":\"The system id already exists\",\"paths\":[\"/registersystemrequest/systemid\"]},{\"code\":\"AUTH.VLD-00005\",\"detail\":\"bad url\",\"paths\":[\"/registersystemrequest/allowedredirecturls\"]}]}";
        var refused = VendorErrors.From(400, "Bad Request", body, "application/problem+json", "RegisterSystem", "Registering", null, VendorRoutes.RegisterWriteScope);
        Assert.Equal("Altinn.RegisterSystem.SystemRefused", refused.ErrorId);
        Assert.Contains("AUTH.VLD-00002: The system id already exists (/registersystemrequest/systemid)", refused.Message);
        Assert.Contains("AUTH.VLD-00005: bad url (/registersystemrequest/allowedredirecturls)", refused.Message);

        var forbidden = VendorErrors.From(403, "Forbidden", "", null, "GetSystem", "Reading", null, VendorRoutes.RegisterWriteScope);
        Assert.Equal("Altinn.GetSystem.Forbidden", forbidden.ErrorId);
        Assert.Contains(VendorRoutes.RegisterWriteScope, forbidden.Message);
    }
}
