using System.Collections.Specialized;
using System.Linq;
using System.Management.Automation;
using AltinnApp.Core;
using AltinnApp.Core.Api;
using AltinnApp.Core.Http;
using AltinnApp.Core.Session;
using AltinnApp.Core.Validation;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    /// <summary>An empty form of a data type, as an ordered hashtable to fill in; with -Full, its fields with type and required flag.</summary>
    [Cmdlet(VerbsCommon.New, "AltinnFormData")]
    [OutputType(typeof(OrderedDictionary), typeof(PSCustomObject))]
    public sealed class NewAltinnFormDataCommand : AltinnCmdlet
    {
        private const string Operation = "NewFormData";

        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(AppCompleter))]
        public string App { get; set; }

        /// <summary>The form data type; may be left out when the app has only one.</summary>
        [Parameter(Position = 1)]
        [ArgumentCompleter(typeof(DataTypeCompleter))]
        [ValidateNotNullOrEmpty]
        public string DataType { get; set; }

        /// <summary>Lists the fields (path, type, required) rather than returning a form to fill in.</summary>
        [Parameter]
        public SwitchParameter Full { get; set; }

        [Parameter]
        public AltinnSession Session { get; set; }

        protected override void ProcessRecord()
        {
            var session = ResolveSession(Session);
            ForItem(Operation, App, () =>
            {
                var appId = string.IsNullOrEmpty(App) ? session.DefaultApp : App;
                if (string.IsNullOrEmpty(appId))
                {
                    throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.MissingApp), "No app given. Pass -App org/app, or set a default with Connect-Altinn -App.");
                }

                var app = AppIdentifier.Parse(appId, nameof(App), Operation);
                var schema = Run(async ct =>
                {
                    var application = await session.Client.Applications.GetApplicationAsync(app, ct).ConfigureAwait(false);
                    var forms = application.FormDataTypes;
                    var type = DataType == null ? (forms.Length == 1 ? forms[0] : null) : application.FindDataType(DataType);
                    if (type == null || !type.IsFormData)
                    {
                        var names = forms.Length == 0 ? "it has none" : "its form data types are " + string.Join(", ", forms.Select(f => f.Id));
                        throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, DataType == null || type == null ? ErrorReason.UnknownDataType : ErrorReason.NotFormData),
                            (DataType == null ? $"{app} has more than one form data type" : type == null ? $"{app} has no data type '{DataType}'" : $"'{type.Id}' of {app} takes files, not form data") +
                            $": {names}. Give one in -DataType.");
                    }

                    try
                    {
                        return await session.Client.Applications.GetFormSchemaAsync(app, type.Id, ct).ConfigureAwait(false);
                    }
                    catch (AltinnApiException ex)
                    {
                        throw new AltinnException(ErrorCatalogue.Id(Operation, ErrorReason.SchemaUnavailable), AltinnErrorKind.ResourceUnavailable,
                            $"The schema of '{type.Id}' could not be read from {app} ({ex.Message}). The app serves one for each form data type its models folder has a schema for: check the app's deployment, or try again later.", ex);
                    }
                });

                if (Full)
                {
                    foreach (var field in schema.AllFields())
                    {
                        var row = new PSObject();
                        row.TypeNames.Insert(0, "AltinnApp.FormField");
                        row.Properties.Add(new PSNoteProperty("Path", field.Path));
                        row.Properties.Add(new PSNoteProperty("Type", field.DisplayType));
                        row.Properties.Add(new PSNoteProperty("Required", field.Required));
                        WriteObject(row);
                    }

                    return;
                }

                WriteObject(Form(schema.Root));
            });
        }

        /// <summary>Every field of an object, in the model's order: a value is $null, a nested object a hashtable, a list @() (of one empty item when its items are objects).</summary>
        private static OrderedDictionary Form(FormField parent)
        {
            var form = new OrderedDictionary();
            foreach (var field in parent.Children)
            {
                if (field.IsArray)
                {
                    form[field.Name] = field.Items != null && field.Items.Type == "object" && field.Items.Children.Count > 0 ? new object[] { Form(field.Items) } : new object[0];
                }
                else
                {
                    form[field.Name] = field.Type == "object" ? Form(field) : null;
                }
            }

            return form;
        }
    }
}
