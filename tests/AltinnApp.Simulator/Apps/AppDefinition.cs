using System.Text.Json.Nodes;

namespace AltinnApp.Simulator.Apps;

/// <summary>Body of <c>POST /_sim/apps</c> and the shape of the built-in <c>Apps/*.json</c> files.</summary>
public sealed class AppDefinitionDto
{
    public string? Org { get; set; }
    public string? App { get; set; }
    public JsonObject? Metadata { get; set; }
    public List<ProcessTaskDto>? Process { get; set; }
    public List<string>? ModelFields { get; set; }
    public List<string>? RequiredFields { get; set; }
    public string? ReceiptFileName { get; set; }
    public bool GenerateReceipt { get; set; } = true;
    /// <summary>Root element of the XML form data; "model" unless given.</summary>
    public string? ModelRootElement { get; set; }
    /// <summary>
    /// The app setting <c>AppSettings.EnforceDataTypeTaskId</c> (app-lib, default false): when on, a data type with a
    /// <c>taskId</c> can only be changed while the instance is at that task (409 "Conflict with Current Task").
    /// </summary>
    public bool EnforceDataTypeTaskId { get; set; }
}

public sealed class ProcessTaskDto
{
    public string? Id { get; set; }
    public string? Type { get; set; }
    public string? Name { get; set; }
    /// <summary>
    /// The actions the app's policy.xml grants the system user at this task (and the task lists in process.bpmn),
    /// e.g. ["read","confirm","reject"]. Left out: "read" and the task type's own action (data → write,
    /// confirmation → confirm, signing → sign, payment → pay).
    /// </summary>
    public List<string>? Actions { get; set; }
    /// <summary>Where a <c>reject</c> leads (the task a gateway sends a rejected instance back to); left out, a reject moves on like any action.</summary>
    public string? RejectTo { get; set; }
}

public sealed record ProcessTask(string Id, string Type, string Name, IReadOnlyList<string> Actions, string? RejectTo = null)
{
    public bool Allows(string action) => Actions.Contains(action, StringComparer.Ordinal);
}

/// <summary>The parts of a <c>dataTypes[]</c> entry that the simulator enforces (reference §6.2).</summary>
public sealed record DataTypeDefinition(
    string Id,
    IReadOnlyList<string> AllowedContentTypes,
    int? MaxSizeMb,
    int MaxCount,
    int MinCount,
    string? TaskId,
    string? ClassRef,
    bool AutoCreate,
    bool DisallowUserCreate,
    bool DisallowUserDelete)
{
    public bool IsFormData => !string.IsNullOrEmpty(ClassRef);

    public long? MaxSizeBytes => MaxSizeMb is int mb ? mb * 1024L * 1024L : null;

    /// <summary>Form data is stored as JSON only when the type allows application/json.</summary>
    public bool StoresJson => AllowedContentTypes.Any(t => t.Equals("application/json", StringComparison.OrdinalIgnoreCase));
}

/// <summary>One app the simulator serves, parsed from its definition.</summary>
public sealed class AppDefinition
{
    public const string PdfDataType = "ref-data-as-pdf";

    public required string Org { get; init; }
    public required string App { get; init; }
    public string AppId => $"{Org}/{App}";
    /// <summary>applicationmetadata as served; kept as text because JsonNode is not safe for parallel readers.</summary>
    public required string MetadataJson { get; init; }
    public required IReadOnlyList<ProcessTask> Process { get; init; }
    public required IReadOnlyList<DataTypeDefinition> DataTypes { get; init; }
    public required IReadOnlyList<string> ModelFields { get; init; }
    public required IReadOnlyList<string> RequiredFields { get; init; }
    public required string ReceiptFileName { get; init; }
    public required bool GenerateReceipt { get; init; }
    public required string ModelRootElement { get; init; }
    public required string Title { get; init; }
    public required bool EnforceDataTypeTaskId { get; init; }

    public DataTypeDefinition? DataType(string id) =>
        DataTypes.FirstOrDefault(d => d.Id.Equals(id, StringComparison.Ordinal));

    public ProcessTask? Task(string? id) => Process.FirstOrDefault(t => t.Id == id);

    /// <summary>The task after <paramref name="id"/>, or null when the next element is the end event.</summary>
    public ProcessTask? TaskAfter(string id)
    {
        for (int i = 0; i < Process.Count - 1; i++)
            if (Process[i].Id == id) return Process[i + 1];
        return null;
    }

    /// <summary>Turns a definition into an app, or explains what is wrong with it.</summary>
    public static AppDefinition Parse(AppDefinitionDto dto)
    {
        if (string.IsNullOrWhiteSpace(dto.Org) || string.IsNullOrWhiteSpace(dto.App))
            throw new ArgumentException("org and app are required");
        var metadata = dto.Metadata ?? new JsonObject();
        metadata["id"] ??= $"{dto.Org}/{dto.App}";
        metadata["org"] ??= dto.Org;

        var process = (dto.Process ?? [new ProcessTaskDto { Id = "Task_1", Type = "data", Name = "Utfylling" }])
            .Select(t => new ProcessTask(
                t.Id ?? throw new ArgumentException("every process task needs an id"),
                t.Type ?? "data",
                t.Name ?? t.Id,
                t.Actions is { Count: > 0 } actions ? actions : ["read", ProcessActions.DefaultAction(t.Type ?? "data")],
                t.RejectTo))
            .ToList();
        if (process.Count == 0) throw new ArgumentException("process needs at least one task");
        foreach (var task in process.Where(t => t.RejectTo is not null && process.All(o => o.Id != t.RejectTo)))
            throw new ArgumentException($"task {task.Id} has rejectTo {task.RejectTo}, which is not a task of the process");

        var dataTypes = new List<DataTypeDefinition>();
        if (metadata["dataTypes"] is JsonArray array)
        {
            foreach (var node in array.OfType<JsonObject>())
            {
                var appLogic = node["appLogic"] as JsonObject;
                dataTypes.Add(new DataTypeDefinition(
                    node["id"]?.GetValue<string>() ?? throw new ArgumentException("every data type needs an id"),
                    (node["allowedContentTypes"] as JsonArray)?.Select(n => n!.GetValue<string>()).ToList() ?? [],
                    node["maxSize"]?.GetValue<int?>(),
                    node["maxCount"]?.GetValue<int?>() ?? 0,
                    node["minCount"]?.GetValue<int?>() ?? 0,
                    node["taskId"]?.GetValue<string?>(),
                    appLogic?["classRef"]?.GetValue<string?>(),
                    appLogic?["autoCreate"]?.GetValue<bool?>() ?? false,
                    appLogic?["disallowUserCreate"]?.GetValue<bool?>() ?? false,
                    appLogic?["disallowUserDelete"]?.GetValue<bool?>() ?? false));
            }
        }

        return new AppDefinition
        {
            Org = dto.Org,
            App = dto.App,
            MetadataJson = metadata.ToJsonString(Infrastructure.SimJson.Options),
            Title = metadata["title"]?["nb"]?.GetValue<string>() ?? metadata["title"]?["en"]?.GetValue<string>() ?? dto.App,
            Process = process,
            DataTypes = dataTypes,
            ModelFields = dto.ModelFields ?? [],
            RequiredFields = dto.RequiredFields ?? [],
            ReceiptFileName = string.IsNullOrWhiteSpace(dto.ReceiptFileName) ? $"{dto.App}.pdf" : dto.ReceiptFileName,
            GenerateReceipt = dto.GenerateReceipt,
            ModelRootElement = string.IsNullOrWhiteSpace(dto.ModelRootElement) ? "model" : dto.ModelRootElement,
            EnforceDataTypeTaskId = dto.EnforceDataTypeTaskId,
        };
    }
}
