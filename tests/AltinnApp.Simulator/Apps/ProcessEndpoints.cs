using System.Text.Json;
using System.Text.Json.Nodes;
using AltinnApp.Simulator.Control;
using AltinnApp.Simulator.Infrastructure;

namespace AltinnApp.Simulator.Apps;

/// <summary>Process and validation routes (reference §4.6, §4.8).</summary>
public static class ProcessEndpoints
{
    private const string InstancePath = "/instances/{instanceOwnerPartyId:int}/{instanceGuid:guid}";

    public static void MapProcess(this RouteGroupBuilder app)
    {
        app.MapGet(InstancePath + "/process", GetProcess);
        app.MapPut(InstancePath + "/process/next", NextAsync);
        app.MapGet(InstancePath + "/validate", Validate);
    }

    private static IResult GetProcess(HttpContext http, int instanceOwnerPartyId, Guid instanceGuid)
    {
        var call = AppCall.From(http);
        var (instance, error) = call.LoadInstance(instanceOwnerPartyId, instanceGuid);
        if (error is not null) return error;
        lock (instance!.Gate) return Responses.Json(InstanceViews.AppProcess(instance));
    }

    /// <summary>
    /// process/next has no policy check before it reads the instance from Storage, whose GET answers 404 for a missing
    /// instance (STO InstancesController.Get); the app turns that into a bare NotFound() (ProcessController.HandlePlatformHttpException).
    /// </summary>
    private static IResult NextMissing(Guid _) => Responses.BareProblem(StatusCodes.Status404NotFound);

    /// <summary>validate: the same Storage 404, which ValidateController answers as "Something went wrong." with the platform error.</summary>
    private static IResult ValidateMissing(Guid instanceGuid) =>
        Responses.Problem(404, "Something went wrong.", $"404 - Not Found - \"Unable to find instance {instanceGuid}\"");

    private static async Task<IResult> NextAsync(HttpContext http, InstanceService service, SimulatorSettings settings, int instanceOwnerPartyId, Guid instanceGuid)
    {
        var call = AppCall.From(http);
        var (instance, error) = call.LoadInstance(instanceOwnerPartyId, instanceGuid, NextMissing);
        if (error is not null) return error;

        // The body is optional; when sent it is {"action": "...", "actionOnBehalfOf": "..."}.
        string? action = null;
        if (http.Request.ContentLength is not 0)
        {
            using var reader = new StreamReader(http.Request.Body);
            string text = await reader.ReadToEndAsync(http.RequestAborted);
            if (!string.IsNullOrWhiteSpace(text))
            {
                try
                {
                    if (JsonNode.Parse(text) is JsonObject body && body["action"] is JsonValue a && a.GetValueKind() == JsonValueKind.String)
                        action = a.GetValue<string>();
                }
                catch (JsonException e)
                {
                    return Responses.Problem(400, "One or more validation errors occurred.", e.Message);
                }
            }
        }

        // app-lib ProcessEngine.ProcessNext, in its order: the process state (ended → 409), the action the app's
        // policy grants at the task (403), and only then Storage's instance lock (a bare 409 while another call holds it).
        ProcessTask? task;
        bool ended;
        lock (instance!.Gate)
        {
            task = instance.CurrentTask;
            ended = instance.ProcessEnded is not null;
        }
        if (task is null) return Conflict(ended ? "Process is ended." : "Process is not started. Use start!");

        bool authorized = action is not null
            ? task.Allows(action)
            : ProcessActions.AllowingProcessNext(task.Type).Any(task.Allows);
        if (!authorized)
            return Responses.Problem(403, "Unauthorized",
                $"User is not authorized to perform process next. Task ID: {task.Id}. Task type: {task.Type}. Action: {action ?? "none"}.");

        if (!instance.TryLockProcess()) return Responses.BareProblem(StatusCodes.Status409Conflict);
        try
        {
            lock (instance.Gate)
            {
                // the state may have moved while this call waited for the lock
                if (instance.CurrentTaskId != task.Id) return Responses.BareProblem(StatusCodes.Status409Conflict);
            }

            int delay = settings.Current.ProcessNextDelayMs;
            if (delay > 0) await Task.Delay(delay, http.RequestAborted);

            // A reject the task allows abandons the task: no validation, no lock, no PDF.
            bool reject = action == "reject";
            if (!reject)
            {
                List<Models.ValidationIssueWithSource> issues;
                lock (instance.Gate) issues = InstanceService.Validate(instance);
                if (issues.Count > 0)
                    return Responses.Problem(409, "Validation failed for task", $"{issues.Count} validation errors found for task {task.Id}",
                        new Dictionary<string, object?> { ["validationIssues"] = issues });
            }

            var outcome = await service.MoveOnAsync(instance, call.Caller, reject);
            if (outcome == InstanceService.MoveOutcome.PdfFailed)
            {
                // EndTaskEventHandler: the PDF failed, the task's data is unlocked again and the exception reaches
                // ProcessController.NextElement, which answers ExceptionResponse(e, "Process next failed."); the process
                // state was never written, so the instance is still at the task.
                return Responses.Problem(500, "Process next failed.", "Pdf generation failed");
            }
            lock (instance.Gate) return Responses.Json(InstanceViews.AppProcess(instance));
        }
        finally
        {
            instance.UnlockProcess();
        }
    }

    private static IResult Conflict(string detail) =>
        Responses.Problem(409, null, detail, new Dictionary<string, object?> { ["validationIssues"] = null });

    private static IResult Validate(HttpContext http, int instanceOwnerPartyId, Guid instanceGuid)
    {
        var call = AppCall.From(http);
        var (instance, error) = call.LoadInstance(instanceOwnerPartyId, instanceGuid, ValidateMissing);
        if (error is not null) return error;
        lock (instance!.Gate)
        {
            if (instance.CurrentTaskId is null)
                return Responses.Problem(409, "Validation error", "Unable to validate instance without a started process.");
            return Responses.Json(InstanceService.Validate(instance));
        }
    }
}
