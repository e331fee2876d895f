using AltinnApp.Simulator.Models;
using AltinnApp.Simulator.Storage;

namespace AltinnApp.Simulator.Apps;

/// <summary>
/// Renders simulator state as the wire models. Self links are absolute on the request's host, as the
/// app's SelfLinkHelper makes them. Callers hold <see cref="SimInstance.Gate"/>.
/// </summary>
public static class InstanceViews
{
    public const string FlowType = "CompleteCurrentMoveToNext";

    public static string BaseUrl(HttpRequest request) => $"{request.Scheme}://{request.Host}";

    public static string InstanceUrl(string baseUrl, SimInstance instance) =>
        $"{baseUrl}/{instance.App.AppId}/instances/{instance.Owner.PartyId}/{instance.Guid}";

    public static string DataUrl(string baseUrl, SimInstance instance, SimDataElement element) =>
        $"{InstanceUrl(baseUrl, instance)}/data/{element.Id}";

    public static Instance Instance(SimInstance instance, string baseUrl) => new()
    {
        Created = instance.Created,
        CreatedBy = instance.CreatedBy,
        LastChanged = instance.LastChanged,
        LastChangedBy = instance.LastChangedBy,
        Id = instance.Id,
        InstanceOwner = new InstanceOwner
        {
            PartyId = instance.Owner.PartyId.ToString(),
            PersonNumber = instance.Owner.PersonNumber,
            OrganisationNumber = instance.Owner.OrganisationNumber,
        },
        AppId = instance.App.AppId,
        Org = instance.App.Org,
        SelfLinks = new ResourceLinks { Apps = InstanceUrl(baseUrl, instance) },
        DueBefore = instance.DueBefore,
        VisibleAfter = instance.VisibleAfter,
        Process = Process(instance),
        Status = Status(instance),
        Data = instance.Data.Select(d => DataElement(instance, d, baseUrl)).ToList(),
    };

    public static InstanceResponse Response(SimInstance instance, string baseUrl)
    {
        var storage = Instance(instance, baseUrl);
        var owner = instance.Owner;
        return new InstanceResponse
        {
            Id = storage.Id,
            InstanceOwner = new InstanceOwnerResponse
            {
                PartyId = storage.InstanceOwner!.PartyId,
                PersonNumber = owner.PersonNumber,
                OrganisationNumber = owner.OrganisationNumber,
                Party = new PartyResponse
                {
                    PartyId = owner.PartyId,
                    PartyUuid = owner.PartyUuid,
                    PartyTypeName = owner.IsOrganisation ? 2 : 1,
                    Ssn = owner.PersonNumber,
                    OrgNumber = owner.OrganisationNumber,
                    UnitType = owner.IsOrganisation ? "AS" : null,
                    Name = owner.Name,
                    IsDeleted = false,
                },
            },
            AppId = storage.AppId,
            Org = storage.Org,
            SelfLinks = storage.SelfLinks,
            DueBefore = storage.DueBefore,
            VisibleAfter = storage.VisibleAfter,
            Process = storage.Process,
            Status = storage.Status,
            Data = storage.Data,
            Created = storage.Created,
            CreatedBy = storage.CreatedBy,
            LastChanged = storage.LastChanged,
            LastChangedBy = storage.LastChangedBy,
        };
    }

    public static DataElement DataElement(SimInstance instance, SimDataElement element, string baseUrl) =>
        Control.HostileData.Disguise(element.Id, TrueDataElement(instance, element, baseUrl));

    private static DataElement TrueDataElement(SimInstance instance, SimDataElement element, string baseUrl) => new()
    {
        Created = element.Created,
        CreatedBy = element.CreatedBy,
        LastChanged = element.LastChanged,
        LastChangedBy = element.LastChangedBy,
        Id = element.Id.ToString(),
        InstanceGuid = instance.Guid.ToString(),
        DataType = element.DataType,
        Filename = element.Filename,
        ContentType = element.ContentType,
        BlobStoragePath = $"{instance.App.Org}/{instance.App.App}/{instance.Guid}/data/{element.Id}",
        SelfLinks = new ResourceLinks { Apps = DataUrl(baseUrl, instance, element) },
        Size = element.Size,
        Locked = element.Locked,
        IsRead = true,
        Tags = [],
        FileScanResult = "NotApplicable",
        References = element.References?.ToList(),
    };

    public static ProcessState Process(SimInstance instance) => new()
    {
        Started = instance.ProcessStarted,
        StartEvent = "StartEvent_1",
        CurrentTask = instance.CurrentTask is { } task
            ? new ProcessElementInfo
            {
                Flow = instance.CurrentFlow,
                Started = instance.CurrentTaskStarted,
                ElementId = task.Id,
                Name = task.Name,
                AltinnTaskType = task.Type,
                FlowType = FlowType,
            }
            : null,
        Ended = instance.ProcessEnded,
        EndEvent = instance.ProcessEnded is null ? null : "EndEvent_1",
    };

    public static InstanceStatus Status(SimInstance instance) => new()
    {
        IsArchived = instance.IsArchived,
        Archived = instance.Archived,
        IsSoftDeleted = instance.IsSoftDeleted,
        SoftDeleted = instance.SoftDeleted,
        IsHardDeleted = instance.IsHardDeleted,
        HardDeleted = instance.HardDeleted,
        ReadStatus = instance.ReadStatus,
    };

    public static AppProcessState AppProcess(SimInstance instance)
    {
        var state = Process(instance);
        AppProcessElementInfo? current = null;
        if (state.CurrentTask is { } task)
        {
            var definition = instance.CurrentTask!;
            var granted = definition.Actions.Where(a => a != "read").ToList();
            current = new AppProcessElementInfo
            {
                Flow = task.Flow,
                Started = task.Started,
                ElementId = task.ElementId,
                Name = task.Name,
                AltinnTaskType = task.AltinnTaskType,
                FlowType = task.FlowType,
                Actions = granted.ToDictionary(a => a, _ => true),
                UserActions = granted.Select(a => new UserAction { Id = a, Authorized = true, Type = 0 }).ToList(),
                Read = definition.Allows("read"),
                Write = definition.Allows("write"),
                ElementType = "Task",
            };
        }
        return new AppProcessState
        {
            Started = state.Started,
            StartEvent = state.StartEvent,
            CurrentTask = current,
            Ended = state.Ended,
            EndEvent = state.EndEvent,
            ProcessTasks = instance.App.Process
                .Select(t => new AppProcessTaskTypeInfo { AltinnTaskType = t.Type, ElementId = t.Id, ElementType = "Task" })
                .ToList(),
        };
    }

    public static SimpleInstance Simple(SimInstance instance) => new()
    {
        Id = instance.Id,
        DueBefore = instance.DueBefore,
        LastChanged = instance.LastChanged,
        LastChangedBy = instance.LastChangedBy,
    };
}

/// <summary>Which process action a task type takes when process/next is sent without one.</summary>
public static class ProcessActions
{
    /// <summary>The action a task type implies (app-lib <c>ProcessEngine.ConvertTaskTypeToAction</c>).</summary>
    public static string DefaultAction(string? taskType) => taskType switch
    {
        "confirmation" => "confirm",
        "signing" => "sign",
        "payment" => "pay",
        _ => "write",
    };

    /// <summary>
    /// The actions that let process/next through when no action is sent: the caller needs one of them at the task
    /// (app-lib <c>ProcessEngineAuthorizer.GetActionsThatAllowProcessNextForTaskType</c>).
    /// </summary>
    public static string[] AllowingProcessNext(string taskType) => taskType switch
    {
        "data" or "feedback" or "pdf" or "eFormidling" or "fiksArkiv" or "subformPdf" => ["write"],
        "payment" => ["pay", "write"],
        "confirmation" => ["confirm"],
        "signing" => ["sign", "write"],
        _ => [taskType],
    };
}
