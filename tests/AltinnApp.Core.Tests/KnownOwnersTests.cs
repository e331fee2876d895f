using System.Threading.Tasks;
using AltinnApp.Core.Api;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;
using AltinnApp.Core.Validation;
using Xunit;

namespace AltinnApp.Core.Tests
{
    /// <summary>A person owner's party id, learnt from the instances a session creates or reads, for Get-AltinnInstance -Active -PersonNumber.</summary>
    public class KnownOwnersTests
    {
        private static readonly AppIdentifier App = new AppIdentifier("brg", "aarsregnskap");

        [Fact]
        public async Task A_person_owner_is_known_to_the_session_that_met_them_and_to_no_other()
        {
            var fake = new FakeAltinnApp();
            using var session = await TestSessions.ConnectAsync(fake);
            using var other = await TestSessions.ConnectAsync(fake);
            Assert.False(KnownOwners.TryGetPartyOfPerson(session, "08089403198", out _));

            var created = await session.Client.Instances.CreateInstanceAsync(App, new InstanceOwnerSpec { PersonNumber = "08089403198" }, null, null, null, "nb", null, fake.RunToken);

            Assert.True(KnownOwners.TryGetPartyOfPerson(session, "08089403198", out var partyId));
            Assert.Equal(created.PartyId, partyId);
            Assert.Equal(500800, partyId);
            Assert.False(KnownOwners.TryGetPartyOfPerson(other, "08089403198", out _));

            // the other session learns it by reading the instance
            await other.Client.Instances.GetInstanceAsync(App, InstanceIdentifier.Parse(created.Id, "InstanceId"), fake.RunToken);
            Assert.True(KnownOwners.TryGetPartyOfPerson(other, "08089403198", out var read));
            Assert.Equal(500800, read);
        }

        [Fact]
        public async Task An_organisation_owner_teaches_nothing_about_persons()
        {
            var fake = new FakeAltinnApp();
            using var session = await TestSessions.ConnectAsync(fake);
            await session.Client.Instances.CreateInstanceAsync(App, new InstanceOwnerSpec { OrganizationNumber = "950474084" }, null, null, null, "nb", null, fake.RunToken);
            Assert.False(KnownOwners.TryGetPartyOfPerson(session, "950474084", out _));
        }
    }
}
