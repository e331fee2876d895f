using System;
using System.Linq;
using System.Management.Automation;
using AltinnApp.Core;
using AltinnApp.Core.Api;
using AltinnApp.Core.Models;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    [Cmdlet(VerbsCommon.Set, "AltinnData", SupportsShouldProcess = true, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(AltinnInstance))]
    public sealed class SetAltinnDataCommand : AltinnInstanceCmdlet
    {
        [Parameter]
        [ArgumentCompleter(typeof(DataTypeCompleter))]
        public string DataType { get; set; }

        [Parameter]
        public Guid? DataElementId { get; set; }

        /// <summary>The new form data: hashtable or object (JSON), XmlDocument, or XML/JSON text.</summary>
        [Parameter(Mandatory = true)]
        [AllowNull]
        public object Value { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Language { get; set; } = "nb";

        protected override void ProcessRecord()
        {
            ForItem("SetData", TargetObject, () =>
            {
                if (DataType == null && DataElementId == null)
                {
                    throw new AltinnArgumentException("Altinn.SetData.NoElement", "Say which form data to replace: -DataType (for example model) or -DataElementId.");
                }

                var payload = PayloadConverter.ToFormData(Value, nameof(Value), ResolvePath);
                var target = ResolveTarget();
                var instance = Run(async ct =>
                {
                    var current = await target.GetInstanceAsync(ct).ConfigureAwait(false);
                    var element = FindElement(current);
                    if (!ShouldProcess($"{element.DataType} ({element.Id}) of instance {current.Id}", "Replace form data")) return null;
                    var updated = await target.Session.Client.PutFormDataAsync(target.App, target.Id, element.Id, element.DataType, payload, Language, ct).ConfigureAwait(false);
                    var index = current.Data.FindIndex(d => d.Id == updated.Id);
                    if (index >= 0) current.Data[index] = updated; else current.Data.Add(updated);
                    current.LastChanged = updated.LastChanged ?? current.LastChanged;
                    return current;
                });
                if (instance != null) WriteObject(instance);
            });
        }

        private AltinnDataElement FindElement(AltinnInstance instance)
        {
            if (DataElementId.HasValue)
            {
                var byId = instance.Data.FirstOrDefault(d => Guid.TryParse(d.Id, out var g) && g == DataElementId.Value);
                return byId ?? throw new AltinnException("Altinn.SetData.ElementNotFound", AltinnErrorKind.ObjectNotFound,
                    $"Instance {instance.Id} has no data element {DataElementId}. Get-AltinnInstance shows its data elements.");
            }

            var matches = instance.GetDataElements(DataType);
            if (matches.Length == 0)
            {
                throw new AltinnException("Altinn.SetData.NoElementOfType", AltinnErrorKind.ObjectNotFound,
                    $"Instance {instance.Id} has no data element of type '{DataType}'. Its data types are: {string.Join(", ", instance.Data.Select(d => d.DataType).Distinct())}.");
            }

            if (matches.Length > 1)
            {
                throw new AltinnArgumentException("Altinn.SetData.Ambiguous",
                    $"Instance {instance.Id} has {matches.Length} data elements of type '{DataType}'. Say which with -DataElementId.");
            }

            return matches[0];
        }
    }
}
