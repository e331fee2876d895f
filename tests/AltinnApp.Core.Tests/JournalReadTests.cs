using System.Text;
using System.Text.Json;
using AltinnApp.Core.Journal;

namespace AltinnApp.Core.Tests;

// the journal read back line by line: values shared between lines, names and values that need decoding, steps out of order
[Collection("Journal files")]
public sealed class JournalReadTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "altinnapp-journalread-" + Guid.NewGuid().ToString("N"));

    public JournalReadTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        SubmissionJournal.ForgetAll();
        Directory.Delete(_folder, recursive: true);
    }

    private static JournalRecord Read(string line, JournalStringPool pool) =>
        JournalRecordReader.Read(Encoding.UTF8.GetBytes(line), new JsonSerializerOptions(), pool);

    [Fact]
    public void Repeated_values_are_read_as_one_string_and_keep_their_text()
    {
        var pool = new JournalStringPool();
        var first = Read("{\"key\":\"row-1\",\"state\":\"Created\",\"app\":\"brg/aarsregnskap\",\"partyId\":500700}", pool);
        var second = Read("{\"key\":\"row-1\",\"state\":\"DataSet\",\"app\":\"brg/aarsregnskap\",\"seq\":1}", pool);

        Assert.Equal("brg/aarsregnskap", second.App);
        Assert.Same(first.App, second.App);
        Assert.Same(first.Key, second.Key);
        Assert.Equal(JournalState.DataSet, second.State);
        Assert.Equal(1, second.StepNumber);
    }

    [Fact]
    public void Values_that_are_not_plain_ascii_and_escaped_names_read_as_written()
    {
        var pool = new JournalStringPool();
        var record = Read("{\"k\\u0065y\":\"rad-\u00f8-1\",\"state\":\"Fail\\u0065d\",\"error\":\"a \\\"quoted\\\" reason\",\"task\":\"Task_1\"}", pool);

        Assert.Equal("rad-\u00f8-1", record.Key);
        Assert.Equal(JournalState.Failed, record.State);
        Assert.Equal("a \"quoted\" reason", record.Error);
        Assert.Equal("Task_1", record.Task);
    }

    [Fact]
    public void A_line_with_a_wrong_type_or_cut_short_is_ignored()
    {
        var pool = new JournalStringPool();
        Assert.Null(Read("{\"key\":17,\"state\":\"Created\"}", pool));
        Assert.Null(Read("{\"key\":\"row-1\",\"state\":\"Crea", pool));
        Assert.Null(Read("{\"key\":\"row-1\",\"state\":\"NoSuchState\"}", pool));
    }

    [Fact]
    public void Many_distinct_values_are_all_told_apart()
    {
        var pool = new JournalStringPool();
        var seen = new HashSet<string>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < 5000; i++)
        {
            var key = "synthetic-" + i.ToString("d7");
            var value = pool.Get(Encoding.ASCII.GetBytes(key));
            Assert.Equal(key, value);
            Assert.True(seen.Add(value));
            Assert.Same(value, pool.Get(Encoding.ASCII.GetBytes(key)));
        }
    }

    [Fact]
    public void Steps_recorded_out_of_order_are_listed_in_order_and_a_restart_clears_them()
    {
        var journal = SubmissionJournal.Open(Path.Combine(_folder, "steps.journal"));
        journal.Append(new JournalRecord { Key = "row-1", State = JournalState.Created, InstanceId = "500700/8c0f0000-0000-0000-0000-000000000001" });
        journal.Append(new JournalRecord { Key = "row-1", State = JournalState.Moving, StepNumber = 3, Step = "ProcessNext", Task = "Task_1" });
        journal.Append(new JournalRecord { Key = "row-1", State = JournalState.DataSet, StepNumber = 1, Step = "SetData", Hash = "sha256:01" });
        journal.Append(new JournalRecord { Key = "row-1", State = JournalState.DataSet, StepNumber = 2, Step = "SetData", Hash = "sha256:02" });

        SubmissionJournal.ForgetAll();
        var entry = SubmissionJournal.Open(Path.Combine(_folder, "steps.journal")).Get("row-1");
        Assert.Equal(new[] { 1, 2, 3 }, entry.Steps.Select(s => s.Number));
        Assert.Equal("sha256:02", entry.StepAt(2).Hash);
        Assert.False(entry.StepAt(3).Done);
        Assert.Null(entry.StepAt(4));

        var journal2 = SubmissionJournal.Open(Path.Combine(_folder, "steps.journal"));
        journal2.Append(new JournalRecord { Key = "row-1", State = JournalState.Restarted });
        Assert.Empty(journal2.Get("row-1").Steps);
        Assert.Equal(3, entry.Steps.Count); // a copy taken before is not changed
    }

    [Fact]
    public void Entries_can_be_chosen_before_they_are_copied()
    {
        var journal = SubmissionJournal.Open(Path.Combine(_folder, "chosen.journal"));
        for (var i = 0; i < 20; i++)
        {
            journal.Append(new JournalRecord { Key = "row-" + i, State = JournalState.Creating, App = "brg/aarsregnskap" });
            if (i % 5 == 0) journal.Append(new JournalRecord { Key = "row-" + i, State = JournalState.Failed, Error = "no" });
        }

        var failed = journal.Entries(e => e.State == JournalState.Failed);
        Assert.Equal(new[] { "row-0", "row-5", "row-10", "row-15" }, failed.Select(e => e.Key));
        Assert.Equal(20, journal.Entries().Count);
    }
}
