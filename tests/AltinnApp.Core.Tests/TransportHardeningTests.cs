using System.Net;
using System.Net.Security;
using AltinnApp.Core.Http;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Tests;

/// <summary>The transport's answers to a security and Windows review: proxy, certificates, connections, bounded reads, hosts.</summary>
public class TransportHardeningTests
{
    private static AltinnConnectOptions Local(Uri proxy = null) =>
        new ConnectOptionsBuilder { Environment = "local", SystemUserOrganization = "950474084", Proxy = proxy }.Build();

    private sealed class Wire(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public readonly List<HttpRequestMessage> Seen = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Seen.Add(request);
            return Task.FromResult(answer(request));
        }
    }

    /// <summary>A body that never ends and, like .NET Framework's response stream, ignores the token; only closing it ends a read.</summary>
    private sealed class StalledStream : Stream
    {
        private readonly TaskCompletionSource<int> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _first = true;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            if (_first)
            {
                _first = false;
                buffer[offset] = (byte)'x';
                return 1;
            }

            await _closed.Task;
            throw new ObjectDisposedException(nameof(StalledStream));
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            new(ReadAsync(new byte[buffer.Length], 0, buffer.Length, CancellationToken.None));

        protected override void Dispose(bool disposing)
        {
            _closed.TrySetResult(0);
            base.Dispose(disposing);
        }
    }

    /// <summary>An endless body: a read that is not bounded never ends.</summary>
    private sealed class EndlessStream : Stream
    {
        public long Served;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (Served > 64L * 1024 * 1024) throw new InvalidOperationException("read 64 MiB of an error body");
            Array.Fill(buffer, (byte)'a', offset, count);
            Served += count;
            return count;
        }
    }

    // ---- proxy ----

    [Theory]
    [InlineData("http://127.0.0.1:5099/token", true)]
    [InlineData("http://[::1]:5099/token", true)]
    [InlineData("http://localhost:8000/", true)]
    [InlineData("http://local.altinn.cloud/authentication/api/v1/exchange/maskinporten", true)]
    [InlineData("https://platform.tt02.altinn.no/", false)]
    [InlineData("https://test.maskinporten.no/token", false)]
    public void The_proxy_is_bypassed_for_this_machine_and_localtest_only(string address, bool direct)
    {
        using var handler = AltinnSession.CreateHandler(Local(new Uri("http://proxy.example.no:8080")));
        var destination = new Uri(address);
        Assert.Equal(direct, handler.Proxy.IsBypassed(destination));
        Assert.Equal(direct ? destination : new Uri("http://proxy.example.no:8080/"), handler.Proxy.GetProxy(destination));
    }

    [Fact]
    public void The_proxy_for_another_host_carries_the_proxy_credential()
    {
        var options = new ConnectOptionsBuilder
        {
            Environment = "local", SystemUserOrganization = "950474084", Proxy = new Uri("http://proxy.example.no:8080"),
            ProxyCredential = new NetworkCredential("proxy-user", "proxy-pass"),
        }.Build();
        using var handler = AltinnSession.CreateHandler(options);
        Assert.Equal(new Uri("http://proxy.example.no:8080/"), handler.Proxy.GetProxy(new Uri("https://platform.tt02.altinn.no/")));
        var credential = handler.Proxy.Credentials.GetCredential(new Uri("http://proxy.example.no:8080/"), "Basic");
        Assert.Equal("proxy-user", credential.UserName);
        Assert.Equal("proxy-pass", credential.Password);
    }

    [Fact]
    public void Without_a_proxy_the_system_proxy_gets_the_users_own_credentials()
    {
        using var handler = AltinnSession.CreateHandler(Local());
        Assert.True(handler.UseProxy);
        Assert.Same(CredentialCache.DefaultCredentials, handler.DefaultProxyCredentials);
    }

    // ---- .NET Framework ----

    [Fact]
    public void On_dotNET_Framework_the_handler_checks_certificates_itself_and_opens_enough_connections()
    {
        using var handler = AltinnSession.CreateHandler(Local(), ".NET Framework 4.8.9032.0");
        var check = handler.ServerCertificateCustomValidationCallback;
        Assert.NotNull(check);
        Assert.True(check(null, null, null, SslPolicyErrors.None));
        Assert.False(check(null, null, null, SslPolicyErrors.RemoteCertificateNameMismatch));
        Assert.False(check(null, null, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(check(null, null, null, SslPolicyErrors.RemoteCertificateNotAvailable));
        Assert.True(handler.MaxConnectionsPerServer >= 64, $"MaxConnectionsPerServer {handler.MaxConnectionsPerServer}");
    }

    [Fact]
    public void On_dotNET_the_handler_leaves_certificates_to_the_system()
    {
        using var handler = AltinnSession.CreateHandler(Local(), ".NET 10.0.1");
        Assert.Null(handler.ServerCertificateCustomValidationCallback);
    }

    [Fact]
    public async Task No_request_asks_for_100_continue()
    {
        var wire = new Wire(_ => new HttpResponseMessage(HttpStatusCode.Created) { Content = new StringContent("{}") });
        using var http = new AltinnHttp(wire, new AltinnHttpOptions(maxRetries: 0));
        var request = new AltinnRequest(HttpMethod.Post, new Uri("http://127.0.0.1:1/brg/app/instances/create"), RequestKind.Create, "NewInstance")
        {
            Authenticate = false,
            Content = () => new StringContent("{\"instanceOwner\":{}}"),
        };
        (await http.SendAsync(request, CancellationToken.None)).Dispose();
        Assert.False(wire.Seen.Single().Headers.ExpectContinue);
    }

    // ---- bounded reads ----

    [Fact]
    public async Task An_error_body_is_read_only_up_to_1_MiB_and_the_error_says_it_was_cut()
    {
        var endless = new EndlessStream();
        var wire = new Wire(_ => new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StreamContent(endless) });
        using var http = new AltinnHttp(wire, new AltinnHttpOptions(maxRetries: 0));
        var request = new AltinnRequest(HttpMethod.Get, new Uri("http://127.0.0.1:1/brg/app/x"), RequestKind.Read, "GetInstance") { Authenticate = false };
        using var response = await http.SendAsync(request, CancellationToken.None);

        Assert.True(endless.Served < 2 * 1024 * 1024, $"read {endless.Served} bytes");
        Assert.Equal(1024 * 1024, (await response.Content.ReadAsByteArrayAsync()).Length);
        var error = await ErrorMapper.ToExceptionAsync(response, "GetInstance", "Reading the instance");
        Assert.Equal("Altinn.GetInstance.BadRequest", error.ErrorId);
        Assert.Contains("longer than 1 MiB", error.Message);
    }

    [Fact]
    public async Task A_token_answer_is_read_only_up_to_1_MiB()
    {
        var endless = new EndlessStream();
        var wire = new Wire(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(endless) });
        using var http = new AltinnHttp(wire, new AltinnHttpOptions(maxRetries: 0));
        var request = new AltinnRequest(HttpMethod.Post, new Uri("http://127.0.0.1:1/token"), RequestKind.Token, "Maskinporten") { Authenticate = false };
        using var response = await http.SendAsync(request, CancellationToken.None);
        Assert.Equal(1024 * 1024, (await response.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task A_small_error_body_is_kept_whole_with_its_content_type()
    {
        var wire = new Wire(_ => new HttpResponseMessage(HttpStatusCode.NotFound)
        {
            Content = new StringContent("{\"title\":\"Not Found\",\"detail\":\"no such instance\"}", System.Text.Encoding.UTF8, "application/problem+json"),
        });
        using var http = new AltinnHttp(wire, new AltinnHttpOptions(maxRetries: 0));
        var request = new AltinnRequest(HttpMethod.Get, new Uri("http://127.0.0.1:1/brg/app/x"), RequestKind.Read, "GetInstance") { Authenticate = false };
        using var response = await http.SendAsync(request, CancellationToken.None);
        var error = await ErrorMapper.ToExceptionAsync(response, "GetInstance", "Reading the instance");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType.MediaType);
        Assert.Contains("no such instance", error.Message);
        Assert.DoesNotContain("MiB", error.Message);
    }

    [Fact]
    public async Task A_stalled_answer_body_ends_at_the_requests_timeout_even_when_the_stream_ignores_the_token()
    {
        var wire = new Wire(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new StalledStream()) });
        using var http = new AltinnHttp(wire, new AltinnHttpOptions(maxRetries: 0, timeout: TimeSpan.FromMilliseconds(200)));
        var request = new AltinnRequest(HttpMethod.Get, new Uri("http://127.0.0.1:1/brg/app/x"), RequestKind.Read, "GetInstance") { Authenticate = false };
        var send = http.SendAsync(request, CancellationToken.None);
        // a guard against hanging the test run, not a timing assertion
        Assert.Same(send, await Task.WhenAny(send, Task.Delay(TimeSpan.FromSeconds(30))));
        var error = await Assert.ThrowsAsync<AltinnException>(() => send);
        Assert.Equal("Altinn.GetInstance.Timeout", error.ErrorId);
    }

    [Fact]
    public async Task A_stalled_download_ends_at_the_transfer_timeout_even_when_the_stream_ignores_the_token()
    {
        var wire = new Wire(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new StalledStream()) });
        var now = DateTimeOffset.UtcNow;
        using var session = await AltinnSession.ConnectAsync(new AltinnConnectOptions(
            new AltinnEnvironment("test", "http://127.0.0.1:1/", "http://127.0.0.1:1/", "http://127.0.0.1:1/"),
            accessToken: TokenProviderTests.UnsignedJwt(now, now.AddMinutes(30)),
            systemUserOrganization: "950474084",
            http: new AltinnHttpOptions(maxRetries: 0, transferTimeout: TimeSpan.FromMilliseconds(300))), wire, CancellationToken.None);
        var element = new AltinnDataElement { Id = Guid.NewGuid().ToString(), DataType = "attachment" };
        var download = session.Client.Data.DownloadAsync(AppIdentifier.Parse("brg/app"), InstanceIdentifier.Parse("500700/" + Guid.NewGuid()), element,
            null, null, "SaveData", new MemoryStream(), null, CancellationToken.None);
        Assert.Same(download, await Task.WhenAny(download, Task.Delay(TimeSpan.FromSeconds(30))));
        var error = await Assert.ThrowsAnyAsync<AltinnException>(() => download);
        Assert.Equal("Altinn.SaveData.Timeout", error.ErrorId);
    }

    // ---- hosts ----

    [Theory]
    [InlineData("https://brg.apps.tt02.altinn.no/", null)]
    [InlineData("http://127.0.0.1:5099/", null)]
    [InlineData("http://localhost:8000/", null)]
    [InlineData("https://apps.example.com/", "-AppBaseUri apps.example.com")]
    [InlineData("https://evilaltinn.no/", "-AppBaseUri evilaltinn.no")]
    [InlineData("https://altinn.no.example.com/", "-AppBaseUri altinn.no.example.com")]
    public void Addresses_outside_Altinn_Maskinporten_and_this_machine_are_named(string appBase, string named)
    {
        var environment = new AltinnEnvironment("tt02", "https://test.maskinporten.no/", "https://platform.tt02.altinn.no/", appBase);
        var outside = UriRules.OutsideAltinn(environment);
        if (named == null) Assert.Empty(outside);
        else Assert.Equal(new[] { named }, outside);
    }

    private sealed class WarningLog : IAltinnLog
    {
        public readonly List<string> Warnings = new();
        public void Verbose(string message) { }
        public void Debug(string message) { }
        public void Warning(string message) => Warnings.Add(message);
        public void Progress(string activity, long done, long? total) { }
    }

    [Fact]
    public async Task Connecting_to_hosts_outside_Altinn_warns_once_naming_them()
    {
        var log = new WarningLog();
        AltinnLog.Current = log;
        using var session = await TestSessions.ConnectAsync(new Wire(_ => new HttpResponseMessage(HttpStatusCode.OK)));
        var warning = Assert.Single(log.Warnings);
        Assert.Contains("-PlatformUri platform.test", warning);
        Assert.Contains("-AppBaseUri org.apps.test", warning);
        Assert.Contains("outside Altinn", warning);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task Localtests_host_name_is_accepted_when_it_is_this_machine(string address)
    {
        AltinnEnvironment.TryGet("local", out var local);
        await UriRules.RequireLocalTestHostIsThisMachineAsync(local, _ => Task.FromResult(new[] { IPAddress.Parse(address) }));
    }

    [Fact]
    public async Task Localtests_host_name_that_resolves_elsewhere_is_refused_before_a_token_goes_there()
    {
        AltinnEnvironment.TryGet("local", out var local);
        var error = await Assert.ThrowsAsync<AltinnArgumentException>(() =>
            UriRules.RequireLocalTestHostIsThisMachineAsync(local, _ => Task.FromResult(new[] { IPAddress.Loopback, IPAddress.Parse("203.0.113.7") })));
        Assert.Equal("Altinn.Connect.InsecureUri", error.ErrorId);
        Assert.Contains("203.0.113.7", error.Message);
        Assert.Contains("http://127.0.0.1:<port>/", error.Message);
    }

    [Fact]
    public async Task Loopback_addresses_given_for_localtest_need_no_lookup()
    {
        AltinnEnvironment.TryGet("local", out var local);
        var mine = local.With(null, "http://127.0.0.1:5099/", "http://127.0.0.1:5099/");
        await UriRules.RequireLocalTestHostIsThisMachineAsync(mine, _ => throw new InvalidOperationException("no lookup expected"));
    }
}
