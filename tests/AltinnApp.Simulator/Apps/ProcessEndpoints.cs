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

    private static async Task<IResult> NextAsync(HttpContext http, InstanceService service, SimulatorSettings settings, int instanceOwnerPartyId, Guid instanceGuid)
    {
        var call = AppCall.From(http);
        var (instance, error) = call.LoadInstance(instanceOwnerPartyId, instanceGuid);
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

        // Storage's instance lock: a second process/next while one runs gets a bare 409.
        if (!instance!.TryLockProcess()) return Responses.BareProblem(StatusCodes.Status409Conflict);
        try
        {
            ProcessTask? task;
            lock (instance.Gate) task = instance.CurrentTask;
            if (task is null)
            {
                bool ended;
                lock (instance.Gate) ended = instance.ProcessEnded is not null;
                return Conflict(ended ? "Process is ended." : "Process is not started. Use start!");
            }

            string expected = ProcessActions.DefaultAction(task.Type);
            action ??= expected;
            if (action != expected)
                return Responses.Problem(403, "Unauthorized", $"User is not authorized to perform process next. Task ID: {task.Id}. Action: {action}.");

            int delay = settings.Current.ProcessNextDelayMs;
            if (delay > 0) await Task.Delay(delay, http.RequestAborted);

            List<Models.ValidationIssueWithSource> issues;
            lock (instance.Gate) issues = InstanceService.Validate(instance);
            if (issues.Count > 0)
                return Responses.Problem(409, "Validation failed for task", $"{issues.Count} validation errors found for task {task.Id}",
                    new Dictionary<string, object?> { ["validationIssues"] = issues });

            await service.EndCurrentTaskAsync(instance, call.Caller);
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
        var (instance, error) = call.LoadInstance(instanceOwnerPartyId, instanceGuid);
        if (error is not null) return error;
        lock (instance!.Gate)
        {
            if (instance.CurrentTaskId is null)
                return Responses.Problem(409, "Validation error", "Unable to validate instance without a started process.");
            return Responses.Json(InstanceService.Validate(instance));
        }
    }
}
