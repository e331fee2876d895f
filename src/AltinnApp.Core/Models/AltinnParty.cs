using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json.Serialization;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Models
{
    /// <summary>
    /// A party as Altinn's Register describes it (Altinn.Platform.Register.Models.Party): an item of
    /// <c>GET api/v1/parties</c>, and the <c>party</c> of an instance owner.
    /// </summary>
    public sealed class AltinnParty
    {
        private string _ssn;

        [JsonPropertyName("partyId")] public int PartyId { get; set; }
        [JsonPropertyName("partyUuid")] public Guid? PartyUuid { get; set; }
        [JsonPropertyName("partyTypeName")] public AltinnPartyType? PartyTypeName { get; set; }

        /// <summary>
        /// The person number, masked. The app masks it since app-lib's PartySsnMasking; masked here as well, so an
        /// older app's full number never reaches a log, an error or the screen.
        /// </summary>
        [JsonPropertyName("ssn")]
        public string Ssn
        {
            get => _ssn;
            set => _ssn = NorwegianIdentifiers.MaskPersonNumber(value);
        }

        [JsonPropertyName("orgNumber")] public string OrgNumber { get; set; }
        [JsonPropertyName("unitType")] public string UnitType { get; set; }
        [JsonPropertyName("name")] public string Name { get; set; }
        [JsonPropertyName("isDeleted")] public bool IsDeleted { get; set; }

        /// <summary>For a person user, the units under an organisation they may represent; null for a system user's party.</summary>
        [JsonPropertyName("childParties")] public List<AltinnParty> ChildParties { get; set; }

        [JsonIgnore] public string OrganizationNumber => OrgNumber;

        /// <summary>
        /// What the party is. Register calls a sub-unit and a bankruptcy estate an Organisation and tells them apart
        /// by unit type (BEDR/AAFY, KBO), as app-lib's InstantiationHelper does when it checks partyTypesAllowed.
        /// </summary>
        [JsonIgnore]
        public AltinnPartyType? Kind
        {
            get
            {
                if (PartyTypeName != AltinnPartyType.Organisation) return PartyTypeName;
                var unit = UnitType?.Trim();
                if (unit == "BEDR" || unit == "AAFY") return AltinnPartyType.SubUnit;
                if (unit == "KBO") return AltinnPartyType.BankruptcyEstate;
                return AltinnPartyType.Organisation;
            }
        }

        public override string ToString() => Name ?? OrgNumber ?? PartyId.ToString(CultureInfo.InvariantCulture);
    }

    public enum AltinnPartyType
    {
        Person = 1,
        Organisation = 2,
        SelfIdentified = 3,
        SubUnit = 4,
        BankruptcyEstate = 5,
    }
}
