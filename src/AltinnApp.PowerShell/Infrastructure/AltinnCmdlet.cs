using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using AltinnApp.Core;
using AltinnApp.Core.Http;
using AltinnApp.Core.Submissions;
using AltinnApp.Core.Session;

namespace AltinnApp.PowerShell.Infrastructure
{
    /// <summary>
    /// What every AltinnApp cmdlet shares: Ctrl+C cancels the call in flight, the engine's log reaches
    /// the Verbose/Debug/Warning/Progress streams, and failures become error records.
    /// </summary>
    public abstract class AltinnCmdlet : PSCmdlet
    {
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
        private PipelineLog _pump;

        protected CancellationToken StopToken => _stopping.Token;

        protected override void StopProcessing() => _stopping.Cancel();

        /// <summary>
        /// Runs engine work and pumps its messages onto the pipeline thread until it ends. Engine failures come
        /// back as <see cref="AltinnException"/>; Ctrl+C as <see cref="PipelineStoppedException"/>.
        /// </summary>
        /// <remarks>
        /// The pump sleeps (without spinning) until a message or the work's end wakes it, never on a timer: a submission is four cmdlets,
        /// and every wait here adds to each of them. Verbose and Debug messages nobody will see are not queued.
        /// </remarks>
        protected T Run<T>(Func<CancellationToken, Task<T>> work)
        {
            var log = new PipelineLog(GetHashCode() & 0x7fffffff, IsStreamEnabled("Verbose", "VerbosePreference"), IsStreamEnabled("Debug", "DebugPreference"));
            var previous = AltinnLog.Current;
            var previousPump = _pump;
            AltinnLog.Current = _logFile == null ? (IAltinnLog)log : new FileTee(log, _logFile, this);
            _pump = log;
            try
            {
                var task = Start(work);
                if (!task.IsCompleted)
                {
                    task.ContinueWith(_ => log.Wake(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }

                try
                {
                    while (true)
                    {
                        while (log.TryTake(out var action)) action(this);
                        if (task.IsCompleted) break;
                        log.WaitForMessage();
                    }

                    while (log.TryTake(out var remaining)) remaining(this);
                }
                catch (PipelineStoppedException)
                {
                    // Ctrl+C while a message was being written: let the cancelled work finish its cleanup (a partial
                    // file is removed in its finally) before the cmdlet returns, so nothing is left behind
                    WaitQuietly(task);
                    throw;
                }

                try
                {
                    return task.GetAwaiter().GetResult();
                }
                catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
                {
                    throw new PipelineStoppedException();
                }
            }
            finally
            {
                AltinnLog.Current = previous;
                _pump = previousPump;
                log.Dispose();
            }
        }

        private static void WaitQuietly(Task task)
        {
            try
            {
                task.Wait(TimeSpan.FromSeconds(10));
            }
            catch (AggregateException)
            {
                // cancelled or failed: either way it has run its finally blocks
            }
        }

        /// <summary>
        /// Starts the work on this thread when nothing here needs it back (the engine awaits with
        /// ConfigureAwait(false)); behind a synchronization context (some hosts have one) it starts on the
        /// thread pool, so a continuation can never wait for the thread that is blocked in the pump.
        /// </summary>
        private Task<T> Start<T>(Func<CancellationToken, Task<T>> work)
        {
            if (SynchronizationContext.Current != null) return Task.Run(() => work(StopToken));
            try
            {
                return work(StopToken) ?? Task.FromResult(default(T));
            }
            catch (Exception ex)
            {
                var failed = new TaskCompletionSource<T>();
                failed.SetException(ex);
                return failed.Task;
            }
        }

        /// <summary>Whether records of a stream would be shown: -Verbose/-Debug when given, else the preference variable.</summary>
        private bool IsStreamEnabled(string parameter, string preferenceVariable)
        {
            if (MyInvocation.BoundParameters.TryGetValue(parameter, out var bound))
            {
                return bound is SwitchParameter flag ? flag.IsPresent : LanguagePrimitives.IsTrue(bound);
            }

            var value = GetVariableValue(preferenceVariable);
            if (value == null) return false;
            if (LanguagePrimitives.TryConvertTo(value, out ActionPreference preference))
            {
                return preference != ActionPreference.SilentlyContinue && preference != ActionPreference.Ignore;
            }

            return true; // an unreadable preference: show rather than lose messages
        }

        /// <summary>
        /// ShouldProcess for the engine: it asks at the moment it knows exactly what it will change (create or resume,
        /// which files are still to upload, which task the process moves from), and the question is handed back to the
        /// pipeline thread through the pump of the <see cref="Run{T}"/> call in flight. Under -WhatIf nothing is written,
        /// the journal included.
        /// </summary>
        protected ISubmissionConfirmation Confirmation => new ShouldProcessConfirmation(this, WhatIfInEffect());

        /// <summary>-WhatIf given, or $WhatIfPreference set.</summary>
        protected bool WhatIfInEffect()
        {
            if (MyInvocation.BoundParameters.TryGetValue("WhatIf", out var bound))
            {
                return bound is SwitchParameter flag ? flag.IsPresent : LanguagePrimitives.IsTrue(bound);
            }

            return LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
        }

        private sealed class ShouldProcessConfirmation : ISubmissionConfirmation
        {
            private readonly AltinnCmdlet _cmdlet;

            public ShouldProcessConfirmation(AltinnCmdlet cmdlet, bool whatIf)
            {
                _cmdlet = cmdlet;
                WhatIf = whatIf;
            }

            public bool WhatIf { get; }

            public Task<bool> ConfirmAsync(string target, string action, CancellationToken cancellationToken)
            {
                var pump = _cmdlet._pump;
                if (pump == null) throw new InvalidOperationException("The engine asked for confirmation outside a Run call.");
                return pump.Ask(c => c.ShouldProcess(target, action));
            }
        }

        protected void Run(Func<CancellationToken, Task> work) => Run<object>(async ct =>
        {
            await work(ct).ConfigureAwait(false);
            return null;
        });

        /// <summary>
        /// The session to use: -Session, else the one the input object came with, else the runspace's current one.
        /// No session at all is a terminating error: nothing can work without one.
        /// </summary>
        protected AltinnSession ResolveSession(AltinnSession explicitSession, AltinnSession fromInput = null)
        {
            var session = explicitSession ?? fromInput ?? SessionRegistry.Current;
            if (session == null)
            {
                ThrowTerminatingError(ErrorRecordFor(new AltinnException("Altinn.Session.NotConnected", AltinnErrorKind.InvalidOperation,
                    "Not connected to Altinn. Run Connect-Altinn first, or pass a session with -Session."), null));
            }

            if (session.IsDisconnected)
            {
                ThrowTerminatingError(ErrorRecordFor(new AltinnException("Altinn.Session.Disconnected", AltinnErrorKind.InvalidOperation,
                    "This session was closed with Disconnect-Altinn. Run Connect-Altinn again."), null));
            }

            _logFile = session.LogFile;
            return session;
        }

        // ---- the log file (Connect-Altinn -LogPath) ----

        private AltinnLogFile _logFile;
        private string _logInstanceId;
        private string _logJournalKey;

        /// <summary>
        /// The file the engine's messages and this cmdlet's errors also go to: the session's, taken when the session is
        /// resolved (Connect-Altinn sets its own before the session exists).
        /// </summary>
        protected AltinnLogFile LogFile
        {
            get => _logFile;
            set => _logFile = value;
        }

        /// <summary>The journal key of the work in hand when no instance names one (New-AltinnInstance -Key, before the instance exists).</summary>
        protected virtual string LogJournalKey => null;

        /// <summary>Writes one line to the log file, if there is one, with the journal key and instance id of the item in hand.</summary>
        protected void WriteLogLine(string level, string message) =>
            _logFile?.Write(level, message, _logJournalKey ?? LogJournalKey, _logInstanceId);

        /// <summary>
        /// An engine failure as an error record, logged to the log file. Where the host prints the recommendation on a line
        /// of its own (ConciseView), the displayed message leaves it out, so it is read once.
        /// </summary>
        protected ErrorRecord ErrorRecordFor(AltinnException exception, object target)
        {
            WriteLogLine("ERROR", exception.ErrorId + ": " + exception.Message);
            return ErrorRecords.From(exception, target, RecommendationShownApart());
        }

        /// <summary>PowerShell 7's ConciseView (its default) prints ErrorDetails.RecommendedAction as "Recommendation: …"; NormalView and Windows PowerShell do not.</summary>
        private bool RecommendationShownApart()
        {
            try
            {
                var view = GetVariableValue("ErrorView");
                return view != null && string.Equals(LanguagePrimitives.ConvertTo<string>(view), "ConciseView", StringComparison.OrdinalIgnoreCase);
            }
            catch (PSInvalidOperationException)
            {
                return false; // no session state to ask (a cmdlet called from C#): keep the message whole
            }
        }

        /// <summary>The instance (and its journal key) an item is about, for the log file's columns.</summary>
        private static (string InstanceId, string JournalKey) LogContextOf(object target)
        {
            switch (target is PSObject wrapped ? wrapped.BaseObject : target)
            {
                case Core.Models.AltinnInstance instance:
                    return (instance.Id, instance.JournalKey);
                case Core.Models.AltinnDataElement element:
                    return (element.InstanceId, null);
                case string text when Core.Validation.InstanceIdentifier.TryParse(text, out _):
                    return (text, null);
                default:
                    return (null, null);
            }
        }

        /// <summary>Sends each engine message to the pipeline (through the pump) and, at once and from any thread, to the log file.</summary>
        private sealed class FileTee : IAltinnLog, IAltinnLogLevels
        {
            private readonly IAltinnLog _pipeline;
            private readonly AltinnLogFile _file;
            private readonly AltinnCmdlet _cmdlet;

            public FileTee(IAltinnLog pipeline, AltinnLogFile file, AltinnCmdlet cmdlet)
            {
                _pipeline = pipeline;
                _file = file;
                _cmdlet = cmdlet;
            }

            // the file takes every level, whatever the pipeline shows
            public bool IsVerboseEnabled => true;

            public bool IsDebugEnabled => true;

            public void Verbose(string message)
            {
                _pipeline.Verbose(message);
                _cmdlet.WriteLogLine("VERBOSE", message);
            }

            public void Debug(string message)
            {
                _pipeline.Debug(message);
                _cmdlet.WriteLogLine("DEBUG", message);
            }

            public void Warning(string message)
            {
                _pipeline.Warning(message);
                _cmdlet.WriteLogLine("WARNING", message);
            }

            // progress is many reports a second: the pipeline shows it, the file would only fill up with it
            public void Progress(string activity, long done, long? total) => _pipeline.Progress(activity, done, total);
        }

        // ForItem calls nest (an instance, then each of its files); these describe the outermost one, the pipeline item
        private int _itemDepth;
        private bool _itemFailed;
        private List<object> _passOn;

        /// <summary>
        /// A failure of one item: written as a non-terminating error so the rest of the pipeline goes on. Inside
        /// <see cref="ForItem"/> it also marks the pipeline item failed, so what it would pass on (<see cref="PassOn"/>) is held back.
        /// </summary>
        protected void WriteItemError(Exception exception, string operation, object target)
        {
            if (_itemDepth > 0) _itemFailed = true;
            switch (exception)
            {
                case PipelineStoppedException _:
                    throw exception;
                case AltinnException altinn:
                    WriteError(ErrorRecordFor(altinn, target));
                    break;
                default:
                    WriteError(ErrorRecordFor(ErrorRecords.Wrap(exception, operation), target));
                    break;
            }
        }

        /// <summary>
        /// Runs one item's work; its failure becomes a non-terminating error. Calls nest: the outermost is the pipeline
        /// item (an instance), the inner ones its parts (its files, its data elements). A failure of any part fails the
        /// whole item, and the objects it gave to <see cref="PassOn"/> are then not written: an instance whose step
        /// failed never reaches the next cmdlet (Invoke-AltinnProcessNext would submit it half done), whatever
        /// -ErrorAction says.
        /// </summary>
        protected void ForItem(string operation, object target, Action body)
        {
            var outermost = _itemDepth == 0;
            if (outermost)
            {
                _itemFailed = false;
                _passOn = null;
            }

            // the log file's columns name the item in hand; an inner part (a file) keeps its instance's
            var (instanceId, journalKey) = LogContextOf(target);
            var outerInstanceId = _logInstanceId;
            var outerJournalKey = _logJournalKey;
            if (instanceId != null) _logInstanceId = instanceId;
            if (journalKey != null) _logJournalKey = journalKey;
            _itemDepth++;
            try
            {
                body();
            }
            catch (PipelineStoppedException)
            {
                throw;
            }
            catch (ActionPreferenceStopException)
            {
                // -ErrorAction Stop: an inner item's error is already on its way as the terminating error
                _itemFailed = true;
                throw;
            }
            catch (Exception ex)
            {
                WriteItemError(ex, operation, target);
            }
            finally
            {
                _itemDepth--;
                _logInstanceId = outerInstanceId;
                _logJournalKey = outerJournalKey;
            }

            if (outermost) ReleasePassOn();
        }

        /// <summary>
        /// Passes an object (the instance, as it is after this step) down the pipeline. Inside <see cref="ForItem"/> it is
        /// held until the pipeline item ends and written only when no part of the item failed; outside, it is written at once.
        /// </summary>
        protected void PassOn(object output)
        {
            if (_itemDepth == 0)
            {
                WriteObject(output);
                return;
            }

            (_passOn ?? (_passOn = new List<object>())).Add(output);
        }

        private void ReleasePassOn()
        {
            var held = _passOn;
            _passOn = null;
            if (held == null) return;
            if (_itemFailed)
            {
                foreach (var output in held)
                {
                    WriteVerbose($"{Describe(output)} is not passed down the pipeline: a step of it failed (see the error above).");
                }

                return;
            }

            foreach (var output in held) WriteObject(output);
        }

        private static string Describe(object output) =>
            output is Core.Models.AltinnInstance instance ? $"Instance {instance.Id}" : $"The {output?.GetType().Name ?? "output"}";

        protected string ResolvePath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(ProfileHome.Expand(path));

        protected override void EndProcessing()
        {
            _stopping.Dispose();
            base.EndProcessing();
        }
    }
}
