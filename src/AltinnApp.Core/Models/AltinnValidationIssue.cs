using System.Text.Json.Serialization;

namespace AltinnApp.Core.Models
{
    /// <summary>One finding of the app's validation (ValidationIssueWithSource).</summary>
    public sealed class AltinnValidationIssue
    {
        [JsonPropertyName("severity")] public AltinnValidationSeverity Severity { get; set; }
        [JsonPropertyName("dataElementId")] public string DataElementId { get; set; }
        [JsonPropertyName("field")] public string Field { get; set; }
        [JsonPropertyName("code")] public string Code { get; set; }
        [JsonPropertyName("description")] public string Description { get; set; }
        [JsonPropertyName("source")] public string Source { get; set; }
        [JsonPropertyName("customTextKey")] public string CustomTextKey { get; set; }

        /// <summary>The instance it was found on, when known.</summary>
        [JsonIgnore] public string InstanceId { get; set; }

        // the app's words, cleaned of escapes and controls wherever they are shown
        public override string ToString() => ServerText.Clean(
            $"{Severity}: {(string.IsNullOrEmpty(Field) ? string.Empty : Field + ": ")}{(string.IsNullOrEmpty(Description) ? Code : Description)}{(string.IsNullOrEmpty(Code) || string.IsNullOrEmpty(Description) ? string.Empty : " [" + Code + "]")}");
    }

    /// <summary>Integer on the wire (ALD ValidationIssueSeverity).</summary>
    public enum AltinnValidationSeverity
    {
        Unspecified = 0,
        Error = 1,
        Warning = 2,
        Informational = 3,
        Fixed = 4,
        Success = 5,
    }
}
