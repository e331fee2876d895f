using System.Net;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using AltinnApp.Core.Http;
using AltinnApp.Core.Session;

namespace AltinnApp.Core.Tests;

/// <summary>HTTPS only (except loopback and localtest), TLS 1.2+ on .NET Framework, and the timeout of each kind of call.</summary>
public class TransportSecurityTests
{
    [Theory]
    [InlineData(".NET Framework 4.8.9032.0", 10, 0, 19045)] // Windows 10 22H2: no TLS 1.3 in Schannel
    [InlineData(".NET Framework 4.8.4645.0", 10, 0, 17763)] // Windows Server 2019
    [InlineData(".NET Framework 4.7.2", 6, 3, 9600)] // Windows Server 2012 R2
    [InlineData(".NET Framework 4.8.9032.0", 0, 0, 0)] // OS version unknown
    public void Windows_PowerShell_asks_for_TLS_1_2_where_Windows_has_no_TLS_1_3(string framework, int major, int minor, int build)
    {
        var version = major == 0 ? null : new Version(major, minor, build);
        Assert.Equal(SslProtocols.Tls12, TlsPolicy.ProtocolsFor(framework, version));
    }

    [Theory]
    [InlineData(10, 0, 20348)] // Windows Server 2022
    [InlineData(10, 0, 22631)] // Windows 11 23H2
    public void Windows_PowerShell_asks_for_TLS_1_2_and_1_3_where_Windows_has_TLS_1_3(int major, int minor, int build)
    {
        var protocols = TlsPolicy.ProtocolsFor(".NET Framework 4.8.9032.0", new Version(major, minor, build));
        Assert.Equal(SslProtocols.Tls12 | TlsPolicy.Tls13, protocols);
        Assert.Equal(12288, (int)TlsPolicy.Tls13); // SslProtocols.Tls13, not named in netstandard2.0
        Assert.Equal((int)SslProtocols.Tls13, (int)TlsPolicy.Tls13);
    }

    [Theory]
    [InlineData(".NET 8.0.11")]
    [InlineData(".NET 10.0.12")]
    [InlineData(".NET Core 3.1.32")]
    public void PowerShell_7_leaves_the_choice_to_the_operating_system(string framework)
    {
        Assert.Equal(SslProtocols.None, TlsPolicy.ProtocolsFor(framework, new Version(10, 0, 19045)));
    }

    [Fact]
    public void The_session_handler_on_this_runtime_keeps_the_OS_default_and_never_follows_redirects_or_keeps_cookies()
    {
        Assert.False(TlsPolicy.IsNetFramework(RuntimeInformation.FrameworkDescription));
        using var handler = AltinnSession.CreateHandler(new ConnectOptionsBuilder { Environment = "local", SystemUserOrganization = "950474084" }.Build());
        Assert.Equal(SslProtocols.None, handler.SslProtocols);
        Assert.False(handler.AllowAutoRedirect);
        Assert.False(handler.UseCookies);
    }

    [Theory]
    [InlineData("https://platform.tt02.altinn.no/", false)]
    [InlineData("http://127.0.0.1:5099/", false)]
    [InlineData("http://[::1]:5099/", false)]
    [InlineData("http://localhost:8000/", false)]
    [InlineData("http://local.altinn.cloud/", true)]
    [InlineData("http://local.altinn.cloud:8000/", true)]
    public void Https_loopback_and_localtest_are_accepted(string uri, bool localTest)
    {
        UriRules.RequireSecure(uri, "PlatformUri", localTest);
    }

    [Theory]
    [InlineData("http://platform.tt02.altinn.no/", false)]
    [InlineData("http://{org}.apps.tt02.altinn.no/", false)]
    [InlineData("http://10.0.0.5:8080/", false)]
    [InlineData("http://local.altinn.cloud/", false)] // localtest's name only counts with -Environment local
    [InlineData("http://platform.example.no/", true)] // -Environment local does not open http to any host
    [InlineData("http://local.altinn.cloud.example.no/", true)]
    public void Plain_http_to_another_machine_is_refused(string uri, bool localTest)
    {
        var ex = Assert.Throws<AltinnArgumentException>(() => UriRules.RequireSecure(uri, "AppBaseUri", localTest));
        Assert.Equal("Altinn.Connect.InsecureUri", ex.ErrorId);
        Assert.Contains("-AppBaseUri", ex.Message);
        Assert.Contains("https://", ex.Message);
    }

    [Theory]
    [InlineData("ftp://platform.tt02.altinn.no/")]
    [InlineData("platform.tt02.altinn.no")]
    [InlineData("file:///etc/passwd")]
    public void Other_schemes_and_relative_addresses_are_refused(string uri)
    {
        var ex = Assert.Throws<AltinnArgumentException>(() => UriRules.RequireSecure(uri, "MaskinportenUri", false));
        Assert.Equal("Altinn.Connect.InvalidUri", ex.ErrorId);
    }

    [Theory]
    [InlineData(RequestKind.Read, "-TimeoutSec")]
    [InlineData(RequestKind.Write, "-TimeoutSec")]
    [InlineData(RequestKind.Create, "-TimeoutSec")]
    [InlineData(RequestKind.ProcessNext, "-ProcessNextTimeoutSec")]
    [InlineData(RequestKind.Upload, "-TransferTimeoutSec")]
    [InlineData(RequestKind.Download, "-TransferTimeoutSec")]
    public async Task Each_kind_of_call_has_its_own_timeout_and_the_error_names_the_parameter_that_sets_it(RequestKind kind, string parameter)
    {
        var options = new AltinnHttpOptions(
            maxRetries: 0,
            timeout: TimeSpan.FromMilliseconds(kind == RequestKind.Read || kind == RequestKind.Write || kind == RequestKind.Create ? 100 : 30000),
            processNextTimeout: TimeSpan.FromMilliseconds(kind == RequestKind.ProcessNext ? 100 : 30000),
            transferTimeout: TimeSpan.FromMilliseconds(kind == RequestKind.Upload || kind == RequestKind.Download ? 100 : 30000));
        using var http = new AltinnHttp(new DelayHandler(TimeSpan.FromSeconds(20)), options);
        var request = new AltinnRequest(HttpMethod.Put, new Uri("http://127.0.0.1:1/brg/app/x"), kind, "Test") { Authenticate = false };
        var watch = System.Diagnostics.Stopwatch.StartNew();
        // a create or process/next comes as AltinnOutcomeUnknownException (its caller then looks), with the same ErrorId and message
        var ex = await Assert.ThrowsAnyAsync<AltinnException>(() => http.SendAsync(request, CancellationToken.None));
        Assert.Equal(kind == RequestKind.Create || kind == RequestKind.ProcessNext, ex is AltinnOutcomeUnknownException);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Equal("Altinn.Test.Timeout", ex.ErrorId);
        Assert.Equal(AltinnErrorKind.OperationTimeout, ex.Kind);
        Assert.Contains("Connect-Altinn " + parameter, ex.Message);
    }

    [Fact]
    public async Task A_short_general_timeout_does_not_cut_process_next_or_transfers_short()
    {
        var options = new AltinnHttpOptions(
            maxRetries: 0,
            timeout: TimeSpan.FromMilliseconds(100),
            processNextTimeout: TimeSpan.FromSeconds(30),
            transferTimeout: TimeSpan.FromSeconds(30));
        using var http = new AltinnHttp(new DelayHandler(TimeSpan.FromMilliseconds(400)), options);
        foreach (var kind in new[] { RequestKind.ProcessNext, RequestKind.Upload, RequestKind.Download })
        {
            var request = new AltinnRequest(HttpMethod.Put, new Uri("http://127.0.0.1:1/brg/app/x"), kind, "Test") { Authenticate = false };
            using var response = await http.SendAsync(request, CancellationToken.None);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private sealed class DelayHandler : HttpMessageHandler
    {
        private readonly TimeSpan _delay;

        public DelayHandler(TimeSpan delay) => _delay = delay;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(_delay, cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}") };
        }
    }
}
