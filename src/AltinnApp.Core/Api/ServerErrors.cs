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
                case ErrorReason.UnknownDataType:
                    advice = $"The app's data types may have changed since this session read them; Get-AltinnApplication -App {appId} shows the current ones.";
                    break;
                case ErrorReason.ContentTypeNotAllowed:
                    advice = $"Get-AltinnApplication -App {appId} shows the content types each data type accepts; the content type is taken from the file's extension.";
                    break;
                case ErrorReason.TooLarge:
                    advice = $"Get-AltinnApplication -App {appId} shows the largest file (MaxSize, in MB) each data type takes.";
                    break;
                case ErrorReason.TooMany:
                    advice = $"Get-AltinnApplication -App {appId} shows how many elements (MaxCount) each data type takes; Get-AltinnInstance shows what the instance holds, and Remove-AltinnData removes one.";
                    break;
                case ErrorReason.EmptyFile:
                    advice = "Altinn refuses empty files.";
                    break;
                default:
                    advice = "Give the file a name with an extension, such as report.pdf.";
                    break;
            }

            return Rewrap(ex, ErrorCatalogue.Id(operation, reason), ex.Kind, ex.Message.TrimEnd('.') + ". " + advice);
        }

        private static string MetadataReason(AltinnApiException ex)
        {
            var body = ex.Body;
            var title = body?.Title ?? string.Empty;
            var text = ((body?.Text ?? string.Empty) + " " + (body?.Detail ?? string.Empty)).Trim();
            var codes = ex.ValidationIssues.Select(i => i.Code ?? string.Empty).ToList();
            var descriptions = string.Join(" ", ex.ValidationIssues.Select(i => i.Description ?? string.Empty));

            if (Has(title, "Data Type Not Found") || Has(text, "does not correspond to an element type")) return ErrorReason.UnknownDataType;
            if (Has(title, "Max Count Exceeded") || Has(text, "more elements of type")) return ErrorReason.TooMany;
            if (ex.StatusCode == 413 || codes.Contains("DataElementTooLarge") || Has(text, "exceeds the size limit") || Has(text, "exceeds limit")) return ErrorReason.TooLarge;
            if (codes.Contains("ContentTypeNotAllowed") && Has(descriptions, "Content-Disposition")) return null;
            if (codes.Contains("ContentTypeNotAllowed") || Has(descriptions, "does not match mime type") ||
                (Has(text, "Content-Type") && Has(text, "invalid for element type"))) return ErrorReason.ContentTypeNotAllowed;
            if (codes.Contains("MissingFileName") || codes.Contains("InvalidFileNameFormat")) return ErrorReason.InvalidFileName;
            if (Has(text, "has no data") || Has(title, "Invalid data")) return ErrorReason.EmptyFile;
            return null;
        }

        /// <summary>
        /// A 409 from a change to an instance's data (reference §6.1): the instance was submitted or deleted ("Instance
        /// Not Active"), the element is locked because the task it belongs to has ended (Storage's bare 409), the app
        /// enforces that a data type is changed only at its own task ("Conflict with Current Task", only where the app
        /// turns <c>EnforceDataTypeTaskId</c> on), or the type's maxCount is reached. <paramref name="ownerTask"/> is the
        /// task the data type belongs to, when known.
        /// </summary>
        public static AltinnApiException ExplainDataConflict(AltinnApiException ex, string operation, string appId, string instanceId, string dataType,
            string dataElementId = null, string ownerTask = null)
        {
            if (ex.StatusCode != 409) return null;
            var title = ex.Body?.Title ?? string.Empty;
            var serverSays = ex.Body?.Summary;
            var suffix = string.IsNullOrEmpty(serverSays) ? string.Empty : $" (Altinn: {serverSays})";
            if (Has(title, "Max Count Exceeded")) return ExplainMetadataRejection(ex, operation, appId);
            if (Has(title, "Conflict with Current Task"))
            {
                return Rewrap(ex, ErrorCatalogue.Id(operation, ErrorReason.WrongTask), AltinnErrorKind.InvalidOperation,
                    $"The app {appId} takes changes to '{dataType}' only while the instance is at the task that data type belongs to{(ownerTask != null ? " (" + ownerTask + ")" : string.Empty)}: it has Altinn's EnforceDataTypeTaskId setting on{suffix}. Get-AltinnInstance shows the task instance {instanceId} is at.");
            }

            if (Has(title, "Instance Not Active") || Has(title, "No current task")) return InstanceClosed(operation, instanceId, suffix, ex);
            return ElementLocked(operation, instanceId, dataElementId, dataType, ownerTask, null, suffix, ex);
        }

        /// <summary>
        /// The instance takes no more changes: its process has ended (submitted) or it was deleted. The same error whether
        /// the module saw it coming or Altinn refused ("Instance Not Active").
        /// </summary>
        public static AltinnApiException InstanceClosed(string operation, string instanceId, string suffix = null, AltinnApiException inner = null) =>
            Locked(operation,
                $"The data of instance {instanceId} is locked{suffix}: the instance has been submitted (its process has ended) or deleted, and Altinn takes no more changes to it. If your own run submitted it, there is nothing more to do (with a journal, rerun the key: a submitted key is not filed again). To send corrected data, file a new submission (a new instance, under a new journal key).",
                inner);

        /// <summary>
        /// One data element is locked because the task its data type belongs to has ended (app-lib locks a task's data
        /// elements when the task ends; Storage then refuses to replace them with a bare 409). New elements of the type
        /// can still be added unless the app enforces the type's task.
        /// </summary>
        public static AltinnApiException ElementLocked(string operation, string instanceId, string dataElementId, string dataType, string ownerTask,
            string currentTask, string suffix = null, AltinnApiException inner = null)
        {
            var what = dataElementId != null ? $"Data element {dataElementId}{(dataType != null ? " ('" + dataType + "')" : string.Empty)}" : $"The {(dataType != null ? "'" + dataType + "' " : string.Empty)}data";
            var task = ownerTask != null ? $"task {ownerTask}, which {(dataType != null ? "'" + dataType + "'" : "it")} belongs to," : "the task it belongs to";
            var now = currentTask != null ? $" (instance {instanceId} is now at {currentTask})" : string.Empty;
            return Locked(operation,
                $"{what} of instance {instanceId} is locked because {task} has ended{now}{suffix}. Altinn takes no changes to a locked element. " +
                $"It is unlocked only if the process goes back to {(ownerTask ?? "that task")} (for example Invoke-AltinnProcessNext -Action reject, where the app allows it). " +
                $"New elements can still be added with Add-AltinnAttachment where the app's policy grants write at {(currentTask ?? "the task the instance is at")}; a confirmation or signing task usually does not.",
                inner);
        }

        private static AltinnApiException Locked(string operation, string message, AltinnApiException inner) =>
            new AltinnApiException(ErrorCatalogue.Id(operation, ErrorReason.DataLocked), AltinnErrorKind.InvalidOperation, message, inner?.StatusCode ?? 409, inner?.Body)
            {
                ValidationIssues = inner?.ValidationIssues ?? Array.Empty<AltinnValidationIssue>(),
            };

        /// <summary>ErrorId of <see cref="InstanceNotFoundOrForbidden"/>: one id for an instance that does not exist and one the system user may not see.</summary>
        public const string InstanceNotFoundOrForbiddenId = "Altinn.Instance.NotFoundOrForbidden";

        /// <summary>
        /// 403 (or 404) for an instance: Altinn answers 403 both for an instance that does not exist and for one the
        /// caller may not see (app-lib <c>InstancesController</c>), so the two cannot be told apart and get one ErrorId.
        /// </summary>
        /// <param name="client">The organisation the instance's party is known to be when it is a client of the system user (an
        /// agent filed for it in this session); null when it is not known to be one.</param>
        public static AltinnApiException InstanceNotFoundOrForbidden(AltinnApiException ex, string appId, string instanceId, string systemUserOrganization, string client = null)
        {
            var partyId = instanceId?.Split('/')[0];
            var acting = string.IsNullOrEmpty(systemUserOrganization) ? "the organisation the system user acts for" : $"the organisation the system user acts for ({systemUserOrganization})";
            var firm = string.IsNullOrEmpty(systemUserOrganization) ? "the firm" : systemUserOrganization;
            // an agent's instance belongs to a client, never to the system user's organisation: the party line must say so
            var party = client == null
                ? $"  - the party {partyId}: it must be {acting};"
                : $"  - the party {partyId} is {client}, a client this system user filed for: {firm} may have removed the client's delegation to the system user (or its access package) since; it must be delegated again to go on;";
            var action = client == null ? InstanceNotFoundOrForbiddenAction
                : $"Check that {client} is still delegated to the system user of {firm} with the access package {appId} requires, and the instance id.";
            var message =
                $"Altinn answered {ex.StatusCode} for instance {instanceId} of {appId}: it does not exist there, or this system user may not see it (Altinn gives the same answer for both). " +
                action + " In detail:" + Environment.NewLine +
                $"  - the instance id (party id/instance GUID) and the app: the instance may have been deleted, or belong to another app or environment;" + Environment.NewLine +
                party + Environment.NewLine +
                $"  - the system user's rights: it must have been given the rights to {appId} for that organisation in Altinn.";
            return new AltinnApiException(InstanceNotFoundOrForbiddenId, AltinnErrorKind.ObjectNotFound, message, ex.StatusCode, ex.Body)
            {
                ValidationIssues = ex.ValidationIssues,
                RecommendedAction = action,
            };
        }

        // said once in the message, where ConciseView leaves it out for its Recommendation line
        private const string InstanceNotFoundOrForbiddenAction = "Check the instance id, that its party is the system user's organisation, and the system user's rights to the app.";

        /// <summary>Whether a 403/404 is about the instance itself rather than something inside it (a bare or empty body).</summary>
        public static bool IsInstanceLevelRefusal(AltinnApiException ex) =>
            (ex.StatusCode == 403 || ex.StatusCode == 404) && string.IsNullOrEmpty(ex.Body?.Detail) && (ex.Body?.ValidationIssues.Count ?? 0) == 0 &&
            (ex.Body == null || ex.Body.Kind == ErrorBodyKind.Empty || (ex.Body.Kind == ErrorBodyKind.ProblemDetails && (Has(ex.Body.Title, "Forbidden") || Has(ex.Body.Title, "Not Found"))));

        /// <summary>
        /// A refusal of <c>process/next</c>: 409 means failed validation, an ended process or another caller holding the
        /// lock (reference §4.6), each with its own ErrorId; 403 means the app's policy does not grant the action at the
        /// task; 500 (after the module's own repeats) means a step at the end of the task failed, which Altinn undoes.
        /// </summary>
        public static AltinnApiException ExplainProcessNext(AltinnApiException ex, AltinnInstance instance, string action)
        {
            if (ex.ErrorId == InstanceNotFoundOrForbiddenId) return ex;
            var body = ex.Body;
            var text = ((body?.Title ?? string.Empty) + " " + (body?.Detail ?? string.Empty) + " " + (body?.Text ?? string.Empty)).Trim();
            var task = instance.CurrentTask ?? "none";
            if (ex.StatusCode == 403)
            {
                var taskType = instance.CurrentTaskType;
                var expected = DefaultAction(taskType);
                var hint = expected != null && !string.Equals(expected, action, StringComparison.OrdinalIgnoreCase)
                    ? $" Task {task} is a {taskType} task: move it on with -Action {expected}, or without -Action to let the task decide."
                    : $" The app's policy does not grant the system user '{action ?? expected ?? "this action"}' at task {task}: check the actions the task allows and the rights the system user has been given to the app.";
                return Rewrap(ex, "Altinn.ProcessNext.Forbidden", AltinnErrorKind.PermissionDenied,
                    $"Altinn refused to move instance {instance.Id} on{(action != null ? " with action '" + action + "'" : string.Empty)} (403{(string.IsNullOrEmpty(body?.Summary) ? string.Empty : ": " + body.Summary)}).{hint}");
            }

            if (ex.StatusCode == 500)
            {
                return Rewrap(ex, "Altinn.ProcessNext.ServerError", AltinnErrorKind.ProtocolError,
                    $"Altinn could not move instance {instance.Id} on from task {task} (500{(string.IsNullOrEmpty(body?.Summary) ? string.Empty : ": " + body.Summary)}). " +
                    "When a step at the end of a task fails (such as making the PDF receipt), Altinn unlocks the task's data again and leaves the process at the task, " +
                    "so it is safe to send again: run Invoke-AltinnProcessNext again (Get-AltinnInstance shows where the instance is). (The module repeats such a call by itself, up to -MaximumRetryCount times, each time after checking that the process has not moved.)");
            }

            if (ex.StatusCode != 409) return ex;
            if (ex.ValidationIssues.Count > 0 || Has(text, "Validation failed"))
            {
                var errors = ex.ValidationIssues.Count(i => i.Severity == AltinnValidationSeverity.Error);
                foreach (var issue in ex.ValidationIssues) issue.InstanceId = instance.Id;
                var lines = string.Join(Environment.NewLine, ex.ValidationIssues.Select(i => "  - " + i));
                return Rewrap(ex, "Altinn.ProcessNext.ValidationFailed", AltinnErrorKind.InvalidData,
                    $"Instance {instance.Id} cannot leave task {task}: the app's validation found {errors} error(s).{Environment.NewLine}{lines}{Environment.NewLine}Correct the data (Set-AltinnData) and try again; in a journaled batch, correct the row and run the batch again: the key carries on with this instance, which waits unsubmitted until then. Test-AltinnInstance shows the same list, and the error's Exception.ValidationIssues holds them as objects.");
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

        /// <summary>
        /// 403 to a change of an instance's data. app-lib's data routes are guarded by the app's policy for the action
        /// <c>write</c> at the task the instance is at (<c>[Authorize(Policy = POLICY_INSTANCE_WRITE)]</c> on
        /// <c>DataController</c>), decided before any lock or data rule, so the same 403 means the task grants no
        /// <c>write</c> (a confirmation or signing task, or an ended process), the instance is gone or not the system
        /// user's to change, or the system user lacks the rights to the app. Altinn's answer does not say which.
        /// </summary>
        /// <param name="client">The instance owner when it is a client the system user filed for (an agent); null otherwise.</param>
        /// <param name="systemUserOrganization">The system user's organisation (an agent's: the firm).</param>
        public static AltinnApiException DataChangeForbidden(AltinnApiException ex, string operation, string appId, string instanceId, string dataType,
            string currentTask = null, string currentTaskType = null, string client = null, string systemUserOrganization = null)
        {
            if (ex.StatusCode != 403) return null;
            var what = dataType != null ? $"'{dataType}' data" : "data";
            var task = currentTask == null
                ? "the task the instance is at"
                : $"the task the instance is at ({currentTask}{(string.IsNullOrEmpty(currentTaskType) ? string.Empty : ", a " + currentTaskType + " task")})";
            var message =
                $"Altinn answered 403 to changing {what} of instance {instanceId} of {appId}. It gives that answer when any of these holds (it does not say which):" + Environment.NewLine +
                $"  - the app's policy does not grant 'write' at {task}: a confirmation or signing task usually grants only its own action. " +
                "Finish the task with Invoke-AltinnProcessNext, or go back with -Action reject where the app allows it;" + Environment.NewLine +
                (client == null
                    ? "  - the instance no longer exists, or belongs to another organisation than the one the system user acts for;"
                    : $"  - the instance no longer exists, or {(systemUserOrganization ?? "the firm")} removed the delegation of its owner {client}, a client this system user filed for (or the client's access package) since; it must be delegated again to go on;") + Environment.NewLine +
                $"  - the system user has not been given the rights to {appId} for that organisation.";
            return Rewrap(ex, ErrorCatalogue.Id(operation, ErrorReason.Forbidden), AltinnErrorKind.PermissionDenied, message);
        }

        /// <summary>
        /// 403 to a create for an organisation other than the one the session's system user belongs to: the module knows
        /// both numbers and the system user's id, so it names them. A standard system user files for its own organisation
        /// only; an agent system user (an accounting firm's, for client relationships) for the clients delegated to it,
        /// each with access packages. Altinn's 403 does not say which rule refused, nor is the kind in the token, so the
        /// message gives the client's two reasons, and the standard one's too until the session has filed for a client
        /// (<paramref name="knownAgent"/>). Null when the owner is the session's own.
        /// </summary>
        public static AltinnApiException CreateForOtherOrganisation(AltinnApiException ex, string appId, string ownerOrganization, string sessionOrganization,
            string systemUserId = null, bool knownAgent = false)
        {
            if (ex.StatusCode != 403 || string.IsNullOrEmpty(ownerOrganization) || string.IsNullOrEmpty(sessionOrganization) ||
                string.Equals(ownerOrganization, sessionOrganization, StringComparison.Ordinal)) return null;
            var systemUser = string.IsNullOrEmpty(systemUserId) ? $"the system user of {sessionOrganization}" : $"system user {systemUserId} of {sessionOrganization}";
            var delegate_ = $"Have {sessionOrganization} delegate {ownerOrganization} to {systemUser} in Altinn (its clients) with an access package the app's policy names, or leave {ownerOrganization} out.";
            var standard = $"Connect-Altinn -SystemUserOrganization {ownerOrganization} -PassThru, and pass that session with -Session.";
            var message =
                $"Altinn answered 403 to creating an instance of {appId} for organisation {ownerOrganization}: nothing was created for it. " +
                $"This session acts as the system user of {sessionOrganization}{(string.IsNullOrEmpty(systemUserId) ? string.Empty : " (id " + systemUserId + ")")}; " +
                "Altinn does not say which of these holds:" + Environment.NewLine +
                $"  - {ownerOrganization} is not a client of {systemUser} (never delegated, or the delegation was removed);" + Environment.NewLine +
                $"  - the system user lacks the access package {appId} requires for {ownerOrganization} " +
                "(an accounting firm's client usually needs urn:altinn:accesspackage:regnskapsforer-med-signeringsrettighet);" + Environment.NewLine;
            if (!knownAgent)
                message += $"  - it is a standard system user, which files for {sessionOrganization} alone: file for {ownerOrganization} with a session of its own: {standard}" + Environment.NewLine;
            message += delegate_;
            var explained = Rewrap(ex, ErrorCatalogue.Id("NewInstance", ErrorReason.Forbidden), AltinnErrorKind.PermissionDenied, message);
            // the general 403 advice (the app id, the rights) is not the fix here; the message says it once, where ConciseView leaves it out
            explained.RecommendedAction = knownAgent ? delegate_ : standard;
            return explained;
        }

        /// <summary>
        /// 403 to creating for the system user's own organisation. A standard system user lacks the app's rights; a system
        /// user for client relationships (agent) files only for the clients delegated to it, and its own firm is not one of
        /// them unless the firm delegated itself. Which of the two the token does not tell, until the session has filed for a client.
        /// </summary>
        public static AltinnApiException CreateForOwnOrganisation(AltinnApiException ex, string appId, string ownerOrganization, string sessionOrganization,
            string systemUserId, bool knownAgent)
        {
            if (ex.StatusCode != 403 || string.IsNullOrEmpty(ownerOrganization) || !string.Equals(ownerOrganization, sessionOrganization, StringComparison.Ordinal)) return null;
            var systemUser = string.IsNullOrEmpty(systemUserId) ? $"the system user of {sessionOrganization}" : $"system user {systemUserId} of {sessionOrganization}";
            var agent =
                $"{ownerOrganization} is not one of its own clients: a system user for client relationships (agent) files for the clients delegated to it, not for the firm. " +
                $"File {ownerOrganization}'s own forms with a standard system user of {ownerOrganization} (Connect-Altinn -SystemUserOrganization {ownerOrganization} -SystemUserExternalRef <its ref>), " +
                $"or have {ownerOrganization} delegate itself to {systemUser} as a client, with the access package {appId} requires.";
            var message =
                $"Altinn answered 403 to creating an instance of {appId} for organisation {ownerOrganization}, the system user's own organisation: nothing was created for it. ";
            message += knownAgent
                ? $"This session files for clients, so {systemUser} is an agent system user, and " + agent
                : $"Altinn does not say which of these holds:" + Environment.NewLine +
                  $"  - {systemUser} is one for client relationships (agent): " + agent + Environment.NewLine +
                  $"  - it is a standard system user without the rights to {appId}: {ownerOrganization} approves the system user's rights (or access packages) in Altinn.";
            var explained = Rewrap(ex, ErrorCatalogue.Id("NewInstance", ErrorReason.Forbidden), AltinnErrorKind.PermissionDenied, message);
            explained.RecommendedAction = knownAgent ? agent : $"Check whether {systemUser} is an agent (it files for clients only) or a standard one lacking the rights to {appId}.";
            return explained;
        }

        /// <summary>
        /// 400 "Failed to deserialize JSON/XML": the app could not read the form data into its model (app-lib
        /// <c>ModelSerializationService.DeserializeSingleFromStream</c>), most often a value of another type than the field's
        /// (a number for a text field). The server's words name the field's path. Null for any other failure.
        /// </summary>
        public static AltinnApiException ExplainFormDataRefusal(AltinnApiException ex, string operation, string appId, string dataType)
        {
            var title = ex.Body?.Title ?? string.Empty;
            if (ex.StatusCode != 400 || !(Has(title, "Failed to deserialize JSON") || Has(title, "Failed to deserialize XML"))) return null;
            var detail = ex.Body?.Detail;
            var message =
                $"The app {appId} could not read the '{dataType}' form data into its data model{(string.IsNullOrEmpty(detail) ? "." : ": " + detail.TrimEnd('.') + ".")} " +
                "Each field takes the type the model gives it: a text field a string (quote a number: '12345', or [string]$value), a number field a number, " +
                "and a field that is not a group no nested hashtable. Get-AltinnData shows the form as it is now.";
            return Rewrap(ex, ErrorCatalogue.Id(operation, ErrorReason.FormDataRefused), AltinnErrorKind.InvalidData, message);
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
