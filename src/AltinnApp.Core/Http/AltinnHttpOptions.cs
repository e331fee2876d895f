using System;

namespace AltinnApp.Core.Http
{
    /// <summary>
    /// Retry and timeout settings of one session (Connect-Altinn parameters). Immutable: a session's pipeline is
    /// built from it once, so a later change could not take effect anyway. The defaults here are the only ones;
    /// Connect-Altinn's help page states them.
    /// </summary>
    public sealed class AltinnHttpOptions
    {
        /// <summary>Connect-Altinn -MaximumRetryCount left out.</summary>
        public const int DefaultMaxRetries = 5;

        /// <summary>Connect-Altinn -RetryIntervalSec left out.</summary>
        public const double DefaultRetryIntervalSec = 1;

        /// <summary>No single wait is longer than this, whatever Retry-After says.</summary>
        public const int DefaultMaxRetryDelaySec = 60;

        /// <summary>Connect-Altinn -TimeoutSec left out.</summary>
        public const int DefaultTimeoutSec = 100;

        /// <summary>Connect-Altinn -ProcessNextTimeoutSec left out (or -TimeoutSec, when that is longer).</summary>
        public const int DefaultProcessNextTimeoutSec = 300;

        /// <summary>Connect-Altinn -TransferTimeoutSec left out (or -TimeoutSec, when that is longer).</summary>
        public const int DefaultTransferTimeoutSec = 1800;

        /// <summary>Consecutive 5xx answers or failures with no answer, across a session, that open its circuit to a host.</summary>
        public const int DefaultCircuitThreshold = 10;

        /// <summary>How long an open circuit holds requests before one goes through as a probe.</summary>
        public const int DefaultCircuitBreakSec = 30;

        /// <summary>Any setting left out (null) takes its default.</summary>
        public AltinnHttpOptions(
            int maxRetries = DefaultMaxRetries,
            TimeSpan? retryBaseDelay = null,
            TimeSpan? maxRetryDelay = null,
            TimeSpan? timeout = null,
            TimeSpan? processNextTimeout = null,
            TimeSpan? transferTimeout = null,
            int circuitThreshold = DefaultCircuitThreshold,
            TimeSpan? circuitBreakDuration = null)
        {
            CircuitThreshold = circuitThreshold;
            CircuitBreakDuration = circuitBreakDuration ?? TimeSpan.FromSeconds(DefaultCircuitBreakSec);
            MaxRetries = maxRetries;
            RetryBaseDelay = retryBaseDelay ?? TimeSpan.FromSeconds(DefaultRetryIntervalSec);
            MaxRetryDelay = maxRetryDelay ?? TimeSpan.FromSeconds(DefaultMaxRetryDelaySec);
            Timeout = timeout ?? TimeSpan.FromSeconds(DefaultTimeoutSec);
            ProcessNextTimeout = processNextTimeout ?? TimeSpan.FromSeconds(DefaultProcessNextTimeoutSec);
            TransferTimeout = transferTimeout ?? TimeSpan.FromSeconds(DefaultTransferTimeoutSec);
        }

        /// <summary>Repeats after the first attempt, for failures that are safe to repeat.</summary>
        public int MaxRetries { get; }

        /// <summary>First backoff delay; doubles per attempt, with jitter.</summary>
        public TimeSpan RetryBaseDelay { get; }

        /// <summary>No single wait is longer than this, whatever Retry-After says.</summary>
        public TimeSpan MaxRetryDelay { get; }

        public TimeSpan Timeout { get; }

        /// <summary>Consecutive 5xx answers or failures with no answer that open the circuit (0: no circuit).</summary>
        public int CircuitThreshold { get; }

        /// <summary>How long an open circuit refuses requests before it lets one through to test the host.</summary>
        public TimeSpan CircuitBreakDuration { get; }

        /// <summary>process/next may generate a PDF synchronously (reference §8).</summary>
        public TimeSpan ProcessNextTimeout { get; }

        /// <summary>Uploads and downloads; the timeout covers the whole transfer.</summary>
        public TimeSpan TransferTimeout { get; }

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
    }
}
