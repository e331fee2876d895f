using System.Text;
using AltinnApp.Core.Api;
using AltinnApp.Core.Journal;
using AltinnApp.Core.Models;
using AltinnApp.Core.Submissions;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Tests;

/// <summary>
/// Journaled creations for one party in flight at once (ForEach-Object -Parallel over a batch for one organisation),
/// killed at each of their creates, before and after it took effect, then run again with the same journal. Whatever
/// the moment, every key ends with one instance of its own, made with its own prefill, and no instance is left over.
/// </summary>
// one collection: SubmissionJournal.ForgetAll forgets every open journal, so these never run beside each other
[Collection("Journal files")]
public sealed class ParallelCreationTests : IDisposable
{
    private const string Organisation = "950474084";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "altinnapp-pc-" + Guid.NewGuid().ToString("N")[..8]);

    public ParallelCreationTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        SubmissionJournal.ForgetAll();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Creations_of_the_same_content_for_one_party_are_in_flight_together()
    {
        var fake = new FakeAltinnApp("brg/aarsregnskap");
        var inFlight = 0;
        var most = 0;
        var arrived = 0;
        using var all = new ManualResetEventSlim();
        fake.Kill = call =>
        {
            if (call.Route != FakeRoute.Create) return FakeKill.None;
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            if (Interlocked.Increment(ref arrived) >= 4) all.Set();
            all.Wait(TimeSpan.FromSeconds(10)); // ends as soon as the fourth arrives
            Interlocked.Decrement(ref inFlight);
            return FakeKill.None;
        };

        var journal = Path.Combine(_folder, "together.journal");
        await Task.WhenAll(Enumerable.Range(1, 4).Select(i => Task.Run(() => RunKeyAsync(fake, journal, "k" + i, "same"))));

        Assert.True(most == 4, $"4 creations of one party and content should be in flight together; at most {most} were");
        AssertEachKeyFiledOnce(fake, journal, Enumerable.Range(1, 4).Select(i => ("k" + i, "same")).ToArray(), "clean run");
    }

    [Fact]
    public async Task Creations_of_other_content_for_one_party_wait_for_each_other()
    {
        var fake = new FakeAltinnApp("brg/aarsregnskap");
        var inFlight = new List<string>();
        var mixed = false;
        fake.Kill = call =>
        {
            if (call.Route != FakeRoute.Create) return FakeKill.None;
            lock (inFlight) inFlight.Add(call.Path);
            Thread.Sleep(100);
            lock (inFlight)
            {
                if (inFlight.Count > 1) mixed = true;
                inFlight.Remove(call.Path);
            }

            return FakeKill.None;
        };

        var journal = Path.Combine(_folder, "apart.journal");
        var keys = new[] { ("a", "one"), ("b", "two"), ("c", "three") };
        await Task.WhenAll(keys.Select(k => Task.Run(() => RunKeyAsync(fake, journal, k.Item1, k.Item2))));
        Assert.False(mixed, "creations with other prefill for the same party should not overlap");
        AssertEachKeyFiledOnce(fake, journal, keys, "clean run");
    }

    [Fact]
    public async Task Creations_of_other_content_wait_for_each_other_when_one_could_not_look_up_the_party_id()
    {
        var fake = new FakeAltinnApp("brg/aarsregnskap");
        var lookups = 0;
        fake.Lose = call => call.Route == FakeRoute.Parties && Interlocked.Increment(ref lookups) == 1 ? FakeKill.BeforeApply : FakeKill.None;
        var inFlight = 0;
        var mixed = false;
        using var firstArrived = new ManualResetEventSlim();
        fake.Kill = call =>
        {
            if (call.Route != FakeRoute.Create) return FakeKill.None;
            if (Interlocked.Increment(ref inFlight) > 1) mixed = true;
            firstArrived.Set();
            Thread.Sleep(300);
            Interlocked.Decrement(ref inFlight);
            return FakeKill.None;
        };

        // a's lookup of the organisation's party id is lost, so a's create goes on without it; b knows it
        var journal = Path.Combine(_folder, "noparty.journal");
        var a = Task.Run(() => RunKeyAsync(fake, journal, "a", "one"));
        Assert.True(firstArrived.Wait(TimeSpan.FromSeconds(10)), "a's create should have been sent");
        var b = Task.Run(() => RunKeyAsync(fake, journal, "b", "two"));
        await Task.WhenAll(a, b);
        Assert.False(mixed, "a creation without the party id and one with it, for the same organisation, should not overlap");
        AssertEachKeyFiledOnce(fake, journal, new[] { ("a", "one"), ("b", "two") }, "clean run");
    }

    public static TheoryData<string, int, FakeKill> Kills()
    {
        var data = new TheoryData<string, int, FakeKill>();
        foreach (var shape in new[] { "same", "two contents" })
        {
            for (var at = 1; at <= 4; at++)
            {
                data.Add(shape, at, FakeKill.BeforeApply);
                data.Add(shape, at, FakeKill.AfterApply);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Kills))]
    public async Task A_rerun_after_a_kill_among_parallel_creations_files_every_key_once_with_its_own_instance(string shape, int killAt, FakeKill when)
    {
        var keys = shape == "same"
            ? new[] { ("k1", "same"), ("k2", "same"), ("k3", "same"), ("k4", "same") }
            : new[] { ("k1", "first"), ("k2", "first"), ("k3", "second"), ("k4", "second") };
        var group = shape == "same" ? 4 : 2;
        var fake = new FakeAltinnApp("brg/aarsregnskap");
        var journal = Path.Combine(_folder, $"{shape.Replace(' ', '-')}-{killAt}-{when}.journal");

        // creates wait for each other (up to the group's size), so several are in flight when one of them dies
        var creates = 0;
        var gathered = 0;
        var gate = new object();
        fake.Kill = call =>
        {
            if (call.Route != FakeRoute.Create) return FakeKill.None;
            var number = Interlocked.Increment(ref creates);
            lock (gate)
            {
                gathered++;
                if (gathered % group == 0) Monitor.PulseAll(gate);
                else Monitor.Wait(gate, TimeSpan.FromMilliseconds(500));
            }

            return number == killAt ? when : FakeKill.None;
        };

        var first = await Task.WhenAll(keys.Select(k => Task.Run(() => Record.ExceptionAsync(() => RunKeyAsync(fake, journal, k.Item1, k.Item2)))));
        Assert.NotNull(fake.KilledAt);
        Assert.All(first.Where(e => e != null), e => Assert.True(e is OperationCanceledException || SimulatedKill.In(e) != null, $"the run should have died, got {e}"));

        // a new process: the journal is read from its file, the session knows nothing; the rows run in parallel again
        fake.Kill = null;
        fake.Revive();
        SubmissionJournal.ForgetAll();
        var rerun = await Record.ExceptionAsync(() => Task.WhenAll(keys.Select(k => Task.Run(() => RunKeyAsync(fake, journal, k.Item1, k.Item2)))));
        Assert.True(rerun == null, $"{shape}, killed {when} at create {killAt}: the rerun failed: {rerun}\njournal:\n{File.ReadAllText(journal)}");
        AssertEachKeyFiledOnce(fake, journal, keys, $"{shape}, killed {when} at create {killAt}");

        // and a third run finds every key done and changes nothing
        var before = fake.Calls.Count(c => c.Method != "GET");
        SubmissionJournal.ForgetAll();
        await Task.WhenAll(keys.Select(k => Task.Run(() => RunKeyAsync(fake, journal, k.Item1, k.Item2))));
        Assert.Equal(before, fake.Calls.Count(c => c.Method != "GET"));
    }

    [Fact]
    public async Task Unrecorded_instances_of_other_content_than_the_interrupted_keys_are_not_adopted_by_guess()
    {
        // two keys of other prefill both left Creating with no Created (written by hand: the gate never lets them overlap),
        // and one unrecorded instance: the module cannot tell whose it is, and says so rather than pick one
        var fake = new FakeAltinnApp("brg/aarsregnskap");
        var journalPath = Path.Combine(_folder, "ambiguous.journal");
        var journal = SubmissionJournal.Open(journalPath);
        foreach (var (key, value) in new[] { ("x", "one"), ("y", "two") })
        {
            journal.Append(new JournalRecord
            {
                Key = key, State = JournalState.Creating, App = "brg/aarsregnskap", PartyId = 500700, OrganizationNumber = Organisation,
                OwnerKind = "organisation", PrefillFingerprint = JournalKeyCheck.PrefillFingerprint(Prefill(value)), ContentFingerprint = "sha256:" + value,
            });
        }

        using (var session = await TestSessions.ConnectAsync(fake))
        {
            await session.Client.Instances.CreateInstanceAsync(Request("one").App, Request("one").Owner, null, null, Prefill("one"), "nb", null, CancellationToken.None);
        }

        SubmissionJournal.ForgetAll();
        var error = await Assert.ThrowsAsync<AltinnException>(() => RunKeyAsync(fake, journalPath, "x", "one"));
        Assert.Equal("Altinn.NewInstance.JournalAmbiguous", error.ErrorId);
        Assert.Contains("'y'", error.Message);
        Assert.Single(fake.InstancesOf(Organisation));
    }

    [Fact]
    public async Task An_interrupted_key_never_adopts_an_instance_someone_wrote_to_after_it_was_made()
    {
        // key x died in its create (Creating, no Created); since then its own create's instance appeared, untouched, and
        // another job's draft of the same content, whose form data that job wrote afterwards
        var fake = new FakeAltinnApp("brg/aarsregnskap");
        var journalPath = Path.Combine(_folder, "foreign.journal");
        var journal = SubmissionJournal.Open(journalPath);
        journal.Append(new JournalRecord
        {
            Key = "x", State = JournalState.Creating, App = "brg/aarsregnskap", PartyId = 500700, OrganizationNumber = Organisation,
            OwnerKind = "organisation", PrefillFingerprint = JournalKeyCheck.PrefillFingerprint(Prefill("one")), ContentFingerprint = "sha256:one",
        });

        AltinnInstance own, foreign;
        using (var session = await TestSessions.ConnectAsync(fake))
        {
            var request = Request("one");
            own = await session.Client.Instances.CreateInstanceAsync(request.App, request.Owner, null, null, Prefill("one"), "nb", null, CancellationToken.None);
            foreign = await session.Client.Instances.CreateInstanceAsync(request.App, request.Owner, null, null, Prefill("one"), "nb", null, CancellationToken.None);
            var model = foreign.Data.Single(d => d.DataType == "model");
            fake.Clock = () => DateTime.UtcNow.AddSeconds(1);
            await session.Client.Data.PutFormDataAsync(request.App, InstanceIdentifier.Parse(foreign.Id), model.Id, "model",
                FormDataPayload.FromValues(new Dictionary<string, object> { ["property1"] = "the other job's draft", ["property2"] = "b" }), "nb", CancellationToken.None);
        }

        SubmissionJournal.ForgetAll();
        await RunKeyAsync(fake, journalPath, "x", "one");

        SubmissionJournal.ForgetAll();
        Assert.Equal(own.Id, SubmissionJournal.Open(journalPath).Get("x")!.InstanceId);
        var draft = Assert.Single(fake.InstancesOf(Organisation), i => i.Id == foreign.Id);
        Assert.False(draft.Ended, "the other job's draft was submitted by a key that never made it");
        Assert.Contains("the other job's draft", Encoding.UTF8.GetString(draft.ElementsOf("model").Single().Bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void An_instance_with_a_file_a_create_without_files_cannot_make_is_not_as_created()
    {
        var app = new AltinnApplication
        {
            DataTypes = new List<AltinnDataType>
            {
                new() { Id = "model", AppLogic = new AltinnApplicationLogic { ClassRef = "App.Models.Model" } },
                new() { Id = "attachment" },
            },
        };
        var made = new DateTime(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);
        var instance = new AltinnInstance { Id = "500700/" + Guid.NewGuid() };
        instance.Data.Add(new AltinnDataElement { DataType = "model", Created = made, LastChanged = made });
        Assert.True(CreationReconciler.AsCreated(instance, app, createSentFiles: false, out _));

        instance.Data.Add(new AltinnDataElement { DataType = "attachment", Created = made, LastChanged = made });
        Assert.False(CreationReconciler.AsCreated(instance, app, createSentFiles: false, out var why));
        Assert.Contains("attachment", why);
        Assert.True(CreationReconciler.AsCreated(instance, app, createSentFiles: true, out _));

        instance.Data[0].LastChanged = made.AddMilliseconds(40);
        Assert.False(CreationReconciler.AsCreated(instance, app, createSentFiles: true, out why));
        Assert.Contains("written after", why);
    }

    [Fact]
    public async Task A_rerun_sends_the_keys_form_data_again_before_it_submits_when_the_instance_still_takes_it()
    {
        // the key set its data and stopped; then someone changed the data in the inbox; the rerun must file the key's values
        var fake = new FakeAltinnApp("brg/aarsregnskap");
        var journalPath = Path.Combine(_folder, "changed.journal");
        var keyValues = FormDataPayload.FromValues(new Dictionary<string, object> { ["property1"] = "the key's", ["property2"] = "b" });
        AltinnInstance instance;
        using (var session = await TestSessions.ConnectAsync(fake))
        {
            var context = new JournalContext(SubmissionJournal.Open(journalPath), "t");
            instance = (await new SubmissionStart(session).StartAsync(Request("one"), context, restart: false, CancellationToken.None))!;
            var model = instance.Data.Single(d => d.DataType == "model");
            await new SubmissionSteps(session).SetFormDataAsync(instance, model, "Task_1", keyValues, "nb", CancellationToken.None);
            await session.Client.Data.PutFormDataAsync(Request("one").App, InstanceIdentifier.Parse(instance.Id), model.Id, "model",
                FormDataPayload.FromValues(new Dictionary<string, object> { ["property1"] = "changed in the inbox", ["property2"] = "b" }), "nb", CancellationToken.None);
        }

        SubmissionJournal.ForgetAll();
        using (var session = await TestSessions.ConnectAsync(fake))
        {
            var context = new JournalContext(SubmissionJournal.Open(journalPath), "t");
            var resumed = (await new SubmissionStart(session).StartAsync(Request("one"), context, restart: false, CancellationToken.None))!;
            Assert.Equal(instance.Id, resumed.Id);
            resumed = await new SubmissionSteps(session).SetFormDataAsync(resumed, resumed.Data.Single(d => d.DataType == "model"), "Task_1", keyValues, "nb", CancellationToken.None);
            await new SubmissionSteps(session).SubmitAsync(resumed, "nb", 10, CancellationToken.None);
        }

        var filed = Assert.Single(fake.InstancesOf(Organisation));
        Assert.True(filed.Ended);
        var data = Encoding.UTF8.GetString(filed.ElementsOf("model").Single().Bytes);
        Assert.Contains("the key's", data, StringComparison.Ordinal);
        Assert.DoesNotContain("changed in the inbox", data, StringComparison.Ordinal);
    }

    /// <summary>
    /// One session, two keys of the same content. A's create is lost before it reached Altinn, so A looks, finds nothing
    /// and sends it again; B's create is made and its answer lost while A's second create is made and its answer is
    /// still on the way. B must wait for A's answer rather than take A's instance for its own (two keys on one instance,
    /// and B's own left behind).
    /// </summary>
    [Fact]
    public async Task A_create_sent_again_after_its_lookup_is_waited_for_by_another_that_lost_its_answer()
    {
        var fake = new FakeAltinnApp("brg/aarsregnskap");
        var creates = 0;
        using var resentMade = new ManualResetEventSlim();
        using var bLooked = new ManualResetEventSlim();
        fake.Lose = call => call.Route switch
        {
            FakeRoute.Create => Interlocked.Increment(ref creates) switch { 1 => FakeKill.BeforeApply, 3 => FakeKill.AfterApply, _ => FakeKill.None },
            _ => FakeKill.None,
        };
        var holding = false;
        var lookedWhileHeld = false;
        fake.BeforeAnswer = call =>
        {
            if (call.Route == FakeRoute.ActiveInstances && Volatile.Read(ref holding))
            {
                lookedWhileHeld = true;
                bLooked.Set();
            }

            if (call.Route != FakeRoute.Create || Volatile.Read(ref creates) != 2) return;
            // A's second create is made: hold its answer until B has looked, or long enough that B would have
            Volatile.Write(ref holding, true);
            resentMade.Set();
            bLooked.Wait(TimeSpan.FromSeconds(2));
            Volatile.Write(ref holding, false);
        };

        var journalPath = Path.Combine(_folder, "resent.journal");
        using var session = await TestSessions.ConnectAsync(fake, retries: 3);
        async Task Row(string key)
        {
            var instance = await new SubmissionStart(session).StartAsync(Request("same"), new JournalContext(SubmissionJournal.Open(journalPath), key), restart: false, CancellationToken.None)
                ?? throw new InvalidOperationException("not created");
            await new SubmissionSteps(session).SubmitAsync(instance, "nb", 10, CancellationToken.None);
        }

        var a = Task.Run(() => Row("a"));
        Assert.True(resentMade.Wait(TimeSpan.FromSeconds(10)), "A's create should have been sent again");
        var b = Task.Run(() => Row("b"));
        await Task.WhenAll(a, b);
        Assert.False(lookedWhileHeld, "B looked for its instance while A's second create was still on its way");
        AssertEachKeyFiledOnce(fake, journalPath, new[] { ("a", "same"), ("b", "same") }, "lost and resent");
    }

    // ---- one row: create with its prefill, then submit ----

    private static IDictionary<string, string> Prefill(string value) => new Dictionary<string, string> { ["property1"] = value };

    private static InstanceRequest Request(string value) => new()
    {
        App = AppIdentifier.Parse("brg/aarsregnskap"),
        Owner = new InstanceOwnerSpec { OrganizationNumber = Organisation },
        Prefill = Prefill(value),
    };

    private static async Task RunKeyAsync(FakeAltinnApp fake, string journalPath, string key, string value)
    {
        var ct = fake.RunToken;
        using var session = await TestSessions.ConnectAsync(fake);
        var context = new JournalContext(SubmissionJournal.Open(journalPath), key);
        var instance = await new SubmissionStart(session).StartAsync(Request(value), context, restart: false, ct) ?? throw new InvalidOperationException("not created");
        await new SubmissionSteps(session).SubmitAsync(instance, "nb", 10, ct);
    }

    private static void AssertEachKeyFiledOnce(FakeAltinnApp fake, string journalPath, (string Key, string Value)[] keys, string what)
    {
        SubmissionJournal.ForgetAll();
        var journal = SubmissionJournal.Open(journalPath);
        var instances = fake.InstancesOf(Organisation);
        Assert.True(instances.Length == keys.Length, $"{what}: {instances.Length} instances for {keys.Length} keys");
        var ids = new HashSet<string>();
        foreach (var (key, value) in keys)
        {
            var entry = journal.Get(key);
            Assert.True(entry?.InstanceId != null, $"{what}: key {key} has no instance");
            Assert.True(ids.Add(entry!.InstanceId), $"{what}: key {key} shares instance {entry.InstanceId} with another key");
            var instance = Assert.Single(instances, i => i.Id == entry.InstanceId);
            Assert.True(instance.Ended, $"{what}: key {key}'s instance is at {instance.CurrentTask}");
            var model = Encoding.UTF8.GetString(instance.ElementsOf("model").Single().Bytes);
            Assert.True(model.Contains($"\"{value}\"", StringComparison.Ordinal), $"{what}: key {key} holds an instance made with other prefill: {model}");
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
