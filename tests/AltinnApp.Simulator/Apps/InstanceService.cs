using AltinnApp.Simulator.Control;
using AltinnApp.Simulator.Exchange;
using AltinnApp.Simulator.Models;
using AltinnApp.Simulator.Pdf;
using AltinnApp.Simulator.Storage;

namespace AltinnApp.Simulator.Apps;

/// <summary>Instance life cycle shared by the routes: create, start, validate, move the process on.</summary>
public sealed class InstanceService(InstanceStore store, BlobStore blobs, Counters counters, PdfFaults pdfFaults)
{
    /// <summary>A new instance with its process started in the first task (not yet stored).</summary>
    public SimInstance New(AppDefinition app, Party owner, Caller caller, DateTime? dueBefore, DateTime? visibleAfter)
    {
        var now = DateTime.UtcNow;
        var first = app.Process[0];
        return new SimInstance
        {
            Guid = Guid.NewGuid(),
            Owner = owner,
            App = app,
            Created = now,
            CreatedBy = caller.Name,
            LastChanged = now,
            LastChangedBy = caller.Name,
            DueBefore = dueBefore,
            VisibleAfter = visibleAfter,
            ProcessStarted = now,
            CurrentTaskId = first.Id,
            CurrentFlow = 2,
            CurrentTaskStarted = now,
        };
    }

    /// <summary>
    /// Adds the auto-created form data of the current task (with prefill), unless the instantiation
    /// already supplied an element of that type; then stores the instance and counts it.
    /// </summary>
    public void Complete(SimInstance instance, Caller caller, IReadOnlyDictionary<string, string?>? prefill)
    {
        lock (instance.Gate)
        {
            foreach (var type in instance.App.DataTypes.Where(t => t.AutoCreate && t.IsFormData && t.TaskId == instance.CurrentTaskId))
            {
                if (instance.Data.Any(d => d.DataType == type.Id)) continue;
                var values = FormData.Empty(instance.App);
                FormData.ApplyPrefill(instance.App, values, prefill);
                instance.Data.Add(NewFormElement(instance, type, values, caller));
            }
        }
        store.Add(instance);
        counters.InstanceCreated(instance.Owner.PartyId, instance.Owner.OrganisationNumber ?? instance.Owner.PersonNumber);
    }

    public static SimDataElement NewFormElement(SimInstance instance, DataTypeDefinition type, Dictionary<string, string?> values, Caller caller)
    {
        var (content, contentType) = FormData.Stored(instance.App, type, values);
        var now = DateTime.UtcNow;
        return new SimDataElement
        {
            Id = Guid.NewGuid(),
            DataType = type.Id,
            ContentType = contentType,
            Size = content.Length,
            FormData = values,
            Created = now,
            CreatedBy = caller.Name,
            LastChanged = now,
            LastChangedBy = caller.Name,
        };
    }

    public static SimDataElement NewBinaryElement(DataTypeDefinition type, string? filename, string contentType, string blobPath, long size, Caller caller)
    {
        var now = DateTime.UtcNow;
        return new SimDataElement
        {
            Id = Guid.NewGuid(),
            DataType = type.Id,
            Filename = filename,
            ContentType = contentType,
            Size = size,
            BlobPath = blobPath,
            Created = now,
            CreatedBy = caller.Name,
            LastChanged = now,
            LastChangedBy = caller.Name,
        };
    }

    /// <summary>The issues the app's validators report for the current task (required fields, minCount).</summary>
    public static List<ValidationIssueWithSource> Validate(SimInstance instance)
    {
        var issues = new List<ValidationIssueWithSource>();
        var task = instance.CurrentTask;
        if (task is null || task.Type != "data") return issues;
        foreach (var type in instance.App.DataTypes.Where(t => t.TaskId == task.Id))
        {
            var elements = instance.Data.Where(d => d.DataType == type.Id).ToList();
            if (elements.Count < type.MinCount)
                issues.Add(new ValidationIssueWithSource
                {
                    Severity = 1,
                    Code = "TooFewDataElementsOfType",
                    Field = type.Id,
                    Description = $"At least {type.MinCount} data element(s) of type {type.Id} are required",
                    Source = "DataElementValidator",
                });
            if (!type.IsFormData) continue;
            foreach (var element in elements)
            {
                foreach (var field in instance.App.RequiredFields.Where(f => string.IsNullOrWhiteSpace(element.FormData?.GetValueOrDefault(f))))
                    issues.Add(new ValidationIssueWithSource
                    {
                        Severity = 1,
                        DataElementId = element.Id.ToString(),
                        Field = field,
                        Code = "required",
                        Description = $"Feltet {field} er påkrevd",
                        Source = "Required",
                    });
            }
        }
        return issues;
    }

    public enum MoveOutcome { Moved, PdfFailed }

    /// <summary>
    /// Ends (or, with <paramref name="reject"/>, abandons) the current task and moves on; the caller holds the process
    /// lock. Ending a task locks its data elements and, for a data task with form data, adds the PDF receipt
    /// (app-lib <c>EndTaskEventHandler</c>); when the PDF fails the data is unlocked again and nothing moves
    /// (<see cref="MoveOutcome.PdfFailed"/>). A reject ends nothing: it goes to the task's <c>rejectTo</c> (or on), and
    /// starting a task unlocks that task's data (<c>StartTaskEventHandler</c>). After the last task the process
    /// ends and the instance is archived.
    /// </summary>
    public async Task<MoveOutcome> MoveOnAsync(SimInstance instance, Caller caller, bool reject = false)
    {
        ProcessTask task;
        byte[]? pdf = null;
        bool pdfFails = false;
        lock (instance.Gate)
        {
            task = instance.CurrentTask!;
            if (!reject)
            {
                foreach (var element in instance.Data.Where(d => instance.App.DataType(d.DataType)?.TaskId == task.Id))
                    element.Locked = true;
                if (task.Type == "data" && instance.App.GenerateReceipt && instance.App.DataTypes.Any(t => t.IsFormData && t.TaskId == task.Id))
                {
                    pdfFails = pdfFaults.TryTake();
                    if (!pdfFails) pdf = Receipt(instance);
                }
            }
        }

        if (pdfFails)
        {
            lock (instance.Gate)
            {
                foreach (var element in instance.Data.Where(d => instance.App.DataType(d.DataType)?.TaskId == task.Id))
                    element.Locked = false;
            }
            return MoveOutcome.PdfFailed;
        }

        string? pdfPath = pdf is null ? null : await blobs.WriteAsync(pdf);

        lock (instance.Gate)
        {
            var now = DateTime.UtcNow;
            if (pdfPath is not null)
            {
                instance.Data.Add(new SimDataElement
                {
                    Id = Guid.NewGuid(),
                    DataType = AppDefinition.PdfDataType,
                    Filename = instance.App.ReceiptFileName,
                    ContentType = "application/pdf",
                    Size = pdf!.Length,
                    BlobPath = pdfPath,
                    Locked = true,
                    References = [new Reference { Value = task.Id, Relation = "GeneratedFrom", ValueType = "Task" }],
                    Created = now,
                    CreatedBy = caller.Name,
                    LastChanged = now,
                    LastChangedBy = caller.Name,
                });
            }

            var next = reject && task.RejectTo is not null ? instance.App.Task(task.RejectTo) : instance.App.TaskAfter(task.Id);
            if (next is not null)
            {
                instance.CurrentTaskId = next.Id;
                instance.CurrentFlow += 1;
                instance.CurrentTaskStarted = now;
                foreach (var element in instance.Data.Where(d => d.DataType != AppDefinition.PdfDataType && instance.App.DataType(d.DataType)?.TaskId == next.Id))
                    element.Locked = false;
            }
            else
            {
                instance.CurrentTaskId = null;
                instance.ProcessEnded = now;
                foreach (var element in instance.Data) element.Locked = true;
                instance.IsArchived = true;
                instance.Archived = now;
            }
            instance.Touch(caller.Name);
        }
        return MoveOutcome.Moved;
    }

    /// <summary>The receipt: instance id, owner, submission time and every form field = value.</summary>
    private static byte[] Receipt(SimInstance instance)
    {
        var lines = new List<string>
        {
            $"Instance: {instance.Id}",
            $"App: {instance.App.AppId}",
            $"Owner: {instance.Owner.Name} ({instance.Owner.OrganisationNumber ?? instance.Owner.PersonNumber}, party {instance.Owner.PartyId})",
            $"Submitted: {DateTime.UtcNow:yyyy-MM-dd'T'HH:mm:ss'Z'}",
            "",
        };
        foreach (var element in instance.Data.Where(d => d.FormData is not null))
        {
            lines.Add($"Data element {element.Id} ({element.DataType}):");
            foreach (var field in instance.App.ModelFields)
                lines.Add($"{field} = {element.FormData!.GetValueOrDefault(field) ?? ""}");
        }
        foreach (var element in instance.Data.Where(d => d.FormData is null && d.DataType != AppDefinition.PdfDataType))
            lines.Add($"Attachment: {element.Filename} ({element.ContentType}, {element.Size} bytes)");
        return ReceiptPdf.Create($"Kvittering - {instance.App.Title}", lines);
    }
}
