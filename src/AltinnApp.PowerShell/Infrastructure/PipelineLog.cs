using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using AltinnApp.Core.Http;

namespace AltinnApp.PowerShell.Infrastructure
{
    /// <summary>
    /// Collects the engine's messages from whatever thread they arise on; the cmdlet writes them on the
    /// pipeline thread, the only one allowed to.
    /// </summary>
    internal sealed class PipelineLog : IAltinnLog, IAltinnLogLevels, IDisposable
    {
        private readonly ConcurrentQueue<Action<Cmdlet>> _queue = new ConcurrentQueue<Action<Cmdlet>>();

        // The pump sleeps on an event, not in a spinning wait: while the server works the pipeline thread
        // should take no CPU, and on a small machine a spinning wait takes it from everything else (a
        // BlockingCollection spun for 40 % of this thread's CPU in a profile, a ManualResetEventSlim 25 %).
        private readonly AutoResetEvent _posted = new AutoResetEvent(false);
        private volatile bool _closed;
        private readonly Stopwatch _progressClock = Stopwatch.StartNew();
        private readonly int _activityId;
        private readonly bool _verbose;
        private readonly bool _debug;
        private long _lastProgressMs = -1000;

        public PipelineLog(int activityId, bool verbose = true, bool debug = true)
        {
            _activityId = activityId;
            _verbose = verbose;
            _debug = debug;
        }

        public bool IsVerboseEnabled => _verbose;

        public bool IsDebugEnabled => _debug;

        /// <summary>Wakes the pump without a message (the work has ended).</summary>
        public void Wake() => Signal();

        /// <summary>Sleeps until a message is posted or <see cref="Wake"/> is called; then take what is queued.</summary>
        public void WaitForMessage() => _posted.WaitOne();

        public bool TryTake(out Action<Cmdlet> action) => _queue.TryDequeue(out action);

        /// <summary>After the call: a late message (a stray progress report) is dropped, not thrown at its thread.</summary>
        public void Dispose()
        {
            _closed = true;
            _posted.Dispose();
        }

        private void Post(Action<Cmdlet> action)
        {
            _queue.Enqueue(action);
            Signal();
        }

        private void Signal()
        {
            if (_closed) return;
            try
            {
                _posted.Set();
            }
            catch (ObjectDisposedException)
            {
                // closed between the check and the Set: nobody is waiting any more
            }
        }

        /// <summary>
        /// Asks something only the pipeline thread may ask (ShouldProcess): the pump runs it there, and the engine awaits the
        /// answer. The engine's continuation then runs on the pipeline thread too, from the pump, up to its next real wait
        /// (as the work's first part does in <c>AltinnCmdlet.Run</c>): sending it to the thread pool instead cost a thread
        /// wake-up per confirmation, four a submission, and the pool's idle spinning after each. Nothing the engine does
        /// after a confirmation waits for this pump, so it cannot block itself.
        /// </summary>
        public Task<bool> Ask(Func<Cmdlet, bool> question)
        {
            var answer = new TaskCompletionSource<bool>();
            if (_closed)
            {
                answer.SetException(new InvalidOperationException("The cmdlet call has ended; nothing can be confirmed any more."));
                return answer.Task;
            }

            Post(c =>
            {
                bool yes;
                try
                {
                    yes = question(c);
                }
                catch (Exception ex)
                {
                    answer.TrySetException(ex);
                    return;
                }

                // behind a host's synchronization context the engine's code stays off this thread, as in Run
                if (SynchronizationContext.Current != null) Task.Run(() => answer.TrySetResult(yes));
                else answer.TrySetResult(yes);
            });
            return answer.Task;
        }

        public void Verbose(string message)
        {
            if (_verbose) Post(c => c.WriteVerbose(message));
        }

        public void Debug(string message)
        {
            if (_debug) Post(c => c.WriteDebug(message));
        }

        public void Warning(string message) => Post(c => c.WriteWarning(message));

        public void Progress(string activity, long done, long? total)
        {
            // at most five records a second: progress rendering is not free
            var now = _progressClock.ElapsedMilliseconds;
            var finished = total.HasValue && done >= total.Value;
            if (!finished && now - _lastProgressMs < 200) return;
            _lastProgressMs = now;
            var record = new ProgressRecord(_activityId, activity, total.HasValue
                ? $"{Size(done)} of {Size(total.Value)}"
                : Size(done));
            if (total.HasValue && total.Value > 0) record.PercentComplete = (int)Math.Min(100, done * 100 / total.Value);
            if (finished) record.RecordType = ProgressRecordType.Completed;
            Post(c => c.WriteProgress(record));
        }

        private static string Size(long bytes) =>
            bytes >= 1 << 20 ? $"{bytes / 1048576.0:0.0} MiB" : bytes >= 1 << 10 ? $"{bytes / 1024.0:0.0} KiB" : $"{bytes} B";
    }
}
