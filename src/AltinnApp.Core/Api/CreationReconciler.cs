using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AltinnApp.Core.Http;
using AltinnApp.Core.Models;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Api
{
    /// <summary>
    /// Creating an instance is not idempotent (reference §7). When a create's outcome is unknown (timeout,
    /// dropped connection, 502/504) this finds out whether it took effect before anything is repeated: it
    /// lists the party's active instances and looks for one that appeared since the attempt began and that
    /// nobody has claimed (this session's creations, the journal's keys). Exactly one: that is ours. None:
    /// safe to repeat. More: the outcome stays unknown and the caller is told which instances to check.
    /// </summary>
    public sealed class CreationReconciler
    {
        private readonly ConcurrentDictionary<string, byte> _claimed = new ConcurrentDictionary<string, byte>(StringComparer.OrdinalIgnoreCase);
        private readonly ConcurrentDictionary<string, int> _parties = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);

        private readonly IAltinnClock _clock;

        public CreationReconciler(IAltinnClock clock = null)
        {
            _clock = clock ?? SystemClock.Instance;
        }

        /// <summary>Clock skew allowed between this machine and Altinn when comparing creation times.</summary>
        public static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);

        /// <summary>An instance this session made or read for a key: never adopted by another creation.</summary>
        public void Claim(AltinnInstance instance)
        {
            if (instance?.Id == null) return;
            _claimed[instance.Id] = 0;
            var owner = instance.InstanceOwner;
            if (owner?.OrganisationNumber != null && int.TryParse(owner.PartyId, NumberStyles.None, CultureInfo.InvariantCulture, out var party))
            {
                _parties[owner.OrganisationNumber] = party;
            }
        }

        public bool IsClaimed(string instanceId) => _claimed.ContainsKey(instanceId);

        /// <summary>The party id of an organisation, once any instance of it has been seen.</summary>
        public int? PartyOf(InstanceOwnerSpec owner)
        {
            if (owner.PartyId.HasValue) return owner.PartyId;
            if (owner.OrganizationNumber != null && _parties.TryGetValue(owner.OrganizationNumber, out var party)) return party;
            return null;
        }

        public void LearnParty(string organizationNumber, int partyId) => _parties[organizationNumber] = partyId;

        /// <summary>
        /// Marks a creation for an app and owner as under way, so reconciliation waits for the others to settle.
        /// <paramref name="content"/> fingerprints what the create sends (null for a multipart create): creates of the same
        /// content make instances that differ only by id. While a create that lost its answer waits for the others to
        /// settle, no new one begins: in a steady batch there would always be another in flight.
        /// </summary>
        public async Task<CreationTicket> BeginAsync(AppIdentifier app, InstanceOwnerSpec owner, string content, CancellationToken cancellationToken)
        {
            var key = Key(app, owner);
            var ticket = new CreationTicket(content);
            while (true)
            {
                lock (_tickets)
                {
                    if (!_tickets.TryGetValue(key, out var list)) _tickets[key] = list = new List<CreationTicket>();
                    if (!list.Any(t => t.WaitingForOthers))
                    {
                        list.Add(ticket);
                        break;
                    }
                }

                await _clock.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            }

            ticket.Release = () =>
            {
                lock (_tickets)
                {
                    var list = _tickets[key];
                    list.Remove(ticket);
                    if (list.Count == 0) _tickets.Remove(key);
                }
            };
            return ticket;
        }

        private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

        /// <summary>How long a create that lost its answer waits for the other creates of its owner to settle.</summary>
        public static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(60);

        private readonly Dictionary<string, List<CreationTicket>> _tickets = new Dictionary<string, List<CreationTicket>>(StringComparer.OrdinalIgnoreCase);

        /// <summary>One create under way; disposing it ends it.</summary>
        public sealed class CreationTicket : IDisposable
        {
            internal CreationTicket(string content) => Content = content;

            internal string Content { get; }

            /// <summary>Its answer was lost and it is looking for the instance it may have made: it makes nothing more.</summary>
            internal volatile bool Reconciling;

            /// <summary>It is waiting for the other creates of its owner to settle: no new one begins meanwhile.</summary>
            internal volatile bool WaitingForOthers;

            internal Action Release;

            public void Dispose() => Interlocked.Exchange(ref Release, null)?.Invoke();
        }

        /// <summary>The creates of an app and owner that are under way and not reconciling, but <paramref name="self"/>: they may yet claim what they made.</summary>
        private int Settling(string key, CreationTicket self)
        {
            lock (_tickets) return _tickets.TryGetValue(key, out var list) ? list.Count(t => t != self && !t.Reconciling) : 0;
        }

        /// <summary>The other creates of an app and owner that lost their answer, when all of them sent this content; else null.</summary>
        private int? AlikeReconciling(string key, CreationTicket self)
        {
            if (self?.Content == null) return null;
            lock (_tickets)
            {
                var others = _tickets.TryGetValue(key, out var list) ? list.Where(t => t != self && t.Reconciling).ToList() : new List<CreationTicket>();
                return others.All(t => t.Content == self.Content) ? others.Count : (int?)null;
            }
        }

        /// <summary>
        /// Whether an earlier attempt made the instance. Returns the instance when it did, null when it certainly
        /// did not, and throws <c>Altinn.NewInstance.OutcomeUnknown</c> when that cannot be told.
        /// </summary>
        public async Task<AltinnInstance> FindCreatedAsync(InstanceApi instances, AppIdentifier app, InstanceOwnerSpec owner, DateTimeOffset since,
            Func<ISet<string>> alsoClaimed, bool createSentFiles, CancellationToken cancellationToken, CreationTicket ticket = null)
        {
            var key = Key(app, owner);
            if (ticket != null) ticket.Reconciling = true;
            // other creations for the same owner still in flight would look like candidates: let them finish first (those
            // that lost their answer too claim nothing more, so they are not waited for)
            var waitUntil = _clock.UtcNow.Add(SettleTimeout);
            if (ticket != null) ticket.WaitingForOthers = true;
            int settling;
            try
            {
                while ((settling = Settling(key, ticket) - (ticket == null ? 1 : 0)) > 0 && _clock.UtcNow < waitUntil)
                {
                    await _clock.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                if (ticket != null) ticket.WaitingForOthers = false;
            }

            if (settling > 0)
            {
                // an instance one of them made would look like this create's: taking it would give two creates one instance
                throw new AltinnException("Altinn.NewInstance.OutcomeUnknown", AltinnErrorKind.ConnectionError,
                    $"The request to create an instance of {app} for {owner} got no answer, and {settling} other create(s) for the same owner were still under way after {SettleTimeout.TotalSeconds:0} s, so the instance this one may have made cannot be told from theirs. " +
                    $"Check with Get-AltinnInstance -Active -PartyId <party> -ForApp {app} once the batch has ended, and remove an instance no row claims with Remove-AltinnInstance.");
            }

            var party = PartyOf(owner);
            if (party == null)
            {
                throw new AltinnException("Altinn.NewInstance.OutcomeUnknown", AltinnErrorKind.ConnectionError,
                    $"The request to create an instance of {app} for {owner} got no answer, so it is unknown whether Altinn made the instance, and its party id is not known yet to look. Check with Get-AltinnInstance -Active -PartyId <party> -ForApp {app} before creating it again.");
            }

            var found = await FindCandidatesAsync(instances, app, party.Value, since, alsoClaimed, createSentFiles, cancellationToken).ConfigureAwait(false);
            if (found.Count == 0)
            {
                // the caller sends the create again: a live create once more, which others that lose their answers wait for
                if (ticket != null) ticket.Reconciling = false;
                return null;
            }

            if (found.Count > 1 && AlikeReconciling(key, ticket) is int alike && found.Count <= alike + 1)
            {
                // every create that lost its answer sent the same content: their instances are interchangeable, and each
                // takes the earliest one no other has taken
                foreach (var candidate in found.OrderBy(i => i.Created ?? DateTime.MaxValue).ThenBy(i => i.Id, StringComparer.Ordinal))
                {
                    if (!_claimed.TryAdd(candidate.Id, 0)) continue;
                    AltinnLog.Verbose($"NewInstance: the earlier attempt, or one of {alike + 1} alike whose answers were lost, created {candidate.Id}; using it.");
                    return candidate;
                }

                return null;
            }

            if (found.Count > 1)
            {
                throw new AltinnException("Altinn.NewInstance.OutcomeUnknown", AltinnErrorKind.Conflict,
                    $"The request to create an instance of {app} for {owner} got no answer, and {found.Count} new instances nobody has claimed appeared since: {string.Join(", ", found.Select(i => i.Id))}. Check them with Get-AltinnInstance and remove the extra ones with Remove-AltinnInstance.");
            }

            // taken at once, so two creates that lost their answers never both take it
            if (!_claimed.TryAdd(found[0].Id, 0)) return null;
            AltinnLog.Verbose($"NewInstance: the earlier attempt did create {found[0].Id}; using it instead of creating another.");
            return found[0];
        }

        /// <summary>
        /// Active instances of the party that appeared since <paramref name="since"/>, are nobody's, and are as a create
        /// leaves them (<see cref="AsCreated"/>): a lost create's instance was never touched, since nobody knew its id.
        /// </summary>
        /// <param name="createSentFiles">The create was multipart and sent files, so files of its own may be on the instance.</param>
        public async Task<IReadOnlyList<AltinnInstance>> FindCandidatesAsync(InstanceApi instances, AppIdentifier app, int partyId, DateTimeOffset since,
            Func<ISet<string>> alsoClaimed, bool createSentFiles, CancellationToken cancellationToken)
        {
            AltinnApplication metadata = null;
            var metadataRead = false;
            var claimedElsewhere = alsoClaimed?.Invoke() ?? new HashSet<string>();
            var active = await instances.GetActiveInstancesAsync(app, partyId, cancellationToken).ConfigureAwait(false);
            var threshold = since - Skew;
            var result = new List<AltinnInstance>();
            foreach (var item in active)
            {
                if (IsClaimed(item.Id) || claimedElsewhere.Contains(item.Id)) continue;
                if (item.LastChanged.HasValue && item.LastChanged.Value.ToUniversalTime() < threshold.UtcDateTime) continue;
                var instance = await instances.GetInstanceAsync(app, InstanceIdentifier.Parse(item.Id), cancellationToken).ConfigureAwait(false);
                if (instance.Created.HasValue && instance.Created.Value.ToUniversalTime() < threshold.UtcDateTime) continue;
                if (!metadataRead && instance.Data?.Count > 0)
                {
                    metadataRead = true;
                    try
                    {
                        metadata = await instances.ApplicationAsync(app, cancellationToken).ConfigureAwait(false);
                    }
                    catch (AltinnException ex)
                    {
                        // without the metadata a file is told from form data by its content type
                        AltinnLog.Verbose($"NewInstance: the metadata of {app} could not be read to tell files from form data ({ex.ErrorId}).");
                    }
                }

                if (!AsCreated(instance, metadata, createSentFiles, out var why))
                {
                    AltinnLog.Verbose($"NewInstance: {instance.Id} appeared since the create began but is not this create's: {why}.");
                    continue;
                }

                result.Add(instance);
            }

            return result;
        }

        /// <summary>
        /// Whether the instance is as a create leaves it. Storage sets a data element's lastChanged to its created when it is
        /// made and moves it on every write (altinn-storage DataElementHelper, DataController), so form data written after
        /// the create, or a file a create without files cannot have made, is someone else's work: another journal's key, a
        /// run without a journal, a person at the prompt. Such an instance is never adopted.
        /// </summary>
        internal static bool AsCreated(AltinnInstance instance, AltinnApplication metadata, bool createSentFiles, out string why)
        {
            foreach (var element in instance.Data ?? new AltinnDataElementList())
            {
                if (element.Created.HasValue && element.LastChanged.HasValue && element.LastChanged.Value > element.Created.Value)
                {
                    why = $"its {element.DataType} was written after the instance was made";
                    return false;
                }

                var type = metadata?.DataTypes?.FirstOrDefault(d => string.Equals(d.Id, element.DataType, StringComparison.Ordinal));
                var isFile = type != null ? !type.IsFormData : !IsFormContent(element.ContentType);
                if (!createSentFiles && isFile)
                {
                    why = $"it holds a {element.DataType} file, which the create did not send";
                    return false;
                }
            }

            why = null;
            return true;
        }

        private static bool IsFormContent(string contentType)
        {
            var type = contentType?.Split(';')[0].Trim().ToLowerInvariant();
            return type == null || type == "application/json" || type == "application/xml" || type == "text/xml";
        }

        private static string Key(AppIdentifier app, InstanceOwnerSpec owner) => app + "|" + owner;

    }
}
