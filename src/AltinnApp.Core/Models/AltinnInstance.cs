using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Serialization;
using AltinnApp.Core.Session;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Models
{
    /// <summary>An app instance as the app API returns it (InstanceResponse / Storage Instance).</summary>
    public sealed class AltinnInstance : ISessionBound
    {
        [JsonPropertyName("id")] public string Id { get; set; }
        [JsonPropertyName("instanceOwner")] public AltinnInstanceOwner InstanceOwner { get; set; }
        [JsonPropertyName("appId")] public string AppId { get; set; }
        [JsonPropertyName("org")] public string Org { get; set; }
        [JsonPropertyName("selfLinks")] public AltinnSelfLinks SelfLinks { get; set; }
        [JsonPropertyName("dueBefore")] public DateTime? DueBefore { get; set; }
        [JsonPropertyName("visibleAfter")] public DateTime? VisibleAfter { get; set; }
        [JsonPropertyName("process")] public AltinnProcessState Process { get; set; }
        [JsonPropertyName("status")] public AltinnInstanceStatus Status { get; set; }
        [JsonPropertyName("data")] public AltinnDataElementList Data { get; set; } = new AltinnDataElementList();
        [JsonPropertyName("created")] public DateTime? Created { get; set; }
        [JsonPropertyName("createdBy")] public string CreatedBy { get; set; }
        [JsonPropertyName("lastChanged")] public DateTime? LastChanged { get; set; }
        [JsonPropertyName("lastChangedBy")] public string LastChangedBy { get; set; }

        /// <summary><c>partyId/instanceGuid</c>, the id every instance route takes.</summary>
        [JsonIgnore] public string InstanceId => Id;

        /// <summary><c>org/app</c>.</summary>
        [JsonIgnore] public string App => AppId;

        [JsonIgnore] public int PartyId => Id == null ? 0 : InstanceIdentifier.Parse(Id).PartyId;

        [JsonIgnore] public Guid InstanceGuid => Id == null ? Guid.Empty : InstanceIdentifier.Parse(Id).InstanceGuid;

        /// <summary>
        /// A stand-in for the instance New-AltinnInstance would have made, under -WhatIf: it flows down the pipeline so
        /// every later step says what it would do, and none of them sends anything for it.
        /// </summary>
        [JsonIgnore] public bool IsPlanned { get; private set; }

        /// <summary>This instance as a stand-in under -WhatIf: what a step would have passed on, for the next step to describe.</summary>
        public AltinnInstance AsPlanned()
        {
            var copy = (AltinnInstance)MemberwiseClone();
            copy.IsPlanned = true;
            return copy;
        }

        /// <summary>The stand-in for an instance of <paramref name="appId"/> for <paramref name="owner"/> that -WhatIf did not create.</summary>
        public static AltinnInstance Planned(string appId, string owner, Journal.JournalContext journal) => new AltinnInstance
        {
            AppId = appId,
            InstanceOwner = new AltinnInstanceOwner { OrganisationNumber = owner },
            IsPlanned = true,
            Journal = journal,
        };

        /// <summary>Who owns it: the organisation number, a masked person number, or the party id.</summary>
        [JsonIgnore] public string Owner => InstanceOwner?.Display;

        /// <summary>The owner's name, when Altinn sent the party with the instance.</summary>
        [JsonIgnore] public string OwnerName => InstanceOwner?.Party?.Name;

        /// <summary>The current task's name (<c>Utfylling</c>), or null when the process has ended.</summary>
        [JsonIgnore] public string CurrentTaskName => Process?.CurrentTask?.Name;

        /// <summary>The current task's type (<c>data</c>, <c>confirmation</c>, <c>signing</c>, ...).</summary>
        [JsonIgnore] public string CurrentTaskType => Process?.CurrentTask?.AltinnTaskType;

        /// <summary>The current task's id (<c>Task_1</c>), or null when the process has ended.</summary>
        [JsonIgnore] public string CurrentTask => Process?.CurrentTask?.ElementId;

        [JsonIgnore] public bool Ended => Process?.Ended != null;

        [JsonIgnore] public bool IsArchived => Status?.IsArchived ?? false;

        /// <summary>The journal key this instance belongs to (New-AltinnInstance -Journal -Key), so later steps record their progress.</summary>
        [JsonIgnore] public Journal.JournalContext Journal { get; set; }

        /// <summary>
        /// The key's record count in the journal when a journaled step handed this object on as the instance is (-1: not
        /// known). Equal under the key's lock: no step of any run was recorded since, so the next step need not read it again.
        /// </summary>
        [JsonIgnore] internal long JournalRecords { get; set; } = -1;

        /// <summary>The journal key, or null when the instance is not journaled.</summary>
        [JsonIgnore] public string JournalKey => Journal?.Key;

        /// <summary>The session this instance was read with; the next cmdlet in a pipeline uses it.</summary>
        [JsonIgnore] public AltinnSession Session { get; set; }

        public AltinnDataElement[] GetDataElements(string dataType) =>
            (Data ?? new List<AltinnDataElement>()).Where(d => string.Equals(d.DataType, dataType, StringComparison.OrdinalIgnoreCase)).ToArray();

        void ISessionBound.Bind(AltinnSession session)
        {
            Session = session;
            KnownOwners.Remember(session, InstanceOwner);
            foreach (var element in Data ?? new List<AltinnDataElement>())
            {
                element.Session = session;
                element.AppId = AppId;
                // so an element piped on its own (Save-AltinnData, Remove-AltinnData) knows its instance
                element.InstanceId = Id;
            }
        }

        public override string ToString() => !IsPlanned ? Id : Id == null ? $"the new instance of {AppId} for {Owner}" : $"instance {Id} (as -WhatIf leaves it)";
    }

    public sealed class AltinnInstanceOwner
    {
        [JsonPropertyName("partyId")] public string PartyId { get; set; }
        [JsonPropertyName("personNumber")] public string PersonNumber { get; set; }
        [JsonPropertyName("organisationNumber")] public string OrganisationNumber { get; set; }
        [JsonPropertyName("username")] public string Username { get; set; }
        [JsonPropertyName("externalIdentifier")] public string ExternalIdentifier { get; set; }
        [JsonPropertyName("party")] public AltinnParty Party { get; set; }

        [JsonIgnore]
        public string Display =>
            OrganisationNumber ?? (PersonNumber != null ? Validation.NorwegianIdentifiers.MaskPersonNumber(PersonNumber) : null) ?? Username ?? PartyId;

        public override string ToString() => Display;
    }

    /// <summary>An instance's data elements; a list like any other, that reads as its elements where it is shown as text (Export-Csv).</summary>
    public sealed class AltinnDataElementList : List<AltinnDataElement>
    {
        public override string ToString() =>
            string.Join(", ", this.Select(d => d.Filename != null ? $"{d.DataType} ({d.Filename})" : d.DataType));
    }

    public sealed class AltinnSelfLinks
    {
        [JsonPropertyName("apps")] public string Apps { get; set; }
        [JsonPropertyName("platform")] public string Platform { get; set; }

        // Export-Csv and a truncated ConvertTo-Json show a nested object by its ToString: the link, not the type's name
        public override string ToString() => Apps ?? Platform ?? string.Empty;
    }

    public sealed class AltinnInstanceStatus
    {
        [JsonPropertyName("isArchived")] public bool IsArchived { get; set; }
        [JsonPropertyName("archived")] public DateTime? Archived { get; set; }
        [JsonPropertyName("isSoftDeleted")] public bool IsSoftDeleted { get; set; }
        [JsonPropertyName("softDeleted")] public DateTime? SoftDeleted { get; set; }
        [JsonPropertyName("isHardDeleted")] public bool IsHardDeleted { get; set; }
        [JsonPropertyName("hardDeleted")] public DateTime? HardDeleted { get; set; }
        [JsonPropertyName("readStatus")] public AltinnReadStatus ReadStatus { get; set; }
        [JsonPropertyName("substatus")] public AltinnSubstatus Substatus { get; set; }

        public override string ToString()
        {
            var state = IsHardDeleted ? "deleted" : IsSoftDeleted ? "soft-deleted" : IsArchived ? "archived" : "active";
            return Substatus?.Label != null ? $"{state} ({Substatus.Label})" : state;
        }
    }

    // long-based: ConvertTo-Json (Windows PowerShell 5.1 and PowerShell 7) writes such an enum by its name, not its number,
    // so an exported journal or instance says "Failed", not 9
    public enum AltinnReadStatus : long
    {
        Unread = 0,
        Read = 1,
        UpdatedSinceLastReview = 2,
    }

    public sealed class AltinnSubstatus
    {
        [JsonPropertyName("label")] public string Label { get; set; }
        [JsonPropertyName("description")] public string Description { get; set; }

        public override string ToString() => Label ?? string.Empty;
    }

    /// <summary>One entry of <c>GET instances/{partyId}/active</c>.</summary>
    public sealed class AltinnActiveInstance : ISessionBound
    {
        [JsonPropertyName("id")] public string Id { get; set; }
        [JsonPropertyName("presentationTexts")] public Dictionary<string, string> PresentationTexts { get; set; }
        [JsonPropertyName("dueBefore")] public DateTime? DueBefore { get; set; }
        [JsonPropertyName("lastChanged")] public DateTime? LastChanged { get; set; }
        [JsonPropertyName("lastChangedBy")] public string LastChangedBy { get; set; }

        [JsonIgnore] public string InstanceId => Id;
        [JsonIgnore] public string App { get; set; }
        [JsonIgnore] public AltinnSession Session { get; set; }

        void ISessionBound.Bind(AltinnSession session) => Session = session;

        public override string ToString() => Id;
    }
}
