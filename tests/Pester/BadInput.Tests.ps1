#Requires -Modules Pester
# Every kind of bad input, to every cmdlet, as a user types it: each gives one error with a stable ErrorId,
# a fitting category and a message that names what was wrong and says how to fix it (no stack trace, no
# .NET exception type), and nothing is created, changed or written, neither on the simulator nor on disk.

BeforeDiscovery {
    # Each case: Run is a script block taking the context ($c, made in BeforeAll); ErrorId the id the
    # FullyQualifiedErrorId starts with; Offending and Hint regexes the message must match (the value or
    # parameter at fault, and what to do); Sends $true where Altinn itself has to refuse (a read, or a
    # refused write), $false where the module must refuse before any request that could change something.
    $script:Cases = @(
        # ---- Connect-Altinn ----
        @{ Name = 'Connect-Altinn: an organisation number with a wrong control digit'; ErrorId = 'Altinn.Connect.InvalidOrganizationNumber'; Category = 'InvalidArgument'
            Offending = "-SystemUserOrganization '950474085'"; Hint = 'mod-11 control digit'
            Run = { param($c) $p = $c.Connect; Connect-Altinn @p -ClientId $c.ClientId -Jwk $c.Jwk -SystemUserOrganization 950474085 } }
        @{ Name = 'Connect-Altinn: an organisation number with a letter'; ErrorId = 'Altinn.Connect.InvalidOrganizationNumber'; Category = 'InvalidArgument'
            Offending = "'95047408A'"; Hint = 'nine digits'
            Run = { param($c) $p = $c.Connect; Connect-Altinn @p -ClientId $c.ClientId -Jwk $c.Jwk -SystemUserOrganization 95047408A } }
        @{ Name = 'Connect-Altinn: an unknown environment'; ErrorId = 'Altinn.Connect.UnknownEnvironment'; Category = 'InvalidArgument'
            Offending = "'tt2' is not an Altinn environment"; Hint = 'Use one of: .*tt02'
            Run = { param($c) Connect-Altinn -Environment tt2 -ClientId $c.ClientId -Jwk $c.Jwk -SystemUserOrganization 950474084 } }
        @{ Name = 'Connect-Altinn: http:// to a Maskinporten that is not this machine'; ErrorId = 'Altinn.Connect.InsecureUri'; Category = 'InvalidArgument'
            Offending = "-MaskinportenUri 'http://maskinporten\.example\.no/'"; Hint = 'use an https:// address'
            Run = { param($c) $p = $c.Connect.Clone(); $p.MaskinportenUri = 'http://maskinporten.example.no/'; Connect-Altinn @p -ClientId $c.ClientId -Jwk $c.Jwk -SystemUserOrganization 950474084 } }
        @{ Name = 'Connect-Altinn: http:// to a platform that is not this machine'; ErrorId = 'Altinn.Connect.InsecureUri'; Category = 'InvalidArgument'
            Offending = "-PlatformUri 'http://platform\.example\.no/'"; Hint = 'use an https:// address'
            Run = { param($c) $p = $c.Connect.Clone(); $p.PlatformUri = 'http://platform.example.no/'; Connect-Altinn @p -ClientId $c.ClientId -Jwk $c.Jwk -SystemUserOrganization 950474084 } }
        @{ Name = 'Connect-Altinn: http:// to apps that are not on this machine'; ErrorId = 'Altinn.Connect.InsecureUri'; Category = 'InvalidArgument'
            Offending = "-AppBaseUri 'http://\{org\}\.apps\.example\.no/'"; Hint = 'use an https:// address'
            Run = { param($c) $p = $c.Connect.Clone(); $p.AppBaseUri = 'http://{org}.apps.example.no/'; Connect-Altinn @p -ClientId $c.ClientId -Jwk $c.Jwk -SystemUserOrganization 950474084 } }
        @{ Name = 'Connect-Altinn: -Environment local does not open http:// to another host'; ErrorId = 'Altinn.Connect.InsecureUri'; Category = 'InvalidArgument'
            Offending = "-PlatformUri 'http://platform\.example\.no/'"; Hint = 'with -Environment local, local\.altinn\.cloud'
            Run = { param($c) Connect-Altinn -Environment local -PlatformUri http://platform.example.no/ -SystemUserOrganization 950474084 } }
        @{ Name = 'Connect-Altinn: an address that is not absolute'; ErrorId = 'Altinn.Connect.InvalidUri'; Category = 'InvalidArgument'
            Offending = "-AppBaseUri 'apps\.example\.no'"; Hint = 'Give the full address'
            Run = { param($c) $p = $c.Connect.Clone(); $p.AppBaseUri = 'apps.example.no'; Connect-Altinn @p -ClientId $c.ClientId -Jwk $c.Jwk -SystemUserOrganization 950474084 } }
        @{ Name = 'Connect-Altinn: a wrong certificate password'; ErrorId = 'Altinn.Certificate.CannotOpen'; Category = 'InvalidArgument'
            Offending = 'client\.pfx'; Hint = 'password is wrong.*Check -CertificatePassword'; Secrets = 'Wrong-Pa55word', 'Right-Pa55word'
            Run = { param($c) $p = $c.Connect; Connect-Altinn @p -ClientId $c.ClientId -CertificatePath $c.Pfx -CertificatePassword (ConvertTo-SecureString 'Wrong-Pa55word' -AsPlainText -Force) -SystemUserOrganization 950474084 } }
        @{ Name = 'Connect-Altinn: a certificate without its private key'; ErrorId = 'Altinn.Certificate.NoPrivateKey'; Category = 'InvalidArgument'
            Offending = 'has no private key'; Hint = 'Import the certificate together with its private key'
            Run = { param($c) $p = $c.Connect; Connect-Altinn @p -ClientId $c.ClientId -Certificate $c.PublicOnlyCertificate -SystemUserOrganization 950474084 } }
        @{ Name = 'Connect-Altinn: an expired certificate'; ErrorId = 'Altinn.Certificate.Expired'; Category = 'InvalidArgument'
            Offending = 'expired on'; Hint = 'Renew the business certificate'
            Run = { param($c) $p = $c.Connect; Connect-Altinn @p -ClientId $c.ClientId -Certificate $c.ExpiredCertificate -SystemUserOrganization 950474084 } }
        @{ Name = 'Connect-Altinn: a JWK without its private part'; ErrorId = 'Altinn.Jwk.NoPrivateKey'; Category = 'InvalidArgument'
            Offending = "holds only the public key \(it has no 'd', 'p' and 'q'\)"; Hint = 'Connect-Altinn needs the private one'
            Run = { param($c) $p = $c.Connect; Connect-Altinn @p -ClientId $c.ClientId -Jwk $c.PublicJwk -SystemUserOrganization 950474084 } }
        @{ Name = 'Connect-Altinn: a JWK that is not JSON'; ErrorId = 'Altinn.Jwk.Invalid'; Category = 'InvalidArgument'
            Offending = 'from -Jwk is not valid JSON Web Key text'; Hint = 'New-AltinnSigningKey writes one'
            Run = { param($c) $p = $c.Connect; Connect-Altinn @p -ClientId $c.ClientId -Jwk 'this is not a key' -SystemUserOrganization 950474084 } }
        @{ Name = 'Connect-Altinn: a JWK file that does not exist'; ErrorId = 'Altinn.File.FileNotFound'; Category = 'ObjectNotFound'
            Offending = 'missing\.jwk\.json'; Hint = 'Check the path'
            Run = { param($c) $p = $c.Connect; Connect-Altinn @p -ClientId $c.ClientId -JwkPath (Join-Path $c.Work 'missing.jwk.json') -SystemUserOrganization 950474084 } }
        @{ Name = 'Connect-Altinn: a JWK path that is a folder'; ErrorId = 'Altinn.File.PathIsFolder'; Category = 'InvalidArgument'
            Offending = "'.*folder' is a folder"; Hint = 'Give the path of the JWK file'
            Run = { param($c) $p = $c.Connect; Connect-Altinn @p -ClientId $c.ClientId -JwkPath $c.Folder -SystemUserOrganization 950474084 } }
        @{ Name = 'Connect-Altinn: an empty JWK file'; ErrorId = 'Altinn.File.EmptyFile'; Category = 'InvalidArgument'
            Offending = "empty\.jwk\.json' is empty"; Hint = 'write the JWK into it again'
            Run = { param($c) $p = $c.Connect; Connect-Altinn @p -ClientId $c.ClientId -JwkPath $c.EmptyJwk -SystemUserOrganization 950474084 } }
        @{ Name = 'Connect-Altinn: a JWK file locked by another program'; ErrorId = 'Altinn.File.CannotRead'; Category = 'ReadError'
            Offending = "locked\.jwk\.json' could not be read"; Hint = 'Another program may hold it open'
            Run = { param($c) $lock = [IO.File]::Open($c.LockedJwk, 'Open', 'ReadWrite', 'None'); try { $p = $c.Connect; Connect-Altinn @p -ClientId $c.ClientId -JwkPath $c.LockedJwk -SystemUserOrganization 950474084 } finally { $lock.Dispose() } } }
        @{ Name = 'Connect-Altinn: an encrypted PEM key'; ErrorId = 'Altinn.Pem.Encrypted'; Category = 'InvalidArgument'
            Offending = "encrypted\.pem' is encrypted"; Hint = 'Give an unencrypted PKCS#1 or PKCS#8 key'
            Run = { param($c) $p = $c.Connect; Connect-Altinn @p -ClientId $c.ClientId -PrivateKeyPath $c.EncryptedPem -KeyId k1 -SystemUserOrganization 950474084 } }
        @{ Name = 'Connect-Altinn: -CertificateBase64 that is not base64'; ErrorId = 'Altinn.Certificate.InvalidBase64'; Category = 'InvalidArgument'
            Offending = '-CertificateBase64 is not valid base64'; Hint = 'ToBase64String'
            Run = { param($c) $p = $c.Connect; Connect-Altinn @p -ClientId $c.ClientId -CertificateBase64 'not*base64!' -SystemUserOrganization 950474084 } }
        @{ Name = 'Connect-Altinn: a thumbprint that is not one'; ErrorId = 'Altinn.Certificate.InvalidThumbprint'; Category = 'InvalidArgument'
            Offending = "-CertificateThumbprint 'ABC123'"; Hint = '40 hexadecimal characters'
            Run = { param($c) $p = $c.Connect; Connect-Altinn @p -ClientId $c.ClientId -CertificateThumbprint ABC123 -SystemUserOrganization 950474084 } }
        @{ Name = 'Connect-Altinn: an expired access token'; ErrorId = 'Altinn.AccessToken.Expired'; Category = 'AuthenticationError'
            Offending = 'expired at'; Hint = 'Connect again with a new token'
            Run = { param($c) $p = $c.Connect; Connect-Altinn @p -AccessToken $c.ExpiredToken } }
        @{ Name = 'Connect-Altinn: an access token that is not a JWT'; ErrorId = 'Altinn.Token.Malformed'; Category = 'AuthenticationError'
            Offending = 'from -AccessToken is not a JWT'; Hint = 'three base64url parts'
            Run = { param($c) $p = $c.Connect; Connect-Altinn @p -AccessToken 'Bearer not-a-token' } }
        @{ Name = 'Connect-Altinn: proxy credentials without a proxy'; ErrorId = 'Altinn.Connect.ProxyCredentialWithoutProxy'; Category = 'InvalidArgument'
            Offending = '-ProxyCredential and -ProxyUseDefaultCredentials need -Proxy'; Hint = "give the proxy's address"
            Run = { param($c) $p = $c.Connect; Connect-Altinn @p -ClientId $c.ClientId -Jwk $c.Jwk -SystemUserOrganization 950474084 -ProxyUseDefaultCredentials } }

        # ---- New-AltinnInstance ----
        @{ Name = 'New-AltinnInstance: an invalid organisation number'; ErrorId = 'Altinn.InvalidOrganizationNumber'; Category = 'InvalidArgument'
            Offending = "-OrganizationNumber '950474085'"; Hint = 'control digit'
            Run = { param($c) New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474085 -Session $c.Session } }
        @{ Name = 'New-AltinnInstance: an invalid person number, masked in the error'; ErrorId = 'Altinn.InvalidPersonNumber'; Category = 'InvalidArgument'
            Offending = "-PersonNumber '080894\*{5}'"; Hint = 'two correct control digits'; Secrets = '08089403199'
            Run = { param($c) New-AltinnInstance -App brg/aarsregnskap -PersonNumber 08089403199 -Session $c.Session } }
        @{ Name = 'New-AltinnInstance: an app id without its owner'; ErrorId = 'Altinn.NewInstance.InvalidApp'; Category = 'InvalidArgument'
            Offending = "-App 'aarsregnskap'"; Hint = 'Give the app as org/app'
            Run = { param($c) New-AltinnInstance -App aarsregnskap -OrganizationNumber 950474084 -Session $c.Session } }
        @{ Name = 'New-AltinnInstance: an app that is not deployed'; ErrorId = 'Altinn.NewInstance.NotFound'; Category = 'ObjectNotFound'; Sends = $true
            Offending = 'brg/finnes-ikke'; Hint = 'Check the app id'
            Run = { param($c) New-AltinnInstance -App brg/finnes-ikke -OrganizationNumber 950474084 -Session $c.Session } }
        @{ Name = 'New-AltinnInstance: no app at all'; ErrorId = 'Altinn.NewInstance.MissingApp'; Category = 'InvalidArgument'
            Offending = 'No app given'; Hint = 'Pass -App org/app'
            Run = { param($c) New-AltinnInstance -OrganizationNumber 950474084 -Session $c.Session } }
        @{ Name = 'New-AltinnInstance: -Data with XML that is not well-formed'; ErrorId = 'Altinn.NewInstance.InvalidXml'; Category = 'InvalidArgument'
            Offending = '-Data is not well-formed XML'; Hint = 'Fix the XML'
            Run = { param($c) New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Data @{ model = '<model><property1>a</model>' } -Session $c.Session } }
        @{ Name = 'New-AltinnInstance: -Data with JSON that is not valid'; ErrorId = 'Altinn.NewInstance.InvalidJson'; Category = 'InvalidArgument'
            Offending = '-Data is not valid JSON'; Hint = 'Fix the JSON'
            Run = { param($c) New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Data @{ model = '{"property1": }' } -Session $c.Session } }
        @{ Name = 'New-AltinnInstance: -Data for a data type the app does not have'; ErrorId = 'Altinn.NewInstance.UnknownDataType'; Category = 'InvalidArgument'
            Offending = "no data type 'modell'"; Hint = 'Its data types are: .*model'
            Run = { param($c) New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Data @{ modell = '<model/>' } -Session $c.Session } }
        @{ Name = 'New-AltinnInstance: an attachment that does not exist'; ErrorId = 'Altinn.NewInstance.FileNotFound'; Category = 'ObjectNotFound'
            Offending = "missing\.pdf' in -Attachment does not exist"; Hint = 'Check the path'
            Run = { param($c) New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Data @{ model = $c.ModelXml } -Attachment @{ attachment = (Join-Path $c.Work 'missing.pdf') } -Session $c.Session } }
        @{ Name = 'New-AltinnInstance: an attachment that is a folder'; ErrorId = 'Altinn.NewInstance.PathIsFolder'; Category = 'InvalidArgument'
            Offending = "folder' in -Attachment is a folder"; Hint = 'Give files'
            Run = { param($c) New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Data @{ model = $c.ModelXml } -Attachment @{ attachment = $c.Folder } -Session $c.Session } }
        @{ Name = 'New-AltinnInstance: an attachment larger than the data type takes'; ErrorId = 'Altinn.NewInstance.TooLarge'; Category = 'InvalidArgument'
            Offending = "'big\.pdf' is 6\.0 MB"; Hint = 'at most 5 MB'
            Run = { param($c) New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Data @{ model = $c.ModelXml } -Attachment @{ attachment = $c.BigPdf } -Session $c.Session } }
        @{ Name = 'New-AltinnInstance: an attachment of a content type the data type refuses'; ErrorId = 'Altinn.NewInstance.ContentTypeNotAllowed'; Category = 'InvalidArgument'
            Offending = "'report\.docx' is application/vnd\.openxmlformats"; Hint = 'Allowed: application/pdf'
            Run = { param($c) New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Data @{ model = $c.ModelXml } -Attachment @{ attachment = $c.Docx } -Session $c.Session } }
        @{ Name = 'New-AltinnInstance: -Prefill together with -Data'; ErrorId = 'Altinn.NewInstance.PrefillWithData'; Category = 'InvalidArgument'
            Offending = '-Prefill cannot be combined with -Data'; Hint = 'Put the values into -Data'
            Run = { param($c) New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'a' } -Data @{ model = $c.ModelXml } -Session $c.Session } }
        @{ Name = 'New-AltinnInstance: a prefill that is text'; ErrorId = 'Altinn.NewInstance.InvalidPrefill'; Category = 'InvalidArgument'
            Offending = '-Prefill must be a hashtable'; Hint = "@\{ property1 = 'value' \}"
            Run = { param($c) New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill 'property1=a' -Session $c.Session } }
        @{ Name = 'New-AltinnInstance: -Journal without -Key'; ErrorId = 'Altinn.NewInstance.JournalNeedsKey'; Category = 'InvalidArgument'
            Offending = '-Journal and -Key go together'; Hint = 'Give both'
            Run = { param($c) New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal (Join-Path $c.Work 'a.journal') -Session $c.Session } }
        @{ Name = 'New-AltinnInstance: a journal path that is a folder'; ErrorId = 'Altinn.Journal.PathIsFolder'; Category = 'InvalidArgument'
            Offending = "-Journal '.*folder' is a folder"; Hint = 'Give a file path'
            Run = { param($c) New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $c.Folder -Key k1 -Session $c.Session } }
        @{ Name = 'New-AltinnInstance: a journal in a folder that does not exist'; ErrorId = 'Altinn.Journal.FolderMissing'; Category = 'InvalidArgument'
            Offending = "no-such-folder.*does not exist"; Hint = 'Create it first'
            Run = { param($c) New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal (Join-Path $c.Work 'no-such-folder/b.journal') -Key k1 -Session $c.Session } }
        @{ Name = 'New-AltinnInstance: a closed session'; ErrorId = 'Altinn.Session.Disconnected'; Category = 'InvalidOperation'
            Offending = 'closed with Disconnect-Altinn'; Hint = 'Run Connect-Altinn again'
            Run = { param($c) New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Session $c.Closed } }
        @{ Name = 'New-AltinnInstance: a session whose handed-in token has expired since'; ErrorId = 'Altinn.AccessToken.Expired'; Category = 'AuthenticationError'
            Offending = 'expired at'; Hint = 'Connect again with a new token, or with a key'
            Run = { param($c) Wait-TokenExpiry $c.ExpiringToken; New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Session $c.Expiring } }

        # ---- instances by id ----
        @{ Name = 'Get-AltinnInstance: an instance id that is no id'; ErrorId = 'Altinn.GetInstance.InvalidInstanceId'; Category = 'InvalidArgument'
            Offending = "-InstanceId 'not-an-id'"; Hint = 'separated by a slash, for example 500700/'
            Run = { param($c) Get-AltinnInstance -InstanceId not-an-id -App brg/aarsregnskap -Session $c.Session } }
        @{ Name = 'Get-AltinnInstance: an instance id with a broken GUID'; ErrorId = 'Altinn.GetInstance.InvalidInstanceId'; Category = 'InvalidArgument'
            Offending = "-InstanceId '500700/232c5390-9479'"; Hint = 'the party id and the instance GUID'
            Run = { param($c) Get-AltinnInstance -InstanceId 500700/232c5390-9479 -App brg/aarsregnskap -Session $c.Session } }
        @{ Name = 'Get-AltinnInstance: an instance that does not exist'; ErrorId = 'Altinn.Instance.NotFoundOrForbidden'; Category = 'ObjectNotFound'; Sends = $true
            Offending = 'instance 500700/00000000-0000-4000-8000-000000000001 of brg/aarsregnskap'; Hint = '(?s)the instance id .+the party 500700.+rights'
            Run = { param($c) Get-AltinnInstance -InstanceId 500700/00000000-0000-4000-8000-000000000001 -App brg/aarsregnskap -Session $c.Session } }
        @{ Name = 'Get-AltinnInstance -Active: no app'; ErrorId = 'Altinn.GetActiveInstances.MissingApp'; Category = 'InvalidArgument'
            Offending = 'No app given'; Hint = 'Pass -App org/app'
            Run = { param($c) Get-AltinnInstance -Active -PartyId 500700 -Session $c.Session } }
        @{ Name = 'Remove-AltinnInstance: an instance id that is no id'; ErrorId = 'Altinn.RemoveInstance.InvalidInstanceId'; Category = 'InvalidArgument'
            Offending = "-InstanceId '500700'"; Hint = 'for example 500700/'
            Run = { param($c) Remove-AltinnInstance -InstanceId 500700 -App brg/aarsregnskap -Session $c.Session -Confirm:$false } }
        @{ Name = 'Remove-AltinnInstance: an id without an app'; ErrorId = 'Altinn.RemoveInstance.MissingApp'; Category = 'InvalidArgument'
            Offending = 'No app given'; Hint = 'Pass -App org/app'
            Run = { param($c) Remove-AltinnInstance -InstanceId $c.Open.Id -Session $c.Session -Confirm:$false } }
        @{ Name = 'Test-AltinnInstance: an instance id that is no id'; ErrorId = 'Altinn.TestInstance.InvalidInstanceId'; Category = 'InvalidArgument'
            Offending = "-InstanceId 'abc/def'"; Hint = 'for example 500700/'
            Run = { param($c) Test-AltinnInstance -InstanceId abc/def -App brg/aarsregnskap -Session $c.Session } }
        @{ Name = 'Get-AltinnApplication: an app that is not deployed'; ErrorId = 'Altinn.GetApplication.NotFound'; Category = 'ObjectNotFound'; Sends = $true
            Offending = 'brg/finnes-ikke'; Hint = 'may not be deployed there'
            Run = { param($c) Get-AltinnApplication -App brg/finnes-ikke -Session $c.Session } }
        @{ Name = 'Get-AltinnApplication: an app id with three parts'; ErrorId = 'Altinn.GetApplication.InvalidApp'; Category = 'InvalidArgument'
            Offending = "-App 'brg/aarsregnskap/v2'"; Hint = 'Give the app as org/app'
            Run = { param($c) Get-AltinnApplication -App brg/aarsregnskap/v2 -Session $c.Session } }

        # ---- form data ----
        @{ Name = 'Set-AltinnData: XML that is not well-formed'; ErrorId = 'Altinn.SetData.InvalidXml'; Category = 'InvalidArgument'
            Offending = '-Value is not well-formed XML'; Hint = 'Fix the XML'
            Run = { param($c) $c.Open | Set-AltinnData -DataType model -Value '<model><property1>x</property2></model>' } }
        @{ Name = 'Set-AltinnData: JSON that is not valid'; ErrorId = 'Altinn.SetData.InvalidJson'; Category = 'InvalidArgument'
            Offending = '-Value is not valid JSON'; Hint = 'Fix the JSON'
            Run = { param($c) $c.Open | Set-AltinnData -DataType model -Value '{ "property1": "x", }' } }
        @{ Name = 'Set-AltinnData: a data type the instance does not have'; ErrorId = 'Altinn.SetData.NoDataOfType'; Category = 'ObjectNotFound'
            Offending = "no data element of type 'modell'"; Hint = 'Its data elements are: .*model'
            Run = { param($c) $c.Open | Set-AltinnData -DataType modell -Value @{ property1 = 'x' } } }
        @{ Name = 'Set-AltinnData: a form file that does not exist'; ErrorId = 'Altinn.SetData.FileNotFound'; Category = 'ObjectNotFound'
            Offending = "missing\.xml'"; Hint = 'Check the path'
            Run = { param($c) $c.Open | Set-AltinnData -DataType model -Value (Join-Path $c.Work 'missing.xml') } }
        @{ Name = 'Set-AltinnData: a form file path that is a folder'; ErrorId = 'Altinn.SetData.PathIsFolder'; Category = 'InvalidArgument'
            Offending = "-Value '.*folder' is a folder"; Hint = 'Give the path of an \.xml or \.json file'
            Run = { param($c) $c.Open | Set-AltinnData -DataType model -Value $c.Folder } }
        @{ Name = 'Set-AltinnData: an empty form file'; ErrorId = 'Altinn.SetData.EmptyFile'; Category = 'InvalidArgument'
            Offending = "empty\.xml' given in -Value is empty"; Hint = 'must hold an XML document or a JSON object'
            Run = { param($c) $c.Open | Set-AltinnData -DataType model -Value $c.EmptyXml } }
        @{ Name = 'Set-AltinnData: a form file with broken XML names the file'; ErrorId = 'Altinn.SetData.InvalidXml'; Category = 'InvalidArgument'
            Offending = "The file '.*broken\.xml' given in -Value is not well-formed XML"; Hint = 'Fix the XML'
            Run = { param($c) $c.Open | Set-AltinnData -DataType model -Value (Get-Item $c.BrokenXml) } }
        @{ Name = 'Set-AltinnData: a form file locked by another program'; ErrorId = 'Altinn.SetData.CannotRead'; Category = 'ReadError'
            Offending = "locked\.xml' in -Value cannot be read"; Hint = 'Another program may hold it open'
            Run = { param($c) $lock = [IO.File]::Open($c.LockedXml, 'Open', 'ReadWrite', 'None'); try { $c.Open | Set-AltinnData -DataType model -Value $c.LockedXml } finally { $lock.Dispose() } } }
        @{ Name = 'Set-AltinnData: a number as form data'; ErrorId = 'Altinn.SetData.DataUnsupported'; Category = 'InvalidArgument'
            Offending = '-Value is a Int32'; Hint = 'Give the form data as a hashtable'
            Run = { param($c) $c.Open | Set-AltinnData -DataType model -Value 42 } }
        @{ Name = 'Set-AltinnData: text that is neither data nor a file, quoted and masked'; ErrorId = 'Altinn.SetData.DataUnknownText'; Category = 'InvalidArgument'
            Offending = "-Value is the text 'property1 = 080894\*{5}'"; Hint = 'Give the data as a hashtable'; Secrets = '08089403198'
            Run = { param($c) $c.Open | Set-AltinnData -DataType model -Value 'property1 = 08089403198' } }
        @{ Name = 'Set-AltinnData: form data into an attachment'; ErrorId = 'Altinn.SetData.NotFormData'; Category = 'InvalidArgument'
            Offending = "is 'attachment', a file rather than form data"; Hint = 'Add files with Add-AltinnAttachment'
            Run = { param($c) $c.Open | Set-AltinnData -DataType attachment -Value @{ property1 = 'x' } } }
        @{ Name = 'Set-AltinnData: a submitted instance'; ErrorId = 'Altinn.SetData.DataLocked'; Category = 'InvalidOperation'
            Offending = 'The data of instance 500700/.* is locked'; Hint = 'file a new submission'
            Run = { param($c) $c.Done | Set-AltinnData -DataType model -Value @{ property1 = 'x' } } }
        @{ Name = 'Get-AltinnData: form data from an attachment'; ErrorId = 'Altinn.GetData.NotFormData'; Category = 'InvalidArgument'
            Offending = "is 'attachment' \(application/pdf\)"; Hint = 'Save it to disk with Save-AltinnData'
            Run = { param($c) $c.Open | Get-AltinnData -DataType attachment } }
        @{ Name = 'Get-AltinnData: a data element id the instance does not have'; ErrorId = 'Altinn.GetData.DataElementNotFound'; Category = 'ObjectNotFound'
            Offending = 'has no data element 00000000-0000-4000-8000-00000000000d'; Hint = 'Its data elements are'
            Run = { param($c) $c.Open | Get-AltinnData -DataElementId 00000000-0000-4000-8000-00000000000d } }

        # ---- attachments ----
        @{ Name = 'Add-AltinnAttachment: a file that does not exist'; ErrorId = 'Altinn.AddAttachment.FileNotFound'; Category = 'ObjectNotFound'
            Offending = "missing\.pdf' in -Path does not exist"; Hint = 'Check the path'
            Run = { param($c) $c.Open | Add-AltinnAttachment -DataType attachment -Path (Join-Path $c.Work 'missing.pdf') } }
        @{ Name = 'Add-AltinnAttachment: a folder'; ErrorId = 'Altinn.AddAttachment.PathIsFolder'; Category = 'InvalidArgument'
            Offending = "folder' in -Path is a folder"; Hint = 'Give files, for example'
            Run = { param($c) $c.Open | Add-AltinnAttachment -DataType attachment -Path $c.Folder } }
        @{ Name = 'Add-AltinnAttachment: a wildcard that matches nothing'; ErrorId = 'Altinn.AddAttachment.FileNotFound'; Category = 'ObjectNotFound'
            Offending = "No file matches '.*\*\.nothing'"; Hint = 'Check the folder and the wildcard'
            Run = { param($c) $c.Open | Add-AltinnAttachment -DataType attachment -Path (Join-Path $c.Work '*.nothing') } }
        @{ Name = 'Add-AltinnAttachment: a file without an extension'; ErrorId = 'Altinn.AddAttachment.NoExtension'; Category = 'InvalidArgument'
            Offending = "'README' has no extension"; Hint = 'with an extension \(such as \.pdf\)'
            Run = { param($c) $c.Open | Add-AltinnAttachment -DataType attachment -Path $c.NoExtension } }
        @{ Name = 'Add-AltinnAttachment: a content type the data type refuses'; ErrorId = 'Altinn.AddAttachment.ContentTypeNotAllowed'; Category = 'InvalidArgument'
            Offending = "'report\.docx' is application/vnd"; Hint = 'Allowed: application/pdf, image/png, text/plain'
            Run = { param($c) $c.Open | Add-AltinnAttachment -DataType attachment -Path $c.Docx } }
        @{ Name = 'Add-AltinnAttachment: a file larger than the data type takes'; ErrorId = 'Altinn.AddAttachment.TooLarge'; Category = 'InvalidArgument'
            Offending = "'big\.pdf' is 6\.0 MB"; Hint = 'at most 5 MB per file'
            Run = { param($c) $c.Open | Add-AltinnAttachment -DataType attachment -Path $c.BigPdf } }
        @{ Name = 'Add-AltinnAttachment: an empty file'; ErrorId = 'Altinn.AddAttachment.EmptyFile'; Category = 'InvalidArgument'
            Offending = "'empty\.pdf' is empty"; Hint = 'Altinn refuses empty files'
            Run = { param($c) $c.Open | Add-AltinnAttachment -DataType attachment -Path $c.EmptyPdf } }
        @{ Name = 'Add-AltinnAttachment: a file locked by another program'; ErrorId = 'Altinn.AddAttachment.CannotRead'; Category = 'ReadError'
            Offending = "locked\.pdf' in -Path cannot be read"; Hint = 'Another program may hold it open'
            Run = { param($c) $lock = [IO.File]::Open($c.LockedPdf, 'Open', 'ReadWrite', 'None'); try { $c.Open | Add-AltinnAttachment -DataType attachment -Path $c.LockedPdf } finally { $lock.Dispose() } } }
        @{ Name = 'Add-AltinnAttachment: a data type the app does not have'; ErrorId = 'Altinn.AddAttachment.UnknownDataType'; Category = 'InvalidArgument'
            Offending = "no data type 'vedlegg'"; Hint = 'Its data types are: .*attachment'
            Run = { param($c) $c.Open | Add-AltinnAttachment -DataType vedlegg -Path $c.Pdf } }
        @{ Name = 'Add-AltinnAttachment: a file as form data'; ErrorId = 'Altinn.AddAttachment.IsFormData'; Category = 'InvalidArgument'
            Offending = "'model' of brg/aarsregnskap is form data"; Hint = 'Use Set-AltinnData'
            Run = { param($c) $c.Open | Add-AltinnAttachment -DataType model -Path $c.Pdf } }
        @{ Name = 'Add-AltinnAttachment: a submitted instance'; ErrorId = 'Altinn.AddAttachment.DataLocked'; Category = 'InvalidOperation'
            Offending = 'The data of instance 500700/.* is locked'; Hint = 'file a new submission'
            Run = { param($c) $c.Done | Add-AltinnAttachment -DataType attachment -Path $c.Pdf } }

        # ---- files out ----
        @{ Name = 'Save-AltinnData: a folder that does not exist'; ErrorId = 'Altinn.SaveData.FolderMissing'; Category = 'InvalidArgument'
            Offending = "no-such-folder' does not exist"; Hint = 'Create it first'
            Run = { param($c) $c.Open | Save-AltinnData -DataType model -Path (Join-Path $c.Work 'no-such-folder/model.xml') } }
        @{ Name = 'Save-AltinnData: a file that exists, without -Force'; ErrorId = 'Altinn.SaveData.FileExists'; Category = 'WriteError'
            Offending = "existing\.xml' already exists"; Hint = 'Use -Force to overwrite it'
            Run = { param($c) $c.Open | Save-AltinnData -DataType model -Path $c.Existing } }
        @{ Name = 'Save-AltinnData: nothing said about which data'; ErrorId = 'Altinn.SaveData.NoDataSelected'; Category = 'InvalidArgument'
            Offending = 'Say which data'; Hint = '-DataType .* or -DataElementId'
            Run = { param($c) $c.Open | Save-AltinnData -Path (Join-Path $c.Work 'x.xml') } }
        @{ Name = 'Save-AltinnReceipt: an instance that is not submitted'; ErrorId = 'Altinn.SaveReceipt.ProcessNotEnded'; Category = 'InvalidOperation'
            Offending = 'has not been submitted: it is at Task_1, a data task'; Hint = 'Finish the task with Invoke-AltinnProcessNext, then run Save-AltinnReceipt again'
            Run = { param($c) $c.Open | Save-AltinnReceipt -Path $c.Receipts } }
        @{ Name = 'Save-AltinnReceipt: a receipt file that exists, without -Force'; ErrorId = 'Altinn.SaveReceipt.FileExists'; Category = 'WriteError'
            Offending = "existing\.pdf' already exists"; Hint = 'Use -Force to overwrite it'
            Run = { param($c) $c.Done | Save-AltinnReceipt -Path $c.ExistingPdf } }
        @{ Name = 'Save-AltinnReceipt: a folder that does not exist'; ErrorId = 'Altinn.SaveReceipt.FolderMissing'; Category = 'InvalidArgument'
            Offending = "no-such-folder' does not exist"; Hint = 'Create it first'
            Run = { param($c) $c.Done | Save-AltinnReceipt -Path (Join-Path $c.Work 'no-such-folder/receipt.pdf') } }

        # ---- process, removal, journal, keys, tokens ----
        @{ Name = 'Invoke-AltinnProcessNext: a required field is missing'; ErrorId = 'Altinn.ProcessNext.ValidationFailed'; Category = 'InvalidData'; Sends = $true
            Offending = '(?s)cannot leave task Task_1: .*property2'; Hint = 'Correct the data \(Set-AltinnData\) and try again'
            Run = { param($c) $c.Open | Invoke-AltinnProcessNext } }
        @{ Name = 'Invoke-AltinnProcessNext: a submitted instance'; ErrorId = 'Altinn.ProcessNext.ProcessEnded'; Category = 'InvalidOperation'; Sends = $true
            Offending = 'has already ended'; Hint = 'Use Save-AltinnReceipt'
            Run = { param($c) $c.Done | Invoke-AltinnProcessNext } }
        @{ Name = 'Remove-AltinnData: the data of a submitted instance'; ErrorId = 'Altinn.RemoveData.DataLocked'; Category = 'InvalidOperation'
            Offending = 'is locked'; Hint = 'file a new submission'
            Run = { param($c) $c.Done | Remove-AltinnData -DataType attachment -Confirm:$false } }
        @{ Name = 'Remove-AltinnData: nothing said about which data'; ErrorId = 'Altinn.RemoveData.NoDataSelected'; Category = 'InvalidArgument'
            Offending = 'Say which data'; Hint = '-DataType .* or -DataElementId'
            Run = { param($c) $c.Open | Remove-AltinnData -Confirm:$false } }
        @{ Name = 'Get-AltinnJournal: a journal that does not exist'; ErrorId = 'Altinn.Journal.FileNotFound'; Category = 'ObjectNotFound'
            Offending = "no journal at '.*nightly\.journal'"; Hint = 'created by the first New-AltinnInstance -Journal'
            Run = { param($c) Get-AltinnJournal -Path (Join-Path $c.Work 'nightly.journal') } }
        @{ Name = 'Get-AltinnJournal: a folder'; ErrorId = 'Altinn.Journal.PathIsFolder'; Category = 'InvalidArgument'
            Offending = "-Path '.*folder' is a folder"; Hint = 'Give the journal file'
            Run = { param($c) Get-AltinnJournal -Path $c.Folder } }
        @{ Name = 'New-AltinnSigningKey: a folder as the key file'; ErrorId = 'Altinn.SigningKey.PathIsFolder'; Category = 'InvalidArgument'
            Offending = "folder' is a folder"; Hint = 'Give the path of the file to write the private key to'
            Run = { param($c) New-AltinnSigningKey -Path $c.Folder } }
        @{ Name = 'New-AltinnSigningKey: a key file that exists'; ErrorId = 'Altinn.SigningKey.FileExists'; Category = 'WriteError'
            Offending = "client\.jwk\.json' already exists"; Hint = 'Use -Force to replace it'
            Run = { param($c) New-AltinnSigningKey -Path $c.JwkFile } }
        @{ Name = 'Get-AltinnAccessToken: a closed session'; ErrorId = 'Altinn.Session.Disconnected'; Category = 'InvalidOperation'
            Offending = 'closed with Disconnect-Altinn'; Hint = 'Run Connect-Altinn again'
            Run = { param($c) Get-AltinnAccessToken -Session $c.Closed } }
        @{ Name = 'Get-AltinnAccessToken: -ForceRefresh on a handed-in token'; ErrorId = 'Altinn.AccessToken.CannotRefresh'; Category = 'InvalidOperation'
            Offending = 'connected with -AccessToken'; Hint = 'leave out -ForceRefresh'
            Run = { param($c) Get-AltinnAccessToken -Session $c.HandedIn -ForceRefresh } }
    )
    foreach ($case in $script:Cases) {
        if (-not $case.ContainsKey('Sends')) { $case.Sends = $false }
        if (-not $case.ContainsKey('Secrets')) { $case.Secrets = @() }
    }
}

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name bad-input
    $work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-bad-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $work | Out-Null

    $key = New-TestRsaJwk
    $clientId = Register-TestClient -Simulator $script:Sim -Jwk $key
    $connect = Get-SimulatorConnectParameters $script:Sim
    $session = Connect-Altinn @connect -ClientId $clientId -Jwk $key.Private -SystemUserOrganization 950474084 -PassThru -RetryIntervalSec 0.05
    $closed = Connect-Altinn @connect -ClientId $clientId -Jwk $key.Private -SystemUserOrganization 950474084 -PassThru
    Disconnect-Altinn -Session $closed
    $plain = Get-AltinnAccessToken -Session $session -AsPlainText
    $handedIn = Connect-Altinn @connect -AccessToken $plain -PassThru
    # a token handed in while valid, that expires a few seconds into the run
    $claims = @{ iat = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds(); exp = [DateTimeOffset]::UtcNow.AddSeconds(4).ToUnixTimeSeconds()
        authorization_details = @{ type = 'urn:altinn:systemuser'; systemuser_org = @{ authority = 'iso6523-actorid-upis'; ID = '0192:950474084' } } }
    $expiringToken = New-TestJwt $claims
    $expiring = Connect-Altinn @connect -AccessToken $expiringToken -PassThru -WarningAction SilentlyContinue
    $expiredToken = New-TestJwt @{ iat = [DateTimeOffset]::UtcNow.AddHours(-1).ToUnixTimeSeconds(); exp = [DateTimeOffset]::UtcNow.AddMinutes(-5).ToUnixTimeSeconds() }

    $modelXml = '<model><property1>a</property1><property2>b</property2></model>'
    $pdf = (New-TestPdf -Folder $work -Name 'document.pdf').FullName
    # one instance still at Task_1 (property2 missing, so process/next is refused) with an attachment, one submitted
    $open = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'a' } -Session $session |
        Add-AltinnAttachment -DataType attachment -Path $pdf
    $done = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Data @{ model = $modelXml } -Attachment @{ attachment = $pdf } -Session $session |
        Invoke-AltinnProcessNext

    $certificate = New-TestCertificate
    $pfx = Join-Path $work 'client.pfx'
    [IO.File]::WriteAllBytes($pfx, $certificate.Export('Pfx', 'Right-Pa55word'))
    $jwkFile = Join-Path $work 'client.jwk.json'
    Set-Content -Path $jwkFile -Value $key.Private -NoNewline
    $encryptedPem = Join-Path $work 'encrypted.pem'
    Set-Content -Path $encryptedPem -Value "-----BEGIN ENCRYPTED PRIVATE KEY-----`nMIIFLTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI`n-----END ENCRYPTED PRIVATE KEY-----"
    $folder = Join-Path $work 'folder'
    New-Item -ItemType Directory $folder | Out-Null
    $receipts = Join-Path $work 'receipts'
    New-Item -ItemType Directory $receipts | Out-Null

    $script:Ctx = @{
        Work = $work; Folder = $folder; Receipts = $receipts
        Connect = (Get-SimulatorConnectParameters $script:Sim)
        ClientId = $clientId; Jwk = $key.Private; PublicJwk = ($key.Public | ConvertTo-Json -Compress); JwkFile = $jwkFile
        Session = $session; Closed = $closed; HandedIn = $handedIn; Expiring = $expiring; ExpiringToken = $expiringToken; ExpiredToken = $expiredToken
        Open = $open; Done = $done; ModelXml = $modelXml
        Pfx = $pfx; EncryptedPem = $encryptedPem
        PublicOnlyCertificate = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($certificate.RawData)
        ExpiredCertificate = New-TestCertificate -NotBefore ([DateTimeOffset]::UtcNow.AddDays(-60)) -NotAfter ([DateTimeOffset]::UtcNow.AddDays(-1))
        Pdf = $pdf
        BigPdf = (New-TestFile -Folder $work -Name 'big.pdf' -Size (6MB)).FullName
        EmptyPdf = (New-TestFile -Folder $work -Name 'empty.pdf' -Size 0).FullName
        LockedPdf = (New-TestPdf -Folder $work -Name 'locked.pdf').FullName
        Docx = (New-TestFile -Folder $work -Name 'report.docx' -Size 2048).FullName
        NoExtension = (New-TestFile -Folder $work -Name 'README' -Text 'read me').FullName
        EmptyXml = (New-TestFile -Folder $work -Name 'empty.xml' -Size 0).FullName
        BrokenXml = (New-TestFile -Folder $work -Name 'broken.xml' -Text '<model><property1>a</model>').FullName
        LockedXml = (New-TestFile -Folder $work -Name 'locked.xml' -Text $modelXml).FullName
        EmptyJwk = (New-TestFile -Folder $work -Name 'empty.jwk.json' -Size 0).FullName
        LockedJwk = (New-TestFile -Folder $work -Name 'locked.jwk.json' -Text $key.Private).FullName
        Existing = (New-TestFile -Folder $work -Name 'existing.xml' -Text '<keep/>').FullName
        ExistingPdf = (New-TestPdf -Folder $work -Name 'existing.pdf').FullName
    }

    function script:Wait-TokenExpiry([string] $Token) {
        $left = ((ConvertFrom-TestJwt $Token).exp - [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()) + 1
        if ($left -gt 0) { Start-Sleep -Seconds $left }
    }

    # What must not change: every instance as the simulator holds it, and every file and folder under the work folder.
    function script:Get-State {
        [pscustomobject]@{
            Instances = (Get-SimulatorInstances $script:Sim | Sort-Object id | ConvertTo-Json -Depth 20 -Compress)
            Created   = (Get-SimulatorCounters $script:Sim).instancesCreated | ConvertTo-Json -Compress
            Files     = (Get-ChildItem -LiteralPath $script:Ctx.Work -Recurse -Force | ForEach-Object {
                    '{0}|{1}|{2:o}' -f $_.FullName, $(if ($_.PSIsContainer) { 'dir' } else { $_.Length }), $_.LastWriteTimeUtc }) -join "`n"
        }
    }
}

AfterAll {
    Get-AltinnSession | Disconnect-Altinn
    Stop-AltinnSimulator $script:Sim
    if ($script:Ctx) { Remove-Item $script:Ctx.Work -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'Bad input: <Name>' -ForEach $script:Cases {
    It 'is refused with <ErrorId> (<Category>), a message that says what to fix, and nothing changed' {
        $before = Get-State
        Clear-SimulatorRequests $script:Sim

        # a new script block in this scope: the case's own was made during discovery
        $run = [scriptblock]::Create($Run.ToString())
        $records = @(); $thrown = $null
        try { $records = @(& $run $script:Ctx 2>&1) } catch { $thrown = $_ }
        $errors = @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) + @($thrown | Where-Object { $_ })
        $output = @($records | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] })

        $errors | Should -HaveCount 1 -Because 'one bad input is one error'
        $output | Should -BeNullOrEmpty -Because 'a refused call outputs nothing'
        $err = $errors[0]
        $err.FullyQualifiedErrorId | Should -BeLike "$ErrorId,AltinnApp.PowerShell.Cmdlets.*"
        $err.CategoryInfo.Category | Should -Be $Category

        $message = $err.Exception.Message
        # ConciseView prints the recommendation on its own line, so the displayed message leaves that sentence out
        $recommendation = "$($err.ErrorDetails.RecommendedAction)".TrimEnd('.')
        $shown = if ($recommendation -and $message.Contains($recommendation)) { $message.Replace($recommendation, '') -replace '\.\s*\.', '.' } else { $message }
        ($err.ErrorDetails.Message -replace '\.\s*\.', '.' -replace '\s+', ' ') | Should -Be ($shown -replace '\s+', ' ') -Because 'the message and ErrorDetails say the same, the recommendation apart'
        $message | Should -Match $Offending -Because 'the message names the value or parameter at fault'
        $message | Should -Match $Hint -Because 'the message says how to fix it'
        $message | Should -Not -Match '(?m)^\s*at [\w.<>`]+\(|--- End of|\bSystem\.[A-Z]\w+(\.\w+)*\b|\b[A-Z]\w*Exception\b' -Because 'no stack trace and no .NET type names'
        $message | Should -Not -Match 'eyJ[A-Za-z0-9_-]{8,}\.' -Because 'no token'
        foreach ($secret in @($Secrets | Where-Object { $_ })) {
            $message.Contains($secret) | Should -BeFalse -Because "'$secret' must not be in the message"
            "$($err.TargetObject)".Contains($secret) | Should -BeFalse -Because "'$secret' must not be in the error's target"
        }

        $after = Get-State
        $after.Instances | Should -Be $before.Instances -Because 'no instance was created or changed'
        $after.Created | Should -Be $before.Created
        $after.Files | Should -Be $before.Files -Because 'no file was written or left behind'
        if (-not $Sends) {
            Get-SimulatorWrites $script:Sim | Should -BeNullOrEmpty -Because 'the module refuses before sending anything that changes data'
        }
    }
}
