using AltinnApp.Simulator.Exchange;
using AltinnApp.Simulator.Infrastructure;
using AltinnApp.Simulator.Storage;

namespace AltinnApp.Simulator.Apps;

/// <summary>The authenticated caller and the app an app route addresses, set by <see cref="AppCallFilter"/>.</summary>
public sealed record AppCall(HttpContext Http, AppDefinition App, Caller Caller)
{
    private const string ItemKey = "altinnapp.simulator.appcall";

    public string BaseUrl => InstanceViews.BaseUrl(Http.Request);

    public static AppCall From(HttpContext http) => (AppCall)http.Items[ItemKey]!;

    public static void Attach(HttpContext http, AppCall call) => http.Items[ItemKey] = call;

    /// <summary>
    /// Finds an instance of this app the caller may act on: 403 when the party in the URL (or the
    /// instance's owner) is not the caller's organisation, and the same 403 when there is no such instance
    /// (app-lib <c>InstancesController</c>: "Storage returns 403 for non-existing instances"; the app's policy check
    /// cannot find the instance's task, so it denies), so a caller cannot tell the two apart.
    /// A route that reads the instance from Storage before any policy check (process/next, validate) passes
    /// <paramref name="whenMissing"/>: Storage's own GET answers 404 for a missing instance, and that comes first.
    /// A route that changes data passes <paramref name="requiredAction"/> <c>write</c>: app-lib's <c>DataController</c>
    /// guards it with <c>[Authorize(Policy = POLICY_INSTANCE_WRITE)]</c> (<c>AppAccessRequirement("write")</c>), decided by
    /// the app's policy for the instance's current task, so a task whose policy does not grant <c>write</c> (a
    /// confirmation task, by default) or an ended process gets 403 before any lock or data rule is looked at.
    /// </summary>
    public (SimInstance? Instance, IResult? Error) LoadInstance(int partyId, Guid instanceGuid, Func<Guid, IResult>? whenMissing = null,
        string? requiredAction = null)
    {
        var store = Http.RequestServices.GetRequiredService<InstanceStore>();
        var parties = Http.RequestServices.GetRequiredService<PartyRegistry>();
        var instance = store.Find(instanceGuid);
        bool missing = instance is null || instance.Owner.PartyId != partyId || instance.App.AppId != App.AppId || instance.IsHardDeleted;
        if (missing && whenMissing is not null) return (null, whenMissing(instanceGuid));
        var party = parties.ById(partyId);
        if (party is not null && !Caller.MayActFor(party)) return (null, Responses.BareProblem(403));
        if (missing)
            return (null, Responses.BareProblem(403));
        if (!Caller.MayActFor(instance.Owner)) return (null, Responses.BareProblem(403));
        if (requiredAction is not null)
        {
            // after the end event only what the policy grants there is allowed; the default policy grants read alone
            bool granted;
            lock (instance.Gate) granted = instance.CurrentTask?.Allows(requiredAction) == true;
            if (!granted) return (null, Responses.BareProblem(403));
        }
        return (instance, null);
    }
}

/// <summary>
/// Runs before every app route: the Bearer must be an Altinn token (401, empty body, otherwise) and the
/// app must exist (404).
/// </summary>
public sealed class AppCallFilter(AltinnAuth auth, AppRegistry apps) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var caller = auth.Authenticate(http.Request);
        if (caller is null) return Responses.Empty(StatusCodes.Status401Unauthorized);
        string org = http.Request.RouteValues["org"]?.ToString() ?? "";
        string app = http.Request.RouteValues["app"]?.ToString() ?? "";
        var definition = apps.Find(org, app);
        if (definition is null) return Responses.BareProblem(404);
        AppCall.Attach(http, new AppCall(http, definition, caller));
        return await next(context);
    }
}
