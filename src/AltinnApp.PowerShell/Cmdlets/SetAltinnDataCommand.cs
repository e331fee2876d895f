using System.Management.Automation;
using AltinnApp.Core;
using AltinnApp.Core.Models;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    [Cmdlet(VerbsCommon.Set, "AltinnData", SupportsShouldProcess = true, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(AltinnInstance))]
    public sealed class SetAltinnDataCommand : AltinnDataCmdlet
    {
        /// <summary>The new form data: hashtable or object (JSON), XmlDocument or XML text (XML), JSON text, or a file.</summary>
        [Parameter(Mandatory = true)]
        [AllowNull]
        public object Value { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Language { get; set; } = "nb";

        protected override string Operation => "SetData";

        protected override void ProcessRecord()
        {
            ForJournaledItem(() =>
            {
                var payload = PayloadConverter.ToFormData(Value, Operation, nameof(Value), ResolvePath);
                var target = ResolveDataTarget();
                var (current, element, ownerTask) = Run(async ct =>
                {
                    var instance = await target.GetInstanceAsync(ct).ConfigureAwait(false);
                    var found = SelectElements(instance, allowMany: false)[0];
                    var application = await target.Session.Client.GetApplicationAsync(target.App, ct).ConfigureAwait(false);
                    if (!(application.FindDataType(found.DataType)?.IsFormData ?? false))
                    {
                        throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.NotFormData),
                            $"Data element {found.Id} of instance {instance.Id} is '{found.DataType}', a file rather than form data. Add files with Add-AltinnAttachment and remove them with Remove-AltinnData.");
                    }

                    return (instance, found, application.FindDataType(found.DataType)?.TaskId);
                });
                if (current.Journal != null && current.Ended)
                {
                    // a rerun: the key was submitted before the crash, and its data is locked as it should be
                    WriteVerbose($"Key '{current.JournalKey}': instance {current.Id} is already submitted; its data is left as it is.");
                    PassOn(current);
                    return;
                }

                RequireWritable(current, element, ownerTask);
                if (!ShouldProcess($"{element.DataType} ({element.Id}) of instance {current.Id}", $"Replace form data ({payload.ContentType})")) return;

                var updated = Run(ct => target.Session.Client.PutFormDataAsync(target.App, target.Id, element.Id, element.DataType, payload, Language, ct));
                // the answer is the new data element: put it into the instance rather than reading the whole instance again
                var index = current.Data.FindIndex(d => d.Id == updated.Id);
                if (index >= 0) current.Data[index] = updated; else current.Data.Add(updated);
                current.LastChanged = updated.LastChanged ?? current.LastChanged;
                current.Journal?.Record(Core.Journal.JournalState.DataSet, current.Id);
                WriteVerbose($"Replaced the {element.DataType} data of instance {current.Id}.");
                PassOn(current);
            });
        }
    }
}
