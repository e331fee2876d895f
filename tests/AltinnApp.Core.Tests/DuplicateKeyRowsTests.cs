using System.Text;
using AltinnApp.Core.Api;
using AltinnApp.Core.Journal;
using AltinnApp.Core.Models;
using AltinnApp.Core.Submissions;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Tests;

/// <summary>
/// A key in a batch twice, run in parallel: the second row resumes the first row's instance while the first is still
/// being filed. Whichever way their steps interleave, one row files its values and the other is refused with
/// KeyTakenOver; never both reporting success with one row's values lost.
/// </summary>
[Collection("Journal files")]
public sealed class DuplicateKeyRowsTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "altinnapp-dup-" + Guid.NewGuid().ToString("N")[..8]);

    public DuplicateKeyRowsTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        SubmissionJournal.ForgetAll();
        Directory.Delete(_folder, recursive: true);
    }

    private static InstanceRequest Request() => new()
    {
        App = AppIdentifier.Parse("brg/aarsregnskap"),
        Owner = new InstanceOwnerSpec { OrganizationNumber = "950474084" },
    };

    private static FormDataPayload Values(string value) => FormDataPayload.FromValues(new Dictionary<string, object> { ["property1"] = value, ["property2"] = "b" });

    private static AltinnDataElement Model(AltinnInstance instance) => instance.Data.Single(d => d.DataType == "model");

    public static TheoryData<string> Orders() => new()
    {
        "the earlier row sets data, the later replaces it, then the earlier submits",
        "the later row sets data, then the earlier sets other data",
        "the earlier row sets data, then the later submits, then the earlier moves",
    };

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task The_later_row_files_its_values_and_the_earlier_is_refused(string order)
    {
        var fake = new FakeAltinnApp("brg/aarsregnskap");
        using var session = await TestSessions.ConnectAsync(fake);
        var path = Path.Combine(_folder, "dup.journal");
        var steps = new SubmissionSteps(session);
        var ct = CancellationToken.None;
        var a = await new SubmissionStart(session).StartAsync(Request(), new JournalContext(SubmissionJournal.Open(path), "k1"), restart: false, ct);
        var b = await new SubmissionStart(session).StartAsync(Request(), new JournalContext(SubmissionJournal.Open(path), "k1"), restart: false, ct);
        Assert.Equal(a!.Id, b!.Id);

        switch (order)
        {
            case "the earlier row sets data, the later replaces it, then the earlier submits":
                a = await steps.SetFormDataAsync(a, Model(a), "Task_1", Values("A"), "nb", ct);
                b = await steps.SetFormDataAsync(b, Model(b), "Task_1", Values("B"), "nb", ct);
                await AssertTakenOver(a!, () => steps.SubmitAsync(a!, "nb", 10, ct), "Submit");
                await steps.SubmitAsync(b!, "nb", 10, ct);
                break;
            case "the later row sets data, then the earlier sets other data":
                b = await steps.SetFormDataAsync(b, Model(b), "Task_1", Values("B"), "nb", ct);
                await AssertTakenOver(a, () => steps.SetFormDataAsync(a, Model(a), "Task_1", Values("A"), "nb", ct), "SetData");
                await steps.SubmitAsync(b!, "nb", 10, ct);
                break;
            default:
                a = await steps.SetFormDataAsync(a, Model(a), "Task_1", Values("A"), "nb", ct);
                b = await steps.SetFormDataAsync(b, Model(b), "Task_1", Values("B"), "nb", ct);
                await steps.SubmitAsync(b!, "nb", 10, ct);
                await AssertTakenOver(a!, () => steps.MoveNextAsync(a!, null, "nb", ct), "ProcessNext");
                break;
        }

        var filed = Assert.Single(fake.InstancesOf("950474084"));
        Assert.True(filed.Ended);
        var data = Encoding.UTF8.GetString(filed.ElementsOf("model").Single().Bytes);
        Assert.Contains("\"B\"", data, StringComparison.Ordinal);

        // the refused row failed alone: the key is not recorded as failed
        SubmissionJournal.ForgetAll();
        var entry = SubmissionJournal.Open(path).Get("k1");
        Assert.NotNull(entry);
        Assert.Null(entry!.LastError);
        Assert.Equal(JournalState.Submitted, entry.State);
    }

    [Fact]
    public async Task The_earlier_row_that_submits_first_files_its_values_and_the_later_is_refused_as_a_rerun_would_be()
    {
        var fake = new FakeAltinnApp("brg/aarsregnskap");
        using var session = await TestSessions.ConnectAsync(fake);
        var path = Path.Combine(_folder, "dup-first.journal");
        var steps = new SubmissionSteps(session);
        var ct = CancellationToken.None;
        var a = await new SubmissionStart(session).StartAsync(Request(), new JournalContext(SubmissionJournal.Open(path), "k1"), restart: false, ct);
        var b = await new SubmissionStart(session).StartAsync(Request(), new JournalContext(SubmissionJournal.Open(path), "k1"), restart: false, ct);
        a = await steps.SetFormDataAsync(a!, Model(a!), "Task_1", Values("A"), "nb", ct);
        await steps.SubmitAsync(a!, "nb", 10, ct);
        var ex = await Assert.ThrowsAsync<AltinnException>(() => steps.SetFormDataAsync(b!, Model(b!), "Task_1", Values("B"), "nb", ct));
        Assert.Equal("Altinn.SetData.DataChanged", ex.ErrorId);
        var data = Encoding.UTF8.GetString(Assert.Single(fake.InstancesOf("950474084")).ElementsOf("model").Single().Bytes);
        Assert.Contains("\"A\"", data, StringComparison.Ordinal);
    }

    private static async Task AssertTakenOver(AltinnInstance row, Func<Task<AltinnInstance?>> step, string operation)
    {
        var ex = await Assert.ThrowsAsync<AltinnException>(step);
        // as the cmdlets do with a row's failure
        row.Journal!.RecordFailure(operation, ex);
        Assert.Equal($"Altinn.{operation}.KeyTakenOver", ex.ErrorId);
        Assert.Contains("the key is in the batch twice", ex.Message, StringComparison.Ordinal);
        Assert.Contains("changed nothing", ex.Message, StringComparison.Ordinal);
    }
}
