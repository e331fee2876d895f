using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AltinnApp.Core.Tests;

/// <summary>What a request to <see cref="FakeAltinnApp"/> is, for counting and for choosing where to kill a run.</summary>
public enum FakeRoute
{
    Metadata, Parties, Create, GetInstance, DeleteInstance, ActiveInstances, PutData, Upload, DeleteData, GetData, DownloadReceipt,
    GetProcess, ProcessNext, Validate, Unknown,
}

/// <summary>Where a run dies at a request: not at all, before the server acts on it, or after it acted but before its answer was read.</summary>
public enum FakeKill { None, BeforeApply, AfterApply }

/// <summary>One request as the fake saw it; <see cref="Number"/> counts every request the fake has been sent (from 1, across runs).</summary>
public sealed record FakeCall(int Number, string Method, FakeRoute Route, string Path);

/// <summary>A data element as the fake holds it (a copy).</summary>
public sealed record FakeElement(string Id, string DataType, string Filename, string ContentType, long Size, bool Locked, byte[] Bytes);

/// <summary>An instance as the fake holds it (a copy).</summary>
public sealed record FakeInstance(string Id, int PartyId, string OrganisationNumber, string PersonNumber, string CurrentTask, DateTime? ProcessEnded,
    bool SoftDeleted, DateTime Created, DateTime LastChanged, IReadOnlyList<FakeElement> Data)
{
    public bool Ended => ProcessEnded.HasValue;

    public FakeElement[] ElementsOf(string dataType) => Data.Where(d => d.DataType == dataType).ToArray();

    public string[] FileNames(string dataType) => ElementsOf(dataType).Select(d => d.Filename).ToArray();
}

/// <summary>
/// The run died at <see cref="Call"/>. It is a cancellation of the run's <see cref="FakeAltinnApp.RunToken"/>, cancelled
/// as it is thrown, because that is the one failure nothing in the engine handles: the transport takes network
/// exceptions and a cancellation the caller did not ask for as a failed attempt (to repeat, reconcile or report as a
/// timeout), and the upload loop turns any other exception into an error result and removes what it uploaded.
/// HttpClient wraps it in a <see cref="TaskCanceledException"/>: find it with <see cref="In"/>.
/// </summary>
public sealed class SimulatedKill : OperationCanceledException
{
    public SimulatedKill(FakeCall call, FakeKill when, CancellationToken token)
        : base($"Simulated kill {when} at request {call.Number}: {call.Method} {call.Path} ({call.Route}).", token)
    {
        Call = call;
        When = when;
    }

    public FakeCall Call { get; }

    public FakeKill When { get; }

    /// <summary>The kill behind an exception (itself or an inner one); null when it is something else.</summary>
    public static SimulatedKill In(Exception exception)
    {
        for (var e = exception; e != null; e = e.InnerException)
        {
            if (e is SimulatedKill kill) return kill;
        }

        return null;
    }
}

/// <summary>
/// An Altinn app in memory behind a session's <see cref="HttpMessageHandler"/>: metadata, parties, instances, form
/// data, attachments, the process to its end and the receipt, answered in the JSON the engine reads. <see cref="Kill"/>
/// is asked at every request whether the run dies there; a dead run's later requests never reach the state. Pass
/// <see cref="RunToken"/> as the run's cancellation token, and call <see cref="Revive"/> before the next run. It
/// outlives the sessions that dispose it, so a rerun can use a new session over the same state. The session's shared
/// metadata read runs on the token of the caller that starts it, so a kill there ends that caller as a cancellation
/// and the read is not kept; <see cref="KilledAt"/> tells it apart from a real failure.
/// </summary>
public sealed class FakeAltinnApp : HttpMessageHandler
{
    private const string Receipt = "ref-data-as-pdf";
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private readonly object _gate = new();
    private readonly (string Id, string Type)[] _tasks;
    private readonly List<Inst> _instances = new();
    private readonly List<FakeCall> _calls = new();
    private CancellationTokenSource _run = new();

    /// <param name="app">org/app; requests for any other app are 404.</param>
    /// <param name="tasks">The process, as <c>id:type</c> (data, confirmation, signing); default one data task.</param>
    public FakeAltinnApp(string app = "brg/aarsregnskap", params string[] tasks)
    {
        App = app;
        _tasks = (tasks.Length == 0 ? new[] { "Task_1:data" } : tasks).Select(t => t.Split(':')).Select(p => (p[0], p.Length > 1 ? p[1] : "data")).ToArray();
    }

    public string App { get; }

    /// <summary>Organisation number to party id, for creates by organisation number and for <c>api/v1/parties</c>.</summary>
    public Dictionary<string, int> Organisations { get; } = new() { ["950474084"] = 500700 };

    /// <summary>Organisations a create is refused for with 403 (a client the system user was not delegated).</summary>
    public HashSet<string> Refused { get; } = new();

    /// <summary>The system user's organisation: the one party <c>api/v1/parties</c> lists.</summary>
    public string ConnectedOrganisation { get; set; } = "950474084";

    /// <summary>Person number to party id, for creates by person number.</summary>
    public Dictionary<string, int> Persons { get; } = new() { ["08089403198"] = 500800 };

    /// <summary>The server's clock, for <c>created</c> and <c>lastChanged</c> (UTC).</summary>
    public Func<DateTime> Clock { get; set; } = () => DateTime.UtcNow;

    /// <summary>Asked at every request of a live run (null: never kill).</summary>
    public Func<FakeCall, FakeKill> Kill { get; set; }

    /// <summary>
    /// Asked at every request of a live run: the request's answer is lost (a dropped connection) before the server acts on it
    /// or after, and the run goes on (null: never).
    /// </summary>
    public Func<FakeCall, FakeKill> Lose { get; set; }

    /// <summary>Called once a request was carried out, before its answer is returned: a test holds an answer back here.</summary>
    public Action<FakeCall> BeforeAnswer { get; set; }

    /// <summary>The current run's token: cancelled when the run is killed.</summary>
    public CancellationToken RunToken { get { lock (_gate) return _run.Token; } }

    /// <summary>The request the current run died at; null while it lives.</summary>
    public FakeCall KilledAt { get; private set; }

    /// <summary>Starts a new run after a kill: a fresh <see cref="RunToken"/>, requests reach the state again.</summary>
    public void Revive()
    {
        lock (_gate)
        {
            KilledAt = null;
            if (_run.IsCancellationRequested) _run = new CancellationTokenSource();
        }
    }

    public IReadOnlyList<FakeCall> Calls { get { lock (_gate) return _calls.ToArray(); } }

    public int RequestCount(FakeRoute route) { lock (_gate) return _calls.Count(c => c.Route == route); }

    /// <summary>Every instance not hard-deleted, as it is now.</summary>
    public IReadOnlyList<FakeInstance> Instances { get { lock (_gate) return _instances.Select(i => i.View(i.Ended == null ? _tasks[i.Task].Id : null)).ToArray(); } }

    /// <summary>Instances of an owner given by organisation number, person number or party id.</summary>
    public FakeInstance[] InstancesOf(string owner) =>
        Instances.Where(i => i.OrganisationNumber == owner || i.PersonNumber == owner || i.PartyId.ToString() == owner).ToArray();

    protected override void Dispose(bool disposing)
    {
        // a session disposes its handler; the fake's state must outlive it for the rerun
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = await Body.ReadAsync(request.Content, cancellationToken);
        var path = request.RequestUri!.AbsolutePath;
        var segments = Prefix(path) is { } rest ? rest.Split('/', StringSplitOptions.RemoveEmptyEntries) : null;
        var route = RouteOf(request.Method.Method, segments);
        FakeCall call;
        lock (_gate)
        {
            // a dead run sends nothing more; its requests are neither counted nor applied
            if (KilledAt != null) throw new SimulatedKill(KilledAt, FakeKill.BeforeApply, _run.Token);
            if (route == FakeRoute.GetData && IsReceipt(segments)) route = FakeRoute.DownloadReceipt;
            call = new FakeCall(_calls.Count + 1, request.Method.Method, route, path);
            _calls.Add(call);
        }

        var kill = Kill?.Invoke(call) ?? FakeKill.None;
        if (kill == FakeKill.BeforeApply) throw Die(call, kill);
        var loss = Lose?.Invoke(call) ?? FakeKill.None;
        if (loss == FakeKill.BeforeApply) throw new HttpRequestException($"the connection was reset before request {call.Number} reached the server");
        HttpResponseMessage response;
        lock (_gate)
        {
            // another request of the run may have died while this one was on its way
            if (KilledAt != null) throw new SimulatedKill(KilledAt, FakeKill.BeforeApply, _run.Token);
            response = Apply(request, call, segments, body);
        }

        if (kill == FakeKill.AfterApply)
        {
            response.Dispose();
            throw Die(call, kill);
        }

        BeforeAnswer?.Invoke(call);
        if (loss == FakeKill.AfterApply)
        {
            response.Dispose();
            throw new HttpRequestException($"the connection was reset after request {call.Number} was carried out");
        }

        return response;
    }

    private SimulatedKill Die(FakeCall call, FakeKill when)
    {
        CancellationTokenSource run;
        lock (_gate)
        {
            KilledAt = call;
            run = _run;
        }

        run.Cancel();
        return new SimulatedKill(call, when, run.Token);
    }

    private bool IsReceipt(string[] s) =>
        _instances.FirstOrDefault(i => i.Guid.ToString() == s[2])?.Data.FirstOrDefault(d => d.Id.ToString() == s[4])?.DataType == Receipt;

    private string Prefix(string path)
    {
        var prefix = "/" + App + "/";
        return path.StartsWith(prefix, StringComparison.Ordinal) ? path.Substring(prefix.Length) : null;
    }

    private static FakeRoute RouteOf(string method, string[] s)
    {
        if (s == null) return FakeRoute.Unknown;
        string At(int i) => i < s.Length ? s[i] : null;
        if (method == "GET" && s.Length == 3 && At(0) == "api" && At(2) == "applicationmetadata") return FakeRoute.Metadata;
        if (method == "GET" && s.Length == 3 && At(0) == "api" && At(2) == "parties") return FakeRoute.Parties;
        if (At(0) != "instances") return FakeRoute.Unknown;
        if (method == "POST" && (s.Length == 1 || (s.Length == 2 && At(1) == "create"))) return FakeRoute.Create;
        if (s.Length == 3 && At(2) == "active") return method == "GET" ? FakeRoute.ActiveInstances : FakeRoute.Unknown;
        if (s.Length == 3) return method == "GET" ? FakeRoute.GetInstance : method == "DELETE" ? FakeRoute.DeleteInstance : FakeRoute.Unknown;
        return (method, At(3), s.Length) switch
        {
            ("GET", "process", 4) => FakeRoute.GetProcess,
            ("PUT", "process", 5) when At(4) == "next" => FakeRoute.ProcessNext,
            ("GET", "validate", 4) => FakeRoute.Validate,
            ("POST", "data", 4) => FakeRoute.Upload,
            ("POST", "data", 6) when At(4) == "type" => FakeRoute.Upload,
            ("PUT", "data", 5 or 7) => FakeRoute.PutData,
            ("DELETE", "data", 5) => FakeRoute.DeleteData,
            ("GET", "data", 5 or 7) => FakeRoute.GetData,
            _ => FakeRoute.Unknown,
        };
    }

    // ---- the server: called under the gate ----

    private HttpResponseMessage Apply(HttpRequestMessage request, FakeCall call, string[] s, Body body)
    {
        switch (call.Route)
        {
            case FakeRoute.Metadata: return Answer(200, Metadata());
            case FakeRoute.Parties:
                return Answer(200, Organisations.Where(o => o.Key == ConnectedOrganisation)
                    .Select(o => new { partyId = o.Value, partyTypeName = 2, orgNumber = o.Key, name = "Organisation " + o.Key, isDeleted = false }).ToArray());
            case FakeRoute.Create: return Create(request, body);
            case FakeRoute.ActiveInstances:
                var party = int.TryParse(s[1], out var p) ? p : -1;
                return Answer(200, _instances.Where(i => i.PartyId == party && !i.SoftDeleted && i.Ended == null)
                    .Select(i => new { id = i.Id, presentationTexts = (object)null, dueBefore = (DateTime?)null, lastChanged = i.LastChanged, lastChangedBy = "fake" }).ToArray());
            case FakeRoute.Unknown:
                return Problem(404, "Not Found", $"FakeAltinnApp has no route for {call.Method} {call.Path} (app {App}).");
        }

        var instance = _instances.FirstOrDefault(i => i.PartyId.ToString() == s[1] && i.Guid.ToString() == s[2]);
        // as Altinn: a missing instance is 403 where the app checks its policy first, Storage's 404 where it reads first
        if (instance == null) return call.Route is FakeRoute.ProcessNext or FakeRoute.Validate ? Problem(404, "Not Found", null) : Problem(403, "Forbidden", null);
        var element = s.Length >= 5 && s[3] == "data" && Guid.TryParse(s[4], out var dataGuid) ? instance.Data.FirstOrDefault(d => d.Id == dataGuid) : null;
        if (s.Length >= 5 && s[3] == "data" && call.Route != FakeRoute.Upload && element == null)
            return Problem(404, "Data Element Not Found", $"Did not find data element {s[4]} on instance {instance.Id}");
        switch (call.Route)
        {
            case FakeRoute.GetInstance: return Answer(200, InstanceJson(instance, true));
            case FakeRoute.DeleteInstance:
                var hard = request.RequestUri!.Query.Contains("hard=true", StringComparison.OrdinalIgnoreCase);
                instance.SoftDeleted = true;
                instance.LastChanged = Now();
                if (hard) _instances.Remove(instance);
                return Answer(200, InstanceJson(instance, false));
            case FakeRoute.GetProcess: return Answer(200, ProcessJson(instance));
            case FakeRoute.Validate: return Answer(200, Array.Empty<object>());
            case FakeRoute.ProcessNext: return ProcessNext(instance, body);
            case FakeRoute.GetData:
            case FakeRoute.DownloadReceipt:
                return Bytes(element);
            case FakeRoute.PutData:
                if (Refusal(instance) is { } putRefused) return putRefused;
                if (element.Locked) return new HttpResponseMessage(HttpStatusCode.Conflict); // Storage's bare 409
                element.Bytes = body.Bytes;
                element.ContentType = body.ContentType ?? element.ContentType;
                element.LastChanged = instance.LastChanged = Now();
                return Answer(201, ElementJson(instance, element));
            case FakeRoute.DeleteData:
                if (Refusal(instance) is { } deleteRefused) return deleteRefused;
                if (element.DataType == Receipt) return Problem(403, "Forbidden", $"Data element of type {Receipt} cannot be deleted");
                if (element.DataType == "model") return Problem(400, "Cannot Delete main data element", $"The data element {element.Id} is the main form data of the instance");
                instance.Data.Remove(element);
                instance.LastChanged = Now();
                return Answer(200, new { instance = InstanceJson(instance, false) });
            case FakeRoute.Upload:
                return Upload(request, instance, s.Length == 6 ? s[5] : QueryValue(request.RequestUri!, "dataType"), body);
            default:
                return Problem(404, "Not Found", $"FakeAltinnApp has no route for {call.Method} {call.Path}.");
        }
    }

    private HttpResponseMessage Create(HttpRequestMessage request, Body body)
    {
        JsonNode template;
        var parts = body.Parts;
        try
        {
            template = JsonNode.Parse(parts == null ? body.Text : parts.FirstOrDefault(x => x.Name == "instance")?.Text ?? "null");
        }
        catch (JsonException e)
        {
            return Problem(400, "Error reading instance template", e.Message);
        }

        var owner = template?["instanceOwner"];
        string Field(string name) => owner?[name] is JsonValue v ? v.ToString() : null;
        var (org, person, partyText) = (Field("organisationNumber"), Field("personNumber"), Field("partyId"));
        int? party = partyText != null && int.TryParse(partyText, out var id) ? id
            : org != null && Organisations.TryGetValue(org, out var byOrg) ? byOrg
            : person != null && Persons.TryGetValue(person, out var byPerson) ? byPerson : null;
        if (org != null && Refused.Contains(org)) return Problem(403, "Forbidden", null);
        if (party == null) return Answer(404, $"Cannot lookup party: no party for {(org != null ? "organisationNumber " + org : person != null ? "personNumber" : "the instance owner")}");
        org ??= Organisations.FirstOrDefault(o => o.Value == party).Key;
        person ??= org == null ? Persons.FirstOrDefault(o => o.Value == party).Key : null;

        var now = Now();
        var instance = new Inst { Guid = Guid.NewGuid(), PartyId = party.Value, Org = org, Person = person, Created = now, LastChanged = now, Task = 0, TaskStarted = now };
        var prefill = template?["prefill"]?.ToJsonString() ?? "{}";
        instance.Data.Add(new Elem { DataType = "model", ContentType = "application/json", Bytes = Encoding.UTF8.GetBytes(prefill), Created = now, LastChanged = now });
        foreach (var part in parts?.Where(x => x.Name != "instance") ?? Enumerable.Empty<Part>())
        {
            if (part.Name == "model") (instance.Data[0].Bytes, instance.Data[0].ContentType) = (part.Bytes, part.ContentType);
            else instance.Data.Add(new Elem { DataType = part.Name, Filename = part.FileName, ContentType = part.ContentType, Bytes = part.Bytes, Created = now, LastChanged = now });
        }

        _instances.Add(instance);
        var response = Answer(201, InstanceJson(instance, true));
        response.Headers.Location = new Uri(request.RequestUri!, "/" + App + "/instances/" + instance.Id);
        return response;
    }

    private HttpResponseMessage Upload(HttpRequestMessage request, Inst instance, string dataType, Body body)
    {
        var typed = request.RequestUri!.AbsolutePath.Contains("/data/type/", StringComparison.Ordinal);
        var maxCount = dataType switch { "attachment" => 5, "model" => 1, _ => -1 };
        if (maxCount < 0 || dataType == Receipt) return Problem(400, "Data Type Not Found", $"Data type {dataType} not found in applicationmetadata.json");
        if (Refusal(instance) is { } refused) return refused;
        if (instance.Data.Count(d => d.DataType == dataType) >= maxCount) return Problem(409, "Max Count Exceeded", $"Data type {dataType} allows at most {maxCount} element(s)");
        var now = Now();
        var element = new Elem { DataType = dataType, Filename = body.FileName, ContentType = body.ContentType, Bytes = body.Bytes, Created = now, LastChanged = now };
        instance.Data.Add(element);
        instance.LastChanged = now;
        if (!typed) return Answer(201, ElementJson(instance, element));
        return Answer(200, new { newDataElementId = element.Id.ToString(), instance = InstanceJson(instance, false), validationIssues = Array.Empty<object>(), newDataModels = Array.Empty<object>() });
    }

    private HttpResponseMessage ProcessNext(Inst instance, Body body)
    {
        if (instance.Ended != null) return Answer(409, new { status = 409, detail = "Process is ended.", validationIssues = (object)null });
        var (taskId, taskType) = _tasks[instance.Task];
        var action = body.Text.Length > 0 ? JsonNode.Parse(body.Text)?["action"]?.ToString() : null;
        var allowed = taskType switch { "confirmation" => new[] { "confirm" }, "signing" => new[] { "sign", "write" }, _ => new[] { "write" } };
        if (action != null && !allowed.Contains(action))
            return Problem(403, "Unauthorized", $"User is not authorized to perform process next. Task ID: {taskId}. Task type: {taskType}. Action: {action}.");

        var now = Now();
        // ending a task locks the data of the types the metadata binds to it (model and attachment to Task_1); ending
        // the process locks everything and files the receipt
        foreach (var element in instance.Data.Where(d => d.DataType is "model" or "attachment" && taskId == "Task_1")) element.Locked = true;
        instance.Task++;
        instance.TaskStarted = now;
        if (instance.Task == _tasks.Length)
        {
            instance.Ended = now;
            foreach (var element in instance.Data) element.Locked = true;
            instance.Data.Add(new Elem
            {
                DataType = Receipt, Filename = App.Split('/')[1] + ".pdf", ContentType = "application/pdf", Locked = true, Created = now, LastChanged = now,
                Bytes = Encoding.ASCII.GetBytes($"%PDF-1.4\n% receipt of {instance.Id}\n%%EOF\n"),
            });
        }

        instance.LastChanged = now;
        return Answer(200, ProcessJson(instance));
    }

    /// <summary>
    /// A data change Altinn refuses: after the end event the policy grants only <c>read</c> (a bare 403); a deleted
    /// instance is not active (409).
    /// </summary>
    private static HttpResponseMessage Refusal(Inst instance) =>
        instance.Ended != null ? Problem(403, "Forbidden", null)
        : instance.SoftDeleted ? Problem(409, "Instance Not Active", $"Cannot update data element of archived or deleted instance {instance.Id}")
        : null;

    // ---- the JSON the engine reads ----

    private object Metadata()
    {
        var org = App.Split('/')[0];
        object Type(string id, string[] types, string task, int maxCount, object appLogic = null) =>
            new { id, allowedContentTypes = types, appLogic, taskId = task, maxSize = (int?)null, maxCount, minCount = id == "model" ? 1 : 0, enablePdfCreation = id != "attachment", enableFileScan = false };
        return new
        {
            id = App,
            org,
            title = new Dictionary<string, string> { ["nb"] = App },
            dataTypes = new[]
            {
                Type(Receipt, new[] { "application/pdf" }, null, 0),
                Type("model", new[] { "application/xml", "application/json" }, "Task_1", 1, new { autoCreate = true, classRef = "Altinn.App.Models.Model.Model" }),
                Type("attachment", new[] { "application/pdf" }, "Task_1", 5),
            },
            partyTypesAllowed = new { bankruptcyEstate = false, organisation = false, person = false, subUnit = false },
        };
    }

    private object InstanceJson(Inst i, bool withParty) => new
    {
        id = i.Id,
        instanceOwner = new
        {
            partyId = i.PartyId.ToString(),
            organisationNumber = i.Org,
            personNumber = i.Person,
            party = withParty ? new { partyId = i.PartyId, partyTypeName = i.Org != null ? 2 : 1, orgNumber = i.Org, ssn = i.Person, name = "Party " + i.PartyId } : null,
        },
        appId = App,
        org = App.Split('/')[0],
        process = ProcessJson(i),
        status = new { isArchived = i.Ended != null, archived = i.Ended, isSoftDeleted = i.SoftDeleted, isHardDeleted = false, readStatus = 1 },
        data = i.Data.Select(d => ElementJson(i, d)).ToArray(),
        created = i.Created, createdBy = "fake", lastChanged = i.LastChanged, lastChangedBy = "fake",
    };

    private static object ElementJson(Inst i, Elem d) => new
    {
        id = d.Id.ToString(), instanceGuid = i.Guid.ToString(), dataType = d.DataType, filename = d.Filename, contentType = d.ContentType,
        size = d.Bytes.LongLength, locked = d.Locked, isRead = true, tags = Array.Empty<string>(), fileScanResult = "NotApplicable",
        created = d.Created, lastChanged = d.LastChanged,
    };

    private object ProcessJson(Inst i)
    {
        var current = i.Ended == null ? _tasks[i.Task] : default;
        return new
        {
            started = i.Created,
            startEvent = "StartEvent_1",
            currentTask = current.Id == null ? null : new
            {
                flow = i.Task + 2, started = i.TaskStarted, elementId = current.Id, name = current.Id, altinnTaskType = current.Type, flowType = "CompleteCurrentMoveToNext",
                actions = new Dictionary<string, bool> { [current.Type switch { "confirmation" => "confirm", "signing" => "sign", _ => "write" }] = true },
                read = true, write = current.Type == "data",
            },
            ended = i.Ended,
            endEvent = i.Ended == null ? null : "EndEvent_1",
            processTasks = _tasks.Select(t => new { altinnTaskType = t.Type, elementId = t.Id, elementType = "Task" }).ToArray(),
        };
    }

    private DateTime Now()
    {
        var now = Clock();
        return now.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(now, DateTimeKind.Utc) : now.ToUniversalTime();
    }

    private static HttpResponseMessage Answer(int status, object value) =>
        new((HttpStatusCode)status) { Content = new StringContent(JsonSerializer.Serialize(value, Json), Encoding.UTF8, "application/json") };

    private static HttpResponseMessage Problem(int status, string title, string detail)
    {
        var response = Answer(status, new { type = "https://tools.ietf.org/html/rfc9110", title, status, detail });
        response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/problem+json") { CharSet = "utf-8" };
        return response;
    }

    private static HttpResponseMessage Bytes(Elem element)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(element.Bytes) };
        response.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(element.ContentType ?? "application/octet-stream");
        if (element.Filename != null) response.Content.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileName = "\"" + element.Filename + "\"" };
        return response;
    }

    private static string QueryValue(Uri uri, string name) =>
        uri.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).Where(p => p[0] == name && p.Length == 2).Select(p => Uri.UnescapeDataString(p[1])).FirstOrDefault();

    private static string FileNameOf(ContentDispositionHeaderValue disposition) =>
        disposition == null ? null : (disposition.FileNameStar ?? disposition.FileName)?.Trim('"');

    // ---- state ----

    private sealed class Inst
    {
        public readonly List<Elem> Data = new();
        public Guid Guid;
        public int PartyId, Task; // Task: index into the process's tasks
        public string Org, Person;
        public DateTime Created, LastChanged, TaskStarted;
        public DateTime? Ended;
        public bool SoftDeleted;

        public string Id => PartyId + "/" + Guid;

        public FakeInstance View(string currentTask) => new(Id, PartyId, Org, Person, currentTask, Ended, SoftDeleted, Created, LastChanged,
            Data.Select(d => new FakeElement(d.Id.ToString(), d.DataType, d.Filename, d.ContentType, d.Bytes.LongLength, d.Locked, d.Bytes.ToArray())).ToArray());
    }

    private sealed class Elem
    {
        public readonly Guid Id = Guid.NewGuid();
        public string DataType, Filename, ContentType;
        public byte[] Bytes = Array.Empty<byte>();
        public bool Locked;
        public DateTime Created, LastChanged;
    }

    private sealed record Part(string Name, string FileName, string ContentType, byte[] Bytes)
    {
        public string Text => Encoding.UTF8.GetString(Bytes);
    }

    /// <summary>A request body, read before anything is decided: bytes, or the parts of a multipart body (each read once: a file part streams from disk).</summary>
    private sealed class Body
    {
        public byte[] Bytes = Array.Empty<byte>();
        public string ContentType;
        public string FileName;
        public List<Part> Parts;

        public string Text => Encoding.UTF8.GetString(Bytes);

        public static async Task<Body> ReadAsync(HttpContent content, CancellationToken cancellationToken)
        {
            var body = new Body();
            if (content == null) return body;
            body.ContentType = content.Headers.ContentType?.ToString();
            body.FileName = FileNameOf(content.Headers.ContentDisposition);
            if (content is MultipartContent multipart)
            {
                body.Parts = new List<Part>();
                foreach (var part in multipart)
                {
                    var name = part.Headers.ContentDisposition?.Name?.Trim('"');
                    body.Parts.Add(new Part(name, FileNameOf(part.Headers.ContentDisposition), part.Headers.ContentType?.MediaType, await part.ReadAsByteArrayAsync(cancellationToken)));
                }
            }
            else
            {
                body.Bytes = await content.ReadAsByteArrayAsync(cancellationToken);
            }

            return body;
        }
    }
}
