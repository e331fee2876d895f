using System;
using System.Threading;

namespace AltinnApp.Core.Http
{
    /// <summary>Where the engine's messages go. The cmdlet that runs a call sets it; the engine never writes to PowerShell itself.</summary>
    public interface IAltinnLog
    {
        void Verbose(string message);

        void Debug(string message);

        void Warning(string message);

        /// <summary>A transfer's progress: bytes done of total (total null when unknown).</summary>
        void Progress(string activity, long done, long? total);
    }

    /// <summary>The log of the call in flight (flows with async code, so parallel runspaces each get their own).</summary>
    public static class AltinnLog
    {
        private static readonly AsyncLocal<IAltinnLog> CurrentLog = new AsyncLocal<IAltinnLog>();

        public static IAltinnLog Current
        {
            get => CurrentLog.Value ?? NullLog.Instance;
            set => CurrentLog.Value = value;
        }

        public static void Verbose(string message) => Current.Verbose(Redactor.Redact(message));

        public static void Debug(string message) => Current.Debug(Redactor.Redact(message));

        public static void Warning(string message) => Current.Warning(Redactor.Redact(message));

        /// <summary>
        /// Progress of one transfer, reported to the log of the call that starts it (the bytes are counted on
        /// HttpClient's threads, where that call's log is not the current one).
        /// </summary>
        public static IProgress<long> Transfer(string activity, long? total) => new TransferProgress(Current, Redactor.Redact(activity), total);

        private sealed class TransferProgress : IProgress<long>
        {
            private readonly IAltinnLog _log;
            private readonly string _activity;
            private readonly long? _total;

            public TransferProgress(IAltinnLog log, string activity, long? total)
            {
                _log = log;
                _activity = activity;
                _total = total;
            }

            public void Report(long value) => _log.Progress(_activity, value, _total);
        }

        private sealed class NullLog : IAltinnLog
        {
            public static readonly NullLog Instance = new NullLog();

            public void Verbose(string message) { }

            public void Debug(string message) { }

            public void Warning(string message) { }

            public void Progress(string activity, long done, long? total) { }
        }
    }
}
