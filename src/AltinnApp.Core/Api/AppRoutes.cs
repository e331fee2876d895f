namespace AltinnApp.Core.Api
{
    /// <summary>
    /// Every app route the module calls, relative to <c>/{org}/{app}/</c>. One list, so the contract test
    /// can check each against Altinn's OpenAPI documents.
    /// </summary>
    public static class AppRoutes
    {
        public const string ApplicationMetadata = "api/v1/applicationmetadata";
        public const string Parties = "api/v1/parties";
        public const string ProcessDefinition = "api/v1/meta/process";
        public const string JsonSchema = "api/jsonschema/{id}";
        public const string CreateSimple = "instances/create";
        public const string CreateMultipart = "instances";
        public const string Instance = "instances/{instanceOwnerPartyId}/{instanceGuid}";
        public const string ActiveInstances = "instances/{instanceOwnerPartyId}/active";
        public const string DataByType = "instances/{instanceOwnerPartyId}/{instanceGuid}/data/type/{dataType}";
        public const string DataElement = "instances/{instanceOwnerPartyId}/{instanceGuid}/data/{dataGuid}";
        public const string DataElementTyped = "instances/{instanceOwnerPartyId}/{instanceGuid}/data/{dataGuid}/type/{dataType}";
        public const string Process = "instances/{instanceOwnerPartyId}/{instanceGuid}/process";
        public const string ProcessNext = "instances/{instanceOwnerPartyId}/{instanceGuid}/process/next";
        public const string Validate = "instances/{instanceOwnerPartyId}/{instanceGuid}/validate";

        /// <summary>(method, route) of every call, for the contract test.</summary>
        public static readonly (string Method, string Route)[] All =
        {
            ("GET", ApplicationMetadata),
            ("GET", Parties),
            ("GET", ProcessDefinition),
            ("GET", JsonSchema),
            ("POST", CreateSimple),
            ("POST", CreateMultipart),
            ("GET", Instance),
            ("DELETE", Instance),
            ("GET", ActiveInstances),
            ("POST", DataByType),
            ("GET", DataElementTyped),
            ("DELETE", DataElement),
            ("PUT", DataElementTyped),
            ("GET", Process),
            ("PUT", ProcessNext),
            ("GET", Validate),
        };
    }
}
