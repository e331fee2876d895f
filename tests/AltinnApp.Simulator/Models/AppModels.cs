namespace AltinnApp.Simulator.Models;

// Shapes that the app library (not Storage) defines (reference §5.1, §5.5, §5.6).

public sealed class PartyResponse
{
    public int PartyId { get; set; }
    public Guid? PartyUuid { get; set; }
    /// <summary>1 Person, 2 Organisation, 3 SelfIdentified, 4 SubUnit, 5 BankruptcyEstate.</summary>
    public int PartyTypeName { get; set; }
    public string? Ssn { get; set; }
    public string? OrgNumber { get; set; }
    public string? UnitType { get; set; }
    public string? Name { get; set; }
    public bool IsDeleted { get; set; }
}

public sealed class InstanceOwnerResponse
{
    public string? PartyId { get; set; }
    public string? PersonNumber { get; set; }
    public string? OrganisationNumber { get; set; }
    public string? Username { get; set; }
    public string? ExternalIdentifier { get; set; }
    public PartyResponse? Party { get; set; }
}

/// <summary>What create and GET instance return: the Storage instance with <c>instanceOwner.party</c>.</summary>
public sealed class InstanceResponse
{
    public string? Id { get; set; }
    public InstanceOwnerResponse? InstanceOwner { get; set; }
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
    public DateTime? Created { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime? LastChanged { get; set; }
    public string? LastChangedBy { get; set; }
}

public sealed class SimpleInstance
{
    public string? Id { get; set; }
    public Dictionary<string, string>? PresentationTexts { get; set; }
    public DateTime? DueBefore { get; set; }
    public DateTime? LastChanged { get; set; }
    public string? LastChangedBy { get; set; }
}

public sealed class UserAction
{
    public string? Id { get; set; }
    public bool Authorized { get; set; }
    /// <summary>0 ProcessAction, 1 ServerAction.</summary>
    public int Type { get; set; }
}

public sealed class AppProcessElementInfo
{
    public int? Flow { get; set; }
    public DateTime? Started { get; set; }
    public string? ElementId { get; set; }
    public string? Name { get; set; }
    public string? AltinnTaskType { get; set; }
    public DateTime? Ended { get; set; }
    public ValidationStatus? Validated { get; set; }
    public string? FlowType { get; set; }
    public Dictionary<string, bool>? Actions { get; set; }
    public List<UserAction>? UserActions { get; set; }
    public bool Read { get; set; }
    public bool Write { get; set; }
    public string? ElementType { get; set; }
}

public sealed class AppProcessTaskTypeInfo
{
    public string? AltinnTaskType { get; set; }
    public string? ElementId { get; set; }
    public string? ElementType { get; set; }
}

public sealed class AppProcessState
{
    public DateTime? Started { get; set; }
    public string? StartEvent { get; set; }
    public AppProcessElementInfo? CurrentTask { get; set; }
    public DateTime? Ended { get; set; }
    public string? EndEvent { get; set; }
    public List<AppProcessTaskTypeInfo>? ProcessTasks { get; set; }
}

/// <summary>Severity is an integer on the wire: 1 Error, 2 Warning, 3 Informational.</summary>
public sealed class ValidationIssueWithSource
{
    public int Severity { get; set; }
    public string? DataElementId { get; set; }
    public string? Field { get; set; }
    public string? Code { get; set; }
    public string? Description { get; set; }
    public string Source { get; set; } = "";
}

public sealed class ValidationSourcePair
{
    public string Source { get; set; } = "";
    public List<ValidationIssueWithSource> Issues { get; set; } = [];
}

public sealed class DataModelPairResponse
{
    public Guid DataElementId { get; set; }
    public object? Data { get; set; }
}

public sealed class DataPostResponse
{
    public Guid NewDataElementId { get; set; }
    public Instance? Instance { get; set; }
    public List<ValidationSourcePair> ValidationIssues { get; set; } = [];
    public List<DataModelPairResponse> NewDataModels { get; set; } = [];
}

public sealed class DataDeleteResponse
{
    public Instance? Instance { get; set; }
    public List<ValidationSourcePair> ValidationIssues { get; set; } = [];
    public List<DataModelPairResponse> NewDataModels { get; set; } = [];
}
