using AltinnApp.Simulator.Apps;
using AltinnApp.Simulator.Models;

namespace AltinnApp.Simulator.Storage;

/// <summary>One data element: its Storage metadata plus where its content lives.</summary>
public sealed class SimDataElement
{
    public required Guid Id { get; init; }
    public required string DataType { get; init; }
    public string? Filename { get; set; }
    public required string ContentType { get; set; }
    public long Size { get; set; }
    public bool Locked { get; set; }
    public List<Reference>? References { get; init; }
    public required DateTime Created { get; init; }
    public required string CreatedBy { get; init; }
    public DateTime LastChanged { get; set; }
    public string? LastChangedBy { get; set; }

    /// <summary>Form data values by model field (null for binary elements).</summary>
    public Dictionary<string, string?>? FormData { get; set; }

    /// <summary>File holding binary content (null for form data).</summary>
    public string? BlobPath { get; set; }
}

/// <summary>
/// An instance as the simulator's "Storage" holds it. Every read and write of its state happens under
/// <see cref="Gate"/>; the process/next lock is separate and only held while one process/next runs.
/// </summary>
public sealed class SimInstance
{
    private int _processBusy;

    public object Gate { get; } = new();
    public required Guid Guid { get; init; }
    public required Party Owner { get; init; }
    public required AppDefinition App { get; init; }
    public required DateTime Created { get; init; }
    public required string CreatedBy { get; init; }
    public DateTime LastChanged { get; set; }
    public string? LastChangedBy { get; set; }
    public DateTime? DueBefore { get; set; }
    public DateTime? VisibleAfter { get; set; }
    public int ReadStatus { get; set; } = 1;

    public DateTime? ProcessStarted { get; set; }
    public string? CurrentTaskId { get; set; }
    public int CurrentFlow { get; set; }
    public DateTime? CurrentTaskStarted { get; set; }
    public DateTime? ProcessEnded { get; set; }

    public bool IsArchived { get; set; }
    public DateTime? Archived { get; set; }
    public bool IsSoftDeleted { get; set; }
    public DateTime? SoftDeleted { get; set; }
    public bool IsHardDeleted { get; set; }
    public DateTime? HardDeleted { get; set; }

    public List<SimDataElement> Data { get; } = [];

    public string Id => $"{Owner.PartyId}/{Guid}";
    public bool IsActive => !IsArchived && !IsSoftDeleted && !IsHardDeleted;
    public ProcessTask? CurrentTask => App.Task(CurrentTaskId);

    /// <summary>Takes the process/next lock; false when another process/next holds it.</summary>
    public bool TryLockProcess() => Interlocked.CompareExchange(ref _processBusy, 1, 0) == 0;
    public void UnlockProcess() => Volatile.Write(ref _processBusy, 0);

    public void Touch(string by)
    {
        LastChanged = DateTime.UtcNow;
        LastChangedBy = by;
    }
}
