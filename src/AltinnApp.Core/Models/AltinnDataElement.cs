using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;
using AltinnApp.Core.Session;

namespace AltinnApp.Core.Models
{
    /// <summary>A data element of an instance (Storage DataElement).</summary>
    public sealed class AltinnDataElement : ISessionBound
    {
        [JsonPropertyName("id")] public string Id { get; set; }
        [JsonPropertyName("instanceGuid")] public string InstanceGuid { get; set; }
        [JsonPropertyName("dataType")] public string DataType { get; set; }
        [JsonPropertyName("filename")] public string Filename { get; set; }
        [JsonPropertyName("contentType")] public string ContentType { get; set; }
        [JsonPropertyName("blobStoragePath")] public string BlobStoragePath { get; set; }
        [JsonPropertyName("selfLinks")] public AltinnSelfLinks SelfLinks { get; set; }
        [JsonPropertyName("size")] public long Size { get; set; }
        [JsonPropertyName("contentHash")] public string ContentHash { get; set; }
        [JsonPropertyName("locked")] public bool Locked { get; set; }
        [JsonPropertyName("refs")] public List<Guid> Refs { get; set; }
        [JsonPropertyName("isRead")] public bool IsRead { get; set; }
        [JsonPropertyName("tags")] public List<string> Tags { get; set; }
        [JsonPropertyName("fileScanResult")] public AltinnFileScanResult? FileScanResult { get; set; }
        [JsonPropertyName("references")] public List<AltinnReference> References { get; set; }
        [JsonPropertyName("created")] public DateTime? Created { get; set; }
        [JsonPropertyName("createdBy")] public string CreatedBy { get; set; }
        [JsonPropertyName("lastChanged")] public DateTime? LastChanged { get; set; }
        [JsonPropertyName("lastChangedBy")] public string LastChangedBy { get; set; }

        /// <summary>The instance id (<c>partyId/guid</c>) this element belongs to, when known.</summary>
        [JsonIgnore] public string InstanceId { get; set; }

        [JsonIgnore] public string AppId { get; set; }

        [JsonIgnore] public string DataElementId => Id;

        /// <summary>The size with its unit (<c>2.0 KB</c>), for a person reading it.</summary>
        [JsonIgnore] public string SizeText => ByteSize.Format(Size);

        [JsonIgnore] public AltinnSession Session { get; set; }

        void ISessionBound.Bind(AltinnSession session) => Session = session;

        public override string ToString() => $"{DataType}/{Id}";
    }

    [JsonConverter(typeof(JsonStringEnumConverter))]
    // long-based: ConvertTo-Json (Windows PowerShell 5.1 and PowerShell 7) writes such an enum by its name, not its number,
    // so an exported journal or instance says "Failed", not 9
    public enum AltinnFileScanResult : long
    {
        NotApplicable,
        Pending,
        Clean,
        Infected,
    }

    public sealed class AltinnReference
    {
        [JsonPropertyName("value")] public string Value { get; set; }
        [JsonPropertyName("relation")] public string Relation { get; set; }
        [JsonPropertyName("valueType")] public string ValueType { get; set; }

        public override string ToString() => $"{Relation} {ValueType} {Value}".Trim();
    }
}
