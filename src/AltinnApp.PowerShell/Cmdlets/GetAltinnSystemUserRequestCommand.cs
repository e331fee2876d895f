using System;
using System.Collections.Generic;
using System.Management.Automation;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    /// <summary>
    /// Reads a system user request by id, or by system, customer and external reference; with -Wait, reads it again
    /// until the customer has answered (Accepted, Rejected, Denied) or it has timed out.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "AltinnSystemUserRequest", DefaultParameterSetName = ByIdSet)]
    [OutputType(typeof(AltinnSystemUserRequest))]
    public sealed class GetAltinnSystemUserRequestCommand : AltinnCmdlet
    {
        private const string ByIdSet = "ById";
        private const string ByExternalRefSet = "ByExternalRef";

        [Parameter(Position = 0, ParameterSetName = ByIdSet, ValueFromPipelineByPropertyName = true)]
        [Alias("Id")]
        public string RequestId { get; set; }

        [Parameter(ParameterSetName = ByExternalRefSet, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(SystemIdCompleter))]
        public string SystemId { get; set; }

        [Parameter(ParameterSetName = ByExternalRefSet, ValueFromPipelineByPropertyName = true)]
        [Alias("OrganizationNumber", "OrgNo", "PartyOrgNo")]
        public string CustomerOrganization { get; set; }

        [Parameter(ParameterSetName = ByExternalRefSet, ValueFromPipelineByPropertyName = true)]
        public string ExternalRef { get; set; }

        /// <summary>Standard or Agent; a request piped in (or a CSV row) brings its own.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public AltinnSystemUserKind Kind { get; set; }

        [Parameter]
        public SwitchParameter Agent { get; set; }

        [Parameter]
        public SwitchParameter Wait { get; set; }

        [Parameter]
        [ValidateRange(1, 7 * 24 * 3600)]
        public int Timeout { get; set; } = 600;

        [Parameter]
        [ValidateRange(1, 3600)]
        public int PollIntervalSec { get; set; } = 5;

        [Parameter]
        public AltinnSession Session { get; set; }

        // -Wait: the open requests of the whole pipeline, waited for together in EndProcessing, so -Timeout is the call's
        private readonly List<(AltinnSession Session, AltinnSystemUserRequest Request)> _open = new List<(AltinnSession, AltinnSystemUserRequest)>();
        private DateTimeOffset? _waitStarted;

        protected override void ProcessRecord()
        {
            var session = ResolveSession(Session);
            var kind = Agent ? AltinnSystemUserKind.Agent : Kind;
            var target = ParameterSetName == ByIdSet ? RequestId : $"{SystemId}/{CustomerOrganization}/{ExternalRef}";
            if (Wait && _waitStarted == null) _waitStarted = session.Clock.UtcNow;
            ForItem("GetSystemUserRequest", target, () =>
            {
                var request = ParameterSetName == ByIdSet
                    ? Run(ct => session.Vendor.GetRequestAsync(RequestId, kind, ct))
                    : Run(ct => session.Vendor.GetRequestByExternalRefAsync(SystemId, CustomerOrganization, ExternalRef, kind, ct));
                if (Wait && !request.IsFinal)
                {
                    if (_open.Exists(o => o.Request.RequestId == request.RequestId)) return;
                    WriteVerbose($"Waiting for {request.CustomerOrganization} to answer at {request.ConfirmUrl}");
                    _open.Add((session, request));
                    return;
                }

                WriteObject(request);
            });
        }

        protected override void EndProcessing()
        {
            try
            {
                if (_open.Count > 0) WaitForAll();
            }
            finally
            {
                base.EndProcessing();
            }
        }

        /// <summary>
        /// Reads each open request once per interval, writes each as soon as it is final, and when -Timeout (counted from
        /// the first request of the call) runs out, writes one error per request still open.
        /// </summary>
        private void WaitForAll()
        {
            var clock = _open[0].Session.Clock;
            var timeout = TimeSpan.FromSeconds(Timeout);
            var interval = TimeSpan.FromSeconds(PollIntervalSec);
            var started = _waitStarted ?? clock.UtcNow;
            var total = _open.Count;
            var progress = new ProgressRecord(GetHashCode() & 0x7fffffff, "Waiting for customers to answer system user requests", "starting");
            try
            {
                while (true)
                {
                    var waited = clock.UtcNow - started;
                    if (waited >= timeout) break;
                    progress.StatusDescription = $"{_open.Count} of {total} still open, {(int)(timeout - waited).TotalSeconds} s left";
                    progress.PercentComplete = (int)(100 * (total - _open.Count) / total);
                    WriteProgress(progress);
                    var pause = timeout - waited < interval ? timeout - waited : interval;
                    Run(ct => clock.Delay(pause, ct));
                    foreach (var (session, request) in _open.ToArray())
                    {
                        ForItem("GetSystemUserRequest", request.RequestId, () =>
                        {
                            var current = Run(ct => session.Vendor.GetRequestAsync(request.RequestId, request.Kind, ct));
                            if (!current.IsFinal) return;
                            _open.RemoveAll(o => o.Request.RequestId == request.RequestId);
                            WriteObject(current);
                        });
                    }

                    if (_open.Count == 0) return;
                }

                foreach (var (session, request) in _open)
                {
                    ForItem("GetSystemUserRequest", request.RequestId, () => throw session.Vendor.NotAnswered(request, timeout));
                }
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }
        }
    }
}
