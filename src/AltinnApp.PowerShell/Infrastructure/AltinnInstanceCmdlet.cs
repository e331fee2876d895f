using System.Management.Automation;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;

namespace AltinnApp.PowerShell.Infrastructure
{
    /// <summary>
    /// A cmdlet that works on one instance at a time: an instance object from the pipeline, or
    /// -InstanceId (with -App) by property name, so <c>Import-Csv ids.csv | Get-AltinnInstance</c> works.
    /// </summary>
    public abstract class AltinnInstanceCmdlet : AltinnCmdlet
    {
        protected const string ObjectSet = "Instance";
        protected const string IdSet = "InstanceId";

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ObjectSet)]
        [ValidateNotNull]
        public AltinnInstance Instance { get; set; }

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
        [Alias("Id")]
        [ValidateNotNullOrEmpty]
        public string InstanceId { get; set; }

        /// <summary>The app (org/app) of -InstanceId; with an instance object it is only a fallback, as the object names its app.</summary>
        // by property name only with -InstanceId: bound from the pipeline in every set, PowerShell would try a CSV row
        // against the default (object) set and fail for the missing -Instance. Virtual, so a cmdlet with a set of its
        // own (Get-AltinnInstance -Active) can add -App to it.
        [Parameter(ParameterSetName = ObjectSet)]
        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
        [ArgumentCompleter(typeof(AppCompleter))]
        public virtual string App { get; set; }

        /// <summary>
        /// The session; with -InstanceId it also binds by property name, so objects that carry their session (the
        /// entries of Get-AltinnInstance -Active) stay on it. Virtual for the same reason as <see cref="App"/>.
        /// </summary>
        [Parameter(ParameterSetName = ObjectSet)]
        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
        public virtual AltinnSession Session { get; set; }

        /// <summary>The operation's name in ErrorIds (<c>Altinn.&lt;Operation&gt;.&lt;Reason&gt;</c>) and in ForItem.</summary>
        protected abstract string Operation { get; }

        /// <summary>The target of this pipeline item; a bad id or app is a non-terminating error for this item only.</summary>
        internal InstanceTarget ResolveTarget()
        {
            var session = ResolveSession(Session, Instance?.Session);
            return InstanceTarget.From(session, Instance, InstanceId, App, Operation);
        }

        protected object TargetObject => (object)Instance ?? InstanceId;

        /// <summary>
        /// Under -WhatIf, New-AltinnInstance passes on a stand-in for the instance it did not create: this step says what it
        /// would do with it and passes it on, sending nothing, so a whole pipeline's -WhatIf shows every step.
        /// </summary>
        /// <returns>True when the instance was a stand-in and the step is done.</returns>
        protected bool PassPlanned(string action)
        {
            if (Instance == null || !Instance.IsPlanned) return false;
            ShouldProcess(Instance.ToString(), action);
            PassOn(Instance);
            return true;
        }

        /// <summary>
        /// Runs one item's work; when the instance is journaled, a failure is recorded against its key (and still
        /// reported as a non-terminating error), so Get-AltinnJournal shows which keys need another run and why.
        /// </summary>
        protected void ForJournaledItem(System.Action body)
        {
            ForItem(Operation, TargetObject, () =>
            {
                try
                {
                    body();
                }
                catch (System.Exception ex) when (!(ex is PipelineStoppedException) && Instance?.Journal != null && !WhatIfInEffect())
                {
                    try
                    {
                        // a done key stays done: a refusal of a rerun (values changed after filing) is this pipeline's error,
                        // and the journal must not send an operator to file the submission again
                        if (Instance.Journal.Entry?.IsDone != true) Instance.Journal.RecordFailure(Operation, ex);
                    }
                    catch (Core.AltinnException journalError)
                    {
                        WriteWarning(journalError.Message);
                    }

                    throw;
                }
            });
        }
    }
}
