using System.Text.Json.Serialization;

namespace AltinnApp.Simulator.Models;

// Wire shapes of Altinn.Platform.Storage.Interface, field for field (reference §5). Enums that Storage
// serialises as integers with System.Text.Json (readStatus) are ints here; fileScanResult is a string.

public sealed class ResourceLinks
{
    public string? Apps { get; set; }
    public string? Platform { get; set; }
}

public sealed class InstanceOwner
{
    public string? PartyId { get; set; }
    public string? PersonNumber { get; set; }
    public string? OrganisationNumber { get; set; }
    public string? Username { get; set; }
    public string? ExternalIdentifier { get; set; }
}

public sealed class ValidationStatus
{
    public DateTime? Timestamp { get; set; }
    public bool CanCompleteTask { get; set; }
}

public class ProcessElementInfo
{
    public int? Flow { get; set; }
    public DateTime? Started { get; set; }
    public string? ElementId { get; set; }
    public string? Name { get; set; }
    public string? AltinnTaskType { get; set; }
    public DateTime? Ended { get; set; }
    public ValidationStatus? Validated { get; set; }
    public string? FlowType { get; set; }
}

public sealed class ProcessState
{
    public DateTime? Started { get; set; }
    public string? StartEvent { get; set; }
    public ProcessElementInfo? CurrentTask { get; set; }
    public DateTime? Ended { get; set; }
    public string? EndEvent { get; set; }
}

public sealed class Substatus
{
    public string? Label { get; set; }
    public string? Description { get; set; }
}

public sealed class InstanceStatus
{
    public bool IsArchived { get; set; }
    public DateTime? Archived { get; set; }
    public bool IsSoftDeleted { get; set; }
    public DateTime? SoftDeleted { get; set; }
    public bool IsHardDeleted { get; set; }
    public DateTime? HardDeleted { get; set; }
    /// <summary>0 Unread, 1 Read, 2 UpdatedSinceLastReview.</summary>
    public int ReadStatus { get; set; }
    public Substatus? Substatus { get; set; }
}

public sealed class CompleteConfirmation
{
    public string? StakeholderId { get; set; }
    public DateTime ConfirmedOn { get; set; }
}

public sealed class KeyValueEntry
{
    public string? Key { get; set; }
    public string? Value { get; set; }
}

public sealed class DeleteStatus
{
    public bool IsHardDeleted { get; set; }
    public DateTime? HardDeleted { get; set; }
}

public sealed class Reference
{
    public string? Value { get; set; }
    /// <summary>"GeneratedFrom".</summary>
    public string? Relation { get; set; }
    /// <summary>"DataElement" or "Task".</summary>
    public string? ValueType { get; set; }
}

public sealed class DataElement
{
    public DateTime? Created { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime? LastChanged { get; set; }
    public string? LastChangedBy { get; set; }
    public string? Id { get; set; }
    public string? InstanceGuid { get; set; }
    public string? DataType { get; set; }
    public string? Filename { get; set; }
    public string? ContentType { get; set; }
    public string? BlobStoragePath { get; set; }
    public ResourceLinks? SelfLinks { get; set; }
    public long Size { get; set; }
    public string? ContentHash { get; set; }
    public bool Locked { get; set; }
    public List<Guid>? Refs { get; set; }
    public bool IsRead { get; set; } = true;
    public List<string>? Tags { get; set; }
    public List<KeyValueEntry>? UserDefinedMetadata { get; set; }
    public List<KeyValueEntry>? Metadata { get; set; }
    public DeleteStatus? DeleteStatus { get; set; }
    /// <summary>"NotApplicable", "Pending", "Clean" or "Infected" (a string on the wire).</summary>
    public string? FileScanResult { get; set; }
    public List<Reference>? References { get; set; }
}

/// <summary>The Storage <c>Instance</c>: what DataPostResponse, DELETE instance and /_sim/instances carry.</summary>
public sealed class Instance
{
    public DateTime? Created { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime? LastChanged { get; set; }
    public string? LastChangedBy { get; set; }
    public string? Id { get; set; }
    public InstanceOwner? InstanceOwner { get; set; }
    public string? AppId { get; set; }
    public string? Org { get; set; }
    public ResourceLinks? SelfLinks { get; set; }
    public DateTime? DueBefore { get; set; }
    public DateTime? VisibleAfter { get; set; }
    public ProcessState? Process { get; set; }
    public InstanceStatus? Status { get; set; }
    public List<CompleteConfirmation>? CompleteConfirmations { get; set; }
    public List<DataElement>? Data { get; set; }
    public Dictionary<string, string?>? PresentationTexts { get; set; }
    public Dictionary<string, string?>? DataValues { get; set; }
}
