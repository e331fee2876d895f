using System.Reflection;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AltinnApp.Core.Auth;
using AltinnApp.Core.Http;
using AltinnApp.Core.Session;

namespace AltinnApp.Core.Tests;

/// <summary>
/// The builder behind Connect-Altinn: each rule refuses with the ErrorId Connect-Altinn shows, the defaults
/// are the documented ones, and what it builds cannot be changed.
/// </summary>
public class ConnectOptionsTests
{
    private const string Organisation = "950474084";

    private static ConnectOptionsBuilder Tt02() => new()
    {
        Environment = "tt02",
        ClientId = "4b0f8a26-1c1e-4a55-9d4e-2f0b3b6c7a11",
        SystemUserOrganization = Organisation,
    };

    private static ConnectOptionsBuilder Local() => new() { Environment = "local", SystemUserOrganization = Organisation };

    private static string PrivateJwk()
    {
        using var key = KeyGenerator.Create(2048, "k-1");
        return key.PrivateKeyText(PrivateKeyFormat.Jwk);
    }

    private static string Token()
    {
        var now = DateTimeOffset.UtcNow;
        return TokenProviderTests.UnsignedJwt(now, now.AddMinutes(30));
    }

    public static TheoryData<string, Func<ConnectOptionsBuilder>, string> Refusals() => new()
    {
        { "no environment", () => new ConnectOptionsBuilder { ClientId = "c", SystemUserOrganization = Organisation }.UseJwk("{}", null), "Altinn.Connect.NoEnvironment" },
        { "only some addresses", () => new ConnectOptionsBuilder { PlatformUri = "https://platform.example.no/", SystemUserOrganization = Organisation }.UseAccessToken(Token()), "Altinn.Connect.IncompleteUris" },
        { "a key but no Maskinporten address", () => new ConnectOptionsBuilder { PlatformUri = "https://p.example.no/", AppBaseUri = "https://a.example.no/", ClientId = "c", SystemUserOrganization = Organisation }.UseJwk("{}", null), "Altinn.Connect.IncompleteUris" },
        { "an unknown environment", () => new ConnectOptionsBuilder { Environment = "tt2" }, "Altinn.Connect.UnknownEnvironment" },
        { "http to another machine", () => { var b = Tt02(); b.PlatformUri = "http://platform.example.no/"; return b.UseJwk("{}", null); }, "Altinn.Connect.InsecureUri" },
        { "local does not open http to any host", () => { var b = Local(); b.AppBaseUri = "http://apps.example.no/"; return b; }, "Altinn.Connect.InsecureUri" },
        { "a relative address", () => { var b = Tt02(); b.AppBaseUri = "apps.example.no"; return b.UseJwk("{}", null); }, "Altinn.Connect.InvalidUri" },
        { "no key outside localtest", Tt02, "Altinn.Connect.MissingKey" },
        { "a key for localtest, which has no Maskinporten", () => Local().UseJwk("{}", null), "Altinn.Connect.NoMaskinporten" },
        { "two key sources", () => Tt02().UseJwk("{}", null).UseAccessToken(Token()), "Altinn.Connect.KeyConflict" },
        { "an empty scope", () => { var b = Local(); b.Scope = " , "; return b; }, "Altinn.Connect.MissingScope" },
        { "a null scope", () => { var b = Local(); b.Scope = null; return b; }, "Altinn.Connect.MissingScope" },
        { "an app that is not org/app", () => { var b = Local(); b.App = "aarsregnskap"; return b; }, "Altinn.InvalidApp" },
        { "-TimeoutSec 0", () => { var b = Local(); b.TimeoutSec = 0; return b; }, "Altinn.Connect.InvalidTimeoutSec" },
        { "-ProcessNextTimeoutSec over a day", () => { var b = Local(); b.ProcessNextTimeoutSec = ConnectOptionsBuilder.MaxTimeoutSec + 1; return b; }, "Altinn.Connect.InvalidProcessNextTimeoutSec" },
        { "-TransferTimeoutSec over a week", () => { var b = Local(); b.TransferTimeoutSec = ConnectOptionsBuilder.MaxTransferTimeoutSec + 1; return b; }, "Altinn.Connect.InvalidTransferTimeoutSec" },
        { "-MaximumRetryCount over 20", () => { var b = Local(); b.MaximumRetryCount = ConnectOptionsBuilder.MaxRetryCount + 1; return b; }, "Altinn.Connect.InvalidMaximumRetryCount" },
        { "a negative -MaximumRetryCount", () => { var b = Local(); b.MaximumRetryCount = -1; return b; }, "Altinn.Connect.InvalidMaximumRetryCount" },
        { "-RetryIntervalSec NaN", () => { var b = Local(); b.RetryIntervalSec = double.NaN; return b; }, "Altinn.Connect.InvalidRetryIntervalSec" },
        { "a negative -RetryIntervalSec", () => { var b = Local(); b.RetryIntervalSec = -0.5; return b; }, "Altinn.Connect.InvalidRetryIntervalSec" },
        { "a key but no client id", () => { var b = Tt02(); b.ClientId = "  "; return b.UseJwk("{}", null); }, "Altinn.Connect.MissingClientId" },
        { "a client id with a space inside", () => { var b = Tt02(); b.ClientId = "4b0f8a26 1c1e"; return b.UseJwk("{}", null); }, "Altinn.Connect.InvalidClientId" },
        { "a client id with a line break inside", () => { var b = Tt02(); b.ClientId = "4b0f8a26\n1c1e"; return b.UseJwk("{}", null); }, "Altinn.Connect.InvalidClientId" },
        { "a wrong control digit", () => { var b = Tt02(); b.SystemUserOrganization = "950474085"; return b.UseJwk("{}", null); }, "Altinn.Connect.InvalidOrganizationNumber" },
        { "a key but no organisation", () => { var b = Tt02(); b.SystemUserOrganization = null; return b.UseJwk("{}", null); }, "Altinn.Connect.MissingSystemUserOrganization" },
        { "localtest without an organisation", () => new ConnectOptionsBuilder { Environment = "local" }, "Altinn.Connect.MissingSystemUserOrganization" },
        { "an external reference without its organisation", () => new ConnectOptionsBuilder { Environment = "tt02", SystemUserExternalRef = "contract-42" }.UseAccessToken(Token()), "Altinn.Connect.MissingSystemUserOrganization" },
        { "-NoProxy with -Proxy", () => { var b = Local(); b.NoProxy = true; b.Proxy = new Uri("http://127.0.0.1:1"); return b; }, "Altinn.Connect.ProxyConflict" },
        { "both kinds of proxy credentials", () => { var b = Local(); b.Proxy = new Uri("http://127.0.0.1:1"); b.ProxyCredential = new System.Net.NetworkCredential("u", "p"); b.ProxyUseDefaultCredentials = true; return b; }, "Altinn.Connect.ProxyConflict" },
        { "proxy credentials without a proxy", () => { var b = Local(); b.ProxyUseDefaultCredentials = true; return b; }, "Altinn.Connect.ProxyCredentialWithoutProxy" },
        { "a proxy that is not http(s)", () => { var b = Local(); b.Proxy = new Uri("ftp://proxy.example.no/"); return b; }, "Altinn.Connect.InvalidProxy" },
        { "an empty -Certificate", () => Tt02().UseCertificate(null), "Altinn.Connect.MissingCertificate" },
        { "an empty -CertificatePath", () => Tt02().UseCertificateFile(" ", null), "Altinn.Connect.MissingCertificatePath" },
        { "an empty -CertificateThumbprint", () => Tt02().UseCertificateThumbprint(""), "Altinn.Connect.MissingCertificateThumbprint" },
        { "an empty -CertificateBase64", () => Tt02().UseCertificateBase64(new SecureString(), null), "Altinn.Connect.MissingCertificateBase64" },
        { "an empty -Jwk", () => Tt02().UseJwk("  ", null), "Altinn.Connect.MissingJwk" },
        { "a -Jwk that is neither text nor SecureString", () => Tt02().UseJwk(42, null), "Altinn.Connect.InvalidJwk" },
        { "an empty -JwkPath", () => Tt02().UseJwkFile(null, null), "Altinn.Connect.MissingJwkPath" },
        { "an empty -PrivateKeyPath", () => Tt02().UsePrivateKeyFile("", "kid"), "Altinn.Connect.MissingPrivateKeyPath" },
        { "a PEM key without -KeyId", () => Tt02().UsePrivateKeyFile("key.pem", " "), "Altinn.Connect.MissingKeyId" },
        { "an empty -AccessToken", () => new ConnectOptionsBuilder { Environment = "tt02" }.UseAccessToken(null), "Altinn.Connect.MissingAccessToken" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Each_rule_refuses_with_its_ErrorId(string rule, Func<ConnectOptionsBuilder> builder, string errorId)
    {
        var ex = Assert.Throws<AltinnArgumentException>(() => builder().Build());
        Assert.True(errorId == ex.ErrorId, $"{rule}: {ex.ErrorId}: {ex.Message}");
        Assert.Equal(AltinnErrorKind.InvalidArgument, ex.Kind);
    }

    [Fact]
    public void Messages_are_those_Connect_Altinn_has_always_shown()
    {
        var unknown = Assert.Throws<AltinnArgumentException>(() => new ConnectOptionsBuilder { Environment = "tt2" }.Build());
        Assert.Matches("'tt2' is not an Altinn environment.*prod, tt02, at22, at23, at24, yt01, local", unknown.Message);

        var none = Assert.Throws<AltinnArgumentException>(() => new ConnectOptionsBuilder().Build());
        Assert.Contains("production is never assumed", none.Message);

        var noKey = Assert.Throws<AltinnArgumentException>(() => Tt02().Build());
        Assert.Matches("-CertificateThumbprint.*-Jwk.*Only -Environment local", noKey.Message);

        var organisation = Assert.Throws<AltinnArgumentException>(() => { var b = Tt02(); b.SystemUserOrganization = "950474085"; b.UseJwk("{}", null).Build(); });
        Assert.Matches("'950474085' is not a valid Norwegian organisation number.*mod-11", organisation.Message);

        var scope = Assert.Throws<AltinnArgumentException>(() => { var b = Local(); b.Scope = ""; b.Build(); });
        Assert.Contains("Leave it out for 'altinn:instances.read altinn:instances.write'", scope.Message);

        foreach (var name in new[] { "ClientId", "SystemUserOrganization" })
        {
            var b = Tt02().UseJwk("{}", null);
            if (name == "ClientId") b.ClientId = null; else b.SystemUserOrganization = null;
            Assert.Contains("Give -" + name, Assert.Throws<AltinnArgumentException>(() => b.Build()).Message);
        }
    }

    [Fact]
    public void Left_alone_everything_takes_the_default_from_its_one_home()
    {
        var options = Local().Build();

        Assert.Equal(AltinnConnectOptions.DefaultScope, options.Scope);
        Assert.Equal("altinn:instances.read altinn:instances.write", AltinnConnectOptions.DefaultScope);
        Assert.Equal(TimeSpan.FromSeconds(100), options.Http.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(300), options.Http.ProcessNextTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1800), options.Http.TransferTimeout);
        Assert.Equal(5, options.Http.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(1), options.Http.RetryBaseDelay);
        Assert.Equal(TimeSpan.FromSeconds(60), options.Http.MaxRetryDelay);
        Assert.False(options.NoProxy);
        Assert.Null(options.Proxy);
        Assert.Null(options.Key);
        Assert.Null(options.AccessToken);
        Assert.Null(options.ClientId);
        Assert.Null(options.DefaultApp);

        // an engine caller that builds no options gets the same
        var bare = new AltinnHttpOptions();
        Assert.Equal(options.Http.Timeout, bare.Timeout);
        Assert.Equal(options.Http.ProcessNextTimeout, bare.ProcessNextTimeout);
        Assert.Equal(options.Http.TransferTimeout, bare.TransferTimeout);
        Assert.Equal(options.Http.MaxRetries, bare.MaxRetries);
        Assert.Equal(options.Http.RetryBaseDelay, bare.RetryBaseDelay);
    }

    [Fact]
    public void The_help_states_the_engines_defaults()
    {
        var docs = RepositoryFile("docs", "cmdlets", "Connect-Altinn.md");
        Assert.Contains($"Default: {AltinnConnectOptions.DefaultScope}.", docs);
        Assert.Contains($"in seconds (default {AltinnHttpOptions.DefaultTimeoutSec})", docs);
        Assert.Contains($"so the default is {AltinnHttpOptions.DefaultProcessNextTimeoutSec} (or -TimeoutSec, if that is longer)", docs);
        Assert.Contains($"The default is {AltinnHttpOptions.DefaultTransferTimeoutSec} (30 minutes), or -TimeoutSec if that is longer", docs);
        Assert.Contains($"(default {AltinnHttpOptions.DefaultMaxRetries}; 0 turns repetition off)", docs);
        Assert.Contains($"in seconds (default {AltinnHttpOptions.DefaultRetryIntervalSec})", docs);
        Assert.Equal(30 * 60, AltinnHttpOptions.DefaultTransferTimeoutSec);

        var about = RepositoryFile("docs", "about_AltinnApp.md");
        Assert.Contains($"`-MaximumRetryCount` times (default {AltinnHttpOptions.DefaultMaxRetries})", about);
        Assert.Contains($"`-TimeoutSec` (default {AltinnHttpOptions.DefaultTimeoutSec})", about);
        Assert.Contains($"`-ProcessNextTimeoutSec` (default {AltinnHttpOptions.DefaultProcessNextTimeoutSec},", about);
        Assert.Contains($"`-TransferTimeoutSec` (default {AltinnHttpOptions.DefaultTransferTimeoutSec})", about);
    }

    [Theory]
    [InlineData(50, 300, 1800)]
    [InlineData(600, 600, 1800)]
    [InlineData(7200, 7200, 7200)]
    public void Left_out_the_longer_timeouts_are_never_shorter_than_TimeoutSec(int timeout, int processNext, int transfer)
    {
        var b = Local();
        b.TimeoutSec = timeout;
        var http = b.Build().Http;
        Assert.Equal(TimeSpan.FromSeconds(timeout), http.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(processNext), http.ProcessNextTimeout);
        Assert.Equal(TimeSpan.FromSeconds(transfer), http.TransferTimeout);
    }

    [Fact]
    public void What_is_given_is_kept_normalised()
    {
        var b = Local();
        b.TimeoutSec = 600;
        b.ProcessNextTimeoutSec = 30;
        b.TransferTimeoutSec = 60;
        b.MaximumRetryCount = 0;
        b.RetryIntervalSec = 2.5;
        b.Scope = " altinn:instances.read,altinn:instances.write  ";
        b.App = " BRG/Aarsregnskap ";
        b.SystemUserOrganization = "0192:950 474 084";
        b.ClientId = " 913312465_sbs ";
        b.Proxy = new Uri("http://proxy.example.no:8080");
        b.ProxyCredential = new System.Net.NetworkCredential("u", "p");
        var options = b.Build();

        Assert.Equal(TimeSpan.FromSeconds(30), options.Http.ProcessNextTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), options.Http.TransferTimeout);
        Assert.Equal(0, options.Http.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.Http.RetryBaseDelay);
        Assert.Equal("altinn:instances.read altinn:instances.write", options.Scope);
        Assert.Equal("brg/aarsregnskap", options.DefaultApp);
        Assert.Equal(Organisation, options.SystemUserOrganization);
        Assert.Equal("913312465_sbs", options.ClientId);
        var proxy = Assert.IsType<System.Net.WebProxy>(options.Proxy);
        Assert.Equal(new Uri("http://proxy.example.no:8080"), proxy.Address);
        Assert.False(proxy.BypassProxyOnLocal);
        Assert.Equal("u", ((System.Net.NetworkCredential)proxy.Credentials).UserName);
    }

    [Fact]
    public void Environment_addresses_come_from_the_environment_and_overrides_get_their_slash()
    {
        Assert.True(AltinnEnvironment.TryGet("tt02", out var tt02));
        var options = Tt02().UseJwk(PrivateJwk(), null).Build();
        using (options.Key)
        {
            Assert.Equal(tt02.MaskinportenUri, options.Environment.MaskinportenUri);
            Assert.Equal(tt02.PlatformUri, options.Environment.PlatformUri);
            Assert.Equal(tt02.AppBaseUri, options.Environment.AppBaseUri);
            Assert.Equal("k-1", Assert.IsType<RsaSigningKey>(options.Key).KeyId);
        }

        var custom = new ConnectOptionsBuilder
        {
            MaskinportenUri = "https://mp.example.no", PlatformUri = "https://platform.example.no", AppBaseUri = "https://{org}.apps.example.no",
            SystemUserOrganization = Organisation,
        }.UseAccessToken(Token()).Build();
        Assert.Equal("custom", custom.Environment.Name);
        Assert.Equal("https://platform.example.no/", custom.Environment.PlatformUri);
        Assert.Equal("https://{org}.apps.example.no/", custom.Environment.AppBaseUri);
    }

    [Fact]
    public void An_access_token_needs_no_client_id_or_organisation_and_may_be_a_SecureString()
    {
        var token = Token();
        var secure = new SecureString();
        foreach (var c in token) secure.AppendChar(c);
        var options = new ConnectOptionsBuilder { Environment = "tt02" }.UseAccessToken(secure).Build();
        Assert.Equal(token, options.AccessToken);
        Assert.Null(options.Key);
        Assert.Null(options.ClientId);
        Assert.Null(options.SystemUserOrganization);
    }

    [Fact]
    public void A_certificate_becomes_the_signing_key()
    {
        using var rsa = RSA.Create(2048);
        using var certificate = new CertificateRequest("CN=connect-options-test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var options = Tt02().UseCertificate(certificate).Build();
        using (options.Key)
        {
            Assert.NotNull(options.Key);
            Assert.Null(options.AccessToken);
        }
    }

    [Fact]
    public void A_key_is_loaded_only_after_everything_else_passed()
    {
        var b = Tt02().UseJwkFile("no-such.jwk.json", null);
        b.SystemUserOrganization = "950474085";
        Assert.Equal("Altinn.Connect.InvalidOrganizationNumber", Assert.Throws<AltinnArgumentException>(() => b.Build()).ErrorId);

        // and then through the caller's path resolution (Connect-Altinn: the PowerShell location)
        var resolved = Path.Combine(Path.GetTempPath(), "resolved-" + Guid.NewGuid().ToString("N"), "no-such.jwk.json");
        var c = Tt02().UseJwkFile("no-such.jwk.json", null);
        c.ResolvePath = _ => resolved;
        var ex = Assert.Throws<AltinnException>(() => c.Build());
        Assert.Equal("Altinn.File.FileNotFound", ex.ErrorId);
        Assert.Contains(resolved, ex.Message);
    }

    [Fact]
    public void No_secret_is_quoted_in_a_refusal()
    {
        var jwk = PrivateJwk();
        var ex = Assert.Throws<AltinnArgumentException>(() => Tt02().UseJwk(jwk, null).UseAccessToken("secret-token-text").Build());
        Assert.Equal("Altinn.Connect.KeyConflict", ex.ErrorId);
        Assert.Contains("-Jwk and -AccessToken", ex.Message);
        Assert.DoesNotContain("secret-token-text", ex.Message);
        Assert.DoesNotContain("\"d\"", ex.Message);

        var token = Token();
        var options = new ConnectOptionsBuilder { Environment = "tt02" }.UseAccessToken(token).Build();
        Assert.DoesNotContain(token, options.ToString());
    }

    [Theory]
    [InlineData(typeof(AltinnConnectOptions))]
    [InlineData(typeof(AltinnHttpOptions))]
    public void What_is_built_cannot_be_changed(Type type)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            Assert.True(property.SetMethod == null || !property.SetMethod.IsPublic, $"{type.Name}.{property.Name} has a public setter");
        }

        foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
        {
            Assert.True(field.IsLiteral || field.IsInitOnly, $"{type.Name}.{field.Name} is a field that can be written");
        }

        foreach (var field in type.GetFields(BindingFlags.NonPublic | BindingFlags.Instance))
        {
            Assert.True(field.IsInitOnly, $"{type.Name}.{field.Name} can change after construction");
        }
    }

    [Fact]
    public void Only_the_builder_makes_connect_options()
    {
        Assert.Empty(typeof(AltinnConnectOptions).GetConstructors(BindingFlags.Public | BindingFlags.Instance));
    }

    private static string RepositoryFile(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var path = Path.Combine(new[] { dir.FullName }.Concat(parts).ToArray());
            if (File.Exists(path)) return File.ReadAllText(path);
        }

        throw new FileNotFoundException("Not found above the test assembly: " + Path.Combine(parts));
    }
}
