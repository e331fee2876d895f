using System.IO.Pipelines;
using AltinnApp.Simulator.Control;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing.Patterns;

namespace AltinnApp.Simulator.Infrastructure;

/// <summary>Marks an endpoint whose request counter key is the concrete path (e.g. the exchange provider).</summary>
public sealed record CounterKeyMetadata(string Key);

/// <summary>
/// Cross-cutting behaviour of every response: Altinn's security headers, request counters keyed by
/// route template, and fault injection (latency, 429, 503, dropped connections) outside <c>/_sim/</c>.
/// </summary>
public sealed class SimulatorMiddleware(RequestDelegate next, Counters counters, FaultInjector faults, RequestLog log)
{
    public async Task InvokeAsync(HttpContext context)
    {
        AddSecurityHeaders(context.Response.Headers);

        bool isControl = context.Request.Path.StartsWithSegments("/_sim");
        if (!isControl && CounterKey(context) is { } key) counters.Request(key);
        if (isControl)
        {
            await next(context);
            return;
        }

        var received = DateTimeOffset.UtcNow;
        try
        {
            await Handle(context);
        }
        finally
        {
            log.Add(new LoggedRequest(context.Request.Method, context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "",
                context.Request.ContentType, context.Request.Headers.ContentDisposition.ToString() is { Length: > 0 } d ? d : null,
                context.Request.ContentLength, context.Response.StatusCode,
                context.Items[RequestLog.PartsItemKey] as List<LoggedPart> ?? (IReadOnlyList<LoggedPart>)Array.Empty<LoggedPart>(), received));
        }
    }

    private async Task Handle(HttpContext context)
    {
        var decision = faults.Decide(context.Request);
        if (decision.LatencyMs > 0) await Task.Delay(decision.LatencyMs, context.RequestAborted);

        if (decision.Status is int status)
        {
            counters.Fault(status.ToString());
            if (decision.RetryAfterSeconds is int retryAfter)
                context.Response.Headers.RetryAfter = retryAfter.ToString();
            await Responses.BareProblem(status).ExecuteAsync(context);
            return;
        }

        if (decision.Answer is { } answer)
        {
            context.Response.StatusCode = answer.Status;
            context.Response.ContentType = answer.ContentType ?? Responses.ProblemContentType;
            if (answer.Body is not null) await context.Response.WriteAsync(answer.Body.ToJsonString(), context.RequestAborted);
            return;
        }

        if (decision.Drop)
        {
            counters.Fault("drop");
            if (decision.DropAfterProcessing)
            {
                // Carry the request out, but swallow the response so not a byte reaches the client.
                context.Features.Set<IHttpResponseBodyFeature>(new SwallowingBodyFeature());
                try { await next(context); }
                catch (Exception) { /* the response is lost either way */ }
            }
            context.Abort();
            return;
        }

        await next(context);
    }

    public static void AddSecurityHeaders(IHeaderDictionary headers)
    {
        headers.CacheControl = "no-store, no-cache";
        headers.XFrameOptions = "deny";
        headers.XContentTypeOptions = "nosniff";
        headers.XXSSProtection = "0";
        headers["Referrer-Policy"] = "no-referrer";
    }

    private static string? CounterKey(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null) return null;
        if (endpoint.Metadata.GetMetadata<CounterKeyMetadata>() is { } fixedKey) return fixedKey.Key;
        if (endpoint is not RouteEndpoint route) return null;
        return $"{context.Request.Method} {Template(route.RoutePattern)}";
    }

    /// <summary>The route template without constraints: <c>/{org}/{app}/instances/{instanceOwnerPartyId}/...</c>.</summary>
    public static string Template(RoutePattern pattern)
    {
        var segments = pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            RoutePatternSeparatorPart separator => separator.Content,
            _ => "",
        })));
        return "/" + string.Join('/', segments);
    }

    /// <summary>A response body that discards everything, for dropAfterProcessing.</summary>
    private sealed class SwallowingBodyFeature : IHttpResponseBodyFeature
    {
        public Stream Stream { get; } = Stream.Null;
        public PipeWriter Writer { get; } = PipeWriter.Create(Stream.Null);
        public void DisableBuffering() { }
        public Task StartAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) => Task.CompletedTask;
        public Task CompleteAsync() => Task.CompletedTask;
    }
}
