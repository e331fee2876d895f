using System.Text;
using AltinnApp.Core.Journal;

namespace AltinnApp.Core.Tests;

// one collection: SubmissionJournal.ForgetAll forgets every open journal, so these never run beside each other
[Collection("Journal files")]
public sealed class SubmissionJournalTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "altinnapp-journal-" + Guid.NewGuid().ToString("N"));

    public SubmissionJournalTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string NewPath() => Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".journal");

    [Fact]
    public void A_key_moves_through_its_states_and_keeps_its_instance()
    {
        var journal = SubmissionJournal.Open(NewPath());
        journal.Append(new JournalRecord { Key = "row-1", State = JournalState.Creating, App = "brg/aarsregnskap", PartyId = 500700 });
        journal.Append(new JournalRecord { Key = "row-1", State = JournalState.Created, InstanceId = "500700/8c0f0000-0000-0000-0000-000000000001" });
        journal.Append(new JournalRecord { Key = "row-1", State = JournalState.DataSet });
        journal.Append(new JournalRecord { Key = "row-1", State = JournalState.Submitted });

        var entry = journal.Get("row-1");
        Assert.Equal(JournalState.Submitted, entry.State);
        Assert.Equal("500700/8c0f0000-0000-0000-0000-000000000001", entry.InstanceId);
        Assert.Equal("brg/aarsregnskap", entry.App);
        Assert.False(entry.IsDone);
        Assert.Null(journal.Get("row-2"));
    }

    [Fact]
    public void A_record_without_a_time_is_stamped_by_the_journals_clock()
    {
        var clock = new FakeClock();
        var journal = SubmissionJournal.Open(NewPath());
        journal.Clock = clock;
        journal.Append(new JournalRecord { Key = "k", State = JournalState.Creating, App = "brg/aarsregnskap" });
        clock.Advance(TimeSpan.FromMinutes(3));
        journal.Append(new JournalRecord { Key = "k", State = JournalState.Created, InstanceId = "1/8c0f0000-0000-0000-0000-000000000001" });

        var entry = journal.Get("k");
        Assert.Equal(clock.UtcNow.AddMinutes(-3), entry.Started);
        Assert.Equal(clock.UtcNow, entry.Updated);
    }

    [Fact]
    public void A_failure_is_shown_until_the_key_moves_on_again()
    {
        var journal = SubmissionJournal.Open(NewPath());
        journal.Append(new JournalRecord { Key = "k", State = JournalState.Created, InstanceId = "1/8c0f0000-0000-0000-0000-000000000001" });
        journal.Append(new JournalRecord { Key = "k", State = JournalState.Failed, Step = "ProcessNext", Error = "validation failed", ErrorId = "Altinn.ProcessNext.ValidationFailed" });
        var failed = journal.Get("k");
        Assert.Equal(JournalState.Failed, failed.State);
        Assert.Equal(JournalState.Created, failed.Reached);
        Assert.Equal("ProcessNext", failed.FailedStep);

        journal.Append(new JournalRecord { Key = "k", State = JournalState.Submitted });
        Assert.Equal(JournalState.Submitted, journal.Get("k").State);
        Assert.Null(journal.Get("k").LastError);
    }

    [Fact]
    public void A_line_torn_by_a_kill_is_ignored_and_the_next_record_still_reads()
    {
        var path = NewPath();
        var journal = SubmissionJournal.Open(path);
        journal.Append(new JournalRecord { Key = "a", State = JournalState.Created, InstanceId = "1/8c0f0000-0000-0000-0000-000000000001" });
        File.AppendAllText(path, "{\"key\":\"b\",\"state\":\"Crea", Encoding.UTF8); // the writer died here

        SubmissionJournal.ForgetAll();
        var reopened = SubmissionJournal.Open(path);
        Assert.Null(reopened.Get("b"));
        reopened.Append(new JournalRecord { Key = "c", State = JournalState.Created, InstanceId = "1/8c0f0000-0000-0000-0000-000000000002" });

        SubmissionJournal.ForgetAll();
        var again = SubmissionJournal.Open(path);
        Assert.Equal(JournalState.Created, again.Get("a").State);
        Assert.Equal(JournalState.Created, again.Get("c").State);
        Assert.Null(again.Get("b"));
    }

    [Fact]
    public async Task Many_writers_at_once_lose_no_record()
    {
        var path = NewPath();
        var journal = SubmissionJournal.Open(path);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 50; i++) journal.Append(new JournalRecord { Key = $"w{w}-{i}", State = JournalState.Created, InstanceId = $"1/{Guid.NewGuid()}" });
        })));

        SubmissionJournal.ForgetAll();
        Assert.Equal(400, SubmissionJournal.Open(path).Entries().Count);
        Assert.Equal(400, File.ReadAllLines(path).Length);
    }

    [Fact]
    public void Records_written_by_another_process_are_read_before_a_decision()
    {
        var path = NewPath();
        var journal = SubmissionJournal.Open(path);
        journal.Append(new JournalRecord { Key = "mine", State = JournalState.Created, InstanceId = "1/8c0f0000-0000-0000-0000-000000000001" });
        File.AppendAllText(path, "{\"key\":\"theirs\",\"state\":\"ReceiptSaved\",\"instanceId\":\"1/8c0f0000-0000-0000-0000-000000000009\",\"at\":\"2026-01-01T00:00:00+00:00\"}\n");
        Assert.True(journal.Get("theirs").IsDone);
        Assert.Contains("1/8c0f0000-0000-0000-0000-000000000009", journal.ClaimedInstanceIds());
    }

    [Fact]
    public async Task Creations_of_one_party_with_other_content_are_made_one_at_a_time()
    {
        var journal = SubmissionJournal.Open(NewPath());
        var inside = 0;
        var most = 0;
        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            using (await journal.LockCreationAsync("500700", i % 3 == 0 ? null : "content-" + i, exclusive: i == 1, CancellationToken.None))
            {
                var now = Interlocked.Increment(ref inside);
                InterlockedMax(ref most, now);
                await Task.Delay(20);
                Interlocked.Decrement(ref inside);
            }
        })));
        Assert.Equal(1, most);
    }

    [Fact]
    public void A_receipt_file_belongs_to_the_key_that_claimed_it_before_writing()
    {
        var path = NewPath();
        var journal = SubmissionJournal.Open(path);
        var receipt = Path.Combine(_folder, "receipt.pdf");
        var a = new JournalContext(journal, "row-1");
        var b = new JournalContext(journal, "row-2");
        a.Record(JournalState.DataSet, "1/8c0f0000-0000-0000-0000-000000000001");

        // the claim is written before the file: a kill after it leaves a key that is submitted, not done, but owns the path
        a.ClaimReceipt("1/8c0f0000-0000-0000-0000-000000000001", receipt);
        var claimed = journal.Get("row-1");
        Assert.Equal(JournalState.Submitted, claimed.State);
        Assert.False(claimed.IsDone);
        Assert.Null(claimed.ReceiptPath);
        Assert.Equal(new[] { receipt }, claimed.ReceiptFiles);
        Assert.True(a.OwnsReceipt(receipt));
        Assert.False(b.OwnsReceipt(receipt));
        Assert.Equal("row-1", journal.KeyOfReceipt(Path.Combine(_folder, ".", "receipt.pdf")));
        Assert.Null(journal.KeyOfReceipt(Path.Combine(_folder, "other.pdf")));

        a.Record(JournalState.ReceiptSaved, "1/8c0f0000-0000-0000-0000-000000000001", receipt);
        SubmissionJournal.ForgetAll();
        var reread = SubmissionJournal.Open(path);
        Assert.True(reread.Get("row-1").IsDone);
        Assert.Equal(receipt, reread.Get("row-1").ReceiptPath);
        Assert.Single(reread.Get("row-1").ReceiptFiles);
        Assert.Equal("row-1", reread.KeyOfReceipt(receipt));
    }

    [Fact]
    public void A_receipt_saved_by_a_journal_of_an_older_version_still_belongs_to_its_key()
    {
        var path = NewPath();
        var receipt = Path.Combine(_folder, "old.pdf");
        File.WriteAllText(path, "{\"key\":\"k\",\"state\":\"ReceiptSaved\",\"instanceId\":\"1/8c0f0000-0000-0000-0000-000000000001\",\"receipt\":" +
            System.Text.Json.JsonSerializer.Serialize(receipt) + "}\n");
        Assert.Equal("k", SubmissionJournal.Open(path).KeyOfReceipt(receipt));
    }

    [Fact]
    public void A_folder_is_not_a_journal()
    {
        var ex = Assert.Throws<AltinnArgumentException>(() => SubmissionJournal.Open(_folder));
        Assert.Equal("Altinn.Journal.PathIsFolder", ex.ErrorId);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}
