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
        private const string Operation = "NewInstance";
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

        /// <summary>Form data per data type, e.g. @{ model = $xml }: sends a multipart create.</summary>
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
            ForItem(Operation, OwnerTarget(), () =>
            {
                var owner = new InstanceOwnerSpec();
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

                var appId = string.IsNullOrEmpty(App) ? session.DefaultApp : App;
                if (string.IsNullOrEmpty(appId))
                {
                    throw new AltinnArgumentException($"Altinn.{Operation}.MissingApp", "No app given. Pass -App org/app, or set a default with Connect-Altinn -App.");
                }

                var app = AppIdentifier.Parse(appId, nameof(App), Operation);
                var multipart = Data != null || Attachment != null;
                if (multipart && Prefill != null)
                {
                    throw new AltinnArgumentException($"Altinn.{Operation}.PrefillWithData",
                        "-Prefill cannot be combined with -Data or -Attachment: Altinn's multipart create takes the form data itself. Put the values into -Data instead.");
                }

                IDictionary<string, object> prefill = Prefill == null ? null : PayloadConverter.ToPrefill(Prefill, Operation);
                var parts = multipart ? MultipartBuilder.Build(Data, Attachment, Operation, ResolvePath) : null;
                if (parts != null)
                {
                    // what the app allows is checked before anything is created, so a bad row sends nothing
                    Run(async ct =>
                    {
                        var application = await session.Client.GetApplicationAsync(app, ct).ConfigureAwait(false);
                        MetadataRules.CheckParts(application, parts, Operation);
                    });
                }

                var what = parts == null ? "Create instance" : $"Create instance with {parts.Count} data part(s)";
                if (!ShouldProcess($"{app} for {owner}", what)) return;

                var instance = Run(ct => parts != null
                    ? session.Client.CreateInstanceMultipartAsync(app, owner, DueBefore, VisibleAfter, parts, Language, ct)
                    : session.Client.CreateInstanceAsync(app, owner, DueBefore, VisibleAfter, prefill, Language, ct));
                WriteVerbose($"Created instance {instance.Id} of {app} for {owner}.");
                WriteObject(instance);
            });
        }

        /// <summary>The error record's target: the owner as given, with a person number masked.</summary>
        private object OwnerTarget()
        {
            switch (ParameterSetName)
            {
                case OrganizationSet: return OrganizationNumber;
                case PersonSet: return NorwegianIdentifiers.MaskPersonNumber((PersonNumber ?? string.Empty).Replace(" ", string.Empty));
                default: return PartyId;
            }
        }
    }
}
