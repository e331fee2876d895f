using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Serialization;
using AltinnApp.Core.Session;

namespace AltinnApp.Core.Models
{
    /// <summary>An app's metadata (<c>api/v1/applicationmetadata</c>).</summary>
    public sealed class AltinnApplication : ISessionBound
    {
        [JsonPropertyName("id")] public string Id { get; set; }
        [JsonPropertyName("org")] public string Org { get; set; }
        [JsonPropertyName("title")] public Dictionary<string, string> Title { get; set; }
        [JsonPropertyName("dataTypes")] public List<AltinnDataType> DataTypes { get; set; } = new List<AltinnDataType>();
        [JsonPropertyName("partyTypesAllowed")] public AltinnPartyTypesAllowed PartyTypesAllowed { get; set; }
        [JsonPropertyName("created")] public DateTime? Created { get; set; }
        [JsonPropertyName("lastChanged")] public DateTime? LastChanged { get; set; }

        [JsonIgnore] public string App => Id;

        /// <summary>The title in Norwegian bokmål, else English, else any.</summary>
        [JsonIgnore]
        public string DisplayTitle => Title == null ? null :
            Title.TryGetValue("nb", out var nb) ? nb : Title.TryGetValue("en", out var en) ? en : Title.Values.FirstOrDefault();

        /// <summary>The data types a form is filled into (they have <c>appLogic.classRef</c>).</summary>
        [JsonIgnore] public AltinnDataType[] FormDataTypes => DataTypes.Where(d => d.IsFormData).ToArray();

        /// <summary>The task ids the data types are bound to, in order of appearance.</summary>
        [JsonIgnore] public string[] Tasks => DataTypes.Select(d => d.TaskId).Where(t => !string.IsNullOrEmpty(t)).Distinct().ToArray();

        /// <summary>Every task of the app's process in order, with its type and the action that leaves it; null until Get-AltinnApplication read the process.</summary>
        [JsonIgnore] public IReadOnlyList<AltinnAppTask> ProcessTasks { get; set; }

        [JsonIgnore] public AltinnSession Session { get; set; }

        void ISessionBound.Bind(AltinnSession session) => Session = session;

        public AltinnDataType FindDataType(string id) =>
            DataTypes.FirstOrDefault(d => string.Equals(d.Id, id, StringComparison.OrdinalIgnoreCase));

        public override string ToString() => Id;
    }

    public sealed class AltinnDataType
    {
        [JsonPropertyName("id")] public string Id { get; set; }
        [JsonPropertyName("description")] public Dictionary<string, string> Description { get; set; }
        [JsonPropertyName("allowedContentTypes")] public List<string> AllowedContentTypes { get; set; }
        [JsonPropertyName("allowedContributors")] public List<string> AllowedContributors { get; set; }
        [JsonPropertyName("appLogic")] public AltinnApplicationLogic AppLogic { get; set; }
        [JsonPropertyName("taskId")] public string TaskId { get; set; }
        /// <summary>Megabytes, as Altinn states it; null when the type sets no limit.</summary>
        [JsonPropertyName("maxSize")] public int? MaxSize { get; set; }
        /// <summary>0 = unlimited.</summary>
        [JsonPropertyName("maxCount")] public int MaxCount { get; set; }
        [JsonPropertyName("minCount")] public int MinCount { get; set; }
        [JsonPropertyName("enablePdfCreation")] public bool EnablePdfCreation { get; set; }
        [JsonPropertyName("enableFileScan")] public bool EnableFileScan { get; set; }

        [JsonIgnore] public bool IsFormData => !string.IsNullOrEmpty(AppLogic?.ClassRef);

        [JsonIgnore] public long? MaxSizeBytes => MaxSize.HasValue ? MaxSize.Value * 1024L * 1024L : (long?)null;

        /// <summary>The size limit with its unit (<c>25 MB</c>), or <c>no limit</c>.</summary>
        [JsonIgnore] public string MaxSizeText => MaxSize.HasValue ? $"{MaxSize.Value} MB" : "no limit";

        public override string ToString() => Id;
    }

    public sealed class AltinnApplicationLogic
    {
        [JsonPropertyName("autoCreate")] public bool? AutoCreate { get; set; }
        [JsonPropertyName("classRef")] public string ClassRef { get; set; }
        [JsonPropertyName("schemaRef")] public string SchemaRef { get; set; }
        [JsonPropertyName("allowAnonymousOnStateless")] public bool AllowAnonymousOnStateless { get; set; }
        [JsonPropertyName("disallowUserCreate")] public bool DisallowUserCreate { get; set; }
        [JsonPropertyName("disallowUserDelete")] public bool DisallowUserDelete { get; set; }

        public override string ToString() => ClassRef ?? string.Empty;
    }

    public sealed class AltinnPartyTypesAllowed
    {
        [JsonPropertyName("bankruptcyEstate")] public bool BankruptcyEstate { get; set; }
        [JsonPropertyName("organisation")] public bool Organisation { get; set; }
        [JsonPropertyName("person")] public bool Person { get; set; }
        [JsonPropertyName("subUnit")] public bool SubUnit { get; set; }

        /// <summary>The party types in words (<c>organisation, person</c>); Altinn reads all false as any party type.</summary>
        public override string ToString()
        {
            var names = new List<string>();
            if (Organisation) names.Add("organisation");
            if (SubUnit) names.Add("sub-unit");
            if (Person) names.Add("person");
            if (BankruptcyEstate) names.Add("bankruptcy estate");
            return names.Count == 0 ? "any" : string.Join(", ", names);
        }
    }
}
