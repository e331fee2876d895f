using System.Collections.Generic;

namespace AltinnApp.Core.Models
{
    public enum ErrorBodyKind
    {
        Empty,
        ProblemDetails,
        JsonString,
        JsonArray,
        JsonObject,
        Text,
    }

    /// <summary>An error answer from Altinn, parsed by what it is (reference §3, "Client rule").</summary>
    public sealed class ErrorBody
    {
        public ErrorBodyKind Kind { get; set; }
        public string Title { get; set; }
        public string Detail { get; set; }
        public int? Status { get; set; }

        /// <summary>The <c>traceId</c> extension of a ProblemDetails (W3C trace context, <c>00-…-…-00</c>): the id Altinn support asks for.</summary>
        public string TraceId { get; set; }

        /// <summary>The text of a JSON string or text/plain body; the raw JSON otherwise. Redacted.</summary>
        public string Text { get; set; }

        public List<AltinnValidationIssue> ValidationIssues { get; set; } = new List<AltinnValidationIssue>();

        /// <summary>
        /// The <c>errors</c> map of a ValidationProblemDetails (ASP.NET Core's answer when the request body or query
        /// cannot be bound): each field, such as <c>$.prefill.amount</c>, with its messages, in the server's order. Redacted.
        /// </summary>
        public IReadOnlyDictionary<string, IReadOnlyList<string>> ValidationErrors { get; set; } = EmptyErrors;

        internal static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> EmptyErrors =
            new System.Collections.ObjectModel.ReadOnlyDictionary<string, IReadOnlyList<string>>(new Dictionary<string, IReadOnlyList<string>>());

        /// <summary>The server's own words, in one line, for an error message.</summary>
        public string Summary
        {
            get
            {
                switch (Kind)
                {
                    case ErrorBodyKind.ProblemDetails:
                        if (!string.IsNullOrEmpty(Title) && !string.IsNullOrEmpty(Detail) && Title != Detail) return $"{Title}: {Detail}";
                        return Detail ?? Title;
                    case ErrorBodyKind.Empty:
                        return null;
                    default:
                        return Text;
                }
            }
        }
    }
}
