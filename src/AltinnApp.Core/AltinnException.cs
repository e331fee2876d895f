using System;
using System.Collections.Generic;
using AltinnApp.Core.Models;

namespace AltinnApp.Core
{
    /// <summary>What kind of failure it is; the cmdlet layer maps it to an ErrorCategory.</summary>
    public enum AltinnErrorKind
    {
        InvalidArgument,
        InvalidData,
        ObjectNotFound,
        PermissionDenied,
        Authentication,
        Conflict,
        ResourceUnavailable,
        OperationTimeout,
        ConnectionError,
        ProtocolError,
        NotEnabled,
        InvalidOperation,
        WriteError,
        ReadError,

        /// <summary>A security finding, such as malware in an uploaded file.</summary>
        SecurityError,
    }

    /// <summary>
    /// Every failure the engine reports. The message says what was wrong and how to fix it, and never
    /// carries a token, grant, key or password.
    /// </summary>
    public class AltinnException : Exception
    {
        // the message and every inner exception pass the redactor: whatever a lower layer quoted (a token in an
        // IdentityModel message, a person number in a server's text) never reaches an error record
        public AltinnException(string errorId, AltinnErrorKind kind, string message, Exception inner = null)
            : base(Http.Redactor.Redact(message), RedactedException.Wrap(inner))
        {
            ErrorId = errorId;
            Kind = kind;
        }

        /// <summary>Stable identifier, e.g. <c>Altinn.ProcessNext.ValidationFailed</c>.</summary>
        public string ErrorId { get; }

        public AltinnErrorKind Kind { get; }

        /// <summary>What to do about it, when it is not already in the message.</summary>
        public string RecommendedAction { get; set; }
    }

    public sealed class AltinnArgumentException : AltinnException
    {
        public AltinnArgumentException(string errorId, string message, Exception inner = null)
            : base(errorId, AltinnErrorKind.InvalidArgument, message, inner)
        {
        }
    }

    public sealed class AltinnAuthenticationException : AltinnException
    {
        public AltinnAuthenticationException(string errorId, string message, Exception inner = null)
            : base(errorId, AltinnErrorKind.Authentication, message, inner)
        {
        }

        /// <summary>Maskinporten's <c>error</c> code, when it refused a grant.</summary>
        public string OAuthError { get; set; }
    }

    /// <summary>An HTTP answer from Altinn that was not a success.</summary>
    public sealed class AltinnApiException : AltinnException
    {
        public AltinnApiException(string errorId, AltinnErrorKind kind, string message, int statusCode, ErrorBody body)
            : base(errorId, kind, WithTraceId(message, body?.TraceId))
        {
            StatusCode = statusCode;
            Body = body;
        }

        public int StatusCode { get; }

        /// <summary>The server's trace id for the failed request (ProblemDetails <c>traceId</c>), null when it sent none: quote it to Altinn support.</summary>
        public string TraceId => Body?.TraceId;

        // every message made from an answer names its trace id once, however the failure was explained on the way up
        private static string WithTraceId(string message, string traceId)
        {
            if (string.IsNullOrEmpty(traceId) || message == null || message.IndexOf(traceId, StringComparison.Ordinal) >= 0) return message;
            var trimmed = message.TrimEnd();
            return trimmed + (trimmed.EndsWith(".", StringComparison.Ordinal) ? " " : ". ") + $"Altinn's trace id: {traceId}.";
        }

        /// <summary>The parsed error body (ProblemDetails, JSON string, text or empty), already redacted.</summary>
        public ErrorBody Body { get; }

        /// <summary>Validation issues from a 409 on process/next, or from an upload that was refused.</summary>
        public IReadOnlyList<AltinnValidationIssue> ValidationIssues { get; set; } = Array.Empty<AltinnValidationIssue>();

        /// <summary>
        /// The fields a 400 ValidationProblemDetails named (its <c>errors</c> map: a JSON path such as
        /// <c>$.prefill.amount</c>, or a parameter name, to that field's messages), empty otherwise. Redacted.
        /// </summary>
        public IReadOnlyDictionary<string, IReadOnlyList<string>> ValidationErrors => Body?.ValidationErrors ?? ErrorBody.EmptyErrors;
    }

    /// <summary>
    /// Stands in for an exception from below the engine (HttpClient, the file system, a library) inside an
    /// <see cref="AltinnException"/>: the same type name, message and stack trace for whoever investigates, with
    /// the message redacted, and the same for its own inner exceptions.
    /// </summary>
    public sealed class RedactedException : Exception
    {
        private readonly string _stackTrace;

        private RedactedException(Exception original)
            : base(Http.Redactor.Redact(original.Message), Wrap(original.InnerException))
        {
            OriginalType = original.GetType().FullName;
            _stackTrace = original.StackTrace;
            HResult = original.HResult;
        }

        /// <summary>The type of the exception this stands in for, e.g. System.Net.Http.HttpRequestException.</summary>
        public string OriginalType { get; }

        public override string StackTrace => _stackTrace;

        public override string ToString() =>
            $"{OriginalType}: {Message}{(InnerException != null ? " ---> " + InnerException + Environment.NewLine + "   --- End of inner exception stack trace ---" : string.Empty)}{(_stackTrace != null ? Environment.NewLine + _stackTrace : string.Empty)}";

        internal static Exception Wrap(Exception inner)
        {
            switch (inner)
            {
                case null:
                case AltinnException _:
                case RedactedException _:
                    return inner; // already redacted when it was made
                case AggregateException aggregate when aggregate.InnerExceptions.Count == 1:
                    return Wrap(aggregate.InnerExceptions[0]);
                default:
                    return new RedactedException(inner);
            }
        }
    }
}
