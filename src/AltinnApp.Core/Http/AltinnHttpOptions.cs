using System;

namespace AltinnApp.Core.Http
{
    /// <summary>Retry and timeout settings of one session (Connect-Altinn parameters).</summary>
    public sealed class AltinnHttpOptions
    {
        /// <summary>Repeats after the first attempt, for failures that are safe to repeat.</summary>
        public int MaxRetries { get; set; } = 5;

        /// <summary>First backoff delay; doubles per attempt, with jitter.</summary>
        public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>No single wait is longer than this, whatever Retry-After says.</summary>
        public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

        /// <summary>process/next may generate a PDF synchronously (reference §8).</summary>
        public TimeSpan ProcessNextTimeout { get; set; } = TimeSpan.FromSeconds(300);

        /// <summary>Uploads and downloads; the timeout covers the whole transfer.</summary>
        public TimeSpan TransferTimeout { get; set; } = TimeSpan.FromMinutes(30);

        public TimeSpan TimeoutFor(RequestKind kind)
        {
            switch (kind)
            {
                case RequestKind.ProcessNext: return ProcessNextTimeout;
                case RequestKind.Upload:
                case RequestKind.Download: return TransferTimeout;
                default: return Timeout;
            }
        }

        /// <summary>The Connect-Altinn parameter that sets the timeout of a kind of call, for error messages.</summary>
        public static string TimeoutParameterFor(RequestKind kind)
        {
            switch (kind)
            {
                case RequestKind.ProcessNext: return "-ProcessNextTimeoutSec";
                case RequestKind.Upload:
                case RequestKind.Download: return "-TransferTimeoutSec";
                default: return "-TimeoutSec";
            }
        }

        public AltinnHttpOptions Clone() => (AltinnHttpOptions)MemberwiseClone();
    }
}
