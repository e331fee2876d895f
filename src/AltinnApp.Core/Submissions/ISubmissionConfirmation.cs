using System.Threading;
using System.Threading.Tasks;

namespace AltinnApp.Core.Submissions
{
    /// <summary>
    /// Asks whether a change may be made, at the moment the engine knows exactly what it is about to do (create or
    /// resume, which files still need uploading, which task the process moves from). The PowerShell cmdlets answer
    /// with ShouldProcess on the pipeline thread, so -WhatIf and -Confirm see each real change and nothing else.
    /// </summary>
    public interface ISubmissionConfirmation
    {
        /// <returns>True to go ahead; false leaves it undone (nothing is sent, nothing recorded).</returns>
        Task<bool> ConfirmAsync(string target, string action, CancellationToken cancellationToken);

        /// <summary>-WhatIf is in effect: nothing may be written, the journal included (bookkeeping records as well).</summary>
        bool WhatIf { get; }
    }

    /// <summary>Confirms every change: for scripts and tests that drive the engine without a host.</summary>
    public sealed class ConfirmAll : ISubmissionConfirmation
    {
        public static readonly ConfirmAll Instance = new ConfirmAll();

        private ConfirmAll()
        {
        }

        public Task<bool> ConfirmAsync(string target, string action, CancellationToken cancellationToken) => Task.FromResult(true);

        public bool WhatIf => false;
    }
}
