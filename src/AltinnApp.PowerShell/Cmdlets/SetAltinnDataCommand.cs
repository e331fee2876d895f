using System.Management.Automation;
using AltinnApp.Core;
using AltinnApp.Core.Api;
using AltinnApp.Core.Models;
using AltinnApp.Core.Submissions;
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

        /// <summary>Form data that names a field the model lacks, or gives a value of another type, is an error rather than a warning.</summary>
        [Parameter]
        public SwitchParameter Strict { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Language { get; set; } = "nb";

        protected override string Operation => "SetData";

        protected override void ProcessRecord()
        {
            ForJournaledItem(() =>
            {
                var payload = PayloadConverter.ToFormData(Value, Operation, nameof(Value), ResolvePath);
                if (PassPlanned($"Replace the {DataType ?? "form"} data ({payload.ContentType})")) return;
                var target = ResolveDataTarget();
                var (current, element, ownerTask, prepared) = Run(async ct =>
                {
                    var instance = await target.GetInstanceAsync(ct).ConfigureAwait(false);
                    var found = SelectElements(instance, allowMany: false)[0];
                    var application = await target.Session.Client.Applications.GetApplicationAsync(target.App, ct).ConfigureAwait(false);
                    if (!(application.FindDataType(found.DataType)?.IsFormData ?? false))
                    {
                        throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.NotFormData),
                            $"Data element {found.Id} of instance {instance.Id} is '{found.DataType}', a file rather than form data. Add files with Add-AltinnAttachment and remove them with Remove-AltinnData.");
                    }

                    // checked against the model, and a hashtable written in the format the data type takes
                    var checkedPayload = await FormDataCheck.PrepareAsync(target.Session.Client, target.App, application, found.DataType, payload, Strict, Operation, ct).ConfigureAwait(false);
                    return (instance, found, application.FindDataType(found.DataType)?.TaskId, checkedPayload);
                });
                var updated = Run(ct => new SubmissionSteps(target.Session, Confirmation).SetFormDataAsync(current, element, ownerTask, prepared, Language, ct));
                if (updated == null)
                {
                    if (WhatIfInEffect()) PassOn(current.AsPlanned()); // the next step says what it would do
                    return;
                }

                PassOn(updated);
            });
        }
    }
}
