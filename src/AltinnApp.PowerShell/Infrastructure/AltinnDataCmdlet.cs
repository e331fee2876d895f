using System;
using System.Linq;
using System.Management.Automation;
using AltinnApp.Core;
using AltinnApp.Core.Api;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;

namespace AltinnApp.PowerShell.Infrastructure
{
    /// <summary>
    /// A cmdlet that works on data elements of an instance: the instance (object or -InstanceId) with
    /// -DataType or -DataElementId, or a data element object from the pipeline (<c>$i.Data | Save-AltinnData</c>).
    /// </summary>
    public abstract class AltinnDataCmdlet : AltinnInstanceCmdlet
    {
        protected const string ElementSet = "DataElement";

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ElementSet)]
        [ValidateNotNull]
        public AltinnDataElement DataElement { get; set; }

        [Parameter(ParameterSetName = ObjectSet)]
        [Parameter(ParameterSetName = IdSet)]
        [ArgumentCompleter(typeof(DataTypeCompleter))]
        [ValidateNotNullOrEmpty]
        public string DataType { get; set; }

        [Parameter(ParameterSetName = ObjectSet)]
        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
        public Guid? DataElementId { get; set; }

        [Parameter(ParameterSetName = ObjectSet)]
        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
        [Parameter(ParameterSetName = ElementSet)]
        public override AltinnSession Session { get; set; }

        protected object DataTargetObject => (object)DataElement ?? TargetObject;

        /// <summary>The instance the element or -Instance/-InstanceId names.</summary>
        internal InstanceTarget ResolveDataTarget()
        {
            if (DataElement == null) return ResolveTarget();
            var session = ResolveSession(Session, DataElement.Session);
            if (string.IsNullOrEmpty(DataElement.InstanceId))
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.ElementWithoutInstance),
                    $"The data element {DataElement.Id} does not say which instance it belongs to. Pass the instance instead: -Instance $instance -DataElementId {DataElement.Id}.");
            }

            return InstanceTarget.From(session, null, DataElement.InstanceId, DataElement.AppId ?? App, Operation);
        }

        /// <summary>
        /// The elements this call is about, found on the instance: the piped element, the one with -DataElementId, or
        /// those of -DataType (several only where <paramref name="allowMany"/>).
        /// </summary>
        internal AltinnDataElement[] SelectElements(AltinnInstance instance, bool allowMany)
        {
            var data = instance.Data ?? new System.Collections.Generic.List<AltinnDataElement>();
            var wantedId = DataElement != null && Guid.TryParse(DataElement.Id, out var pipedId) ? pipedId : DataElementId;
            if (wantedId.HasValue)
            {
                var byId = data.FirstOrDefault(d => Guid.TryParse(d.Id, out var g) && g == wantedId.Value);
                if (byId == null)
                {
                    throw new AltinnException(ErrorCatalogue.Id(Operation, ErrorReason.DataElementNotFound), AltinnErrorKind.ObjectNotFound,
                        $"Instance {instance.Id} has no data element {wantedId}. Its data elements are: {Describe(instance)}.");
                }

                if (DataType != null && !string.Equals(byId.DataType, DataType, StringComparison.OrdinalIgnoreCase))
                {
                    throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.DataTypeMismatch),
                        $"Data element {byId.Id} of instance {instance.Id} is of type '{byId.DataType}', not '{DataType}'. Give one of -DataType and -DataElementId.");
                }

                return new[] { byId };
            }

            if (string.IsNullOrEmpty(DataType))
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.NoDataSelected),
                    "Say which data: -DataType (for example model or attachment) or -DataElementId, or pipe data elements ($instance.Data).");
            }

            var matches = instance.GetDataElements(DataType);
            if (matches.Length == 0)
            {
                throw new AltinnException(ErrorCatalogue.Id(Operation, ErrorReason.NoDataOfType), AltinnErrorKind.ObjectNotFound,
                    $"Instance {instance.Id} has no data element of type '{DataType}'. Its data elements are: {Describe(instance)}.");
            }

            if (matches.Length > 1 && !allowMany)
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.Ambiguous),
                    $"Instance {instance.Id} has {matches.Length} data elements of type '{DataType}' ({string.Join(", ", matches.Select(m => m.Id))}). Say which with -DataElementId.");
            }

            return matches;
        }

        /// <summary>
        /// A change that Altinn would refuse for a lock can only fail: say so without sending it. An ended (or archived)
        /// instance takes no changes at all; a locked element (its task has ended) cannot be replaced, but Altinn does
        /// delete one (<paramref name="replacing"/> false), as Storage has no lock check on delete.
        /// </summary>
        internal void RequireWritable(AltinnInstance instance, AltinnDataElement element, string ownerTask = null, bool replacing = true)
        {
            if (instance.Ended || instance.IsArchived) throw ServerErrors.InstanceClosed(Operation, instance.Id);
            if (replacing && element != null && element.Locked)
            {
                throw ServerErrors.ElementLocked(Operation, instance.Id, element.Id, element.DataType, ownerTask, instance.CurrentTask);
            }
        }

        private static string Describe(AltinnInstance instance)
        {
            var data = instance.Data ?? new System.Collections.Generic.List<AltinnDataElement>();
            // the server's words: cleaned of escapes and controls before they reach the console
            return data.Count == 0 ? "none" : string.Join(", ", data.Select(d => ServerText.Clean($"{d.DataType} {d.Id}", keepLineBreaks: false)));
        }
    }
}
