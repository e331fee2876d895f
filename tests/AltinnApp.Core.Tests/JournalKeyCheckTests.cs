using AltinnApp.Core.Api;
using AltinnApp.Core.Journal;
using AltinnApp.Core.Models;

namespace AltinnApp.Core.Tests;

/// <summary>A journal key stands for one submission: its app, its owner and the prefill its instance was made with.</summary>
// one collection: SubmissionJournal.ForgetAll forgets every open journal, so these never run beside each other
[Collection("Journal files")]
public sealed class JournalKeyCheckTests : IDisposable
{
    private const string App = "brg/aarsregnskap";
    private const string InstanceA = "500700/8c0f0000-0000-0000-0000-000000000001";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "altinnapp-keys-" + Guid.NewGuid().ToString("N"));

    public JournalKeyCheckTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private SubmissionJournal NewJournal() => SubmissionJournal.Open(Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".journal"));

    private static InstanceOwnerSpec Org(string number) => new() { OrganizationNumber = number };

    /// <summary>The records New-AltinnInstance writes for a key begun for an organisation and created.</summary>
    private static JournalEntry Begun(SubmissionJournal journal, string key, string org, string fingerprint)
    {
        journal.Append(new JournalRecord { Key = key, State = JournalState.Creating, App = App, OrganizationNumber = org, OwnerKind = JournalKeyCheck.Organization, PrefillFingerprint = fingerprint });
        journal.Append(new JournalRecord { Key = key, State = JournalState.Created, App = App, InstanceId = InstanceA, PartyId = 500700, OrganizationNumber = org });
        return journal.Get(key);
    }

    [Fact]
    public void A_key_begun_for_one_organisation_is_refused_for_another_naming_both()
    {
        var entry = Begun(NewJournal(), "row-7", "950474084", JournalKeyCheck.NoPrefill);

        var ex = Assert.Throws<AltinnArgumentException>(() => JournalKeyCheck.CheckRecorded(entry, App, Org("310461598"), "NewInstance"));
        Assert.Equal("Altinn.NewInstance.KeyMismatch", ex.ErrorId);
        Assert.Contains("'row-7'", ex.Message);
        Assert.Contains("organisation 950474084", ex.Message);
        Assert.Contains("organisation 310461598", ex.Message);
        Assert.Contains(InstanceA, ex.Message);
        Assert.Contains("nothing was created or changed", ex.Message);
        Assert.Contains("not a row number", ex.Message);

        JournalKeyCheck.CheckRecorded(entry, App, Org("950474084"), "NewInstance"); // its own organisation carries on
    }

    [Fact]
    public void A_key_begun_for_one_app_is_refused_for_another()
    {
        var entry = Begun(NewJournal(), "k", "950474084", JournalKeyCheck.NoPrefill);
        var ex = Assert.Throws<AltinnArgumentException>(() => JournalKeyCheck.CheckRecorded(entry, "brg/aarsregnskap-bekreft", Org("950474084"), "NewInstance"));
        Assert.Equal("Altinn.NewInstance.KeyMismatch", ex.ErrorId);
        Assert.Contains("brg/aarsregnskap for organisation 950474084", ex.Message);
        Assert.Contains("brg/aarsregnskap-bekreft for organisation 950474084", ex.Message);
    }

    [Fact]
    public void A_key_whose_create_was_only_begun_is_bound_to_its_owner_already()
    {
        // killed during the create: an instance for 950474084 may exist, so another owner may not take the key
        var journal = NewJournal();
        journal.Append(new JournalRecord { Key = "k", State = JournalState.Creating, App = App, OrganizationNumber = "950474084", OwnerKind = JournalKeyCheck.Organization, PrefillFingerprint = JournalKeyCheck.NoPrefill });
        var ex = Assert.Throws<AltinnArgumentException>(() => JournalKeyCheck.CheckRecorded(journal.Get("k"), App, Org("310461598"), "NewInstance"));
        Assert.Equal("Altinn.NewInstance.KeyMismatch", ex.ErrorId);
    }

    [Fact]
    public void Refusals_before_any_create_do_not_bind_the_key_so_corrected_input_carries_on()
    {
        var journal = NewJournal();
        var context = new JournalContext(journal, "k");
        context.RecordFailure("NewInstance", new AltinnArgumentException("Altinn.NewInstance.InvalidOrganizationNumber", "'95047408' is not an organisation number."));

        var entry = journal.Get("k");
        Assert.Equal(JournalState.Failed, entry.State);
        Assert.Equal("Altinn.NewInstance.InvalidOrganizationNumber", entry.LastErrorId);
        Assert.Null(entry.App);
        Assert.False(entry.HasInstance);
        JournalKeyCheck.CheckRecorded(entry, App, Org("950474084"), "NewInstance");
    }

    [Fact]
    public void A_key_begun_with_a_party_id_matches_the_organisation_its_instance_belongs_to()
    {
        var journal = NewJournal();
        journal.Append(new JournalRecord { Key = "k", State = JournalState.Creating, App = App, PartyId = 500700, OwnerKind = JournalKeyCheck.Party, PrefillFingerprint = JournalKeyCheck.NoPrefill });
        journal.Append(new JournalRecord { Key = "k", State = JournalState.Created, App = App, InstanceId = InstanceA, PartyId = 500700, OrganizationNumber = "950474084" });
        var entry = journal.Get("k");

        JournalKeyCheck.CheckRecorded(entry, App, Org("950474084"), "NewInstance");
        JournalKeyCheck.CheckRecorded(entry, App, new InstanceOwnerSpec { PartyId = 500700 }, "NewInstance");
        Assert.Throws<AltinnArgumentException>(() => JournalKeyCheck.CheckRecorded(entry, App, new InstanceOwnerSpec { PartyId = 500701 }, "NewInstance"));
        Assert.Throws<AltinnArgumentException>(() => JournalKeyCheck.CheckRecorded(entry, App, Org("310461598"), "NewInstance"));
    }

    [Fact]
    public void A_person_is_told_apart_on_the_instance_and_never_named_in_full()
    {
        var journal = NewJournal();
        journal.Append(new JournalRecord { Key = "p", State = JournalState.Creating, App = App, OwnerKind = JournalKeyCheck.Person, PrefillFingerprint = JournalKeyCheck.NoPrefill });
        journal.Append(new JournalRecord { Key = "p", State = JournalState.Created, App = App, InstanceId = InstanceA, PartyId = 500800 });
        var entry = journal.Get("p");
        var other = new InstanceOwnerSpec { PersonNumber = "17912099997" };

        // the journal holds no person number, so it cannot tell two people apart; an organisation it can
        JournalKeyCheck.CheckRecorded(entry, App, other, "NewInstance");
        Assert.Throws<AltinnArgumentException>(() => JournalKeyCheck.CheckRecorded(entry, App, Org("950474084"), "NewInstance"));
        Assert.DoesNotContain("17912099997", File.ReadAllText(journal.Path));

        var instance = new AltinnInstance { Id = InstanceA, AppId = App, InstanceOwner = new AltinnInstanceOwner { PartyId = "500800", PersonNumber = "08089403198" } };
        JournalKeyCheck.CheckInstance(entry, instance, App, new InstanceOwnerSpec { PersonNumber = "08089403198" }, "NewInstance");
        var ex = Assert.Throws<AltinnArgumentException>(() => JournalKeyCheck.CheckInstance(entry, instance, App, other, "NewInstance"));
        Assert.Equal("Altinn.NewInstance.KeyMismatch", ex.ErrorId);
        Assert.Contains("person 080894*****", ex.Message);
        Assert.Contains("person 179120*****", ex.Message);
        Assert.DoesNotContain("08089403198", ex.Message);
        Assert.DoesNotContain("17912099997", ex.Message);
    }

    [Fact]
    public void The_instance_settles_an_owner_an_older_journal_did_not_record()
    {
        // written by the previous version: no owner kind, no organisation on the Creating record for a party id
        var journal = NewJournal();
        File.AppendAllText(journal.Path,
            "{\"key\":\"old\",\"state\":\"Creating\",\"at\":\"2026-01-01T00:00:00+00:00\",\"app\":\"brg/aarsregnskap\",\"partyId\":null,\"org\":null,\"instanceId\":null,\"receipt\":null,\"step\":null,\"error\":null,\"errorId\":null,\"pid\":1}\n" +
            "{\"key\":\"old\",\"state\":\"Created\",\"at\":\"2026-01-01T00:00:01+00:00\",\"app\":\"brg/aarsregnskap\",\"partyId\":500700,\"org\":null,\"instanceId\":\"" + InstanceA + "\",\"receipt\":null,\"step\":null,\"error\":null,\"errorId\":null,\"pid\":1}\n");
        var entry = journal.Get("old");
        Assert.Null(entry.OwnerKind);
        Assert.Null(entry.PrefillFingerprint);
        Assert.Equal(InstanceA, entry.InstanceId);

        JournalKeyCheck.CheckRecorded(entry, App, Org("310461598"), "NewInstance"); // nothing recorded to compare with
        var instance = new AltinnInstance { Id = InstanceA, AppId = App, InstanceOwner = new AltinnInstanceOwner { PartyId = "500700", OrganisationNumber = "950474084" } };
        JournalKeyCheck.CheckInstance(entry, instance, App, Org("950474084"), "NewInstance");
        var ex = Assert.Throws<AltinnArgumentException>(() => JournalKeyCheck.CheckInstance(entry, instance, App, Org("310461598"), "NewInstance"));
        Assert.Contains("organisation 950474084", ex.Message);

        // and an entry without a prefill fingerprint resumes as before, whatever the prefill
        JournalKeyCheck.CheckPrefill(entry, InstanceA, JournalKeyCheck.PrefillFingerprint(new Dictionary<string, string> { ["a"] = "1" }), "NewInstance");
    }

    [Fact]
    public void The_prefill_fingerprint_depends_on_the_values_not_their_order_and_holds_none_of_them()
    {
        var one = JournalKeyCheck.PrefillFingerprint(new Dictionary<string, string> { ["property1"] = "1000", ["property2"] = "Ola" });
        var same = JournalKeyCheck.PrefillFingerprint(new Dictionary<string, string> { ["property2"] = "Ola", ["property1"] = "1000" });
        var other = JournalKeyCheck.PrefillFingerprint(new Dictionary<string, string> { ["property1"] = "1001", ["property2"] = "Ola" });
        // a value moved to another field is another prefill
        var moved = JournalKeyCheck.PrefillFingerprint(new Dictionary<string, string> { ["property1"] = "Ola", ["property2"] = "1000" });

        Assert.Equal(one, same);
        Assert.NotEqual(one, other);
        Assert.NotEqual(one, moved);
        Assert.StartsWith("sha256:", one);
        Assert.DoesNotContain("Ola", one);
        Assert.Equal(JournalKeyCheck.NoPrefill, JournalKeyCheck.PrefillFingerprint(null));
        Assert.Equal(JournalKeyCheck.NoPrefill, JournalKeyCheck.PrefillFingerprint(new Dictionary<string, string>()));
    }

    [Fact]
    public void Changed_prefill_on_a_resumed_key_is_refused_naming_the_key_and_saying_it_was_not_applied()
    {
        var first = JournalKeyCheck.PrefillFingerprint(new Dictionary<string, string> { ["property1"] = "1000" });
        var changed = JournalKeyCheck.PrefillFingerprint(new Dictionary<string, string> { ["property1"] = "2000" });
        var journal = NewJournal();
        var entry = Begun(journal, "950474084-2025", "950474084", first);

        JournalKeyCheck.CheckPrefill(entry, InstanceA, first, "NewInstance");
        var ex = Assert.Throws<AltinnException>(() => JournalKeyCheck.CheckPrefill(entry, InstanceA, changed, "NewInstance"));
        Assert.Equal("Altinn.NewInstance.PrefillChanged", ex.ErrorId);
        Assert.Contains("'950474084-2025'", ex.Message);
        Assert.Contains(InstanceA, ex.Message);
        Assert.Contains("new prefill was not applied", ex.Message);
        Assert.Contains("New-AltinnInstance -Restart", ex.Message);
        Assert.Contains("same -Prefill", ex.Message);
        Assert.DoesNotContain("2000", ex.Message);

        // a key begun without prefill and rerun with some is a change too
        var bare = Begun(journal, "bare", "950474084", JournalKeyCheck.NoPrefill);
        Assert.Throws<AltinnException>(() => JournalKeyCheck.CheckPrefill(bare, InstanceA, changed, "NewInstance"));

        // once submitted, only a new key can file the values
        journal.Append(new JournalRecord { Key = "950474084-2025", State = JournalState.Submitted });
        var submitted = Assert.Throws<AltinnException>(() => JournalKeyCheck.CheckPrefill(journal.Get("950474084-2025"), InstanceA, changed, "NewInstance"));
        Assert.Contains("was submitted", submitted.Message);
        Assert.Contains("new key", submitted.Message);
    }

    [Fact]
    public void The_new_fields_survive_a_reread_of_the_file()
    {
        var journal = NewJournal();
        var fingerprint = JournalKeyCheck.PrefillFingerprint(new Dictionary<string, string> { ["a"] = "b" });
        Begun(journal, "k", "950474084", fingerprint);
        SubmissionJournal.ForgetAll();

        var entry = SubmissionJournal.Open(journal.Path).Get("k");
        Assert.Equal(JournalKeyCheck.Organization, entry.OwnerKind);
        Assert.Equal(fingerprint, entry.PrefillFingerprint);
        Assert.Equal("950474084", entry.OrganizationNumber);
    }

    [Fact]
    public void A_resumed_key_clears_the_refusal_of_an_earlier_row_but_not_a_later_steps_failure()
    {
        var journal = NewJournal();
        Begun(journal, "k", "950474084", JournalKeyCheck.NoPrefill);
        var context = new JournalContext(journal, "k");
        context.RecordFailure("NewInstance", new AltinnArgumentException("Altinn.NewInstance.KeyMismatch", "Key 'k' was started for …"));
        Assert.Equal(JournalState.Failed, journal.Get("k").State);

        Assert.True(context.RecordResumed("NewInstance", InstanceA));
        var entry = journal.Get("k");
        Assert.Equal(JournalState.Created, entry.State);
        Assert.Null(entry.LastErrorId);
        Assert.Equal(1, entry.Attempts);
        Assert.False(context.RecordResumed("NewInstance", InstanceA)); // nothing to clear: nothing written

        context.RecordFailure("ProcessNext", new AltinnException("Altinn.ProcessNext.ValidationFailed", AltinnErrorKind.InvalidData, "property2 is required"));
        Assert.False(context.RecordResumed("NewInstance", InstanceA));
        Assert.Equal("Altinn.ProcessNext.ValidationFailed", journal.Get("k").LastErrorId);
    }

    [Fact]
    public void A_key_whose_instance_was_deleted_before_it_was_submitted_is_not_carried_on()
    {
        var entry = Begun(NewJournal(), "k", "950474084", JournalKeyCheck.NoPrefill);
        var deleted = new AltinnInstance
        {
            Id = InstanceA, AppId = App,
            Status = new AltinnInstanceStatus { IsSoftDeleted = true, SoftDeleted = new DateTime(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc) },
            Process = new AltinnProcessState { CurrentTask = new AltinnProcessTask { ElementId = "Task_1" } },
        };

        var ex = Assert.Throws<AltinnException>(() => JournalKeyCheck.CheckNotDeleted(entry, deleted, "NewInstance"));
        Assert.Equal("Altinn.NewInstance.KeyInstanceGone", ex.ErrorId);
        Assert.Contains($"Key 'k' stands for instance {InstanceA}, which was deleted on 2026-12-01 10:00 UTC before it was submitted", ex.Message);

        // submitted, then deleted: history, and the key resumes (to save a missing receipt)
        deleted.Process = new AltinnProcessState { Ended = new DateTime(2026, 11, 30, 0, 0, 0, DateTimeKind.Utc), EndEvent = "EndEvent_1" };
        JournalKeyCheck.CheckNotDeleted(entry, deleted, "NewInstance");
    }
}
