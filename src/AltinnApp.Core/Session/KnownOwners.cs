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

        internal static void Remember(AltinnSession session, AltinnInstanceOwner owner)
        {
            if (session == null || owner == null || string.IsNullOrEmpty(owner.PersonNumber)) return;
            if (!int.TryParse(owner.PartyId, out var partyId) || partyId <= 0) return;
            People.GetOrCreateValue(session)[owner.PersonNumber] = partyId;
        }

        /// <summary>The party id of a person owner this session has met; false when it has met none with that number.</summary>
        public static bool TryGetPartyOfPerson(AltinnSession session, string personNumber, out int partyId)
        {
            partyId = 0;
            return session != null && personNumber != null && People.TryGetValue(session, out var known) && known.TryGetValue(personNumber, out partyId);
        }
    }
}
