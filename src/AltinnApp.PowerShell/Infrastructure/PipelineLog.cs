using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Management.Automation;
using AltinnApp.Core.Http;

namespace AltinnApp.PowerShell.Infrastructure
{
    /// <summary>
    /// Collects the engine's messages from whatever thread they arise on; the cmdlet writes them on the
    /// pipeline thread, the only one allowed to.
    /// </summary>
    internal sealed class PipelineLog : IAltinnLog
    {
        private readonly BlockingCollection<Action<Cmdlet>> _queue = new BlockingCollection<Action<Cmdlet>>();
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

        /// <summary>Messages to write on the pipeline thread; a null entry only wakes the pump.</summary>
        public BlockingCollection<Action<Cmdlet>> Queue => _queue;

        public void Wake() => _queue.Add(null);

        public void Verbose(string message)
        {
            if (_verbose) _queue.Add(c => c.WriteVerbose(message));
        }

        public void Debug(string message)
        {
            if (_debug) _queue.Add(c => c.WriteDebug(message));
        }

        public void Warning(string message) => _queue.Add(c => c.WriteWarning(message));

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
            _queue.Add(c => c.WriteProgress(record));
        }

        private static string Size(long bytes) =>
            bytes >= 1 << 20 ? $"{bytes / 1048576.0:0.0} MiB" : bytes >= 1 << 10 ? $"{bytes / 1024.0:0.0} KiB" : $"{bytes} B";
    }
}
