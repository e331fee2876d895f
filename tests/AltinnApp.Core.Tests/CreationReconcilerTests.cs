using AltinnApp.Core.Api;
using AltinnApp.Core.Models;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Tests;

/// <summary>
/// The reconciler's bookkeeping of creates under way for one app and owner: a create that lost its answer looks for
/// its instance only once the others have settled, and no new create begins while it waits.
/// </summary>
public sealed class CreationReconcilerTests
{
    private static readonly AppIdentifier App = AppIdentifier.Parse("brg/aarsregnskap");
    private static readonly InstanceOwnerSpec Owner = new() { OrganizationNumber = "950474084" };

    [Fact]
    public async Task No_create_begins_while_one_that_lost_its_answer_waits_for_the_others()
    {
        var reconciler = new CreationReconciler();
        using var waiting = await reconciler.BeginAsync(App, Owner, "same", CancellationToken.None);
        waiting.WaitingForOthers = true;

        var next = reconciler.BeginAsync(App, Owner, "same", CancellationToken.None);
        var other = reconciler.BeginAsync(App, new InstanceOwnerSpec { OrganizationNumber = "310461598" }, "same", CancellationToken.None);
        using (await other) { } // another owner is not held
        await Task.Delay(300);
        Assert.False(next.IsCompleted, "a create began while another for the same owner waited for the creates under way to settle");

        waiting.WaitingForOthers = false;
        using var began = await next.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_create_that_lost_its_answer_gives_up_rather_than_guess_while_others_stay_under_way()
    {
        var reconciler = new CreationReconciler(new FakeClock());
        using var live = await reconciler.BeginAsync(App, Owner, "same", CancellationToken.None);
        using var lost = await reconciler.BeginAsync(App, Owner, "same", CancellationToken.None);

        // the live create never answers: the lookup would not be told its instance from the live one's
        var ex = await Assert.ThrowsAsync<AltinnException>(() => reconciler.FindCreatedAsync(null!, App, Owner, DateTimeOffset.UtcNow, null, false, CancellationToken.None, lost));
        Assert.Equal("Altinn.NewInstance.OutcomeUnknown", ex.ErrorId);
        Assert.Contains("1 other create(s) for the same owner were still under way", ex.Message, StringComparison.Ordinal);
        Assert.False(lost.WaitingForOthers);
    }
}
