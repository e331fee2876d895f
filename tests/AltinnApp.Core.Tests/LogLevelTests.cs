using System.Net;
using System.Net.Http.Headers;
using AltinnApp.Core.Http;

namespace AltinnApp.Core.Tests;

/// <summary>
/// The log builds only what someone will read: a log that says Verbose or Debug is off gets none of those
/// messages, one that says on gets them exactly as before (redacted), and one that says nothing gets everything.
/// </summary>
public class LogLevelTests
{
    private const string Secret = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJzZWNyZXQifQ.c2lnbmF0dXJl";

    private sealed class LevelLog(bool verbose, bool debug) : IAltinnLog, IAltinnLogLevels
    {
        public readonly List<string> VerboseLines = new();
        public readonly List<string> DebugLines = new();
        public readonly List<string> Warnings = new();
        public bool IsVerboseEnabled => verbose;
        public bool IsDebugEnabled => debug;
        public void Verbose(string message) => VerboseLines.Add(message);
        public void Debug(string message) => DebugLines.Add(message);
        public void Warning(string message) => Warnings.Add(message);
        public void Progress(string activity, long done, long? total) { }
    }

    private sealed class PlainLog : IAltinnLog
    {
        public readonly List<string> Lines = new();
        public void Verbose(string message) => Lines.Add(message);
        public void Debug(string message) => Lines.Add(message);
        public void Warning(string message) => Lines.Add(message);
        public void Progress(string activity, long done, long? total) { }
    }

    private sealed class Answering : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.Created) { Content = new StringContent("{}") });
    }

    private static async Task SendThroughLogHandler(IAltinnLog log)
    {
        var previous = AltinnLog.Current;
        AltinnLog.Current = log;
        try
        {
            using var invoker = new HttpMessageInvoker(new LogHandler(new Answering()));
            using var message = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:1/brg/app/instances/create?personNumber=08089403198");
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Secret);
            using var response = await invoker.SendAsync(message, CancellationToken.None);
        }
        finally
        {
            AltinnLog.Current = previous;
        }
    }

    [Fact]
    public async Task A_log_with_both_levels_off_gets_no_request_lines()
    {
        var log = new LevelLog(verbose: false, debug: false);
        await SendThroughLogHandler(log);
        Assert.Empty(log.VerboseLines);
        Assert.Empty(log.DebugLines);
    }

    [Fact]
    public async Task Verbose_on_and_debug_off_gets_the_two_verbose_lines_redacted_and_no_debug_lines()
    {
        var log = new LevelLog(verbose: true, debug: false);
        await SendThroughLogHandler(log);
        Assert.Equal(2, log.VerboseLines.Count);
        Assert.StartsWith("POST http://127.0.0.1:1/brg/app/instances/create?personNumber=080894*****", log.VerboseLines[0]);
        Assert.Matches(@"^POST http://127\.0\.0\.1:1/brg/app/instances/create: 201 Created in \d+ ms$", log.VerboseLines[1]);
        Assert.Empty(log.DebugLines);
    }

    [Fact]
    public async Task Debug_on_gets_header_names_but_never_their_values()
    {
        var log = new LevelLog(verbose: false, debug: true);
        await SendThroughLogHandler(log);
        Assert.Empty(log.VerboseLines);
        Assert.Equal(2, log.DebugLines.Count);
        var text = string.Join("\n", log.DebugLines);
        Assert.Contains("Authorization", text);
        Assert.DoesNotContain("eyJ", text);
    }

    [Fact]
    public async Task A_log_that_does_not_say_its_levels_gets_every_line_as_before()
    {
        var log = new PlainLog();
        await SendThroughLogHandler(log);
        Assert.Equal(4, log.Lines.Count);
        Assert.DoesNotContain(log.Lines, line => line.Contains(Secret) || line.Contains("08089403198"));
    }

    [Fact]
    public void The_engine_s_own_messages_follow_the_levels_too_and_warnings_always_pass()
    {
        var log = new LevelLog(verbose: false, debug: false);
        var previous = AltinnLog.Current;
        AltinnLog.Current = log;
        try
        {
            Assert.False(AltinnLog.IsVerboseEnabled);
            Assert.False(AltinnLog.IsDebugEnabled);
            AltinnLog.Verbose("not shown");
            AltinnLog.Debug("not shown");
            AltinnLog.Warning("token " + Secret);
        }
        finally
        {
            AltinnLog.Current = previous;
        }

        Assert.Empty(log.VerboseLines);
        Assert.Empty(log.DebugLines);
        Assert.Equal(new[] { "token [token redacted]" }, log.Warnings);
    }

    [Fact]
    public void With_no_log_set_nothing_is_enabled()
    {
        Assert.False(AltinnLog.IsVerboseEnabled);
        Assert.False(AltinnLog.IsDebugEnabled);
    }
}
