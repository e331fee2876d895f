using System;
using System.Linq;
using AltinnApp.Core.Models;

namespace AltinnApp.Core.Api
{
    /// <summary>
    /// Gives Altinn's refusals of the submission routes their own ErrorIds, so a script can tell them apart
    /// with one <c>switch</c>: the same id whether the module's check before sending caught the problem
    /// (<see cref="MetadataRules"/>) or Altinn did (for example because the app changed since the session
    /// read its metadata). The server's own words stay in the message.
    /// </summary>
    public static class ServerErrors
    {
        /// <summary>
        /// An upload or multipart create that Altinn refused because of the app's data type rules (reference §4.3,
        /// §4.5, §6.2). Returns null when the failure is something else.
        /// </summary>
        public static AltinnApiException ExplainMetadataRejection(AltinnApiException ex, string operation, string appId)
        {
            var reason = MetadataReason(ex);
            if (reason == null) return null;
            string advice;
            switch (reason)
            {
                case "UnknownDataType":
                    advice = $"The app's data types may have changed since this session read them; Get-AltinnApplication -App {appId} shows the current ones.";
                    break;
                case "ContentTypeNotAllowed":
                    advice = $"Get-AltinnApplication -App {appId} shows the content types each data type accepts; the content type is taken from the file's extension.";
                    break;
                case "TooLarge":
                    advice = $"Get-AltinnApplication -App {appId} shows the largest file (MaxSize, in MB) each data type takes.";
                    break;
                case "TooMany":
                    advice = $"Get-AltinnApplication -App {appId} shows how many elements (MaxCount) each data type takes; Get-AltinnInstance shows what the instance holds, and Remove-AltinnData removes one.";
                    break;
                case "EmptyFile":
                    advice = "Altinn refuses empty files.";
                    break;
                default:
                    advice = "Give the file a name with an extension, such as report.pdf.";
                    break;
            }

            return Rewrap(ex, $"Altinn.{operation}.{reason}", ex.Kind, ex.Message.TrimEnd('.') + ". " + advice);
        }

        private static string MetadataReason(AltinnApiException ex)
        {
            var body = ex.Body;
            var title = body?.Title ?? string.Empty;
            var text = ((body?.Text ?? string.Empty) + " " + (body?.Detail ?? string.Empty)).Trim();
            var codes = ex.ValidationIssues.Select(i => i.Code ?? string.Empty).ToList();
            var descriptions = string.Join(" ", ex.ValidationIssues.Select(i => i.Description ?? string.Empty));

            if (Has(title, "Data Type Not Found") || Has(text, "does not correspond to an element type")) return "UnknownDataType";
            if (Has(title, "Max Count Exceeded") || Has(text, "more elements of type")) return "TooMany";
            if (ex.StatusCode == 413 || codes.Contains("DataElementTooLarge") || Has(text, "exceeds the size limit") || Has(text, "exceeds limit")) return "TooLarge";
            if (codes.Contains("ContentTypeNotAllowed") && Has(descriptions, "Content-Disposition")) return null;
            if (codes.Contains("ContentTypeNotAllowed") || Has(descriptions, "does not match mime type") ||
                (Has(text, "Content-Type") && Has(text, "invalid for element type"))) return "ContentTypeNotAllowed";
            if (codes.Contains("MissingFileName") || codes.Contains("InvalidFileNameFormat")) return "InvalidFileName";
            if (Has(text, "has no data") || Has(title, "Invalid data")) return "EmptyFile";
            return null;
        }

        /// <summary>
        /// A 409 from a change to an instance's data (reference §6.1): the instance was submitted or deleted and its
        /// data is locked, the data type belongs to another task, or the type's maxCount is reached.
        /// </summary>
        public static AltinnApiException ExplainDataConflict(AltinnApiException ex, string operation, string appId, string instanceId, string dataType)
        {
            if (ex.StatusCode != 409) return null;
            var title = ex.Body?.Title ?? string.Empty;
            var serverSays = ex.Body?.Summary;
            var suffix = string.IsNullOrEmpty(serverSays) ? string.Empty : $" (Altinn: {serverSays})";
            if (Has(title, "Max Count Exceeded")) return ExplainMetadataRejection(ex, operation, appId);
            if (Has(title, "Conflict with Current Task"))
            {
                return Rewrap(ex, $"Altinn.{operation}.WrongTask", AltinnErrorKind.InvalidOperation,
                    $"The data type '{dataType}' cannot be changed at the instance's current task{suffix}. Get-AltinnInstance shows the task the instance is at.");
            }

            return DataLocked(operation, instanceId, suffix, ex);
        }

        /// <summary>The same error whether the module saw it coming (the instance has ended) or Altinn refused.</summary>
        public static AltinnApiException DataLocked(string operation, string instanceId, string suffix = null, AltinnApiException inner = null) =>
            new AltinnApiException($"Altinn.{operation}.DataLocked", AltinnErrorKind.InvalidOperation,
                $"The data of instance {instanceId} is locked{suffix}: the instance has been submitted (its process has ended) or deleted, and Altinn takes no more changes to it. Create a new instance to send corrected data.",
                inner?.StatusCode ?? 409, inner?.Body)
            {
                ValidationIssues = inner?.ValidationIssues ?? Array.Empty<AltinnValidationIssue>(),
            };

        /// <summary>
        /// A refusal of <c>process/next</c>: 409 means failed validation, an ended process or another caller holding the
        /// lock (reference §4.6), each with its own ErrorId; 403 usually means the wrong action for the task.
        /// </summary>
        public static AltinnApiException ExplainProcessNext(AltinnApiException ex, AltinnInstance instance, string action)
        {
            var body = ex.Body;
            var text = ((body?.Title ?? string.Empty) + " " + (body?.Detail ?? string.Empty) + " " + (body?.Text ?? string.Empty)).Trim();
            var task = instance.CurrentTask ?? "none";
            if (ex.StatusCode == 403)
            {
                var taskType = instance.CurrentTaskType;
                var expected = DefaultAction(taskType);
                var hint = expected != null && !string.Equals(expected, action, StringComparison.OrdinalIgnoreCase)
                    ? $" Task {task} is a {taskType} task: move it on with -Action {expected}, or without -Action to let the task decide."
                    : " Check that the system user has been given the right to this action on the app.";
                return Rewrap(ex, "Altinn.ProcessNext.Forbidden", AltinnErrorKind.PermissionDenied,
                    $"Altinn refused to move instance {instance.Id} on{(action != null ? " with action '" + action + "'" : string.Empty)} (403{(string.IsNullOrEmpty(body?.Summary) ? string.Empty : ": " + body.Summary)}).{hint}");
            }

            if (ex.StatusCode != 409) return ex;
            if (ex.ValidationIssues.Count > 0 || Has(text, "Validation failed"))
            {
                var errors = ex.ValidationIssues.Count(i => i.Severity == AltinnValidationSeverity.Error);
                foreach (var issue in ex.ValidationIssues) issue.InstanceId = instance.Id;
                var lines = string.Join(Environment.NewLine, ex.ValidationIssues.Select(i => "  - " + i));
                return Rewrap(ex, "Altinn.ProcessNext.ValidationFailed", AltinnErrorKind.InvalidData,
                    $"Instance {instance.Id} cannot leave task {task}: the app's validation found {errors} error(s).{Environment.NewLine}{lines}{Environment.NewLine}Correct the data (Set-AltinnData) and try again; Test-AltinnInstance shows the same list, and the error's Exception.ValidationIssues holds them as objects.");
            }

            if (Has(text, "ended"))
            {
                return Rewrap(ex, "Altinn.ProcessNext.ProcessEnded", AltinnErrorKind.InvalidOperation,
                    $"The process of instance {instance.Id} has already ended: it was submitted before. Use Save-AltinnReceipt to fetch its receipt.");
            }

            if (Has(text, "not started"))
            {
                return Rewrap(ex, "Altinn.ProcessNext.NotStarted", AltinnErrorKind.InvalidOperation,
                    $"The process of instance {instance.Id} has not been started, so it cannot be moved on (Altinn: {body?.Summary}).");
            }

            return Rewrap(ex, "Altinn.ProcessNext.Concurrent", AltinnErrorKind.Conflict,
                $"Instance {instance.Id} is being moved on by another caller right now (Altinn holds a lock on it){(string.IsNullOrEmpty(body?.Summary) ? string.Empty : ": " + body.Summary)}. Wait a moment, read it again with Get-AltinnInstance, and move it on only if it is still at {task}.");
        }

        /// <summary>The action a task type implies when none is sent (reference §4.6).</summary>
        public static string DefaultAction(string taskType)
        {
            switch ((taskType ?? string.Empty).ToLowerInvariant())
            {
                case "confirmation": return "confirm";
                case "signing": return "sign";
                case "": return null;
                default: return "write";
            }
        }

        private static AltinnApiException Rewrap(AltinnApiException ex, string errorId, AltinnErrorKind kind, string message) =>
            new AltinnApiException(errorId, kind, message, ex.StatusCode, ex.Body)
            {
                ValidationIssues = ex.ValidationIssues,
                RecommendedAction = ex.RecommendedAction,
            };

        private static bool Has(string text, string part) => text != null && text.IndexOf(part, StringComparison.OrdinalIgnoreCase) >= 0;
    }
}
