using System;
using System.Globalization;

namespace AltinnApp.Core.Validation
{
    /// <summary>An instance id, <c>{instanceOwnerPartyId}/{instanceGuid}</c>.</summary>
    public readonly struct InstanceIdentifier
    {
        public InstanceIdentifier(int partyId, Guid instanceGuid)
        {
            PartyId = partyId;
            InstanceGuid = instanceGuid;
        }

        public int PartyId { get; }

        public Guid InstanceGuid { get; }

        public static bool TryParse(string value, out InstanceIdentifier id)
        {
            id = default;
            if (string.IsNullOrWhiteSpace(value)) return false;
            var parts = value.Trim().Split('/');
            if (parts.Length != 2) return false;
            if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var party) || party <= 0) return false;
            if (!Guid.TryParseExact(parts[1], "D", out var guid)) return false;
            id = new InstanceIdentifier(party, guid);
            return true;
        }

        public static InstanceIdentifier Parse(string value, string parameterName = "InstanceId", string operation = null)
        {
            if (TryParse(value, out var id)) return id;
            throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.InvalidInstanceId),
                $"-{parameterName} '{value}' is not an instance id. An instance id is the party id and the instance GUID separated by a slash, for example 500700/232c5390-9479-4506-a266-9890d7287bfb.");
        }

        public override string ToString() => PartyId.ToString(CultureInfo.InvariantCulture) + "/" + InstanceGuid.ToString("D");
    }

    /// <summary>An app id, <c>{org}/{app}</c>.</summary>
    public readonly struct AppIdentifier
    {
        public AppIdentifier(string org, string app)
        {
            Org = org;
            App = app;
        }

        public string Org { get; }

        public string App { get; }

        public static AppIdentifier Parse(string value, string parameterName = "App", string operation = null)
        {
            var parts = (value ?? string.Empty).Trim().Trim('/').Split('/');
            if (parts.Length == 2 && IsName(parts[0]) && IsName(parts[1])) return new AppIdentifier(parts[0].ToLowerInvariant(), parts[1].ToLowerInvariant());
            throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.InvalidApp),
                $"-{parameterName} '{value}' is not an app id. Give the app as org/app, for example brg/aarsregnskap, or set a default with Connect-Altinn -App.");
        }

        private static bool IsName(string s)
        {
            if (s.Length == 0 || s.Length > 100) return false;
            foreach (var c in s)
            {
                if (!(char.IsLetterOrDigit(c) && c < 128) && c != '-' && c != '_') return false;
            }

            return true;
        }

        public override string ToString() => Org + "/" + App;
    }
}
