using System.Collections.Generic;
using System.Management.Automation;
using System.Xml;
using AltinnApp.Core;
using AltinnApp.Core.Models;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    [Cmdlet(VerbsCommon.Get, "AltinnData", DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(PSObject), typeof(XmlDocument))]
    public sealed class GetAltinnDataCommand : AltinnDataCmdlet
    {
        /// <summary>The form data as an XmlDocument (Altinn's XML) rather than an object.</summary>
        [Parameter]
        public SwitchParameter AsXml { get; set; }

        protected override string Operation => "GetData";

        protected override void ProcessRecord()
        {
            ForItem(Operation, DataTargetObject, () =>
            {
                var target = ResolveDataTarget();
                var texts = Run(async ct =>
                {
                    var instance = await target.GetInstanceAsync(ct).ConfigureAwait(false);
                    var elements = SelectElements(instance, allowMany: true);
                    var application = await target.Session.Client.Applications.GetApplicationAsync(target.App, ct).ConfigureAwait(false);
                    var read = new List<string>();
                    foreach (var element in elements)
                    {
                        if (!(application.FindDataType(element.DataType)?.IsFormData ?? false))
                        {
                            throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.NotFormData),
                                $"Data element {element.Id} of instance {instance.Id} is '{element.DataType}' ({element.ContentType}), a file rather than form data. Save it to disk with Save-AltinnData -DataElementId {element.Id} -Path <folder or file>.");
                        }

                        read.Add(await target.Session.Client.Data.GetFormDataAsync(target.App, target.Id, element.Id, element.DataType, AsXml, ct).ConfigureAwait(false));
                    }

                    return read;
                });

                foreach (var text in texts) WriteObject(AsXml ? ToXml(text) : PayloadConverter.FromJson(text));
            });
        }

        private XmlDocument ToXml(string text)
        {
            var document = new XmlDocument { XmlResolver = null };
            try
            {
                document.LoadXml(text);
            }
            catch (XmlException ex)
            {
                throw new AltinnException(ErrorCatalogue.Id(Operation, ErrorReason.BadResponse), AltinnErrorKind.ProtocolError, $"Altinn answered with form data that is not well-formed XML: {ex.Message}");
            }

            return document;
        }
    }
}
