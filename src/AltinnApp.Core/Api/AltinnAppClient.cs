using AltinnApp.Core.Session;

namespace AltinnApp.Core.Api
{
    /// <summary>
    /// The session's way into an app's API (reference §4), one class per concern, typed models in and out. They build
    /// every URL and read every body; they never write to a PowerShell stream.
    /// </summary>
    public sealed class AltinnAppClient
    {
        private readonly string _appBaseUri;

        internal AltinnAppClient(AltinnSession session)
        {
            _appBaseUri = session.Environment?.AppBaseUri;
            var transport = new AppApiTransport(session);
            Applications = new ApplicationApi(transport);
            Instances = new InstanceApi(transport);
            Data = new DataApi(transport, Applications, Instances);
            Process = new ProcessApi(transport);
        }

        /// <summary>The app's metadata and the parties the caller may represent.</summary>
        public ApplicationApi Applications { get; }

        // a session exported with its instance (ConvertTo-Json) shows this, not the type's name
        public override string ToString() => $"app API of {_appBaseUri}";

        /// <summary>Create, read, delete and list instances.</summary>
        public InstanceApi Instances { get; }

        /// <summary>Form data, uploads, downloads and the virus scan wait.</summary>
        public DataApi Data { get; }

        /// <summary>The process: read, move on, validate.</summary>
        public ProcessApi Process { get; }
    }
}
