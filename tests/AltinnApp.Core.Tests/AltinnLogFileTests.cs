using System.Text.RegularExpressions;
using AltinnApp.Core.Http;

namespace AltinnApp.Core.Tests;

public class AltinnLogFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("altinnapp-logfile-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    [Fact]
    public void A_line_is_utc_time_level_key_instance_and_the_message_on_one_line_redacted()
    {
        var path = Path.Combine(_folder, "a.log");
        var clock = new FakeClock(new DateTimeOffset(2026, 12, 1, 3, 4, 5, 678, TimeSpan.FromHours(1)));
        var jwt = TokenProviderTests.UnsignedJwt(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(1)) + "c2lnbmF0dXJl";
        using (var log = AltinnLogFile.Open(path, clock))
        {
            log.Write("VERBOSE", $"first\r\n  - a\tb\nwith {jwt} for 08089403198", "key-1", "500700/0f8fad5b-d9cb-469f-a165-70867728950e");
            log.Write("ERROR", "second");
        }

        var lines = File.ReadAllLines(path);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("2026-12-01T02:04:05.678Z\tVERBOSE\tkey-1\t500700/0f8fad5b-d9cb-469f-a165-70867728950e\tfirst | - a b | with [token redacted] for 080894*****", lines[0]);
        Assert.DoesNotContain(jwt, lines[0]);
        Assert.Equal("2026-12-01T02:04:05.678Z\tERROR\t-\t-\tsecond", lines[1]);
    }

    [Fact]
    public async Task Parallel_writers_to_one_file_share_a_writer_and_append_whole_lines()
    {
        var path = Path.Combine(_folder, "parallel.log");
        File.WriteAllText(path, "kept\n");
        var logs = Enumerable.Range(0, 4).Select(_ => AltinnLogFile.Open(path)).ToArray();
        var message = new string('x', 3000);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 200; i++) logs[t % logs.Length].Write("DEBUG", $"{t}-{i} {message}");
        })));
        foreach (var log in logs) log.Dispose();

        var lines = File.ReadAllLines(path);
        Assert.Equal("kept", lines[0]);
        Assert.Equal(1 + 8 * 200, lines.Length);
        Assert.All(lines.Skip(1), line => Assert.Matches(new Regex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\tDEBUG\t-\t-\t\d-\d+ x{3000}$"), line));
    }

    [Fact]
    public void A_missing_folder_or_a_folder_as_the_file_is_a_clear_error_and_nothing_is_made()
    {
        var missing = Path.Combine(_folder, "no-such", "a.log");
        var ex = Assert.Throws<AltinnArgumentException>(() => AltinnLogFile.Open(missing));
        Assert.Equal("Altinn.Connect.FolderMissing", ex.ErrorId);
        Assert.Contains("does not exist", ex.Message);
        Assert.False(Directory.Exists(Path.GetDirectoryName(missing)));

        var folder = Assert.Throws<AltinnArgumentException>(() => AltinnLogFile.Open(_folder));
        Assert.Equal("Altinn.Connect.PathIsFolder", folder.ErrorId);
    }

    [Fact]
    public void The_file_is_closed_when_its_last_user_is_disposed()
    {
        var path = Path.Combine(_folder, "closed.log");
        var first = AltinnLogFile.Open(path);
        var second = AltinnLogFile.Open(path);
        first.Dispose();
        second.Write("INFO", "still open");
        second.Dispose();
        second.Write("INFO", "after the end: dropped");
        File.Move(path, path + ".1");
        Assert.Single(File.ReadAllLines(path + ".1"));
    }
}
