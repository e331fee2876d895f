using System;
using System.Collections.Generic;
using System.Linq;

namespace AltinnApp.Core
{
    /// <summary>
    /// The name of every reason the module reports, the last part of <c>Altinn.&lt;Operation&gt;.&lt;Reason&gt;</c>.
    /// Throwing code names a reason through these constants (with <see cref="ErrorCatalogue.Id"/>), so a misspelt
    /// reason does not compile; each has its entry in <see cref="ErrorCatalogue.All"/>.
    /// </summary>
    public static class ErrorReason
    {
        // Altinn's HTTP answers (ErrorMapper.ReasonFor), under the operation of the request
        public const string BadRequest = nameof(BadRequest);
        public const string Unauthorized = nameof(Unauthorized);
        public const string Forbidden = nameof(Forbidden);
        public const string NotFound = nameof(NotFound);
        public const string Conflict = nameof(Conflict);
        public const string TooLarge = nameof(TooLarge);
        public const string UnsupportedContentType = nameof(UnsupportedContentType);
        public const string TooManyRequests = nameof(TooManyRequests);
        public const string ServiceUnavailable = nameof(ServiceUnavailable);
        public const string ServerError = nameof(ServerError);

        /// <summary>Any other status: <c>Http</c> and the three digits, such as <c>Http418</c>.</summary>
        public const string HttpStatus = "Http{Status}";

        // the transport
        public const string Timeout = nameof(Timeout);
        public const string ConnectionFailed = nameof(ConnectionFailed);
        public const string Incomplete = nameof(Incomplete);
        public const string BadResponse = nameof(BadResponse);
        public const string Unexpected = nameof(Unexpected);
        public const string CircuitOpen = nameof(CircuitOpen);

        // the app's rules and Altinn's refusals of a change
        public const string UnknownDataType = nameof(UnknownDataType);
        public const string ContentTypeNotAllowed = nameof(ContentTypeNotAllowed);
        public const string TooMany = nameof(TooMany);
        public const string EmptyFile = nameof(EmptyFile);
        public const string InvalidFileName = nameof(InvalidFileName);
        public const string NoExtension = nameof(NoExtension);
        public const string IsFormData = nameof(IsFormData);
        public const string NotFormData = nameof(NotFormData);
        public const string Receipt = nameof(Receipt);
        public const string WrongTask = nameof(WrongTask);
        public const string DataLocked = nameof(DataLocked);
        public const string FormDataRefused = nameof(FormDataRefused);
        public const string NoCurrentTask = nameof(NoCurrentTask);
        public const string SchemaMismatch = nameof(SchemaMismatch);
        public const string SchemaUnavailable = nameof(SchemaUnavailable);

        // process/next
        public const string ValidationFailed = nameof(ValidationFailed);
        public const string ProcessEnded = nameof(ProcessEnded);
        public const string NotStarted = nameof(NotStarted);
        public const string Concurrent = nameof(Concurrent);

        // instances, data elements and what selects them
        public const string MissingApp = nameof(MissingApp);
        public const string InvalidApp = nameof(InvalidApp);
        public const string InvalidInstanceId = nameof(InvalidInstanceId);
        public const string InvalidOrganizationNumber = nameof(InvalidOrganizationNumber);
        public const string InvalidPersonNumber = nameof(InvalidPersonNumber);
        public const string NotFoundOrForbidden = nameof(NotFoundOrForbidden);
        public const string OutcomeUnknown = nameof(OutcomeUnknown);
        public const string ElementWithoutInstance = nameof(ElementWithoutInstance);
        public const string DataElementNotFound = nameof(DataElementNotFound);
        public const string DataTypeMismatch = nameof(DataTypeMismatch);
        public const string NoDataSelected = nameof(NoDataSelected);
        public const string NoInstanceGiven = nameof(NoInstanceGiven);
        public const string NotAPartyOfSession = nameof(NotAPartyOfSession);
        public const string NoDataOfType = nameof(NoDataOfType);
        public const string Ambiguous = nameof(Ambiguous);
        public const string ProcessNotEnded = nameof(ProcessNotEnded);
        public const string NotProduced = nameof(NotProduced);
        public const string Infected = nameof(Infected);
        public const string ScanTimeout = nameof(ScanTimeout);
        public const string ScanPending = nameof(ScanPending);

        // what a cmdlet is given: form data, prefill, attachments
        public const string DataEmpty = nameof(DataEmpty);
        public const string DataUnsupported = nameof(DataUnsupported);
        public const string DataUnknownText = nameof(DataUnknownText);
        public const string DataTooDeep = nameof(DataTooDeep);
        public const string InvalidXml = nameof(InvalidXml);
        public const string InvalidJson = nameof(InvalidJson);
        public const string InvalidPrefill = nameof(InvalidPrefill);
        public const string PrefillNotFlat = nameof(PrefillNotFlat);
        public const string PrefillWithData = nameof(PrefillWithData);
        public const string InvalidAttachment = nameof(InvalidAttachment);
        public const string InvalidContentType = nameof(InvalidContentType);
        public const string ContentTypeWithoutAttachment = nameof(ContentTypeWithoutAttachment);

        // files and folders on this machine: one name per condition, whatever the operation
        public const string EmptyPath = nameof(EmptyPath);
        public const string FileNotFound = nameof(FileNotFound);
        public const string FolderMissing = nameof(FolderMissing);
        public const string PathIsFolder = nameof(PathIsFolder);
        public const string PathIsFile = nameof(PathIsFile);
        public const string FileExists = nameof(FileExists);
        public const string NotThisReceipt = nameof(NotThisReceipt);
        public const string CannotRead = nameof(CannotRead);
        public const string CannotWrite = nameof(CannotWrite);
        public const string CannotProtect = nameof(CannotProtect);

        // the journal
        public const string JournalNeedsKey = nameof(JournalNeedsKey);
        public const string JournalAmbiguous = nameof(JournalAmbiguous);
        public const string KeyMismatch = nameof(KeyMismatch);
        public const string KeyInstanceGone = nameof(KeyInstanceGone);
        public const string PrefillChanged = nameof(PrefillChanged);
        public const string RestartNeedsJournal = nameof(RestartNeedsJournal);
        public const string PartyNotFound = nameof(PartyNotFound);
        public const string RestartSubmitted = nameof(RestartSubmitted);
        public const string DataChanged = nameof(DataChanged);
        public const string FilesChanged = nameof(FilesChanged);
        public const string StepChanged = nameof(StepChanged);
        public const string KeyTakenOver = nameof(KeyTakenOver);
        public const string InvalidKey = nameof(InvalidKey);

        // Submit-AltinnInstance
        public const string NoProcess = nameof(NoProcess);
        public const string TooManyTasks = nameof(TooManyTasks);

        // the session and Connect-Altinn's parameters
        public const string NotConnected = nameof(NotConnected);
        public const string KeyConflict = nameof(KeyConflict);
        public const string Disconnected = nameof(Disconnected);
        public const string NoEnvironment = nameof(NoEnvironment);
        public const string UnknownEnvironment = nameof(UnknownEnvironment);
        public const string IncompleteUris = nameof(IncompleteUris);
        public const string InvalidUri = nameof(InvalidUri);
        public const string InsecureUri = nameof(InsecureUri);
        public const string InvalidProxy = nameof(InvalidProxy);
        public const string ProxyConflict = nameof(ProxyConflict);
        public const string ProxyCredentialWithoutProxy = nameof(ProxyCredentialWithoutProxy);
        public const string NoMaskinporten = nameof(NoMaskinporten);
        public const string MissingKey = nameof(MissingKey);
        public const string MissingScope = nameof(MissingScope);
        public const string TokenOrganizationMismatch = nameof(TokenOrganizationMismatch);
        public const string LocalTestOrganizationMismatch = nameof(LocalTestOrganizationMismatch);

        /// <summary>A required Connect-Altinn parameter that is empty: <c>Missing</c> and its name, such as <c>MissingClientId</c>.</summary>
        public static string MissingParameter(string parameterName) => "Missing" + parameterName;

        /// <summary>A secret parameter of another type than text or a SecureString: <c>Invalid</c> and its name.</summary>
        public static string InvalidParameter(string parameterName) => "Invalid" + parameterName;

        // keys, certificates and tokens
        public const string Invalid = nameof(Invalid);
        public const string InvalidBase64 = nameof(InvalidBase64);
        public const string InvalidThumbprint = nameof(InvalidThumbprint);
        public const string CannotOpen = nameof(CannotOpen);
        public const string Expired = nameof(Expired);
        public const string NotYetValid = nameof(NotYetValid);
        public const string NoPrivateKey = nameof(NoPrivateKey);
        public const string KeyNotAccessible = nameof(KeyNotAccessible);
        public const string NotRsa = nameof(NotRsa);
        public const string MissingKeyId = nameof(MissingKeyId);
        public const string TooSmall = nameof(TooSmall);
        public const string Encrypted = nameof(Encrypted);
        public const string NotSupported = nameof(NotSupported);
        public const string InvalidKeySize = nameof(InvalidKeySize);
        public const string Malformed = nameof(Malformed);
        public const string NoExpiry = nameof(NoExpiry);
        public const string NotExchanged = nameof(NotExchanged);
        public const string CannotRefresh = nameof(CannotRefresh);
        public const string Refused = nameof(Refused);
        public const string TokenRefused = nameof(TokenRefused);
        public const string NoSystemUserOrganization = nameof(NoSystemUserOrganization);
        public const string InstallationIncomplete = nameof(InstallationIncomplete);
        public const string DotNetFrameworkTooOld = nameof(DotNetFrameworkTooOld);

        // Maskinporten's refusals of a grant (TokenSources.Classify); an OAuth code it does not name keeps its own name
        public const string SystemUserNotFound = nameof(SystemUserNotFound);
        public const string InvalidClient = nameof(InvalidClient);
        public const string WrongAudience = nameof(WrongAudience);
        public const string KeyNotAccepted = nameof(KeyNotAccepted);
        public const string ClockSkew = nameof(ClockSkew);
        public const string GrantReused = nameof(GrantReused);
        public const string InvalidScope = nameof(InvalidScope);
        public const string InvalidAuthorizationDetails = nameof(InvalidAuthorizationDetails);
        public const string InvalidRequest = nameof(InvalidRequest);
        public const string InvalidGrant = nameof(InvalidGrant);
        public const string UnauthorizedClient = nameof(UnauthorizedClient);
        public const string UnsupportedGrantType = nameof(UnsupportedGrantType);

        // vendor onboarding: the system register and system user requests
        public const string VendorConflict = nameof(VendorConflict);
        public const string NotVendorSession = nameof(NotVendorSession);
        public const string VendorSession = nameof(VendorSession);
        public const string ScopeNotGranted = nameof(ScopeNotGranted);
        public const string MissingSystemId = nameof(MissingSystemId);
        public const string InvalidRequestDefinition = nameof(InvalidRequestDefinition);
        public const string InvalidRedirectUrl = nameof(InvalidRedirectUrl);
        public const string InvalidRequestId = nameof(InvalidRequestId);
        public const string CustomerNotFound = nameof(CustomerNotFound);
        public const string RightsRefused = nameof(RightsRefused);
        public const string SystemUserExists = nameof(SystemUserExists);
        public const string RequestExists = nameof(RequestExists);
        public const string RequestNotFound = nameof(RequestNotFound);
        public const string SystemNotFound = nameof(SystemNotFound);
        public const string SystemRefused = nameof(SystemRefused);
    }

    /// <summary>One reason the module reports, with the operations it is reported under.</summary>
    public sealed class ErrorCatalogueEntry
    {
        internal ErrorCatalogueEntry(string reason, AltinnErrorKind kind, string meaning, string[] operations)
        {
            Reason = reason;
            Kind = kind;
            Meaning = meaning;
            Operations = operations;
        }

        public string Reason { get; }

        /// <summary>
        /// The kind the module reports it with. A reason Altinn's answer can also give (such as TooLarge, found by
        /// the module's check before sending or by Altinn's 413) keeps the answer's kind in that case.
        /// </summary>
        public AltinnErrorKind Kind { get; }

        public string Meaning { get; }

        /// <summary>
        /// The operations it is reported under: names such as <c>Journal</c>, <see cref="ErrorCatalogue.AnyOperation"/>
        /// for any operation of the module, or an empty string for an id without one (<c>Altinn.InvalidApp</c>).
        /// </summary>
        public IReadOnlyList<string> Operations { get; }

        /// <summary><c>Altinn.Journal.FolderMissing</c> for one operation, else the pattern, such as <c>Altinn.{Operation}.FolderMissing</c>.</summary>
        public string Id => Operations.Count == 1 ? ErrorCatalogue.Id(Operations[0], Reason) : ErrorCatalogue.Id(ErrorCatalogue.AnyOperation, Reason);

        public override string ToString() => Id;

        internal bool MatchesReason(string reason) =>
            Reason == ErrorReason.HttpStatus
                ? reason.Length == 7 && reason.StartsWith("Http", StringComparison.Ordinal) && reason.Skip(4).All(c => c >= '0' && c <= '9')
                : string.Equals(Reason, reason, StringComparison.Ordinal);

        internal bool Matches(string operation, string reason)
        {
            if (!MatchesReason(reason)) return false;
            return Operations.Any(o => string.Equals(o, operation, StringComparison.Ordinal) ||
                                       (o == ErrorCatalogue.AnyOperation && ErrorCatalogue.Operations.Contains(operation)));
        }
    }

    /// <summary>
    /// Every ErrorId the module reports, <c>Altinn.&lt;Operation&gt;.&lt;Reason&gt;</c>: one reason per condition, each
    /// with its kind, its meaning and the operations that report it. Add a reason here (and to <see cref="ErrorReason"/>)
    /// first, then throw it; the tests check that the source and the documentation name only ids known here.
    /// </summary>
    public static class ErrorCatalogue
    {
        /// <summary>Stands for any of <see cref="Operations"/> in an entry's operations and id.</summary>
        public const string AnyOperation = "{Operation}";

        /// <summary>The operations of the module's cmdlets and requests, those that <see cref="AnyOperation"/> stands for.</summary>
        public static readonly IReadOnlyList<string> Operations = new[]
        {
            "AddAttachment", "Connect", "GetActiveInstances", "GetApplication", "GetData", "GetInstance", "GetJournal", "GetProcess",
            "LocalTestToken", "Maskinporten", "NewInstance", "ProcessNext", "RemoveData", "RemoveInstance", "SaveData", "SaveReceipt",
            "SetData", "Submit", "TestInstance", "TokenExchange", "GetParties", "GetSchema", "NewFormData",
            "GetSystem", "RegisterSystem", "SetSystem", "NewSystemUserRequest", "GetSystemUserRequest", "GetSystemUser",
        };

        /// <summary>The id of a reason under an operation; without an operation, <c>Altinn.&lt;Reason&gt;</c>.</summary>
        public static string Id(string operation, string reason) =>
            string.IsNullOrEmpty(operation) ? "Altinn." + reason : "Altinn." + operation + "." + reason;

        private const string Any = AnyOperation;

        // the parameters Connect-Altinn reports as Missing<Name> and Invalid<Name>
        private static readonly string[] RequiredConnectParameters =
        {
            "ClientId", "SystemUserOrganization", "AccessToken", "Certificate", "CertificatePath", "CertificateThumbprint", "CertificateBase64",
            "Jwk", "JwkPath", "PrivateKeyPath", "KeyId",
        };

        private static readonly string[] SecretConnectParameters = { "AccessToken", "CertificateBase64", "Jwk" };

        // the parameters Connect-Altinn reports as Invalid<Name> for another reason: a number out of range, a malformed value
        private static readonly string[] CheckedConnectParameters =
        {
            "ClientId", "TimeoutSec", "ProcessNextTimeoutSec", "TransferTimeoutSec", "MaximumRetryCount", "RetryIntervalSec",
        };

        private static ErrorCatalogueEntry E(string reason, AltinnErrorKind kind, string meaning, params string[] operations) =>
            new ErrorCatalogueEntry(reason, kind, meaning, operations);

        public static readonly IReadOnlyList<ErrorCatalogueEntry> All = new List<ErrorCatalogueEntry>
        {
            // Altinn's HTTP answers
            E(ErrorReason.BadRequest, AltinnErrorKind.InvalidData, "Altinn answered 400: it could not accept the request as sent.", Any),
            E(ErrorReason.Unauthorized, AltinnErrorKind.Authentication, "Altinn refused the access token (401), even after renewing it.", Any),
            E(ErrorReason.Forbidden, AltinnErrorKind.PermissionDenied, "Altinn answered 403: the system user may not do this for this party, app or task.", Any),
            E(ErrorReason.NotFound, AltinnErrorKind.ObjectNotFound, "Altinn answered 404: no such app or data element.", Any),
            E(ErrorReason.Conflict, AltinnErrorKind.Conflict, "Altinn answered 409 to a request the module gives no closer reason.", Any),
            E(ErrorReason.TooLarge, AltinnErrorKind.InvalidArgument, "A file is larger than its data type takes (the module's check, or Altinn's 413).", Any),
            E(ErrorReason.UnsupportedContentType, AltinnErrorKind.InvalidData, "Altinn answered 415: it does not take the content type sent.", Any),
            E(ErrorReason.TooManyRequests, AltinnErrorKind.ResourceUnavailable, "Altinn answered 429 through every repeat.", Any),
            E(ErrorReason.ServiceUnavailable, AltinnErrorKind.ResourceUnavailable, "Altinn answered 503 through every repeat.", Any),
            E(ErrorReason.ServerError, AltinnErrorKind.ProtocolError, "Altinn answered 500 or another 5xx; for process/next, a step at the end of the task failed.", Any),
            E(ErrorReason.HttpStatus, AltinnErrorKind.InvalidOperation, "Altinn answered another status than the ones named above (Http and its three digits).", Any),

            // the transport
            E(ErrorReason.Timeout, AltinnErrorKind.OperationTimeout, "No answer within the time allowed (-TimeoutSec), or the receipt was not made in time.", Any),
            E(ErrorReason.ConnectionFailed, AltinnErrorKind.ConnectionError, "No connection to Altinn or Maskinporten (network, proxy, TLS).", Any),
            E(ErrorReason.Incomplete, AltinnErrorKind.ConnectionError, "The connection broke while an answer was being read.", Any),
            E(ErrorReason.BadResponse, AltinnErrorKind.ProtocolError, "An answer from Altinn the module cannot read (not the JSON or XML it should be).", Any),
            E(ErrorReason.BadResponse, AltinnErrorKind.Authentication, "Maskinporten answered without an access token.", "Maskinporten"),
            E(ErrorReason.Unexpected, AltinnErrorKind.InvalidOperation, "A failure the module did not foresee; the message quotes it.", Any),
            E(ErrorReason.CircuitOpen, AltinnErrorKind.ResourceUnavailable, "The host failed many requests of the session in a row; the session holds requests to it for a while (the message says until when) and sent nothing.", Any),

            // the app's rules and Altinn's refusals of a change
            E(ErrorReason.UnknownDataType, AltinnErrorKind.InvalidArgument, "The app has no data type of that name.", Any),
            E(ErrorReason.ContentTypeNotAllowed, AltinnErrorKind.InvalidArgument, "The data type does not take a file of this content type.", Any),
            E(ErrorReason.TooMany, AltinnErrorKind.InvalidArgument, "More elements than the data type takes (MaxCount).", Any),
            E(ErrorReason.EmptyFile, AltinnErrorKind.InvalidArgument, "A file is empty.", Any, "File"),
            E(ErrorReason.InvalidFileName, AltinnErrorKind.InvalidData, "Altinn refused the file's name (none, or not one it accepts).", Any),
            E(ErrorReason.NoExtension, AltinnErrorKind.InvalidArgument, "A file name has no extension, so its type is unknown.", Any),
            E(ErrorReason.IsFormData, AltinnErrorKind.InvalidArgument, "The data type is the app's form data, not an attachment.", Any),
            E(ErrorReason.NotFormData, AltinnErrorKind.InvalidArgument, "The data type or element is not form data.", Any),
            E(ErrorReason.Receipt, AltinnErrorKind.InvalidArgument, "The data type or element is the receipt Altinn makes; it cannot be sent or removed.", Any),
            E(ErrorReason.WrongTask, AltinnErrorKind.InvalidOperation, "The app takes the data type only at its own task (EnforceDataTypeTaskId).", Any),
            E(ErrorReason.DataLocked, AltinnErrorKind.InvalidOperation, "The data is locked: its task has ended, or the instance was submitted or deleted.", Any),
            E(ErrorReason.FormDataRefused, AltinnErrorKind.InvalidData, "The app could not read the form data into its data model.", Any),
            E(ErrorReason.NoCurrentTask, AltinnErrorKind.InvalidOperation, "The instance is at no task, so there is nothing to validate.", Any),

            // process/next
            E(ErrorReason.ValidationFailed, AltinnErrorKind.InvalidData, "The app's validation found errors; the instance stays at its task.", "ProcessNext"),
            E(ErrorReason.ProcessEnded, AltinnErrorKind.InvalidOperation, "The process has already ended: the instance was submitted.", "ProcessNext"),
            E(ErrorReason.NotStarted, AltinnErrorKind.InvalidOperation, "The process has not been started.", "ProcessNext"),
            E(ErrorReason.Concurrent, AltinnErrorKind.Conflict, "Another caller is moving the instance on right now.", "ProcessNext"),

            // instances, data elements and what selects them
            E(ErrorReason.MissingApp, AltinnErrorKind.InvalidArgument, "No app given, and no default set with Connect-Altinn -App.", Any),
            E(ErrorReason.InvalidApp, AltinnErrorKind.InvalidArgument, "An app id that is not org/app.", Any, ""),
            E(ErrorReason.InvalidInstanceId, AltinnErrorKind.InvalidArgument, "An instance id that is not partyId/instanceGuid.", Any, ""),
            E(ErrorReason.InvalidOrganizationNumber, AltinnErrorKind.InvalidArgument, "An organisation number that is not nine digits with a valid check digit.", Any, ""),
            E(ErrorReason.InvalidPersonNumber, AltinnErrorKind.InvalidArgument, "A person number that is not eleven digits with valid check digits.", ""),
            E(ErrorReason.NotFoundOrForbidden, AltinnErrorKind.ObjectNotFound, "No such instance, or one the system user may not see (Altinn answers 403 for both).", "Instance"),
            E(ErrorReason.OutcomeUnknown, AltinnErrorKind.ConnectionError, "Whether the create took effect could not be established.", "NewInstance"),
            E(ErrorReason.ElementWithoutInstance, AltinnErrorKind.InvalidArgument, "A data element given without the instance it belongs to.", Any),
            E(ErrorReason.DataElementNotFound, AltinnErrorKind.ObjectNotFound, "The instance has no data element with that id.", Any),
            E(ErrorReason.DataTypeMismatch, AltinnErrorKind.InvalidArgument, "The data element is of another data type than -DataType.", Any),
            E(ErrorReason.NoDataSelected, AltinnErrorKind.InvalidArgument, "Neither a data type nor a data element given.", Any),
            E(ErrorReason.NoInstanceGiven, AltinnErrorKind.InvalidArgument, "Get-AltinnInstance was given no instance, -InstanceId or -Active; it never prompts for one.", "GetInstance"),
            E(ErrorReason.NotAPartyOfSession, AltinnErrorKind.PermissionDenied, "The organisation is not among the parties the session's system user may act for, or the person is no owner the session has met.", "GetActiveInstances"),
            E(ErrorReason.NoDataOfType, AltinnErrorKind.ObjectNotFound, "The instance has no data element of that data type.", Any),
            E(ErrorReason.Ambiguous, AltinnErrorKind.InvalidArgument, "More than one data element of that type; one must be named.", Any),
            E(ErrorReason.ProcessNotEnded, AltinnErrorKind.InvalidOperation, "The process has not ended, so there is no receipt yet.", Any),
            E(ErrorReason.NotProduced, AltinnErrorKind.ObjectNotFound, "The process has ended but Altinn made no receipt.", Any),
            E(ErrorReason.Infected, AltinnErrorKind.SecurityError, "Altinn's malware scan found the uploaded file infected.", "AddAttachment"),
            E(ErrorReason.ScanTimeout, AltinnErrorKind.OperationTimeout, "Altinn's malware scan did not finish in time.", "AddAttachment"),
            E(ErrorReason.Infected, AltinnErrorKind.SecurityError, "Altinn's malware scan found the data element infected; it is never downloaded.", "SaveData"),
            E(ErrorReason.ScanPending, AltinnErrorKind.SecurityError, "Altinn's malware scan of the data element has not finished; it is saved only with -AllowUnscanned.", "SaveData"),

            // what a cmdlet is given
            E(ErrorReason.SchemaMismatch, AltinnErrorKind.InvalidArgument, "With -Strict: form data or -Prefill names a field the data type's model lacks, or gives a value of another type.", "NewInstance", "SetData"),
            E(ErrorReason.SchemaUnavailable, AltinnErrorKind.ResourceUnavailable, "The data type's JSON schema could not be read from the app, and it was needed (-Strict, a hashtable for an XML-only type, New-AltinnFormData).", "NewInstance", "SetData", "NewFormData"),
            E(ErrorReason.DataEmpty, AltinnErrorKind.InvalidArgument, "The form data given is empty.", Any),
            E(ErrorReason.DataUnsupported, AltinnErrorKind.InvalidArgument, "Form data of a type the module cannot send.", Any),
            E(ErrorReason.DataUnknownText, AltinnErrorKind.InvalidArgument, "Text that is neither XML, JSON nor the path of a file.", Any),
            E(ErrorReason.DataTooDeep, AltinnErrorKind.InvalidArgument, "Data that nests too deep, or refers to itself.", Any),
            E(ErrorReason.InvalidXml, AltinnErrorKind.InvalidArgument, "Form data that is not well-formed XML.", Any),
            E(ErrorReason.InvalidJson, AltinnErrorKind.InvalidArgument, "Form data that is not valid JSON.", Any),
            E(ErrorReason.InvalidPrefill, AltinnErrorKind.InvalidArgument, "-Prefill that is not field names and values.", Any),
            E(ErrorReason.PrefillNotFlat, AltinnErrorKind.InvalidArgument, "-Prefill with a nested value.", Any),
            E(ErrorReason.PrefillWithData, AltinnErrorKind.InvalidArgument, "-Prefill combined with form data.", Any),
            E(ErrorReason.InvalidAttachment, AltinnErrorKind.InvalidArgument, "An -Attachment value that is not a file path or FileInfo.", Any),
            E(ErrorReason.InvalidContentType, AltinnErrorKind.InvalidArgument, "-ContentType that is not a media type.", Any),
            E(ErrorReason.ContentTypeWithoutAttachment, AltinnErrorKind.InvalidArgument, "-ContentType without an attachment to apply it to.", Any),

            // files and folders on this machine
            E(ErrorReason.EmptyPath, AltinnErrorKind.InvalidArgument, "An empty path.", Any),
            E(ErrorReason.FileNotFound, AltinnErrorKind.ObjectNotFound, "A file to read does not exist.", Any, "File", "Journal"),
            E(ErrorReason.FolderMissing, AltinnErrorKind.InvalidArgument, "The folder to write a file in does not exist.", Any, "File", "Journal"),
            E(ErrorReason.PathIsFolder, AltinnErrorKind.InvalidArgument, "A path that should name a file names a folder.", Any, "File", "Journal", "SigningKey"),
            E(ErrorReason.PathIsFile, AltinnErrorKind.InvalidArgument, "A path that should name a folder names a file.", Any),
            E(ErrorReason.FileExists, AltinnErrorKind.WriteError, "A file of that name is already there and was left alone (-Force replaces it where allowed).", Any, "File", "SigningKey"),
            E(ErrorReason.NotThisReceipt, AltinnErrorKind.WriteError, "A journaled rerun found a file at the receipt's path that is not this instance's receipt (another size); it was left alone.", "SaveReceipt"),
            E(ErrorReason.CannotRead, AltinnErrorKind.ReadError, "A file cannot be read (locked by another program, or no access).", Any, "File", "Journal"),
            E(ErrorReason.CannotWrite, AltinnErrorKind.WriteError, "A file cannot be written (no access, disk full, locked).", Any, "File", "Journal"),
            E(ErrorReason.CannotProtect, AltinnErrorKind.PermissionDenied, "The key file's permissions cannot be limited to its owner.", "SigningKey"),

            // the journal
            E(ErrorReason.JournalNeedsKey, AltinnErrorKind.InvalidArgument, "-Journal without -Key.", Any),
            E(ErrorReason.JournalAmbiguous, AltinnErrorKind.Conflict, "The journal cannot tell which instance a key stands for.", Any),
            E(ErrorReason.KeyMismatch, AltinnErrorKind.InvalidArgument, "A journal key started for another app or owner.", Any),
            E(ErrorReason.KeyInstanceGone, AltinnErrorKind.InvalidOperation, "A journal key's instance was deleted before it was submitted, or can no longer be read.", Any),
            E(ErrorReason.PrefillChanged, AltinnErrorKind.Conflict, "A journal key's instance was made with other -Prefill values.", Any),
            E(ErrorReason.PartyNotFound, AltinnErrorKind.ObjectNotFound, "Altinn's register does not know the instance owner given.", "NewInstance"),
            E(ErrorReason.RestartNeedsJournal, AltinnErrorKind.InvalidArgument, "-Restart without -Journal and -Key.", "NewInstance"),
            E(ErrorReason.RestartSubmitted, AltinnErrorKind.InvalidOperation, "-Restart for a journal key that was submitted: it is filed and is not begun again.", "NewInstance"),
            E(ErrorReason.DataChanged, AltinnErrorKind.InvalidOperation, "A rerun brings other form data than the key's instance holds, and the instance no longer takes it.", "SetData"),
            E(ErrorReason.FilesChanged, AltinnErrorKind.InvalidOperation, "A rerun brings other files than the key's instance already holds from an earlier run.", "AddAttachment"),
            E(ErrorReason.StepChanged, AltinnErrorKind.InvalidOperation, "A rerun's pipeline takes another step than the key began with at that place.", Any),
            E(ErrorReason.InvalidKey, AltinnErrorKind.InvalidArgument, "A journal key that is empty, has a space at either end, or holds a control or invisible character.", "NewInstance"),
            E(ErrorReason.KeyTakenOver, AltinnErrorKind.Conflict, "Another row of this process began the same journal key with other form data while this row was being filed (the key is in the batch twice): this row's step was not sent.", "SetData", "ProcessNext", "Submit"),

            // Submit-AltinnInstance
            E(ErrorReason.NoProcess, AltinnErrorKind.InvalidOperation, "The instance has no process started, so it cannot be submitted.", "Submit"),
            E(ErrorReason.TooManyTasks, AltinnErrorKind.InvalidOperation, "The process did not end within -MaximumTasks moves.", "Submit"),

            // the session and Connect-Altinn
            E(ErrorReason.NotConnected, AltinnErrorKind.InvalidOperation, "No session in this runspace.", "Session"),
            E(ErrorReason.KeyConflict, AltinnErrorKind.InvalidArgument, "More than one key source given to the engine's connect options.", "Connect"),
            E(ErrorReason.Disconnected, AltinnErrorKind.InvalidOperation, "The session was disconnected.", "Session"),
            E(ErrorReason.NoEnvironment, AltinnErrorKind.InvalidArgument, "No -Environment given.", "Connect"),
            E(ErrorReason.UnknownEnvironment, AltinnErrorKind.InvalidArgument, "An -Environment the module does not know.", "Connect"),
            E(ErrorReason.IncompleteUris, AltinnErrorKind.InvalidArgument, "Some but not all of an environment's addresses given.", "Connect"),
            E(ErrorReason.InvalidUri, AltinnErrorKind.InvalidArgument, "An address that is not an absolute URI.", "Connect"),
            E(ErrorReason.InsecureUri, AltinnErrorKind.InvalidArgument, "An address that is not https (outside the local test environment).", "Connect"),
            E(ErrorReason.InvalidProxy, AltinnErrorKind.InvalidArgument, "-Proxy that is not an absolute URI.", "Connect"),
            E(ErrorReason.ProxyConflict, AltinnErrorKind.InvalidArgument, "Proxy parameters that contradict each other.", "Connect"),
            E(ErrorReason.ProxyCredentialWithoutProxy, AltinnErrorKind.InvalidArgument, "A proxy credential without -Proxy.", "Connect"),
            E(ErrorReason.NoMaskinporten, AltinnErrorKind.InvalidArgument, "The environment has no Maskinporten to ask for a token.", "Connect"),
            E(ErrorReason.MissingKey, AltinnErrorKind.InvalidArgument, "No key or certificate to sign the grant with.", "Connect"),
            E(ErrorReason.MissingScope, AltinnErrorKind.InvalidArgument, "-Scope is empty.", "Connect"),
            E(ErrorReason.TokenOrganizationMismatch, AltinnErrorKind.InvalidArgument, "-AccessToken belongs to another organisation than -SystemUserOrganization.", "Connect"),
            E(ErrorReason.LocalTestOrganizationMismatch, AltinnErrorKind.InvalidArgument, "The local test environment's system user is of another organisation.", "Connect"),

            // keys, certificates and tokens
            E(ErrorReason.Invalid, AltinnErrorKind.InvalidArgument, "A key that cannot be read as an RSA private key.", "Jwk", "Pem"),
            E(ErrorReason.InvalidBase64, AltinnErrorKind.InvalidArgument, "-CertificateBase64 that is not base64.", "Certificate"),
            E(ErrorReason.InvalidThumbprint, AltinnErrorKind.InvalidArgument, "A thumbprint that is not 40 hexadecimal characters.", "Certificate"),
            E(ErrorReason.CannotOpen, AltinnErrorKind.InvalidArgument, "A certificate file that cannot be opened (password, format).", "Certificate"),
            E(ErrorReason.Expired, AltinnErrorKind.InvalidArgument, "A certificate past its end of validity.", "Certificate"),
            E(ErrorReason.Expired, AltinnErrorKind.Authentication, "An -AccessToken past its expiry, which the session cannot renew.", "AccessToken"),
            E(ErrorReason.NotFound, AltinnErrorKind.InvalidArgument, "No certificate with that thumbprint in the certificate stores.", "Certificate"),
            E(ErrorReason.NotYetValid, AltinnErrorKind.InvalidArgument, "A certificate not valid yet.", "Certificate"),
            E(ErrorReason.NoPrivateKey, AltinnErrorKind.InvalidArgument, "A key or certificate without its private key.", "Certificate", "Jwk", "Pem"),
            E(ErrorReason.KeyNotAccessible, AltinnErrorKind.PermissionDenied, "The certificate's private key is there, but this account may not use it (LocalMachine\\My without rights to the key).", "Certificate"),
            E(ErrorReason.NotRsa, AltinnErrorKind.InvalidArgument, "A key that is not RSA.", "Jwk", "Key"),
            E(ErrorReason.MissingKeyId, AltinnErrorKind.InvalidArgument, "A key without a key id (kid).", "Key"),
            E(ErrorReason.TooSmall, AltinnErrorKind.InvalidArgument, "An RSA key of fewer than 2048 bits.", "Key"),
            E(ErrorReason.Encrypted, AltinnErrorKind.InvalidArgument, "An encrypted PEM key.", "Pem"),
            E(ErrorReason.NotSupported, AltinnErrorKind.NotEnabled, "Not possible on this platform.", "Pem", "SigningKey"),
            E(ErrorReason.InvalidKeySize, AltinnErrorKind.InvalidArgument, "-KeySize that is not one the module makes.", "SigningKey"),
            E(ErrorReason.Malformed, AltinnErrorKind.Authentication, "A token that is not a JWT.", "Token"),
            E(ErrorReason.NoExpiry, AltinnErrorKind.Authentication, "A token without an expiry time.", "Token"),
            E(ErrorReason.NotExchanged, AltinnErrorKind.InvalidArgument, "-AccessToken that is a Maskinporten token, not Altinn's.", "AccessToken"),
            E(ErrorReason.CannotRefresh, AltinnErrorKind.InvalidOperation, "A session connected with -AccessToken cannot renew its token.", "AccessToken"),
            E(ErrorReason.Refused, AltinnErrorKind.Authentication, "Altinn or Maskinporten refused to give a token.", "TokenExchange", "Maskinporten"),
            E(ErrorReason.TokenRefused, AltinnErrorKind.Authentication, "The local test environment refused to give a token.", "LocalTest"),
            E(ErrorReason.NoSystemUserOrganization, AltinnErrorKind.Authentication, "The local test environment's token names no system user organisation.", "LocalTest"),
            E(ErrorReason.InstallationIncomplete, AltinnErrorKind.ObjectNotFound, "The module's engine or dependencies are missing (a partial copy).", "Import"),
            E(ErrorReason.DotNetFrameworkTooOld, AltinnErrorKind.InvalidOperation, "Windows PowerShell 5.1 runs on a .NET Framework older than 4.7.2, which the module needs.", "Import"),

            // Maskinporten's refusals of a grant
            E(ErrorReason.SystemUserNotFound, AltinnErrorKind.Authentication, "No system user for this client and organisation.", "Maskinporten"),
            E(ErrorReason.InvalidClient, AltinnErrorKind.Authentication, "Maskinporten does not know the client id.", "Maskinporten"),
            E(ErrorReason.WrongAudience, AltinnErrorKind.Authentication, "The grant's audience is not this Maskinporten.", "Maskinporten"),
            E(ErrorReason.KeyNotAccepted, AltinnErrorKind.Authentication, "The key or certificate that signed the grant is not registered on the client.", "Maskinporten"),
            E(ErrorReason.ClockSkew, AltinnErrorKind.Authentication, "This machine's clock is off Maskinporten's.", "Maskinporten"),
            E(ErrorReason.GrantReused, AltinnErrorKind.Authentication, "Maskinporten saw the same grant twice.", "Maskinporten"),
            E(ErrorReason.InvalidScope, AltinnErrorKind.Authentication, "The client lacks a scope it asked for.", "Maskinporten"),
            E(ErrorReason.InvalidAuthorizationDetails, AltinnErrorKind.Authentication, "Maskinporten refused the grant's system user details.", "Maskinporten"),
            E(ErrorReason.InvalidRequest, AltinnErrorKind.Authentication, "Maskinporten could not read the grant.", "Maskinporten"),
            E(ErrorReason.InvalidGrant, AltinnErrorKind.Authentication, "Another grant rule failed (invalid_grant without an MP number the module names).", "Maskinporten"),
            E(ErrorReason.UnauthorizedClient, AltinnErrorKind.Authentication, "The client may not use this grant type (unauthorized_client).", "Maskinporten"),
            E(ErrorReason.UnsupportedGrantType, AltinnErrorKind.Authentication, "Maskinporten does not take this grant type (unsupported_grant_type).", "Maskinporten"),
            // vendor onboarding
            E(ErrorReason.VendorConflict, AltinnErrorKind.InvalidArgument, "-Vendor given with -SystemUserOrganization or -SystemUserExternalRef: a vendor session has no system user.", "Connect"),
            E(ErrorReason.NotVendorSession, AltinnErrorKind.InvalidOperation, "A system user's session was used for the system register or system user requests, which take the vendor's own token (Connect-Altinn -Vendor).", "GetSystem", "RegisterSystem", "SetSystem", "NewSystemUserRequest", "GetSystemUserRequest", "GetSystemUser"),
            E(ErrorReason.VendorSession, AltinnErrorKind.InvalidOperation, "A vendor session (Connect-Altinn -Vendor) was used with an app, which takes a system user's token; nothing was sent.", Any),
            E(ErrorReason.ScopeNotGranted, AltinnErrorKind.PermissionDenied, "The vendor session was connected without the scope this call needs; the message names it.", "GetSystem", "RegisterSystem", "SetSystem", "NewSystemUserRequest", "GetSystemUserRequest", "GetSystemUser"),
            E(ErrorReason.MissingSystemId, AltinnErrorKind.InvalidArgument, "No system id given.", "GetSystem", "RegisterSystem", "SetSystem", "NewSystemUserRequest", "GetSystemUserRequest", "GetSystemUser"),
            E(ErrorReason.InvalidRequestDefinition, AltinnErrorKind.InvalidArgument, "A system user request without rights or access packages, or an agent request with rights.", "NewSystemUserRequest"),
            E(ErrorReason.InvalidRedirectUrl, AltinnErrorKind.InvalidArgument, "A redirect URL that is not https://, or not one the system allows (Altinn's AUTH-00021/AUTH-00026).", "NewSystemUserRequest"),
            E(ErrorReason.InvalidRequestId, AltinnErrorKind.InvalidArgument, "A request id that is not a GUID.", "GetSystemUserRequest"),
            E(ErrorReason.CustomerNotFound, AltinnErrorKind.ObjectNotFound, "Altinn's register has no organisation with the customer's number (AUTH-00000).", "NewSystemUserRequest"),
            E(ErrorReason.RightsRefused, AltinnErrorKind.InvalidData, "The request asks for rights or access packages the system is not registered with (AUTH-00001).", "NewSystemUserRequest"),
            E(ErrorReason.SystemUserExists, AltinnErrorKind.Conflict, "The customer already has a system user of the system with that external reference (AUTH-00004).", "NewSystemUserRequest"),
            E(ErrorReason.RequestExists, AltinnErrorKind.Conflict, "A request with that external reference was already accepted, rejected or denied, or still waits (AUTH-00006 to AUTH-00009).", "NewSystemUserRequest"),
            E(ErrorReason.RequestNotFound, AltinnErrorKind.ObjectNotFound, "Altinn holds no such request of this vendor (AUTH-00010, AUTH-00025, AUTH-00030).", "GetSystemUserRequest"),
            E(ErrorReason.SystemNotFound, AltinnErrorKind.ObjectNotFound, "Altinn's system register has no such system of this vendor (AUTH-00011).", "GetSystem", "SetSystem", "NewSystemUserRequest", "GetSystemUserRequest", "GetSystemUser"),
            E(ErrorReason.SystemRefused, AltinnErrorKind.InvalidData, "Altinn refused the system as registered or updated; the message lists each validation error (AUTH.VLD-000NN) and its path.", "RegisterSystem", "SetSystem"),
        }
            .Concat(RequiredConnectParameters.Select(p => E(ErrorReason.MissingParameter(p), AltinnErrorKind.InvalidArgument, $"-{p} is needed here but empty or not given.", "Connect")))
            .Concat(SecretConnectParameters.Select(p => E(ErrorReason.InvalidParameter(p), AltinnErrorKind.InvalidArgument, $"-{p} is neither text nor a SecureString.", "Connect")))
            .Concat(CheckedConnectParameters.Select(p => E(ErrorReason.InvalidParameter(p), AltinnErrorKind.InvalidArgument, $"-{p} is malformed or out of range.", "Connect")))
            .ToList()
            .AsReadOnly();

        /// <summary>Whether <paramref name="errorId"/> is one the module reports (case matters, as in the ids it throws).</summary>
        public static bool IsKnown(string errorId) => Find(errorId) != null;

        /// <summary>The entry for an id, or null.</summary>
        public static ErrorCatalogueEntry Find(string errorId)
        {
            if (string.IsNullOrEmpty(errorId) || !errorId.StartsWith("Altinn.", StringComparison.Ordinal)) return null;
            var parts = errorId.Substring("Altinn.".Length).Split('.');
            string operation, reason;
            if (parts.Length == 1)
            {
                operation = string.Empty;
                reason = parts[0];
            }
            else if (parts.Length == 2)
            {
                operation = parts[0];
                reason = parts[1];
            }
            else
            {
                return null;
            }

            if (reason.Length == 0) return null;
            // an entry that names the operation comes before one for any operation (Maskinporten.BadResponse)
            return All.FirstOrDefault(e => e.Operations.Contains(operation) && e.Matches(operation, reason)) ??
                   All.FirstOrDefault(e => e.Matches(operation, reason));
        }

        /// <summary>Whether a reason is in the catalogue under any operation.</summary>
        public static bool IsKnownReason(string reason) => !string.IsNullOrEmpty(reason) && All.Any(e => e.MatchesReason(reason));
    }
}
