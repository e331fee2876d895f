using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using AltinnApp.Core;
using AltinnApp.Core.Api;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;
using AltinnApp.Core.Validation;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    [Cmdlet(VerbsCommon.New, "AltinnInstance", SupportsShouldProcess = true, DefaultParameterSetName = OrganizationSet)]
    [OutputType(typeof(AltinnInstance))]
    public sealed class NewAltinnInstanceCommand : AltinnCmdlet
    {
        private const string OrganizationSet = "Organization";
        private const string PersonSet = "Person";
        private const string PartySet = "Party";

        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(AppCompleter))]
        public string App { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = OrganizationSet)]
        [Alias("OrgNumber", "Org")]
        [ValidateNotNullOrEmpty]
        public string OrganizationNumber { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PersonSet)]
        [Alias("Ssn")]
        [ValidateNotNullOrEmpty]
        public string PersonNumber { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PartySet)]
        [ValidateRange(1, int.MaxValue)]
        public int PartyId { get; set; }

        /// <summary>Field values for the app's prefill (hashtable or object).</summary>
        [Parameter]
        public object Prefill { get; set; }

        /// <summary>Form data per data type, e.g. @{ model = @{ property1 = 'x' } }: sends a multipart create.</summary>
        [Parameter]
        public IDictionary Data { get; set; }

        /// <summary>Files per data type, e.g. @{ attachment = 'a.pdf', 'b.png' }: sends a multipart create.</summary>
        [Parameter]
        public IDictionary Attachment { get; set; }

        [Parameter]
        public DateTime? DueBefore { get; set; }

        [Parameter]
        public DateTime? VisibleAfter { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Language { get; set; } = "nb";

        [Parameter]
        public AltinnSession Session { get; set; }

        protected override void ProcessRecord()
        {
            var session = ResolveSession(Session);
            var owner = new InstanceOwnerSpec();
            var target = (object)OrganizationNumber ?? (object)PartyId;
            ForItem("NewInstance", target, () =>
            {
                switch (ParameterSetName)
                {
                    case OrganizationSet:
                        owner.OrganizationNumber = NorwegianIdentifiers.RequireOrganizationNumber(OrganizationNumber, nameof(OrganizationNumber));
                        break;
                    case PersonSet:
                        owner.PersonNumber = NorwegianIdentifiers.RequirePersonNumber(PersonNumber, nameof(PersonNumber));
                        break;
                    default:
                        owner.PartyId = PartyId;
                        break;
                }

                var app = AppIdentifier.Parse(App ?? session.DefaultApp ?? throw new AltinnArgumentException("Altinn.MissingApp",
                    "No app given. Pass -App org/app, or set a default with Connect-Altinn -App."));
                var multipart = Data != null || Attachment != null;
                if (multipart && Prefill != null)
                {
                    throw new AltinnArgumentException("Altinn.NewInstance.PrefillWithData",
                        "-Prefill cannot be combined with -Data or -Attachment: Altinn's multipart create takes the form data itself. Put the values into -Data instead.");
                }

                IDictionary<string, object> prefill = Prefill == null ? null : PayloadConverter.ToPrefill(Prefill);
                var parts = multipart ? MultipartBuilder.Build(Data, Attachment, ResolvePath) : null;

                if (!ShouldProcess($"{app} for {owner}", "Create instance")) return;

                var instance = Run(async ct =>
                {
                    if (parts != null)
                    {
                        var application = await session.Client.GetApplicationAsync(app, ct).ConfigureAwait(false);
                        MetadataRules.CheckParts(application, parts);
                        return await session.Client.CreateInstanceMultipartAsync(app, owner, DueBefore, VisibleAfter, parts, Language, ct).ConfigureAwait(false);
                    }

                    return await session.Client.CreateInstanceAsync(app, owner, DueBefore, VisibleAfter, prefill, Language, ct).ConfigureAwait(false);
                });
                WriteVerbose($"Created instance {instance.Id} of {app}.");
                WriteObject(instance);
            });
        }
    }
}
