using System.Text.Json;
using System.Text.Json.Nodes;
using AltinnApp.Simulator.Infrastructure;
using AltinnApp.Simulator.Storage;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace AltinnApp.Simulator.Apps;

/// <summary>
/// The instances controller (reference §4.2–§4.4, §4.9). Plain-text errors here are JSON strings, as
/// the real controller carries <c>[Produces("application/json")]</c>.
/// </summary>
public static class InstanceEndpoints
{
    private const string MetadataMismatch = "Error when comparing content to application metadata: ";

    public static void MapInstances(this RouteGroupBuilder app)
    {
        app.MapPost("/instances/create", CreateSimplified);
        app.MapPost("/instances", CreateMultipart);
        app.MapGet("/instances/{instanceOwnerPartyId:int}/{instanceGuid:guid}", Get);
        app.MapDelete("/instances/{instanceOwnerPartyId:int}/{instanceGuid:guid}", Delete);
        app.MapGet("/instances/{instanceOwnerPartyId:int}/active", Active);
    }

    private static async Task<IResult> CreateSimplified(HttpContext http, InstanceService service, PartyRegistry parties)
    {
        var call = AppCall.From(http);
        if (!(http.Request.ContentType ?? "").Contains("json", StringComparison.OrdinalIgnoreCase))
            return Responses.BareProblem(StatusCodes.Status415UnsupportedMediaType);
        // [FromBody] InstansiationInstance: a body that does not bind (a number or an object in prefill, a date that
        // is not one, ...) is a 400 ValidationProblemDetails before the controller runs
        var (body, bindingError) = await InstantiationBinding.BindAsync(http.Request, http.RequestAborted);
        if (bindingError is not null) return bindingError;

        var owner = body!.InstanceOwner is { } o
            ? new Models.InstanceOwner { PartyId = o.PartyId, OrganisationNumber = o.OrganisationNumber, PersonNumber = o.PersonNumber, Username = o.Username, ExternalIdentifier = o.ExternalIdentifier }
            : null;
        if (owner is null || IsEmpty(owner))
            return Responses.JsonString(400, "Error: instanceOwnerPartyId query parameter is empty and InstanceOwner is missing from instance template. You must populate instanceOwnerPartyId or InstanceOwner");
        if (!string.IsNullOrEmpty(body.SourceInstanceId))
            return Responses.JsonString(400, "Creating instance based on a copy from an archived instance is not enabled for this app.");

        var (party, lookupError) = LookupParty(parties, owner);
        if (party is null) return Responses.JsonString(404, lookupError!);
        if (!call.Caller.MayActFor(party)) return Responses.BareProblem(403);

        var prefill = new Dictionary<string, string?>(body.Prefill ?? [], StringComparer.Ordinal);
        var instance = service.New(call.App, party, call.Caller, Utc(body.DueBefore), Utc(body.VisibleAfter));
        service.Complete(instance, call.Caller, prefill);
        return Created(call, instance);
    }

    private static async Task<IResult> CreateMultipart(HttpContext http, InstanceService service, PartyRegistry parties, BlobStore blobs, int? instanceOwnerPartyId)
    {
        var call = AppCall.From(http);
        var request = http.Request;
        JsonObject? template = null;
        var parts = new List<UploadedPart>();

        try
        {
            if (request.ContentType is { } ct && ct.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
            {
                var (readParts, readTemplate, error) = await ReadPartsAsync(call, blobs);
                parts = readParts;
                if (error is not null) return error;
                template = readTemplate;
            }
            else if ((request.ContentType ?? "").Contains("json", StringComparison.OrdinalIgnoreCase))
            {
                try
                {
                    template = await JsonNode.ParseAsync(request.Body, cancellationToken: http.RequestAborted) as JsonObject;
                }
                catch (JsonException e)
                {
                    return Responses.JsonString(400, $"Error reading instance template: {e.Message}");
                }
            }

            var owner = ReadOwner(template?["instanceOwner"]);
            if (owner is not null && IsEmpty(owner)) owner = null;
            if (instanceOwnerPartyId is not null && owner is not null)
                return Responses.JsonString(400, "You cannot provide an instanceOwnerPartyId as a query param as well as an instance owner element in the instance template, please choose one or the other.");
            if (instanceOwnerPartyId is null && owner is null)
                return Responses.JsonString(400, "Error: instanceOwnerPartyId query parameter is empty and InstanceOwner is missing from instance template. You must populate instanceOwnerPartyId or InstanceOwner");
            owner ??= new Models.InstanceOwner { PartyId = instanceOwnerPartyId!.Value.ToString() };

            var (party, lookupError) = LookupParty(parties, owner);
            if (party is null) return Responses.JsonString(404, lookupError!);
            if (!call.Caller.MayActFor(party)) return Responses.BareProblem(403);

            var instance = service.New(call.App, party, call.Caller, DateOf(template?["dueBefore"]), DateOf(template?["visibleAfter"]));
            // The half-made instance is never stored if a part fails, which is what deleting it amounts to.
            foreach (var part in parts)
            {
                if (part.Type.IsFormData)
                {
                    byte[] content = await File.ReadAllBytesAsync(part.Path, http.RequestAborted);
                    var (values, formError) = FormData.Parse(call.App, part.ContentType, content);
                    if (formError is not null) return Responses.Problem(formError.Status, formError.Title, formError.Detail);
                    instance.Data.Add(InstanceService.NewFormElement(instance, part.Type, values!, call.Caller));
                }
                else
                {
                    instance.Data.Add(InstanceService.NewBinaryElement(part.Type, part.FileName, part.ContentType, part.Path, part.Size, call.Caller));
                    part.Kept = true;
                }
            }
            service.Complete(instance, call.Caller, prefill: null);
            return Created(call, instance);
        }
        finally
        {
            foreach (var part in parts.Where(p => !p.Kept)) BlobStore.Delete(part.Path);
        }
    }

    private sealed class UploadedPart(DataTypeDefinition type, string contentType, string? fileName, string path, long size)
    {
        public DataTypeDefinition Type { get; } = type;
        public string ContentType { get; } = contentType;
        public string? FileName { get; } = fileName;
        public string Path { get; } = path;
        public long Size { get; } = size;
        public bool Kept { get; set; }
    }

    /// <summary>
    /// Streams every part to a temporary file, checking it against applicationmetadata as it goes
    /// (reference §4.3): a part with an unknown name, a content type the type does not allow, no data,
    /// too much data, or one too many of a type fails the whole request.
    /// </summary>
    private static async Task<(List<UploadedPart> Parts, JsonObject? Template, IResult? Error)> ReadPartsAsync(AppCall call, BlobStore blobs)
    {
        var request = call.Http.Request;
        var parts = new List<UploadedPart>();
        JsonObject? template = null;
        string boundary = HeaderUtilities.RemoveQuotes(MediaTypeHeaderValue.Parse(request.ContentType).Boundary).Value ?? "";
        if (boundary.Length == 0)
            return (parts, null, Responses.Problem(400, "Error reading request", "The multipart request has no boundary"));

        var reader = new MultipartReader(boundary, request.Body);
        int number = 0;
        MultipartSection? section;
        while ((section = await reader.ReadNextSectionAsync(call.Http.RequestAborted)) is not null)
        {
            number++;
            string? disposition = section.ContentDisposition;
            if (string.IsNullOrWhiteSpace(disposition) || !ContentDispositionHeaderValue.TryParse(disposition, out var parsed))
                return (parts, null, Responses.Problem(400, "Error reading request", $"Part number {number} doesn't have a content disposition"));
            if (string.IsNullOrWhiteSpace(section.ContentType))
                return (parts, null, Responses.Problem(400, "Error reading request", $"Part number {number} doesn't have a content type"));

            string name = HeaderUtilities.RemoveQuotes(parsed.Name).Value ?? "";
            string mediaType = Uploads.MediaType(section.ContentType);
            Control.RequestLog.AddPart(call.Http, new Control.LoggedPart(name, section.ContentType,
                HeaderUtilities.RemoveQuotes(parsed.FileNameStar.HasValue ? parsed.FileNameStar : parsed.FileName).Value));
            if (name == "instance" || (name.Length == 0 && template is null && mediaType.Contains("json")))
            {
                if (!mediaType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
                    return (parts, null, Responses.JsonString(400, $"{MetadataMismatch}The multipart section named instance has a Content-Type '{section.ContentType}' which is invalid for the instance template (use application/json)"));
                try
                {
                    template = await JsonNode.ParseAsync(section.Body, cancellationToken: call.Http.RequestAborted) as JsonObject;
                }
                catch (JsonException e)
                {
                    return (parts, null, Responses.JsonString(400, $"Error reading instance template: {e.Message}"));
                }
                continue;
            }
            if (name == "notification")
            {
                await section.Body.CopyToAsync(Stream.Null, call.Http.RequestAborted);
                continue;
            }

            var type = call.App.DataType(name);
            if (type is null)
                return (parts, null, Responses.JsonString(400, $"{MetadataMismatch}Multipart section named, '{name}' does not correspond to an element type in application metadata"));
            // ALD RequestPartValidator: the raw Content-Type before ';', exactly as listed (no octet-stream wildcard, no extension check)
            if (!Uploads.PartContentTypeAllowed(type, section.ContentType))
                return (parts, null, Responses.JsonString(400, $"{MetadataMismatch}The multipart section named {name} has a Content-Type '{section.ContentType}' which is invalid for element type '{type.Id}'"));
            if (type.MaxCount > 0 && parts.Count(p => p.Type.Id == type.Id) >= type.MaxCount)
                return (parts, null, Responses.JsonString(400, $"{MetadataMismatch}The list of parts contains more elements of type '{type.Id}' than the element type allows."));

            var (path, size, tooLarge) = await Uploads.StreamToFileAsync(section.Body, type.MaxSizeBytes, blobs, call.Http.RequestAborted);
            if (tooLarge)
                return (parts, null, Responses.JsonString(400, $"{MetadataMismatch}The multipart section named {name} exceeds the size limit of element type '{type.Id}'"));
            var part = new UploadedPart(type, mediaType, Uploads.FileName(disposition), path!, size);
            parts.Add(part);
            if (size == 0)
                return (parts, null, Responses.JsonString(400, $"{MetadataMismatch}The multipart section named {name} has no data. Cannot process empty part."));
        }
        return (parts, template, null);
    }

    private static IResult Get(HttpContext http, int instanceOwnerPartyId, Guid instanceGuid)
    {
        var call = AppCall.From(http);
        var (instance, error) = call.LoadInstance(instanceOwnerPartyId, instanceGuid);
        if (error is not null) return error;
        lock (instance!.Gate) return Responses.Json(InstanceViews.Response(instance, call.BaseUrl));
    }

    private static IResult Delete(HttpContext http, InstanceStore store, int instanceOwnerPartyId, Guid instanceGuid, bool? hard)
    {
        var call = AppCall.From(http);
        var (instance, error) = call.LoadInstance(instanceOwnerPartyId, instanceGuid);
        if (error is not null) return error;
        Models.Instance view;
        lock (instance!.Gate)
        {
            var now = DateTime.UtcNow;
            if (hard == true) { instance.IsHardDeleted = true; instance.HardDeleted = now; }
            instance.IsSoftDeleted = true;
            instance.SoftDeleted = now;
            instance.Touch(call.Caller.Name);
            view = InstanceViews.Instance(instance, call.BaseUrl);
        }
        if (hard == true) store.Remove(instance);
        return Responses.Json(view);
    }

    private static IResult Active(HttpContext http, InstanceStore store, PartyRegistry parties, int instanceOwnerPartyId)
    {
        var call = AppCall.From(http);
        // app-lib GetActiveInstances asks Storage's instance query, which drops every instance the PDP does not let the
        // caller read (STO InstancesController.ExecuteQueryAndBuildResponse, AuthorizeInstances): a party the system user
        // cannot act for, or one that does not exist, is an empty list, not a 403
        var party = parties.ById(instanceOwnerPartyId);
        if (party is null || !call.Caller.MayActFor(party)) return Responses.Json(new List<Models.SimpleInstance>());
        var active = new List<Models.SimpleInstance>();
        foreach (var instance in store.All().Where(i => i.Owner.PartyId == instanceOwnerPartyId && i.App.AppId == call.App.AppId))
        {
            lock (instance.Gate)
                if (instance.IsActive) active.Add(InstanceViews.Simple(instance));
        }
        return Responses.Json(active);
    }

    private static IResult Created(AppCall call, SimInstance instance)
    {
        lock (instance.Gate)
        {
            var response = InstanceViews.Response(instance, call.BaseUrl);
            call.Http.Response.Headers.Location = response.SelfLinks!.Apps;
            return Responses.Json(response, StatusCodes.Status201Created);
        }
    }

    /// <summary>The app's party lookup: partyId, then organisation number, then person number.</summary>
    private static (Party? Party, string? Error) LookupParty(PartyRegistry parties, Models.InstanceOwner owner)
    {
        if (!string.IsNullOrEmpty(owner.PartyId))
        {
            var byId = int.TryParse(owner.PartyId, out var id) ? parties.ById(id) : null;
            return byId is not null ? (byId, null) : (null, $"Cannot lookup party: Failed to lookup party by partyId: {owner.PartyId}. The exception was: Party not found");
        }
        if (!string.IsNullOrEmpty(owner.OrganisationNumber))
        {
            var byOrg = parties.ByOrganisationNumber(owner.OrganisationNumber);
            return byOrg is not null ? (byOrg, null) : (null, $"Cannot lookup party: Failed to lookup party by organisationNumber: {owner.OrganisationNumber}. The exception was: Party not found");
        }
        if (!string.IsNullOrEmpty(owner.PersonNumber))
        {
            var byPerson = parties.ByPersonNumber(owner.PersonNumber);
            return byPerson is not null ? (byPerson, null) : (null, $"Cannot lookup party: Failed to lookup party by personNumber: {owner.PersonNumber}. The exception was: Party not found");
        }
        string other = owner.Username ?? owner.ExternalIdentifier ?? "";
        return (null, $"Cannot lookup party: Failed to lookup party by username: {other}. The exception was: Party not found");
    }

    private static bool IsEmpty(Models.InstanceOwner owner) =>
        string.IsNullOrEmpty(owner.PartyId) && string.IsNullOrEmpty(owner.OrganisationNumber) && string.IsNullOrEmpty(owner.PersonNumber)
        && string.IsNullOrEmpty(owner.Username) && string.IsNullOrEmpty(owner.ExternalIdentifier);

    /// <summary>Reads an instance owner; partyId may come as a number or a string.</summary>
    private static Models.InstanceOwner? ReadOwner(JsonNode? node)
    {
        if (node is not JsonObject owner) return null;
        string? Field(string name)
        {
            var value = owner.FirstOrDefault(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value as JsonValue;
            if (value is null) return null;
            return value.GetValueKind() switch
            {
                JsonValueKind.String => value.GetValue<string>(),
                JsonValueKind.Number => value.ToJsonString(),
                _ => null,
            };
        }
        return new Models.InstanceOwner
        {
            PartyId = Field("partyId"),
            PersonNumber = Field("personNumber"),
            OrganisationNumber = Field("organisationNumber"),
            Username = Field("username"),
            ExternalIdentifier = Field("externalIdentifier"),
        };
    }

    /// <summary>A bound date in UTC; one without a zone is taken as UTC, as for the multipart template.</summary>
    private static DateTime? Utc(DateTime? date) => date?.Kind switch
    {
        null => null,
        DateTimeKind.Local => date.Value.ToUniversalTime(),
        DateTimeKind.Unspecified => DateTime.SpecifyKind(date.Value, DateTimeKind.Utc),
        _ => date,
    };

    private static DateTime? DateOf(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && DateTime.TryParse(text, null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var date)
            ? date
            : null;
}
