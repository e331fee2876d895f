using System;
using System.Management.Automation;
using AltinnApp.Core;
using AltinnApp.Core.Http;

namespace AltinnApp.PowerShell.Infrastructure
{
    /// <summary>Engine failures as PowerShell error records: stable ErrorId, fitting category, the server's words, no secrets.</summary>
    internal static class ErrorRecords
    {
        /// <param name="recommendationShownApart">
        /// Whether the host prints <c>ErrorDetails.RecommendedAction</c> on a line of its own (PowerShell 7's ConciseView:
        /// "Recommendation: …"). Then the recommendation is taken out of the displayed message, so it is read once; the
        /// exception's message keeps it whole for catch blocks, logs and the views that do not print that line.
        /// </param>
        public static ErrorRecord From(AltinnException exception, object target, bool recommendationShownApart = false)
        {
            var record = new ErrorRecord(exception, exception.ErrorId, CategoryFor(exception.Kind), target);
            var recommendation = exception.RecommendedAction;
            var shown = string.IsNullOrEmpty(recommendation) || !recommendationShownApart
                ? exception.Message
                : WithoutRecommendation(exception.Message, recommendation);
            var details = new ErrorDetails(shown);
            if (!string.IsNullOrEmpty(recommendation)) details.RecommendedAction = recommendation;
            record.ErrorDetails = details;
            return record;
        }

        /// <summary>The message without the sentence that is the recommendation, when it holds it word for word and says something else too.</summary>
        internal static string WithoutRecommendation(string message, string recommendation)
        {
            var sentence = recommendation.Trim().TrimEnd('.');
            if (sentence.Length == 0) return message;
            var at = message.IndexOf(sentence, StringComparison.Ordinal);
            if (at < 0) return message;
            var before = message.Substring(0, at).TrimEnd();
            if (before.Length == 0) return message;
            var after = message.Substring(at + sentence.Length).TrimStart('.');
            // "... with a session of its own: <recommendation>" leads to the Recommendation line when nothing follows; otherwise it ends the sentence
            if (before.EndsWith(":", StringComparison.Ordinal) && after.Trim().Length > 0) before = before.TrimEnd(':') + ".";
            if (!before.EndsWith(".", StringComparison.Ordinal) && !before.EndsWith(":", StringComparison.Ordinal)) before += ".";
            return before + (after.Length == 0 || char.IsWhiteSpace(after[0]) ? after : " " + after);
        }

        /// <summary>An exception the engine did not expect: still no stack trace and nothing secret in the message.</summary>
        public static ErrorRecord Unexpected(Exception exception, string operation, object target) => From(Wrap(exception, operation), target);

        /// <summary>An exception the engine did not expect, as the engine's own failure (redacted, <c>Altinn.&lt;Operation&gt;.Unexpected</c>).</summary>
        public static AltinnException Wrap(Exception exception, string operation)
        {
            var message = $"{operation} failed unexpectedly: {Redactor.Redact(exception.Message)}";
            return new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.Unexpected), AltinnErrorKind.InvalidOperation, message, exception);
        }

        public static ErrorRecord Argument(string errorId, string message, object target) =>
            From(new AltinnArgumentException(errorId, message), target);

        public static ErrorCategory CategoryFor(AltinnErrorKind kind)
        {
            switch (kind)
            {
                case AltinnErrorKind.InvalidArgument: return ErrorCategory.InvalidArgument;
                case AltinnErrorKind.InvalidData: return ErrorCategory.InvalidData;
                case AltinnErrorKind.ObjectNotFound: return ErrorCategory.ObjectNotFound;
                case AltinnErrorKind.PermissionDenied: return ErrorCategory.PermissionDenied;
                case AltinnErrorKind.Authentication: return ErrorCategory.AuthenticationError;
                case AltinnErrorKind.Conflict: return ErrorCategory.ResourceBusy;
                case AltinnErrorKind.ResourceUnavailable: return ErrorCategory.ResourceUnavailable;
                case AltinnErrorKind.OperationTimeout: return ErrorCategory.OperationTimeout;
                case AltinnErrorKind.ConnectionError: return ErrorCategory.ConnectionError;
                case AltinnErrorKind.ProtocolError: return ErrorCategory.ProtocolError;
                case AltinnErrorKind.NotEnabled: return ErrorCategory.NotEnabled;
                case AltinnErrorKind.WriteError: return ErrorCategory.WriteError;
                case AltinnErrorKind.ReadError: return ErrorCategory.ReadError;
                case AltinnErrorKind.SecurityError: return ErrorCategory.SecurityError;
                default: return ErrorCategory.InvalidOperation;
            }
        }
    }
}
