using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using AltinnApp.Core;
using AltinnApp.Core.Api;
using AltinnApp.Core.Models;
using AltinnApp.Core.Session;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    /// <summary>Registers the vendor's system in Altinn's system register, so customers can be asked for system users of it.</summary>
    [Cmdlet(VerbsLifecycle.Register, "AltinnSystem", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(AltinnSystem))]
    public sealed class RegisterAltinnSystemCommand : AltinnCmdlet
    {
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        public string SystemId { get; set; }

        /// <summary>The name customers see: text (Bokmål) or a hashtable of language → name (nb, nn, en).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public object Name { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public object Description { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string[] Right { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string[] AccessPackage { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string[] ClientId { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string[] AllowedRedirectUrl { get; set; }

        [Parameter]
        public SwitchParameter Visible { get; set; }

        [Parameter]
        public AltinnSession Session { get; set; }

        protected override void ProcessRecord()
        {
            var session = ResolveSession(Session);
            ForItem("RegisterSystem", SystemId, () =>
            {
                var definition = new SystemDefinition
                {
                    SystemId = SystemId,
                    Names = VendorParameters.Languages(Name, nameof(Name), "RegisterSystem", required: true),
                    Descriptions = VendorParameters.Languages(Description ?? Name, nameof(Description), "RegisterSystem", required: true),
                    Rights = VendorParameters.List(Right),
                    AccessPackages = VendorParameters.List(AccessPackage),
                    // the client that connected is the one its system users log in with, unless told otherwise
                    ClientIds = VendorParameters.List(ClientId) is string[] ids && ids.Length > 0 ? ids : new[] { session.ClientId },
                    AllowedRedirectUrls = VendorParameters.List(AllowedRedirectUrl),
                    IsVisible = Visible,
                };
                if (string.IsNullOrWhiteSpace(SystemId))
                {
                    throw new AltinnArgumentException(ErrorCatalogue.Id("RegisterSystem", ErrorReason.MissingSystemId),
                        $"-SystemId is empty: give the new system's id, the vendor's organisation number, '_' and a name without spaces, such as {session.VendorOrganization ?? "991825827"}_accounting.");
                }

                if (!ShouldProcess($"system '{SystemId}' of vendor {session.VendorOrganization} (clients: {string.Join(", ", definition.ClientIds)})", "Register in Altinn's system register")) return;
                WriteObject(Run(ct => session.Vendor.RegisterSystemAsync(definition, ct)));
            });
        }
    }

    /// <summary>What the vendor cmdlets share in reading their parameters.</summary>
    internal static class VendorParameters
    {
        /// <summary>Text is Bokmål (nb); a hashtable gives one text per language code.</summary>
        public static IDictionary<string, string> Languages(object value, string parameterName, string operation, bool required)
        {
            value = PayloadConverter.Unwrap(value);
            var result = new Dictionary<string, string>();
            if (value is IDictionary map)
            {
                foreach (DictionaryEntry entry in map)
                {
                    var text = PayloadConverter.Unwrap(entry.Value)?.ToString();
                    if (!string.IsNullOrWhiteSpace(text)) result[entry.Key.ToString()] = text.Trim();
                }
            }
            else if (value != null && !string.IsNullOrWhiteSpace(value.ToString()))
            {
                result["nb"] = value.ToString().Trim();
            }

            if (required && result.Count == 0)
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.InvalidParameter(parameterName)),
                    $"-{parameterName} is empty: give the text customers see, or a hashtable such as @{{ nb = 'Regnskap'; en = 'Accounting' }}.");
            }

            return result;
        }

        /// <summary>A CSV cell holds a list as text separated by ';' or ','.</summary>
        public static string[] List(string[] values) =>
            values?.SelectMany(v => (v ?? string.Empty).Split(';', ','))
                .Select(v => v.Trim()).Where(v => v.Length > 0).ToArray();
    }
}
