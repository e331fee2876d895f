using AltinnApp.Simulator.Control;
using AltinnApp.Simulator.Infrastructure;
using AltinnApp.Simulator.Models;
using AltinnApp.Simulator.Storage;

namespace AltinnApp.Simulator.Apps;

/// <summary>
/// The data controller (reference §4.5): create (legacy <c>?dataType=</c> → 201 DataElement with
/// text/plain errors; <c>data/type/{dataType}</c> → 200 DataPostResponse with ProblemDetails errors),
/// read, replace and delete.
/// </summary>
public static class DataEndpoints
{
    private const string InstancePath = "/instances/{instanceOwnerPartyId:int}/{instanceGuid:guid}";
    private const long MaxFormDataBytes = 20 * 1024 * 1024;

    public static void MapData(this RouteGroupBuilder app)
    {
        app.MapPost(InstancePath + "/data", CreateLegacy);
        app.MapPost(InstancePath + "/data/type/{dataType}", Create);
        app.MapGet(InstancePath + "/data/{dataGuid:guid}", Get);
        app.MapGet(InstancePath + "/data/{dataGuid:guid}/type/{dataType}", Get);
        app.MapPut(InstancePath + "/data/{dataGuid:guid}", Put);
        app.MapPut(InstancePath + "/data/{dataGuid:guid}/type/{dataType}", Put);
        app.MapDelete(InstancePath + "/data/{dataGuid:guid}", Delete);
    }

    /// <summary>Why a data request failed, before it is rendered in the error-body kind of its route.</summary>
    private abstract record Failure;
    private sealed record UploadIssues(List<ValidationIssueWithSource> Issues) : Failure;
    private sealed record Problem(int Status, string Title, string? Detail) : Failure;
    private sealed record Bare(int Status) : Failure;

    private static async Task<IResult> CreateLegacy(HttpContext http, BlobStore blobs, int instanceOwnerPartyId, Guid instanceGuid, string? dataType)
    {
        var call = AppCall.From(http);
        var (instance, error) = call.LoadInstance(instanceOwnerPartyId, instanceGuid, requiredAction: "write");
        if (error is not null) return error;
        if (string.IsNullOrEmpty(dataType)) return Responses.Text(400, "Element type must be provided.");

        var (element, failure) = await CreateElementAsync(call, instance!, dataType, blobs);
        if (failure is not null)
        {
            // The legacy route turns upload issues and 400 problems into plain text.
            return failure switch
            {
                UploadIssues u => Responses.Text(400, string.Join(';', u.Issues.Select(i => i.Description))),
                Problem { Status: 400 } p => Responses.Text(400, p.Detail ?? p.Title),
                _ => Render(failure),
            };
        }
        lock (instance!.Gate)
        {
            http.Response.Headers.Location = InstanceViews.DataUrl(call.BaseUrl, instance, element!);
            return Responses.Json(InstanceViews.DataElement(instance, element!, call.BaseUrl), StatusCodes.Status201Created);
        }
    }

    private static async Task<IResult> Create(HttpContext http, BlobStore blobs, int instanceOwnerPartyId, Guid instanceGuid, string dataType)
    {
        var call = AppCall.From(http);
        var (instance, error) = call.LoadInstance(instanceOwnerPartyId, instanceGuid, requiredAction: "write");
        if (error is not null) return error;

        var (element, failure) = await CreateElementAsync(call, instance!, dataType, blobs);
        if (failure is not null) return Render(failure);
        lock (instance!.Gate)
        {
            return Responses.Json(new DataPostResponse
            {
                NewDataElementId = element!.Id,
                Instance = InstanceViews.Instance(instance, call.BaseUrl),
            });
        }
    }

    private static async Task<(SimDataElement? Element, Failure? Failure)> CreateElementAsync(AppCall call, SimInstance instance, string dataTypeId, BlobStore blobs)
    {
        var request = call.Http.Request;
        var type = call.App.DataType(dataTypeId);
        if (type is null) return (null, new Problem(400, "Data Type Not Found", $"Data type {dataTypeId} not found in applicationmetadata.json"));
        if (type.DisallowUserCreate) return (null, new Problem(400, "User Create Disallowed", $"Data type {dataTypeId} is disallowed for user creation"));
        if (CheckWritable(instance, type, null) is { } writeFailure) return (null, writeFailure);
        if (CountFailure(instance, type) is { } countFailure) return (null, countFailure);

        SimDataElement element;
        if (type.IsFormData)
        {
            var (values, formFailure) = await ReadFormDataAsync(call, request);
            if (formFailure is not null) return (null, formFailure);
            element = InstanceService.NewFormElement(instance, type, values!, call.Caller);
        }
        else
        {
            string? disposition = request.Headers.ContentDisposition.ToString();
            var issues = Uploads.CheckRestrictions(type, disposition, request.ContentType, request.ContentLength);
            if (issues.Count > 0) return (null, new UploadIssues(issues));
            if (string.IsNullOrEmpty(request.ContentType)) return (null, new Problem(400, "Missing content type", "The request must include a Content-Type header"));
            var (path, size, failure) = await ReceiveBinaryAsync(call, type, blobs);
            if (failure is not null) return (null, failure);
            element = InstanceService.NewBinaryElement(type, Uploads.FileName(disposition), Uploads.MediaType(request.ContentType), path!, size, call.Caller);
        }

        lock (instance.Gate)
        {
            // Checked again under the lock: parallel uploads must not pass maxCount together.
            var late = CheckWritable(instance, type, null) ?? CountFailure(instance, type);
            if (late is not null)
            {
                BlobStore.Delete(element.BlobPath);
                return (null, late);
            }
            instance.Data.Add(element);
            instance.Touch(call.Caller.Name);
        }
        return (element, null);
    }

    private static async Task<(string? Path, long Size, Failure? Failure)> ReceiveBinaryAsync(AppCall call, DataTypeDefinition type, BlobStore blobs)
    {
        var (path, size, tooLarge) = await Uploads.StreamToFileAsync(call.Http.Request.Body, type.MaxSizeBytes, blobs, call.Http.RequestAborted);
        if (tooLarge) return (null, size, new Problem(413, "Request too large", $"The request body is larger than the {type.MaxSizeMb} MB allowed for {type.Id}"));
        if (size == 0)
        {
            BlobStore.Delete(path);
            return (null, 0, new Problem(400, "Invalid data", "Invalid data provided. Error: The file is zero bytes."));
        }
        return (path, size, null);
    }

    private static async Task<(Dictionary<string, string?>? Values, Failure? Failure)> ReadFormDataAsync(AppCall call, HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, call.Http.RequestAborted);
        if (buffer.Length > MaxFormDataBytes) return (null, new Problem(413, "Request too large", "Form data is too large"));
        var (values, error) = FormData.Parse(call.App, request.ContentType, buffer.ToArray());
        return error is null ? (values, null) : (null, new Problem(error.Status, error.Title, error.Detail));
    }

    /// <summary>
    /// The state checks before a change, in the app's order (app-lib <c>DataElementAccessChecker.GetMutationProblem</c>):
    /// the data type's task, only when the app turns <c>EnforceDataTypeTaskId</c> on (default off); then an archived or
    /// deleted instance. <paramref name="element"/> is the element a PUT replaces: Storage refuses it with a bare 409 when
    /// it is locked (<c>DataController.OverwriteData</c>); a delete and a new element are not refused for a lock.
    /// </summary>
    private static Failure? CheckWritable(SimInstance instance, DataTypeDefinition type, SimDataElement? element)
    {
        lock (instance.Gate)
        {
            if (instance.App.EnforceDataTypeTaskId && type.TaskId is not null && type.TaskId != instance.CurrentTaskId)
                return new Problem(409, "Conflict with Current Task", $"Data element of type {type.Id} can only be modified in {type.TaskId} (current task {instance.CurrentTaskId})");
            if (!instance.IsActive)
                return new Problem(409, "Instance Not Active", $"Cannot update data element of archived or deleted instance {instance.Id}");
            if (instance.CurrentTaskId is null)
                return new Problem(409, "No current task", "The instance has no current task");
            if (element is { Locked: true })
                return new Bare(409); // Storage: "Data element ... is locked and cannot be updated", which the app answers with Conflict()
            return null;
        }
    }

    private static Failure? CountFailure(SimInstance instance, DataTypeDefinition type)
    {
        lock (instance.Gate)
        {
            int count = instance.Data.Count(d => d.DataType == type.Id);
            return type.MaxCount > 0 && count >= type.MaxCount
                ? new Problem(409, "Max Count Exceeded", $"Cannot create more than {type.MaxCount} data elements of type {type.Id}")
                : null;
        }
    }

    private static IResult Render(Failure failure) => failure switch
    {
        UploadIssues u => Responses.Problem(400, "File validation failed", "Common checks failed",
            new Dictionary<string, object?> { ["uploadValidationIssues"] = u.Issues }),
        Problem p => Responses.Problem(p.Status, p.Title, p.Detail),
        Bare b => Responses.BareProblem(b.Status),
        _ => Responses.BareProblem(500),
    };

    private static (SimDataElement? Element, IResult? Error) FindElement(AppCall call, SimInstance instance, Guid dataGuid, string? dataType)
    {
        SimDataElement? element;
        lock (instance.Gate) element = instance.Data.FirstOrDefault(d => d.Id == dataGuid);
        if (element is null)
            return (null, Responses.Problem(404, "Data Element Not Found", $"Did not find data element {dataGuid} on instance {instance.Id}"));
        if (dataType is not null && dataType != element.DataType)
            return (null, Responses.Text(400, $"Data element {dataGuid} is of type {element.DataType}, not {dataType}"));
        return (element, null);
    }

    private static IResult Get(HttpContext http, int instanceOwnerPartyId, Guid instanceGuid, Guid dataGuid, string? dataType)
    {
        var call = AppCall.From(http);
        var (instance, error) = call.LoadInstance(instanceOwnerPartyId, instanceGuid);
        if (error is not null) return error;
        // a disguised element is found by its real id whatever data type the client read from the disguise
        var hostile = HostileData.For(dataGuid);
        var (element, elementError) = FindElement(call, instance!, dataGuid, hostile is null ? dataType : null);
        if (elementError is not null) return elementError;

        if (element!.FormData is not null)
        {
            Dictionary<string, string?> values;
            lock (instance!.Gate) values = new(element.FormData);
            return PrefersXml(http.Request)
                ? Results.Bytes(Padded(FormData.ToXml(instance.App, values), hostile), "application/xml; charset=utf-8")
                : Results.Bytes(Padded(FormData.ToJson(instance.App, values), hostile), Responses.JsonContentType);
        }

        string? path;
        lock (instance!.Gate) path = element.BlobPath;
        if (path is null || !File.Exists(path)) return Responses.BareProblem(404);
        if (hostile is { ExtraBytes: > 0 })
            return Results.File(Padded(File.ReadAllBytes(path), hostile), element.ContentType, hostile.Filename ?? element.Filename ?? element.Id.ToString());
        return Results.File(BlobStore.OpenRead(path), element.ContentType, element.Filename ?? element.Id.ToString());
    }

    /// <summary>The content and then the hostile fault's extra bytes.</summary>
    private static byte[] Padded(byte[] content, HostileElement? hostile)
    {
        if (hostile is not { ExtraBytes: > 0 }) return content;
        var padded = new byte[content.Length + hostile.ExtraBytes];
        content.CopyTo(padded, 0);
        Array.Fill(padded, (byte)'A', content.Length, (int)hostile.ExtraBytes);
        return padded;
    }

    /// <summary>The app picks the form data serializer by Accept: JSON unless XML ranks first.</summary>
    private static bool PrefersXml(HttpRequest request)
    {
        var accepted = request.GetTypedHeaders().Accept
            .Where(a => a.MediaType.HasValue && (a.MediaType.Value!.Contains("json") || a.MediaType.Value.Contains("xml")))
            .OrderByDescending(a => a.Quality ?? 1.0)
            .FirstOrDefault();
        return accepted?.MediaType.Value?.Contains("xml") == true;
    }

    private static async Task<IResult> Put(HttpContext http, BlobStore blobs, int instanceOwnerPartyId, Guid instanceGuid, Guid dataGuid, string? dataType)
    {
        var call = AppCall.From(http);
        var request = http.Request;
        var (instance, error) = call.LoadInstance(instanceOwnerPartyId, instanceGuid, requiredAction: "write");
        if (error is not null) return error;
        var (element, elementError) = FindElement(call, instance!, dataGuid, dataType);
        if (elementError is not null) return elementError;
        if (element!.DataType == AppDefinition.PdfDataType)
            return Responses.Problem(403, "Forbidden", $"Data element of type {AppDefinition.PdfDataType} cannot be modified");
        var type = call.App.DataType(element.DataType);
        if (type is null) return Responses.Problem(400, "Data Type Not Found", $"Data type {element.DataType} not found in applicationmetadata.json");
        if (CheckWritable(instance!, type, null) is { } writeFailure) return Render(writeFailure);

        if (element.FormData is not null)
        {
            var (values, formFailure) = await ReadFormDataAsync(call, request);
            if (formFailure is not null) return Render(formFailure);
            var (content, _) = FormData.Stored(call.App, type, values!);
            lock (instance!.Gate)
            {
                if (CheckWritable(instance, type, element) is { } late) return Render(late);
                element.FormData = values;
                element.Size = content.Length;
                element.LastChanged = DateTime.UtcNow;
                element.LastChangedBy = call.Caller.Name;
                instance.Touch(call.Caller.Name);
            }
        }
        else
        {
            // Binary replace: the same restrictions as create, reported as plain text.
            string disposition = request.Headers.ContentDisposition.ToString();
            if (string.IsNullOrWhiteSpace(disposition))
                return Responses.Text(400, "Invalid data provided. Error: The request must include a Content-Disposition header");
            var issues = Uploads.CheckRestrictions(type, disposition, request.ContentType, request.ContentLength);
            if (issues.Count > 0) return Responses.Text(400, string.Join(';', issues.Select(i => i.Description)));
            var (path, size, failure) = await ReceiveBinaryAsync(call, type, blobs);
            if (failure is Problem { Status: 413 }) return Responses.Text(400, "Invalid data provided. Error: Binary attachment exceeds limit");
            if (failure is not null) return Render(failure);
            string? oldPath;
            lock (instance!.Gate)
            {
                if (CheckWritable(instance, type, element) is { } late)
                {
                    BlobStore.Delete(path);
                    return Render(late);
                }
                oldPath = element.BlobPath;
                element.BlobPath = path;
                element.Size = size;
                element.Filename = Uploads.FileName(disposition) ?? element.Filename;
                element.ContentType = Uploads.MediaType(request.ContentType) is { Length: > 0 } mediaType ? mediaType : element.ContentType;
                element.LastChanged = DateTime.UtcNow;
                element.LastChangedBy = call.Caller.Name;
                instance.Touch(call.Caller.Name);
            }
            BlobStore.Delete(oldPath);
        }

        lock (instance.Gate)
        {
            http.Response.Headers.Location = InstanceViews.DataUrl(call.BaseUrl, instance, element);
            return Responses.Json(InstanceViews.DataElement(instance, element, call.BaseUrl), StatusCodes.Status201Created);
        }
    }

    private static IResult Delete(HttpContext http, int instanceOwnerPartyId, Guid instanceGuid, Guid dataGuid)
    {
        var call = AppCall.From(http);
        var (instance, error) = call.LoadInstance(instanceOwnerPartyId, instanceGuid, requiredAction: "write");
        if (error is not null) return error;
        var (element, elementError) = FindElement(call, instance!, dataGuid, null);
        if (elementError is not null) return elementError;
        if (element!.DataType == AppDefinition.PdfDataType)
            return Responses.Problem(403, "Forbidden", $"Data element of type {AppDefinition.PdfDataType} cannot be deleted");
        var type = call.App.DataType(element.DataType);
        if (type is null) return Responses.Problem(400, "Data Type Not Found", $"Data type {element.DataType} not found in applicationmetadata.json");

        lock (instance!.Gate)
        {
            // Storage deletes a locked element too (DataController.Delete has no lock check): only the app's checks apply.
            if (CheckWritable(instance, type, null) is { } writeFailure) return Render(writeFailure);
            if (type.IsFormData && type.MinCount == 1 && type.MaxCount == 1)
                return Responses.Problem(400, "Cannot Delete main data element", $"The data element {element.Id} of type {type.Id} is the main form data of the instance");
            if (type.DisallowUserDelete)
                return Responses.Problem(400, "User Delete Disallowed", $"Data type {type.Id} is disallowed for user deletion");
            instance.Data.Remove(element);
            instance.Touch(call.Caller.Name);
            BlobStore.Delete(element.BlobPath);
            return Responses.Json(new DataDeleteResponse { Instance = InstanceViews.Instance(instance, call.BaseUrl) });
        }
    }
}
