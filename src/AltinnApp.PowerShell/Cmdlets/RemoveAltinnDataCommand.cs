using System;
using System.Management.Automation;
using AltinnApp.Core;
using AltinnApp.Core.Api;
using AltinnApp.Core.Models;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    [Cmdlet(VerbsCommon.Remove, "AltinnData", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(AltinnInstance))]
    public sealed class RemoveAltinnDataCommand : AltinnDataCmdlet
    {
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Language { get; set; } = "nb";

        /// <summary>Output the instance as it is after the removal.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override string Operation => "RemoveData";

        protected override void ProcessRecord()
        {
            ForItem(Operation, DataTargetObject, () =>
            {
                var target = ResolveDataTarget();
                var (instance, elements) = Run(async ct =>
                {
                    var current = await target.GetInstanceAsync(ct).ConfigureAwait(false);
                    return (current, SelectElements(current, allowMany: true));
                });

                AltinnInstance latest = null;
                foreach (var element in elements)
                {
                    ForItem(Operation, element, () =>
                    {
                        RequireWritable(instance, element, replacing: false);
                        if (string.Equals(element.DataType, MetadataRules.ReceiptDataType, StringComparison.OrdinalIgnoreCase))
                        {
                            throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.Receipt), $"Data element {element.Id} is the receipt Altinn generated for instance {instance.Id}; it cannot be removed.");
                        }

                        var name = string.IsNullOrEmpty(element.Filename) ? string.Empty : $" '{element.Filename}'";
                        if (!ShouldProcess($"{element.DataType}{name} ({element.Id}) of instance {instance.Id}", "Remove data element")) return;
                        latest = target.Carry(Run(ct => target.Session.Client.Data.DeleteDataAsync(target.App, target.Id, element.Id, Language, ct))) ?? latest;
                        WriteVerbose($"Removed data element {element.Id} ({element.DataType}) from instance {instance.Id}.");
                    });
                }

                if (PassThru && latest != null) PassOn(latest);
            });
        }
    }
}
