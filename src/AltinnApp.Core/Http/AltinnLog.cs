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

    /// <summary>
    /// A log that knows whether anyone will see its Verbose and Debug messages. The engine builds and redacts a
    /// message only when its level is on: a request makes four of them, and redacting each is five regular
    /// expressions. A log without this interface gets every message.
    /// </summary>
    public interface IAltinnLogLevels
    {
        bool IsVerboseEnabled { get; }

        bool IsDebugEnabled { get; }
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

        /// <summary>Whether a Verbose message would reach anyone: check it before building an expensive one.</summary>
        public static bool IsVerboseEnabled => IsEnabled(CurrentLog.Value, verbose: true);

        /// <summary>Whether a Debug message would reach anyone.</summary>
        public static bool IsDebugEnabled => IsEnabled(CurrentLog.Value, verbose: false);

        public static void Verbose(string message)
        {
            var log = CurrentLog.Value;
            if (IsEnabled(log, verbose: true)) log.Verbose(Redactor.Redact(message));
        }

        public static void Debug(string message)
        {
            var log = CurrentLog.Value;
            if (IsEnabled(log, verbose: false)) log.Debug(Redactor.Redact(message));
        }

        public static void Warning(string message) => Current.Warning(Redactor.Redact(message));

        /// <summary>
        /// Progress of one transfer, reported to the log of the call that starts it (the bytes are counted on
        /// HttpClient's threads, where that call's log is not the current one).
        /// </summary>
        public static IProgress<long> Transfer(string activity, long? total) => new TransferProgress(Current, Redactor.Redact(activity), total);

        private static bool IsEnabled(IAltinnLog log, bool verbose)
        {
            if (log == null || log is NullLog) return false;
            if (log is IAltinnLogLevels levels) return verbose ? levels.IsVerboseEnabled : levels.IsDebugEnabled;
            return true;
        }

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
