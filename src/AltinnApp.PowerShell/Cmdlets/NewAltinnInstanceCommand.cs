using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using AltinnApp.Core.Http;
using AltinnApp.Core.Journal;
using AltinnApp.Core;
using AltinnApp.Core.Api;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;
using AltinnApp.Core.Submissions;
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

        /// <summary>The content type of every file of -Attachment, for the rare file whose type its extension does not give; default: from each extension.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string ContentType { get; set; }

        /// <summary>Form data or -Prefill that names a field the model lacks, or gives a value of another type, is an error rather than a warning.</summary>
        [Parameter]
        public SwitchParameter Strict { get; set; }

        [Parameter]
        public DateTime? DueBefore { get; set; }

        [Parameter]
        public DateTime? VisibleAfter { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Language { get; set; } = "nb";

        [Parameter]
        public AltinnSession Session { get; set; }

        /// <summary>A journal file that records each key's progress, so a rerun after a crash creates nothing twice.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(JournalPathCompleter))]
        [ValidateNotNullOrEmpty]
        public string Journal { get; set; }

        /// <summary>The key of this submission in the journal: one that names the submission (organisation, period, form), the same on every rerun, never a row number.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Key { get; set; }

        // the log holds no person number: one in the key is masked (the journal's own records add a keyed hash)
        protected override string LogJournalKey => AltinnApp.Core.Journal.JournalKeys.Mask(Key);

        /// <summary>Begins the journal key again: its unsubmitted instance is deleted and a new one made. A submitted key is refused.</summary>
        [Parameter]
        public SwitchParameter Restart { get; set; }

        private string _contentType;

        protected override void BeginProcessing()
        {
            try
            {
                _contentType = FileUploads.RequireContentType(ContentType, Operation);
                if (_contentType != null && Attachment == null)
                {
                    throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.ContentTypeWithoutAttachment),
                        "-ContentType is the content type of the files in -Attachment, and there is no -Attachment. Give the files in -Attachment, or leave -ContentType out (form data in -Data is sent as JSON or XML by itself).");
                }
            }
            catch (AltinnException ex)
            {
                // a parameter problem: nothing is created
                ThrowTerminatingError(ErrorRecordFor(ex, ContentType));
            }

            base.BeginProcessing();
        }

        protected override void ProcessRecord()
        {
            var session = ResolveSession(Session);
            ForItem(Operation, OwnerTarget(), () =>
            {
                // a journal that cannot be opened cannot hold this row's failure: that error is the row's only report
                var journal = OpenJournal();
                try
                {
                    Submit(session, journal);
                }
                catch (Exception ex) when (journal != null && !(ex is PipelineStoppedException) && !WhatIfInEffect())
                {
                    // every refused row reaches the journal, before a create as well as after, so that
                    // Get-AltinnJournal -State Failed lists it; a later good run of the key records over it.
                    // A key that is done stays done: a row refused for it (another owner, changed prefill) is reported
                    // here, and an operator working through the Failed list must not file that submission again.
                    try
                    {
                        if (journal.Entry?.IsDone != true && !Core.Journal.JournalContext.IsRecorded(ex)) journal.RecordFailure(Operation, ex);
                    }
                    catch (AltinnException journalError)
                    {
                        // the row's own error is the one to report; the journal's problem goes beside it
                        WriteWarning(journalError.Message);
                    }

                    throw;
                }
            });
        }

        private void Submit(AltinnSession session, JournalContext journal)
        {
            if (Restart && journal == null)
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.RestartNeedsJournal),
                    "-Restart begins a journal key again, and there is no -Journal and -Key. Give the journal and the key to begin again, or leave -Restart out.");
            }

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
                throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.MissingApp), "No app given. Pass -App org/app, or set a default with Connect-Altinn -App.");
            }

            var app = AppIdentifier.Parse(appId, nameof(App), Operation);
            var multipart = Data != null || Attachment != null;
            if (multipart && Prefill != null)
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.PrefillWithData),
                    "-Prefill cannot be combined with -Data or -Attachment: Altinn's multipart create (POST instances) takes no prefill, only the form data itself. Put the values into -Data instead, beside the files: for example -Data @{ model = @{ property1 = 'x' } } -Attachment @{ attachment = 'a.pdf' }.");
            }

            // the engine turns the values into the text Altinn's prefill takes, before anything is created
            var prefill = Prefill == null ? null : Run(ct => Task.FromResult(PrefillValues.ToStrings(PayloadConverter.ToPrefill(Prefill, Operation), Operation)));
            var parts = multipart ? MultipartBuilder.Build(Data, Attachment, Operation, ResolvePath, _contentType) : null;
            if (parts != null || prefill != null)
            {
                // what the app allows is checked before anything is created, so a bad row sends nothing
                var problems = Run(async ct =>
                {
                    var application = await session.Client.Applications.GetApplicationAsync(app, ct).ConfigureAwait(false);
                    if (prefill != null) await FormDataCheck.CheckPrefillAsync(session.Client, app, application, prefill.Keys, Strict, Operation, ct).ConfigureAwait(false);
                    if (parts == null) return (IReadOnlyList<AltinnException>)Array.Empty<AltinnException>();
                    foreach (var part in parts.Where(p => p.FormData != null))
                    {
                        // checked against the model, and a hashtable written in the format the data type takes
                        part.FormData = await FormDataCheck.PrepareAsync(session.Client, app, application, part.DataType, part.FormData, Strict, Operation, ct, multipart: true).ConfigureAwait(false);
                    }

                    return MetadataRules.PartProblems(application, parts, Operation);
                });

                // every bad part is named, so one run shows everything to fix; the last ends the row
                if (problems.Count > 0)
                {
                    for (var i = 0; i < problems.Count - 1; i++) WriteItemError(problems[i], Operation, OwnerTarget());
                    throw problems[problems.Count - 1];
                }
            }

            var request = new InstanceRequest
            {
                App = app,
                Owner = owner,
                Prefill = prefill,
                Parts = parts,
                DueBefore = DueBefore,
                VisibleAfter = VisibleAfter,
                Language = Language,
            };
            var instance = Run(ct => new SubmissionStart(session, Confirmation).StartAsync(request, journal, Restart, ct));
            if (instance == null && WhatIfInEffect())
            {
                // nothing was created: a stand-in goes down the pipeline, so each later step says what it would do
                instance = AltinnInstance.Planned(app.ToString(), OwnerTarget()?.ToString(), journal);
                instance.Session = session;
            }

            if (instance == null) return;
            if (journal == null) WriteVerbose($"Created instance {instance.Id} of {app} for {owner}.");
            WriteObject(instance);
        }

        private JournalContext OpenJournal()
        {
            if (Journal == null && Key == null) return null;
            if (Journal == null || Key == null)
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.JournalNeedsKey),
                    "-Journal and -Key go together: the journal records each key's progress. Give both (for example -Journal ./batch.journal -Key $row.Id), or neither.");
            }

            JournalKeys.RequireUsable(Key, Operation);
            return new JournalContext(SubmissionJournal.Open(ResolvePath(Journal)), Key);
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
