using System.Runtime.InteropServices;
using AltinnApp.Core.Journal;

namespace AltinnApp.Core.Tests;

/// <summary>The journal's files: who may read them, what they hold of a person number, and what a long run keeps in memory.</summary>
[Collection("Journal files")]
public sealed class JournalFileTests : IDisposable
{
    private const string PersonNumber = "08089403198";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "altinnapp-jf-" + Guid.NewGuid().ToString("N")[..8]);

    public JournalFileTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        SubmissionJournal.ForgetAll();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task The_journal_and_its_side_files_are_made_for_their_owner_only()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return; // a new file there takes its folder's ACL
        var path = Path.Combine(_folder, "batch.journal");
        var journal = SubmissionJournal.Open(path);
        journal.Append(new JournalRecord { Key = "k", State = JournalState.Created, InstanceId = "1/8c0f0000-0000-0000-0000-000000000001" });
        using (await journal.LockKeyAsync("k", CancellationToken.None)) { }
        _ = new JournalContext(journal, PersonNumber + "-2025");

        foreach (var file in new[] { path, SubmissionJournal.LockPathFor(path), SubmissionJournal.KeyLockPathFor(path), SubmissionJournal.SecretPathFor(path) })
        {
            Assert.True(File.Exists(file), $"{file} should exist");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public void A_person_number_in_a_key_is_stored_masked_and_hashed_and_the_key_is_still_found_by_it()
    {
        var path = Path.Combine(_folder, "persons.journal");
        var key = PersonNumber + "-2025-skattemelding";
        var context = new JournalContext(SubmissionJournal.Open(path), key);
        context.Record(JournalState.Created, "1/8c0f0000-0000-0000-0000-000000000001");

        Assert.DoesNotContain(PersonNumber, context.Key);
        Assert.StartsWith("080894*****~", context.Key);
        Assert.DoesNotContain(PersonNumber, File.ReadAllText(path));

        // a new process reads the secret beside the journal and finds the key by the number
        SubmissionJournal.ForgetAll();
        var reopened = SubmissionJournal.Open(path);
        Assert.Equal("1/8c0f0000-0000-0000-0000-000000000001", reopened.Get(key)!.InstanceId);
        Assert.Equal(context.Key, reopened.Get(key)!.Key);
        Assert.Null(reopened.Get("08089403198-2024-skattemelding"));

        // another journal has another secret: the same number gives another stored key there
        var other = new JournalContext(SubmissionJournal.Open(Path.Combine(_folder, "other.journal")), key);
        Assert.NotEqual(context.Key, other.Key);
    }

    [Fact]
    public void A_journal_whose_secret_is_gone_refuses_new_person_keys_rather_than_file_them_again()
    {
        var path = Path.Combine(_folder, "lost.journal");
        new JournalContext(SubmissionJournal.Open(path), PersonNumber).Record(JournalState.Created, "1/8c0f0000-0000-0000-0000-000000000001");
        SubmissionJournal.ForgetAll();
        File.Delete(SubmissionJournal.SecretPathFor(path));

        var journal = SubmissionJournal.Open(path);
        Assert.Null(journal.Get(PersonNumber));
        var error = Assert.Throws<AltinnException>(() => new JournalContext(journal, PersonNumber));
        Assert.Equal("Altinn.Journal.FileNotFound", error.ErrorId);
        Assert.Contains(".lost.journal.secret", error.Message);
        Assert.DoesNotContain(PersonNumber, error.Message);
    }

    [Fact]
    public async Task Key_gates_are_dropped_when_their_keys_are_done()
    {
        var journal = SubmissionJournal.Open(Path.Combine(_folder, "gates.journal"));
        await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => Task.Run(async () =>
        {
            using (await journal.LockKeyAsync("key-" + (i % 500), CancellationToken.None))
            {
                await Task.Yield();
            }
        })));
        Assert.Equal(0, journal.GatesInUse);
    }

    [Fact]
    public void A_key_without_a_valid_person_number_is_stored_as_given()
    {
        var journal = SubmissionJournal.Open(Path.Combine(_folder, "plain.journal"));
        Assert.Equal("950474084-2025-aarsregnskap", new JournalContext(journal, "950474084-2025-aarsregnskap").Key);
        Assert.Equal("12345678901-x", new JournalContext(journal, "12345678901-x").Key); // eleven digits, wrong control digits
        Assert.False(File.Exists(SubmissionJournal.SecretPathFor(journal.Path)));
    }
}
