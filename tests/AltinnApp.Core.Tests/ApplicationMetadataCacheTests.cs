using System.Net;
using System.Text;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Tests;

/// <summary>
/// The app's metadata is read once per session, on the token of the caller that starts the read: a cancelled read is
/// not kept, and one caller's cancellation does not become another caller's failure.
/// </summary>
public class ApplicationMetadataCacheTests
{
    private static readonly AppIdentifier App = new("brg", "aarsregnskap");

    private const string Metadata = """{"id":"brg/aarsregnskap","org":"brg","dataTypes":[{"id":"model","allowedContentTypes":["application/xml"],"appLogic":{"classRef":"Model"},"taskId":"Task_1","maxCount":1,"minCount":1}]}""";

    /// <summary>
    /// Metadata requests wait for <see cref="Release"/> unless the request's token is cancelled first; the first
    /// <c>blockFirst</c> of them wait even when released, until cancelled (a read that only cancellation ends).
    /// </summary>
    private sealed class SlowMetadata(int blockFirst = 0) : HttpMessageHandler
    {
        private int _count;
        public readonly TaskCompletionSource Release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly TaskCompletionSource Arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Count => Volatile.Read(ref _count);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref _count);
            Arrived.TrySetResult();
            if (n <= blockFirst) await Task.Delay(Timeout.Infinite, cancellationToken);
            await Release.Task.WaitAsync(cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(Metadata, Encoding.UTF8, "application/json") };
        }
    }

    [Fact]
    public async Task GetApplicationAsync_stops_when_its_token_is_cancelled()
    {
        var altinn = new SlowMetadata(blockFirst: 1);
        using var session = await TestSessions.ConnectAsync(altinn);
        using var cts = new CancellationTokenSource();

        var read = session.Client.Applications.GetApplicationAsync(App, cts.Token);
        await altinn.Arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_cancelled_metadata_read_is_not_cached_and_the_next_caller_reads_again()
    {
        var altinn = new SlowMetadata(blockFirst: 1);
        altinn.Release.SetResult();
        using var session = await TestSessions.ConnectAsync(altinn);
        using var cts = new CancellationTokenSource();

        var cancelled = session.Client.Applications.GetApplicationAsync(App, cts.Token);
        await altinn.Arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TimeSpan.FromSeconds(10)));

        var application = await session.Client.Applications.GetApplicationAsync(App, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("model", Assert.Single(application.DataTypes).Id);
        Assert.Equal(2, altinn.Count);

        // now it is cached: no third request
        Assert.Same(application, await session.Client.Applications.GetApplicationAsync(App, CancellationToken.None));
        Assert.Equal(2, altinn.Count);
        Assert.Contains(App.ToString(), session.CachedApplications, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_caller_waiting_on_a_read_another_caller_cancelled_reads_again_on_its_own_token()
    {
        var altinn = new SlowMetadata(blockFirst: 1);
        altinn.Release.SetResult();
        using var session = await TestSessions.ConnectAsync(altinn);
        using var first = new CancellationTokenSource();

        var starter = session.Client.Applications.GetApplicationAsync(App, first.Token);
        await altinn.Arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var waiter = session.Client.Applications.GetApplicationAsync(App, CancellationToken.None);
        first.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => starter.WaitAsync(TimeSpan.FromSeconds(10)));
        var application = await waiter.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("model", Assert.Single(application.DataTypes).Id);
        Assert.Equal(2, altinn.Count);
    }

    [Fact]
    public async Task A_waiter_that_gives_up_leaves_the_read_running_for_the_caller_that_started_it()
    {
        var altinn = new SlowMetadata();
        using var session = await TestSessions.ConnectAsync(altinn);
        using var waiterGivesUp = new CancellationTokenSource();

        var starter = session.Client.Applications.GetApplicationAsync(App, CancellationToken.None);
        await altinn.Arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var waiter = session.Client.Applications.GetApplicationAsync(App, waiterGivesUp.Token);
        waiterGivesUp.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter.WaitAsync(TimeSpan.FromSeconds(10)));

        altinn.Release.SetResult();
        var application = await starter.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("model", Assert.Single(application.DataTypes).Id);
        Assert.Equal(1, altinn.Count);
    }
}
