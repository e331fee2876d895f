using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace AltinnApp.Core.Models
{
    /// <summary>The process of an instance (Storage ProcessState, or the app's AppProcessState).</summary>
    public sealed class AltinnProcessState
    {
        [JsonPropertyName("started")] public DateTime? Started { get; set; }
        [JsonPropertyName("startEvent")] public string StartEvent { get; set; }
        [JsonPropertyName("currentTask")] public AltinnProcessTask CurrentTask { get; set; }
        [JsonPropertyName("ended")] public DateTime? Ended { get; set; }
        [JsonPropertyName("endEvent")] public string EndEvent { get; set; }
        [JsonPropertyName("processTasks")] public List<AltinnProcessTaskInfo> ProcessTasks { get; set; }

        [JsonIgnore] public bool IsEnded => Ended != null;

        public override string ToString() => IsEnded ? $"Ended ({EndEvent})" : CurrentTask?.ElementId ?? "NotStarted";
    }

    public sealed class AltinnProcessTask
    {
        [JsonPropertyName("flow")] public int? Flow { get; set; }
        [JsonPropertyName("started")] public DateTime? Started { get; set; }
        [JsonPropertyName("elementId")] public string ElementId { get; set; }
        [JsonPropertyName("name")] public string Name { get; set; }
        [JsonPropertyName("altinnTaskType")] public string AltinnTaskType { get; set; }
        [JsonPropertyName("ended")] public DateTime? Ended { get; set; }
        [JsonPropertyName("flowType")] public string FlowType { get; set; }
        [JsonPropertyName("actions")] public Dictionary<string, bool> Actions { get; set; }
        [JsonPropertyName("read")] public bool? Read { get; set; }
        [JsonPropertyName("write")] public bool? Write { get; set; }

        public override string ToString() => ElementId;
    }

    public sealed class AltinnProcessTaskInfo
    {
        [JsonPropertyName("altinnTaskType")] public string AltinnTaskType { get; set; }
        [JsonPropertyName("elementId")] public string ElementId { get; set; }
        [JsonPropertyName("elementType")] public string ElementType { get; set; }

        public override string ToString() => AltinnTaskType != null ? $"{ElementId} ({AltinnTaskType})" : ElementId ?? string.Empty;
    }
}
