#Requires -Modules Pester
# Connect-Altinn with every way an ops team holds its Maskinporten key, end to end against the
# simulator (which checks every grant strictly), and the grant as the simulator received it.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name auth-keys
    $script:Connect = Get-SimulatorConnectParameters $script:Sim
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-auth-' + [Guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory $script:Work | Out-Null
    Push-Location $script:Work

    # Connects, then proves the session works: an authenticated app call the simulator answers.
    function Assert-WorkingSession($Session, [string] $Organization = '950474084') {
        $Session | Should -Not -BeNullOrEmpty
        $Session.SystemUserOrganization | Should -Be $Organization
        $Session.TokenExpiresOn | Should -BeGreaterThan ([DateTimeOffset]::UtcNow)
        $party = @{ '950474084' = 500700; '310461598' = 500701 }[$Organization]
        { Get-AltinnInstance -Active -PartyId $party -ForApp brg/aarsregnskap -Session $Session -ErrorAction Stop } | Should -Not -Throw
    }

    function Get-LastGrant { @(Get-SimulatorGrants $script:Sim)[-1] }

    $script:StoreCertificates = [Collections.Generic.List[object]]::new()
}

AfterAll {
    Pop-Location
    if ($script:StoreCertificates.Count) {
        $store = [System.Security.Cryptography.X509Certificates.X509Store]::new('My', 'CurrentUser')
        $store.Open('ReadWrite')
        foreach ($c in $script:StoreCertificates) { $store.Remove($c) }
        $store.Close()
    }
    Get-AltinnSession | Disconnect-Altinn
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Connect-Altinn with a certificate (grant carries x5c)' {
    BeforeAll {
        $script:Certificate = New-TestCertificate -Subject 'CN=AltinnApp auth test, O=Test'
        $script:CertClient = Register-TestClient -Simulator $script:Sim -Certificate $script:Certificate
        $script:Password = ConvertTo-SecureString 'Pfx-p@ss 1' -AsPlainText -Force
        $script:PfxBytes = $script:Certificate.Export('Pfx', 'Pfx-p@ss 1')
        [IO.File]::WriteAllBytes((Join-Path $script:Work 'client.pfx'), $script:PfxBytes)
    }

    It 'takes an X509Certificate2 object' {
        $session = Connect-Altinn @script:Connect -ClientId $script:CertClient -Certificate $script:Certificate -SystemUserOrganization 950474084 -PassThru
        Assert-WorkingSession $session
        $session.KeySource | Should -BeLike "Certificate 'CN=AltinnApp auth test, O=Test' (thumbprint $($script:Certificate.Thumbprint)*"

        $grant = Get-LastGrant
        $grant.header.alg | Should -Be 'RS256'
        @($grant.header.x5c) | Should -HaveCount 1
        $grant.header.x5c[0] | Should -Be ([Convert]::ToBase64String($script:Certificate.RawData))
        $grant.header.PSObject.Properties.Name | Should -Not -Contain 'kid'
        $grant.payload.iss | Should -Be $script:CertClient
    }

    It 'takes a .pfx path, relative to the PowerShell location, with its password' {
        $session = Connect-Altinn @script:Connect -ClientId $script:CertClient -CertificatePath ./client.pfx -CertificatePassword $script:Password -SystemUserOrganization 950474084 -PassThru
        Assert-WorkingSession $session
        $session.KeySource | Should -BeLike "*from '$((Join-Path $script:Work 'client.pfx'))'"
        (Get-LastGrant).header.x5c[0] | Should -Be ([Convert]::ToBase64String($script:Certificate.RawData))
    }

    It 'takes a base64 PFX (a secret from an environment variable) with its password' {
        $env:ALTINNAPP_TEST_PFX = [Convert]::ToBase64String($script:PfxBytes)
        try {
            $session = Connect-Altinn @script:Connect -ClientId $script:CertClient -CertificateBase64 $env:ALTINNAPP_TEST_PFX -CertificatePassword $script:Password -SystemUserOrganization 950474084 -PassThru
        } finally { Remove-Item Env:ALTINNAPP_TEST_PFX }
        Assert-WorkingSession $session
        $session.KeySource | Should -BeLike '*from -CertificateBase64'
    }

    It 'finds a certificate by thumbprint in CurrentUser\My' {
        # tests run with HOME at a clean test profile, so this store is the test's own
        $stored = ConvertTo-ExportableCertificate (New-TestCertificate -Subject 'CN=AltinnApp store test')
        $store = [System.Security.Cryptography.X509Certificates.X509Store]::new('My', 'CurrentUser')
        $store.Open('ReadWrite'); $store.Add($stored); $store.Close()
        $script:StoreCertificates.Add($stored)
        $client = Register-TestClient -Simulator $script:Sim -Certificate $stored

        $session = Connect-Altinn @script:Connect -ClientId $client -CertificateThumbprint $stored.Thumbprint.ToLowerInvariant() -SystemUserOrganization 950474084 -PassThru
        Assert-WorkingSession $session
        $session.KeySource | Should -BeLike "*thumbprint $($stored.Thumbprint)*from the certificate store"
        (Get-LastGrant).header.x5c[0] | Should -Be ([Convert]::ToBase64String($stored.RawData))
    }
}

Describe 'Connect-Altinn with a JWK or PEM key (grant carries kid)' {
    BeforeAll {
        $script:Key = New-TestRsaJwk -KeyId 'ops-key-1'
        $script:JwkClient = Register-TestClient -Simulator $script:Sim -Jwk $script:Key
    }

    It 'takes JWK text' {
        $session = Connect-Altinn @script:Connect -ClientId $script:JwkClient -Jwk $script:Key.Private -SystemUserOrganization 950474084 -PassThru
        Assert-WorkingSession $session
        $session.KeySource | Should -Be "RSA key 'ops-key-1' (2048 bits) from -Jwk"
        (Get-LastGrant).header.kid | Should -Be 'ops-key-1'
        (Get-LastGrant).header.PSObject.Properties.Name | Should -Not -Contain 'x5c'
    }

    It 'takes the JWK as a SecureString' {
        $secure = ConvertTo-SecureString $script:Key.Private -AsPlainText -Force
        $session = Connect-Altinn @script:Connect -ClientId $script:JwkClient -Jwk $secure -SystemUserOrganization 950474084 -PassThru
        Assert-WorkingSession $session
        (Get-LastGrant).header.kid | Should -Be 'ops-key-1'
    }

    It 'takes a JWK file, and -KeyId overrides the kid inside it' {
        $other = New-TestRsaJwk -KeyId 'kid-in-file'
        Set-Content -Path (Join-Path $script:Work 'other.jwk.json') -Value $other.Private
        $public = [ordered]@{} + $other.Public; $public.kid = 'registered-kid'
        $client = Register-TestClient -Simulator $script:Sim -Jwk @($public)

        $session = Connect-Altinn @script:Connect -ClientId $client -JwkPath ./other.jwk.json -KeyId registered-kid -SystemUserOrganization 950474084 -PassThru
        Assert-WorkingSession $session
        (Get-LastGrant).header.kid | Should -Be 'registered-kid'
    }

    It 'takes a PEM key in <Kind> form with -KeyId' -TestCases @(
        @{ Kind = 'PKCS#8'; Property = 'Pem'; Header = '-----BEGIN PRIVATE KEY-----' }
        @{ Kind = 'PKCS#1'; Property = 'Pkcs1Pem'; Header = '-----BEGIN RSA PRIVATE KEY-----' }
    ) {
        $path = Join-Path $script:Work "key-$Property.pem"
        Set-Content -Path $path -Value $script:Key.$Property
        (Get-Content $path -TotalCount 1) | Should -Be $Header
        $session = Connect-Altinn @script:Connect -ClientId $script:JwkClient -PrivateKeyPath $path -KeyId ops-key-1 -SystemUserOrganization 950474084 -PassThru
        Assert-WorkingSession $session
        (Get-LastGrant).header.kid | Should -Be 'ops-key-1'
    }

    It 'sends a grant with exactly the claims Maskinporten requires' {
        $key = New-TestRsaJwk -KeyId 'claims-key'
        $client = Register-TestClient -Simulator $script:Sim -Jwk $key -Organization 310461598
        $before = @(Get-SimulatorGrants $script:Sim).Count
        $session = Connect-Altinn @script:Connect -ClientId $client -Jwk $key.Private -SystemUserOrganization 310461598 -Scope 'altinn:instances.read' -PassThru
        Assert-WorkingSession $session -Organization 310461598
        $session.Scope | Should -Be 'altinn:instances.read'

        $grants = @(Get-SimulatorGrants $script:Sim)
        $grants.Count | Should -BeGreaterThan $before
        $grant = $grants[-1]
        $grant.header.alg | Should -Be 'RS256'
        $grant.header.kid | Should -Be 'claims-key'
        @($grant.payload.PSObject.Properties.Name | Sort-Object) | Should -Be @('aud', 'authorization_details', 'exp', 'iat', 'iss', 'jti', 'scope')
        $grant.payload.aud | Should -Be $script:Sim.BaseUri
        $grant.payload.aud | Should -Match '/$'
        $grant.payload.iss | Should -Be $client
        $grant.payload.scope | Should -Be 'altinn:instances.read'
        ($grant.payload.exp - $grant.payload.iat) | Should -BeLessOrEqual 120
        ($grant.payload.exp - $grant.payload.iat) | Should -BeGreaterThan 0
        [Math]::Abs([DateTimeOffset]::UtcNow.ToUnixTimeSeconds() - $grant.payload.iat) | Should -BeLessOrEqual 10
        [Guid]::Parse($grant.payload.jti) | Should -BeOfType [Guid]
        @($grants.payload.jti | Select-Object -Unique).Count | Should -Be $grants.Count
        @($grant.payload.authorization_details) | Should -HaveCount 1
        $detail = $grant.payload.authorization_details[0]
        $detail.type | Should -Be 'urn:altinn:systemuser'
        $detail.systemuser_org.authority | Should -Be 'iso6523-actorid-upis'
        $detail.systemuser_org.ID | Should -Be '0192:310461598'
        $detail.PSObject.Properties.Name | Should -Not -Contain 'externalRef'
    }

    It 'sends -SystemUserExternalRef when the system user was created with one' {
        $key = New-TestRsaJwk
        $client = Register-TestClient -Simulator $script:Sim -Jwk $key -ExternalRef 'ops-batch-7'
        $session = Connect-Altinn @script:Connect -ClientId $client -Jwk $key.Private -SystemUserOrganization 950474084 -SystemUserExternalRef ops-batch-7 -PassThru
        Assert-WorkingSession $session
        $session.SystemUserExternalRef | Should -Be 'ops-batch-7'
        (Get-LastGrant).payload.authorization_details[0].externalRef | Should -Be 'ops-batch-7'
    }
}

Describe 'Connect-Altinn without Maskinporten' {
    It 'uses localtest tokens for -Environment local without a key' {
        $before = Get-SimulatorCounters $script:Sim
        $session = Connect-Altinn -Environment local -PlatformUri $script:Sim.BaseUri -AppBaseUri $script:Sim.BaseUri -SystemUserOrganization 950474084 -PassThru
        Assert-WorkingSession $session
        $session.EnvironmentName | Should -Be 'local'
        $session.KeySource | Should -BeLike 'localtest system-user token*'
        $after = Get-SimulatorCounters $script:Sim
        $after.requests.'GET /Home/GetTestSystemUserToken' | Should -Be (1 + [int]$before.requests.'GET /Home/GetTestSystemUserToken')
        $after.maskinportenTokensIssued | Should -Be $before.maskinportenTokensIssued
        $token = ConvertFrom-TestJwt (Get-AltinnAccessToken -Session $session -AsPlainText)
        $token.authorization_details.systemuser_org.ID | Should -Be '0192:950474084'
    }

    It 'uses a handed-in Altinn token as it is, with its organisation, and warns before it expires' {
        $key = New-TestRsaJwk
        $client = Register-TestClient -Simulator $script:Sim -Jwk $key
        Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/settings' -Body @{ altinnTokenLifetimeSeconds = 200 } | Out-Null
        try {
            $keySession = Connect-Altinn @script:Connect -ClientId $client -Jwk $key.Private -SystemUserOrganization 950474084 -PassThru
            $token = Get-AltinnAccessToken -Session $keySession -AsPlainText
        } finally {
            Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/settings' -Body @{ altinnTokenLifetimeSeconds = 1800 } | Out-Null
        }
        $before = Get-SimulatorCounters $script:Sim

        $session = Connect-Altinn @script:Connect -AccessToken $token -PassThru -WarningVariable warnings -WarningAction SilentlyContinue
        @($warnings) | Should -HaveCount 1
        "$($warnings[0])" | Should -Match 'expires at .* cannot be renewed'
        Assert-WorkingSession $session
        $session.ClientId | Should -Be $client
        $session.KeySource | Should -BeLike 'access token given to Connect-Altinn, cannot be renewed*'
        (Get-AltinnAccessToken -Session $session -AsPlainText) | Should -Be $token
        (Get-SimulatorCounters $script:Sim).altinnTokensIssued | Should -Be $before.altinnTokensIssued
    }
}

Describe 'Get-AltinnAccessToken' {
    BeforeAll {
        $script:TokenKey = New-TestRsaJwk
        $script:TokenClient = Register-TestClient -Simulator $script:Sim -Jwk $script:TokenKey
        $script:TokenSession = Connect-Altinn @script:Connect -ClientId $script:TokenClient -Jwk $script:TokenKey.Private -SystemUserOrganization 950474084 -PassThru
    }

    It 'gives the current token as a SecureString, which calls an endpoint the module does not cover' {
        $secure = Get-AltinnAccessToken
        $secure | Should -BeOfType [securestring]
        $plain = [Net.NetworkCredential]::new('', $secure).Password
        $plain | Should -Be (Get-AltinnAccessToken -AsPlainText)
        $plain | Should -BeOfType [string]
        (ConvertFrom-TestJwt $plain).authorization_details.systemuser_org.ID | Should -Be '0192:950474084'

        $active = Invoke-RestMethod -Uri "$($script:Sim.BaseUri)brg/aarsregnskap/instances/500700/active" -Authentication Bearer -Token $secure -AllowUnencryptedAuthentication
        , $active | Should -BeOfType [object[]]
    }

    It 'reuses the token until it nears expiry, and -ForceRefresh fetches a new one' {
        $before = (Get-SimulatorCounters $script:Sim).altinnTokensIssued
        $first = Get-AltinnAccessToken -AsPlainText
        Get-AltinnAccessToken -AsPlainText | Should -Be $first
        (Get-SimulatorCounters $script:Sim).altinnTokensIssued | Should -Be $before

        $renewed = Get-AltinnAccessToken -ForceRefresh -AsPlainText
        $renewed | Should -Not -Be $first
        (Get-SimulatorCounters $script:Sim).altinnTokensIssued | Should -Be ($before + 1)
        Get-AltinnAccessToken -AsPlainText | Should -Be $renewed
    }

    It 'refuses -ForceRefresh on a session with a handed-in token' {
        $session = Connect-Altinn @script:Connect -AccessToken (Get-AltinnAccessToken -Session $script:TokenSession) -PassThru
        $err = { Get-AltinnAccessToken -Session $session -ForceRefresh } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.AccessToken.CannotRefresh,*'
        $err.Exception.Message | Should -Match 'connected with -AccessToken'
    }
}

Describe 'The session holds no secret where a user can see it' {
    It 'shows environment, client, organisation, key source and expiry, and no token or key' {
        $key = New-TestRsaJwk -KeyId 'display-key'
        $client = Register-TestClient -Simulator $script:Sim -Jwk $key
        $everything = Connect-Altinn @script:Connect -ClientId $client -Jwk $key.Private -SystemUserOrganization 950474084 -App brg/aarsregnskap -PassThru -Verbose -Debug *>&1 | Out-String
        $session = Get-AltinnSession
        $shown = $session | Format-List | Out-String
        foreach ($label in 'Environment', 'ClientId', 'SystemUserOrganization', 'KeySource', 'TokenExpiresOn', 'DefaultApp') { $shown | Should -Match "$label\s*:" }
        $shown | Should -Match ([regex]::Escape($client))
        $shown | Should -Match "RSA key 'display-key'"

        $token = Get-AltinnAccessToken -AsPlainText
        $privateExponent = ($key.Private | ConvertFrom-Json).d
        $json = $session | ConvertTo-Json -Depth 4 -WarningAction SilentlyContinue
        foreach ($text in $shown, $json, $everything, "$session") {
            $text | Should -Not -Match 'eyJ[A-Za-z0-9_-]{10,}\.'
            $text.Contains($token.Split('.')[2]) | Should -BeFalse
            $text.Contains($privateExponent.Substring(0, 20)) | Should -BeFalse
        }
    }

    It 'Disconnect-Altinn drops the session: it can no longer give a token' {
        $session = Connect-TestSession -Simulator $script:Sim
        Get-AltinnSession | Should -Be $session
        Disconnect-Altinn
        Get-AltinnSession | Should -BeNullOrEmpty
        $session.IsDisconnected | Should -BeTrue
        $err = { Get-AltinnAccessToken -Session $session } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Session.Disconnected,*'
        $err = { Get-AltinnAccessToken } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Session.NotConnected,*'
    }
}

Describe 'New-AltinnSigningKey' {
    It 'writes a private JWK readable by the owner only and outputs the public JWK to register' {
        $info = New-AltinnSigningKey -Path ./new.jwk.json
        $info.Path | Should -Be (Join-Path $script:Work 'new.jwk.json')
        $info.Format | Should -Be 'Jwk'
        $info.KeySize | Should -Be 2048
        $public = $info.PublicJwk | ConvertFrom-Json -AsHashtable
        @($public.Keys | Sort-Object) | Should -Be @('alg', 'e', 'kid', 'kty', 'n', 'use')
        $public.kid | Should -Be $info.KeyId
        $public.kty | Should -Be 'RSA'
        $public.alg | Should -Be 'RS256'
        "$info" | Should -Be $info.PublicJwk
        if (-not $IsWindows) { (Get-Item $info.Path).UnixMode | Should -Be '-rw-------' }
        Get-ChildItem $script:Work -Force -Filter '*.partial' | Should -BeNullOrEmpty

        # registered as printed, the written key connects
        $client = Register-TestClient -Simulator $script:Sim -Jwk @($public)
        $session = Connect-Altinn @script:Connect -ClientId $client -JwkPath $info.Path -SystemUserOrganization 950474084 -PassThru
        Assert-WorkingSession $session
        (Get-LastGrant).header.kid | Should -Be $info.KeyId
    }

    It 'writes PKCS#8 PEM for a .pem path, with the given kid and size' {
        $info = New-AltinnSigningKey -Path (Join-Path $script:Work 'new.pem') -KeyId 'rotation-2026' -KeySize 3072
        $info.Format | Should -Be 'Pem'
        $info.KeyId | Should -Be 'rotation-2026'
        $info.KeySize | Should -Be 3072
        (Get-Content $info.Path -TotalCount 1) | Should -Be '-----BEGIN PRIVATE KEY-----'
        if (-not $IsWindows) { (Get-Item $info.Path).UnixMode | Should -Be '-rw-------' }
        $client = Register-TestClient -Simulator $script:Sim -Jwk @($info.PublicJwk | ConvertFrom-Json -AsHashtable)
        $session = Connect-Altinn @script:Connect -ClientId $client -PrivateKeyPath $info.Path -KeyId rotation-2026 -SystemUserOrganization 950474084 -PassThru
        Assert-WorkingSession $session
    }

    It 'refuses to overwrite an existing key without -Force, and replaces it with -Force' {
        $path = Join-Path $script:Work 'keep.jwk.json'
        $first = New-AltinnSigningKey -Path $path
        $original = Get-Content -Raw $path
        $err = { New-AltinnSigningKey -Path $path } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.SigningKey.FileExists,*'
        $err.Exception.Message | Should -Match 'already exists.*-Force'
        Get-Content -Raw $path | Should -Be $original

        $second = New-AltinnSigningKey -Path $path -Force
        $second.KeyId | Should -Not -Be $first.KeyId
        (Get-Content -Raw $path | ConvertFrom-Json).kid | Should -Be $second.KeyId
        if (-not $IsWindows) { (Get-Item $path).UnixMode | Should -Be '-rw-------' }
    }

    It 'writes nothing with -WhatIf, not even a missing folder' {
        New-AltinnSigningKey -Path ./whatif.jwk.json -WhatIf | Should -BeNullOrEmpty
        Test-Path ./whatif.jwk.json | Should -BeFalse
        New-AltinnSigningKey -Path ./no/such/folder/key.jwk.json -WhatIf | Should -BeNullOrEmpty
        Test-Path ./no | Should -BeFalse
    }
}

Describe 'Help for the session cmdlets' {
    It '<Name> has a synopsis, two or more examples and a description for every parameter' -TestCases @(
        @{ Name = 'Connect-Altinn' }, @{ Name = 'Disconnect-Altinn' }, @{ Name = 'Get-AltinnSession' }, @{ Name = 'Get-AltinnAccessToken' }, @{ Name = 'New-AltinnSigningKey' }
    ) {
        $help = Get-Help $Name -Full
        $help.Synopsis | Should -Not -BeLike "$Name *[<-]*" -Because 'a synopsis from the docs, not the bare syntax line'
        $help.Synopsis.Length | Should -BeGreaterThan 30
        @($help.examples.example).Count | Should -BeGreaterOrEqual 2
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        foreach ($parameter in (Get-Command $Name).Parameters.Keys | Where-Object { $_ -notin $common }) {
            $text = (Get-Help $Name -Parameter $parameter).description.Text -join ' '
            $text | Should -Not -BeNullOrEmpty -Because "-$parameter needs a paragraph in docs/cmdlets/$Name.md"
        }
    }
}
