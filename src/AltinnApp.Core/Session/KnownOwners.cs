using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using AltinnApp.Core.Models;

namespace AltinnApp.Core.Session
{
    /// <summary>
    /// The party id of each person owner a session has seen on an instance (Storage's <c>instanceOwner</c> carries both).
    /// The app's <c>api/v1/parties</c> masks person numbers (app-lib <c>PartySsnMasking</c>), so a person's party can only
    /// be matched on an instance it owns. Kept in memory for the session's life, never written anywhere.
    /// </summary>
    public static class KnownOwners
    {
        private static readonly ConditionalWeakTable<AltinnSession, ConcurrentDictionary<string, int>> People =
            new ConditionalWeakTable<AltinnSession, ConcurrentDictionary<string, int>>();

        // an agent's clients are not in api/v1/parties either (it lists the firm alone): a client's party is known from its instances
        private static readonly ConditionalWeakTable<AltinnSession, ConcurrentDictionary<string, int>> Organisations =
            new ConditionalWeakTable<AltinnSession, ConcurrentDictionary<string, int>>();

        internal static void Remember(AltinnSession session, AltinnInstanceOwner owner)
        {
            if (session == null || owner == null) return;
            if (!int.TryParse(owner.PartyId, out var partyId) || partyId <= 0) return;
            if (!string.IsNullOrEmpty(owner.PersonNumber)) People.GetOrCreateValue(session)[owner.PersonNumber] = partyId;
            else if (!string.IsNullOrEmpty(owner.OrganisationNumber)) Organisations.GetOrCreateValue(session)[owner.OrganisationNumber] = partyId;
        }

        /// <summary>The party id of an organisation owner this session has met on an instance; false when it has met none.</summary>
        public static bool TryGetPartyOfOrganization(AltinnSession session, string organizationNumber, out int partyId)
        {
            partyId = 0;
            return session != null && organizationNumber != null && Organisations.TryGetValue(session, out var known) && known.TryGetValue(organizationNumber, out partyId);
        }

        /// <summary>
        /// The organisation of party <paramref name="partyId"/> when this session has met it on an instance and it is not the
        /// system user's own: a client the session filed for (an agent system user). Null otherwise.
        /// </summary>
        public static string ClientOf(AltinnSession session, string partyId)
        {
            if (session == null || partyId == null || !Organisations.TryGetValue(session, out var known)) return null;
            foreach (var pair in known)
            {
                if (pair.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) == partyId && pair.Key != session.SystemUserOrganization) return pair.Key;
            }

            return null;
        }

        /// <summary>The party id of a person owner this session has met; false when it has met none with that number.</summary>
        public static bool TryGetPartyOfPerson(AltinnSession session, string personNumber, out int partyId)
        {
            partyId = 0;
            return session != null && personNumber != null && People.TryGetValue(session, out var known) && known.TryGetValue(personNumber, out partyId);
        }
    }
}
