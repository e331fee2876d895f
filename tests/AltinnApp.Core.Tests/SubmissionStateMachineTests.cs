using AltinnApp.Core.Api;
using AltinnApp.Core.Journal;
using AltinnApp.Core.Models;
using AltinnApp.Core.Submissions;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Tests;

/// <summary>
/// The submission as one journaled state machine: a run is killed at every request it makes (before the request takes
/// effect, and after it took effect but before its answer was read), then run again with the same journal, as a rerun
/// of the nightly batch would be. Whatever the moment, the rerun leaves one instance, each attachment once, the process
/// ended, and one receipt.
/// </summary>
// one collection: SubmissionJournal.ForgetAll forgets every open journal, so these never run beside each other
[Collection("Journal files")]
public sealed class SubmissionStateMachineTests : IDisposable
{
    private const string Organisation = "950474084";
    private const string Key = Organisation + "-2026-aarsregnskap";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "altinnapp-sm-" + Guid.NewGuid().ToString("N")[..8]);

    public SubmissionStateMachineTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        SubmissionJournal.ForgetAll();
        Directory.Delete(_folder, recursive: true);
    }

    public static TheoryData<string, string[], int> Shapes => new()
    {
        { "one task", new[] { "Task_1:data" }, 0 },
        { "data then confirmation", new[] { "Task_1:data", "Task_2:confirmation" }, 0 },
        { "two attachments", new[] { "Task_1:data" }, 2 },
        { "attachments, then confirmation", new[] { "Task_1:data", "Task_2:confirmation" }, 2 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task A_rerun_after_a_kill_at_any_request_files_the_submission_exactly_once(string shape, string[] tasks, int attachments)
    {
        // a clean run counts the requests a submission of this shape makes
        var clean = new FakeAltinnApp("brg/aarsregnskap", tasks);
        var files = MakeFiles("clean", attachments);
        await RunAsync(clean, Path.Combine(_folder, "clean.journal"), Path.Combine(_folder, "clean-receipts"), files);
        AssertFiledOnce(clean, Path.Combine(_folder, "clean-receipts"), files, shape + ", clean run");
        var requests = clean.Calls.Count;
        Assert.True(requests >= 5, $"{shape}: a submission takes at least 5 requests, saw {requests}");

        for (var at = 1; at <= requests; at++)
        {
            foreach (var when in new[] { FakeKill.BeforeApply, FakeKill.AfterApply })
            {
                var name = $"{at}-{when}";
                var fake = new FakeAltinnApp("brg/aarsregnskap", tasks);
                var journal = Path.Combine(_folder, name + ".journal");
                var receipts = Path.Combine(_folder, name + "-receipts");
                var these = MakeFiles(name, attachments);
                var target = at;
                fake.Kill = call => call.Number == target ? when : FakeKill.None;

                var killed = await Record.ExceptionAsync(() => RunAsync(fake, journal, receipts, these));
                Assert.True(killed is OperationCanceledException || SimulatedKill.In(killed) != null, $"{shape}, kill {name}: the run should have died, got {killed}");
                var died = fake.KilledAt;
                Assert.NotNull(died);

                // a new process: the journal is read from its file, the session knows nothing
                fake.Kill = null;
                fake.Revive();
                SubmissionJournal.ForgetAll();
                await RunAsync(fake, journal, receipts, these);
                AssertFiledOnce(fake, receipts, these, $"{shape}, killed {when} {died.Route} (request {at})");

                // and a third run finds the key done and changes nothing
                var before = fake.Calls.Count(c => c.Method != "GET");
                SubmissionJournal.ForgetAll();
                await RunAsync(fake, journal, receipts, these);
                Assert.Equal(before, fake.Calls.Count(c => c.Method != "GET"));
            }
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Runs_that_carry_the_same_key_at_once_file_it_once_with_each_file_once(int runs)
    {
        // two nightly jobs started by mistake, or a CSV with the row twice under ForEach-Object -Parallel
        var fake = new FakeAltinnApp("brg/aarsregnskap", "Task_1:data", "Task_2:confirmation");
        var journal = Path.Combine(_folder, $"parallel-{runs}.journal");
        var receipts = Path.Combine(_folder, $"parallel-{runs}-receipts");
        var files = MakeFiles($"parallel-{runs}", 2);
        await Task.WhenAll(Enumerable.Range(0, runs).Select(_ => Task.Run(() => RunAsync(fake, journal, receipts, files))));
        AssertFiledOnce(fake, receipts, files, $"{runs} runs at once");
        Assert.Equal(1, fake.RequestCount(FakeRoute.Create));
        Assert.Equal(2, fake.RequestCount(FakeRoute.Upload));
        Assert.Equal(2, fake.RequestCount(FakeRoute.ProcessNext));
    }

    [Fact]
    public async Task A_run_alone_on_its_key_reads_the_instance_again_only_after_its_moves()
    {
        // the instance a step hands on is current while the key has no record since: reading it again costs a request
        var fake = new FakeAltinnApp("brg/aarsregnskap", "Task_1:data", "Task_2:confirmation");
        await RunAsync(fake, Path.Combine(_folder, "alone.journal"), Path.Combine(_folder, "alone-receipts"), Array.Empty<string>());
        Assert.Equal(2, fake.RequestCount(FakeRoute.ProcessNext));
        Assert.Equal(fake.RequestCount(FakeRoute.ProcessNext), fake.RequestCount(FakeRoute.GetInstance));
    }

    [Fact]
    public async Task A_rerun_with_corrected_form_data_applies_it_while_the_instance_is_at_its_task()
    {
        var fake = new FakeAltinnApp("brg/aarsregnskap", "Task_1:data");
        var journal = Path.Combine(_folder, "corrected.journal");
        fake.Kill = call => call.Route == FakeRoute.ProcessNext ? FakeKill.BeforeApply : FakeKill.None;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RunAsync(fake, journal, Path.Combine(_folder, "r"), Array.Empty<string>(), "{\"property1\":\"wrong\"}"));
        fake.Kill = null;
        fake.Revive();
        SubmissionJournal.ForgetAll();

        await RunAsync(fake, journal, Path.Combine(_folder, "r"), Array.Empty<string>(), "{\"property1\":\"right\"}");
        var instance = Assert.Single(fake.InstancesOf(Organisation));
        Assert.True(instance.Ended);
        Assert.Contains("right", System.Text.Encoding.UTF8.GetString(instance.ElementsOf("model").Single().Bytes));
    }

    [Fact]
    public async Task A_rerun_with_other_form_data_after_the_submission_is_refused_and_changes_nothing()
    {
        var fake = new FakeAltinnApp("brg/aarsregnskap", "Task_1:data");
        var journal = Path.Combine(_folder, "late.journal");
        await RunAsync(fake, journal, Path.Combine(_folder, "r"), Array.Empty<string>(), "{\"property1\":\"first\"}");
        SubmissionJournal.ForgetAll();
        var writes = fake.Calls.Count(c => c.Method != "GET");

        var error = await Assert.ThrowsAsync<AltinnException>(() => RunAsync(fake, journal, Path.Combine(_folder, "r"), Array.Empty<string>(), "{\"property1\":\"second\"}"));
        Assert.Equal("Altinn.SetData.DataChanged", error.ErrorId);
        Assert.Contains("submitted", error.Message);
        Assert.Equal(writes, fake.Calls.Count(c => c.Method != "GET"));
    }

    [Fact]
    public async Task A_rerun_that_takes_other_steps_than_the_key_began_with_is_refused_before_anything_is_sent()
    {
        var fake = new FakeAltinnApp("brg/aarsregnskap", "Task_1:data", "Task_2:confirmation");
        var journal = Path.Combine(_folder, "steps.journal");
        fake.Kill = call => call.Route == FakeRoute.ProcessNext ? FakeKill.BeforeApply : FakeKill.None;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RunAsync(fake, journal, Path.Combine(_folder, "r"), Array.Empty<string>()));
        fake.Kill = null;
        fake.Revive();
        SubmissionJournal.ForgetAll();

        using var session = await TestSessions.ConnectAsync(fake);
        var key = new JournalContext(SubmissionJournal.Open(journal), Key);
        var instance = await new SubmissionStart(session).StartAsync(Request(), key, restart: false, CancellationToken.None);
        // step 1 was Set-AltinnData when the key began; a pipeline that moves the process first would submit without it
        var error = await Assert.ThrowsAsync<AltinnException>(() => new SubmissionSteps(session).MoveNextAsync(instance!, null, "nb", CancellationToken.None));
        Assert.Equal("Altinn.ProcessNext.StepChanged", error.ErrorId);
        Assert.Equal("Task_1", fake.InstancesOf(Organisation).Single().CurrentTask);
    }

    [Fact]
    public async Task Restart_deletes_the_unsubmitted_instance_and_begins_again_but_never_restarts_a_submitted_key()
    {
        var fake = new FakeAltinnApp("brg/aarsregnskap", "Task_1:data");
        var journal = Path.Combine(_folder, "restart.journal");
        using var session = await TestSessions.ConnectAsync(fake);
        var key = new JournalContext(SubmissionJournal.Open(journal), "k");
        var first = await new SubmissionStart(session).StartAsync(Request(), key, restart: false, CancellationToken.None);

        var again = new JournalContext(SubmissionJournal.Open(journal), "k");
        var second = await new SubmissionStart(session).StartAsync(Request(), again, restart: true, CancellationToken.None);
        Assert.NotEqual(first!.Id, second!.Id);
        Assert.Equal(second.Id, Assert.Single(fake.InstancesOf(Organisation), i => !i.SoftDeleted).Id);

        var submitted = await new SubmissionSteps(session).SubmitAsync(second, "nb", 10, CancellationToken.None);
        Assert.True(submitted!.Ended);
        var error = await Assert.ThrowsAsync<AltinnException>(() =>
            new SubmissionStart(session).StartAsync(Request(), new JournalContext(SubmissionJournal.Open(journal), "k"), restart: true, CancellationToken.None));
        Assert.Equal("Altinn.NewInstance.RestartSubmitted", error.ErrorId);
        Assert.True(fake.InstancesOf(Organisation).Single(i => i.Id == second.Id).Ended);
    }

    [Fact]
    public async Task A_create_Altinn_refused_leaves_the_key_not_created_so_a_rerun_once_the_client_is_delegated_creates()
    {
        // an agent's client: api/v1/parties lists only the firm, so the journal never learns the client's party id
        const string client = "810000007";
        var fake = new FakeAltinnApp("brg/aarsregnskap", "Task_1:data");
        fake.Organisations[client] = 610000;
        fake.Refused.Add(client);
        var journal = Path.Combine(_folder, "refused.journal");
        var request = Request();
        request.Owner = new InstanceOwnerSpec { OrganizationNumber = client };

        using (var session = await TestSessions.ConnectAsync(fake))
        {
            var key = new JournalContext(SubmissionJournal.Open(journal), "k");
            var refused = await Assert.ThrowsAsync<AltinnApiException>(() => new SubmissionStart(session).StartAsync(request, key, restart: false, CancellationToken.None));
            Assert.Equal(403, refused.StatusCode);
            key.RecordFailure("NewInstance", refused); // as New-AltinnInstance records a failed row
            Assert.Null(key.Entry.CreatingSince);
            Assert.Equal(JournalState.Failed, key.Entry.State);
        }

        Assert.Empty(fake.InstancesOf(client));
        fake.Refused.Remove(client);
        SubmissionJournal.ForgetAll();
        using (var session = await TestSessions.ConnectAsync(fake))
        {
            var key = new JournalContext(SubmissionJournal.Open(journal), "k");
            var instance = await new SubmissionStart(session).StartAsync(request, key, restart: false, CancellationToken.None);
            Assert.Equal(Assert.Single(fake.InstancesOf(client)).Id, instance!.Id);
            Assert.Equal(JournalState.Created, key.Entry.State);
        }
    }

    [Fact]
    public async Task A_create_whose_outcome_is_unknown_for_an_unknown_party_stays_begun_and_says_what_an_agent_can_do()
    {
        const string client = "810000007";
        var fake = new FakeAltinnApp("brg/aarsregnskap", "Task_1:data");
        fake.Organisations[client] = 610000;
        var journal = Path.Combine(_folder, "unknown.journal");
        var request = Request();
        request.Owner = new InstanceOwnerSpec { OrganizationNumber = client };
        fake.Kill = call => call.Route == FakeRoute.Create ? FakeKill.AfterApply : FakeKill.None;
        using (var session = await TestSessions.ConnectAsync(fake))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => new SubmissionStart(session).StartAsync(request, new JournalContext(SubmissionJournal.Open(journal), "k"), restart: false, fake.RunToken));
        }

        fake.Kill = null;
        fake.Revive();
        SubmissionJournal.ForgetAll();
        using (var session = await TestSessions.ConnectAsync(fake))
        {
            var error = await Assert.ThrowsAsync<AltinnException>(() => new SubmissionStart(session).StartAsync(request, new JournalContext(SubmissionJournal.Open(journal), "k"), restart: false, CancellationToken.None));
            Assert.Equal("Altinn.NewInstance.OutcomeUnknown", error.ErrorId);
            Assert.Contains("-Restart", error.Message);
            Assert.Contains("unsubmitted draft", error.Message);
        }

        Assert.Single(fake.InstancesOf(client));
    }

    // ---- the submission, as the README's pipeline takes it ----

    private static InstanceRequest Request() => new()
    {
        App = AppIdentifier.Parse("brg/aarsregnskap"),
        Owner = new InstanceOwnerSpec { OrganizationNumber = Organisation },
    };

    private static async Task RunAsync(FakeAltinnApp fake, string journalPath, string receiptFolder, string[] files, string formData = "{\"property1\":\"a\",\"property2\":\"b\"}")
    {
        var ct = fake.RunToken;
        using var session = await TestSessions.ConnectAsync(fake);
        var key = new JournalContext(SubmissionJournal.Open(journalPath), Key);
        var instance = await new SubmissionStart(session).StartAsync(Request(), key, restart: false, ct) ?? throw new InvalidOperationException("not created");
        var steps = new SubmissionSteps(session);
        var model = instance.GetDataElements("model").Single();
        instance = await steps.SetFormDataAsync(instance, model, "Task_1", new FormDataPayload(formData, "application/json"), "nb", ct) ?? instance;
        if (files.Length > 0)
        {
            var uploads = files.Select(f => new FileUpload { Path = f, FileName = Path.GetFileName(f), ContentType = "application/pdf", Length = new FileInfo(f).Length }).ToList();
            var plan = await steps.PlanAttachmentsAsync(instance, "attachment", uploads, ct);
            var result = await steps.AttachAsync(plan.Instance, "attachment", plan, "nb", null, ct);
            if (!result.Succeeded) throw result.Error;
            instance = result.Instance ?? instance;
        }

        instance = await steps.SubmitAsync(instance, "nb", 10, ct) ?? throw new InvalidOperationException("not submitted");
        var folder = receiptFolder + Path.DirectorySeparatorChar;
        await new SubmissionReceipts(session).SaveAsync(instance, ReceiptDestination.Decide(folder, folder, "SaveReceipt"), false, TimeSpan.FromSeconds(5), "nb", null, ct);
    }

    private string[] MakeFiles(string name, int count) =>
        Enumerable.Range(1, count).Select(i =>
        {
            var path = Path.Combine(_folder, $"{name}-vedlegg-{i}.pdf");
            File.WriteAllText(path, $"%PDF-1.4 attachment {i} of {name}");
            return path;
        }).ToArray();

    private static void AssertFiledOnce(FakeAltinnApp fake, string receiptFolder, string[] files, string what)
    {
        var instances = fake.InstancesOf(Organisation);
        var instance = Assert.Single(instances);
        Assert.True(instance.Ended, $"{what}: the process should have ended, it is at {instance.CurrentTask}");
        Assert.Single(instance.ElementsOf("model"));
        var names = instance.FileNames("attachment").OrderBy(n => n).ToArray();
        Assert.True(files.Select(Path.GetFileName).OrderBy(n => n).SequenceEqual(names), $"{what}: attachments {string.Join(", ", names)}");
        var receipts = Directory.Exists(receiptFolder) ? Directory.GetFiles(receiptFolder, "*.pdf") : Array.Empty<string>();
        Assert.True(receipts.Length == 1, $"{what}: {receipts.Length} receipt files");
        Assert.DoesNotContain(Directory.GetFiles(receiptFolder), f => !f.EndsWith(".pdf", StringComparison.Ordinal));
    }
}

public class FingerprintTests
{
    [Fact]
    public void Json_form_data_has_one_fingerprint_whatever_the_order_of_its_members()
    {
        // a PowerShell hashtable's order changes from process to process: a rerun must still see the same data
        var a = Fingerprints.Of(new FormDataPayload("{\"b\":1,\"a\":{\"y\":[1,2],\"x\":\"t\"}}", "application/json"));
        var b = Fingerprints.Of(new FormDataPayload("{\"a\":{\"x\":\"t\",\"y\":[1,2]},\"b\":1}", "application/json"));
        Assert.Equal(a, b);
        Assert.NotEqual(a, Fingerprints.Of(new FormDataPayload("{\"a\":{\"x\":\"t\",\"y\":[2,1]},\"b\":1}", "application/json")));
        Assert.StartsWith("sha256:", a);
    }
}
