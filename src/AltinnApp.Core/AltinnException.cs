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
        public AltinnException(string errorId, AltinnErrorKind kind, string message, Exception inner = null)
            : base(message, inner)
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
            : base(errorId, kind, message)
        {
            StatusCode = statusCode;
            Body = body;
        }

        public int StatusCode { get; }

        /// <summary>The parsed error body (ProblemDetails, JSON string, text or empty), already redacted.</summary>
        public ErrorBody Body { get; }

        /// <summary>Validation issues from a 409 on process/next, or from an upload that was refused.</summary>
        public IReadOnlyList<AltinnValidationIssue> ValidationIssues { get; set; } = Array.Empty<AltinnValidationIssue>();
    }
}
