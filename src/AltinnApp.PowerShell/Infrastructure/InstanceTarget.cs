using System.Threading;
using System.Threading.Tasks;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;
using AltinnApp.Core.Validation;

namespace AltinnApp.PowerShell.Infrastructure
{
    /// <summary>The instance a per-instance cmdlet works on, from an object or from -InstanceId and -App.</summary>
    internal sealed class InstanceTarget
    {
        public InstanceTarget(AltinnSession session, AppIdentifier app, InstanceIdentifier id, AltinnInstance instance)
        {
            Session = session;
            App = app;
            Id = id;
            Instance = instance;
        }

        public AltinnSession Session { get; }

        public AppIdentifier App { get; }

        public InstanceIdentifier Id { get; }

        /// <summary>The object from the pipeline, or null when only the id was given.</summary>
        public AltinnInstance Instance { get; private set; }

        public string Display => Id.ToString();

        public static InstanceTarget From(AltinnSession session, AltinnInstance instance, string instanceId, string app, string operation)
        {
            if (instance != null)
            {
                return new InstanceTarget(session, AppIdentifier.Parse(instance.AppId ?? app, "App", operation), InstanceIdentifier.Parse(instance.Id, "Instance", operation), instance);
            }

            var appId = string.IsNullOrEmpty(app) ? session.DefaultApp : app;
            if (string.IsNullOrEmpty(appId))
            {
                throw new Core.AltinnArgumentException(Core.ErrorCatalogue.Id(operation, Core.ErrorReason.MissingApp),
                    "No app given. Pass -App org/app (or an App column when piping from a CSV file), or set a default with Connect-Altinn -App.");
            }

            return new InstanceTarget(session, AppIdentifier.Parse(appId, "App", operation), InstanceIdentifier.Parse(instanceId, "InstanceId", operation), null);
        }

        /// <summary>
        /// A newer copy of the instance from an answer (an upload, a removal): it stays on the journal key of the
        /// instance it replaces, so the cmdlets after it in the pipeline still record their progress.
        /// </summary>
        public AltinnInstance Carry(AltinnInstance fresh)
        {
            if (fresh != null && fresh.Journal == null) fresh.Journal = Instance?.Journal;
            return fresh;
        }

        /// <summary>The instance object, read from Altinn when only the id was given.</summary>
        public async Task<AltinnInstance> GetInstanceAsync(CancellationToken cancellationToken, bool refresh = false)
        {
            if (Instance == null || refresh)
            {
                var journal = Instance?.Journal;
                Instance = await Session.Client.Instances.GetInstanceAsync(App, Id, cancellationToken).ConfigureAwait(false);
                Instance.Journal = journal; // a fresh copy stays on its journal key
            }

            return Instance;
        }
    }
}
