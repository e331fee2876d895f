using System;
using System.Threading;
using System.Threading.Tasks;

namespace AltinnApp.Core
{
    /// <summary>
    /// The engine's one source of time: token expiry, retry backoff and Retry-After, the virus-scan and receipt
    /// waits, journal timestamps. A session holds one; tests give a clock whose <see cref="Delay"/> moves time on
    /// at once, so nothing that waits needs to sleep.
    /// </summary>
    public interface IAltinnClock
    {
        DateTimeOffset UtcNow { get; }

        /// <summary>Completes when <paramref name="delay"/> has passed on this clock; cancelled with the token.</summary>
        Task Delay(TimeSpan delay, CancellationToken cancellationToken);
    }

    /// <summary>The machine's clock and timers.</summary>
    public sealed class SystemClock : IAltinnClock
    {
        public static readonly SystemClock Instance = new SystemClock();

        private SystemClock()
        {
        }

        public DateTimeOffset UtcNow => DateTimeOffset.UtcNow;

        public Task Delay(TimeSpan delay, CancellationToken cancellationToken) =>
            delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, cancellationToken);

        public override string ToString() => "system clock";
    }
}
