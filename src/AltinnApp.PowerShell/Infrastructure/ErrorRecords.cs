using System;
using System.Management.Automation;
using AltinnApp.Core;
using AltinnApp.Core.Http;

namespace AltinnApp.PowerShell.Infrastructure
{
    /// <summary>Engine failures as PowerShell error records: stable ErrorId, fitting category, the server's words, no secrets.</summary>
    internal static class ErrorRecords
    {
        public static ErrorRecord From(AltinnException exception, object target)
        {
            var record = new ErrorRecord(exception, exception.ErrorId, CategoryFor(exception.Kind), target);
            var details = new ErrorDetails(exception.Message);
            if (!string.IsNullOrEmpty(exception.RecommendedAction)) details.RecommendedAction = exception.RecommendedAction;
            record.ErrorDetails = details;
            return record;
        }

        /// <summary>An exception the engine did not expect: still no stack trace and nothing secret in the message.</summary>
        public static ErrorRecord Unexpected(Exception exception, string operation, object target)
        {
            var message = $"{operation} failed unexpectedly: {Redactor.Redact(exception.Message)}";
            var wrapped = new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.Unexpected), AltinnErrorKind.InvalidOperation, message, exception);
            return From(wrapped, target);
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
