#Requires -Modules Pester
# The login as production does it: Maskinporten's own error codes and MP texts reach the right ErrorId
# with what to fix; localtest's one test system user decides the organisation, so -Environment local
# with another organisation is refused instead of filing for someone else; and the token exchange's
# one 401 is explained as Altinn's answer to any failure behind it.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name fidelity-auth
    $script:Connect = Get-SimulatorConnectParameters $script:Sim
    $script:Key = New-TestRsaJwk -KeyId 'fidelity-registered'
    $script:Client = Register-TestClient -Simulator $script:Sim -Jwk $script:Key

    # A Connect-Altinn that must fail: its error record, after the checks every such error shares.
    function Get-ConnectError([hashtable] $Parameters) {
        Get-AltinnSession | Disconnect-Altinn
        $err = $null
        try { Connect-Altinn @Parameters -ErrorAction Stop | Out-Null } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty -Because 'the connect must fail'
        $err.Exception.Message | Should -Not -Match 'eyJ[A-Za-z0-9_-]{10,}' -Because 'no token in a message'
        Get-AltinnSession | Should -BeNullOrEmpty -Because 'a failed connect leaves no session behind'
        $err
    }
}

AfterAll {
    Get-AltinnSession | Disconnect-Altinn
    Stop-AltinnSimulator $script:Sim
}

Describe "Maskinporten's error codes reach the ErrorId that names the cause" {
    It '<Case>' -TestCases @(
        @{ Case = 'an unknown client is MP-100: InvalidClient'
            Id = 'Altinn.Maskinporten.InvalidClient'; Sent = '\(400 invalid_grant\): MP-100: Invalid assertion\. Client authentication failed\.'
            Fix = "client 'no-such-client'.*check -ClientId.*environment"
            Parameters = { @{ ClientId = 'no-such-client'; Jwk = $script:Key.Private } } }
        @{ Case = 'a kid the client does not have is MP-124: KeyNotAccepted'
            Id = 'Altinn.Maskinporten.KeyNotAccepted'; Sent = '\(400 invalid_grant\): MP-124: Invalid JWT signature\.'
            Fix = "RSA key 'fidelity-unregistered'.*Register its public key.*-KeyId"
            Parameters = { @{ ClientId = $script:Client; Jwk = (New-TestRsaJwk -KeyId 'fidelity-unregistered').Private } } }
        @{ Case = 'another key under the registered kid is MP-124: KeyNotAccepted'
            Id = 'Altinn.Maskinporten.KeyNotAccepted'; Sent = 'MP-124: Invalid JWT signature\.'
            Fix = 'does not verify with any key.*Register its public key'
            Parameters = { @{ ClientId = $script:Client; Jwk = (New-TestRsaJwk -KeyId 'fidelity-registered').Private } } }
        @{ Case = 'a certificate the client does not have is MP-120: KeyNotAccepted'
            Id = 'Altinn.Maskinporten.KeyNotAccepted'; Sent = '\(400 invalid_grant\): MP-120: Invalid assertion\. Client authentication failed\. The JWT is signed with an invalid certificate\.'
            Fix = 'register it with the client.*virksomhetssertifikat'
            Parameters = { @{ ClientId = $script:Client; Certificate = (New-TestCertificate) } } }
        @{ Case = 'a scope the client was not given is MP-200: InvalidScope'
            Id = 'Altinn.Maskinporten.InvalidScope'; Sent = '\(400 invalid_scope\): MP-200: Token request contains invalid scopes for client\.'
            Fix = "add them to the Maskinporten client.*-Scope"
            Parameters = { @{ ClientId = (Register-TestClient -Simulator $script:Sim -Jwk $script:Key -Scope 'altinn:instances.read'); Jwk = $script:Key.Private } } }
    ) {
        $err = Get-ConnectError ($script:Connect + (& $Parameters) + @{ SystemUserOrganization = '950474084' })
        $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err.Exception.Message | Should -Match $Sent -Because "the message carries Maskinporten's own code and text"
        $err.Exception.Message | Should -Match $Fix -Because 'the message says what to fix'
    }

    It 'a missing system user is SystemUserNotFound from invalid_altinn_customer_configuration (MP-303)' {
        $err = Get-ConnectError ($script:Connect + @{ ClientId = $script:Client; Jwk = $script:Key.Private; SystemUserOrganization = '310461598' })
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Maskinporten.SystemUserNotFound,*'
        $err.Exception.OAuthError | Should -Be 'invalid_altinn_customer_configuration'
        $err.Exception.Message | Should -Match '\(400 invalid_altinn_customer_configuration\): MP-303: Invalid authorization details values'
        $err.Exception.Message | Should -Match "client '$($script:Client)' and organisation 310461598.*accepted the system user request.*system register.*-SystemUserExternalRef"
    }

    It 'a wrong external reference is SystemUserNotFound naming the one given' {
        $key = New-TestRsaJwk
        $client = Register-TestClient -Simulator $script:Sim -Jwk $key -ExternalRef 'contract-42'
        $err = Get-ConnectError ($script:Connect + @{ ClientId = $client; Jwk = $key.Private; SystemUserOrganization = '950474084'; SystemUserExternalRef = 'contract-43' })
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Maskinporten.SystemUserNotFound,*'
        $err.Exception.OAuthError | Should -Be 'invalid_altinn_customer_configuration'
        $err.Exception.Message | Should -Match "MP-303: .*externalRef contract-43.*external reference 'contract-43'"
    }
}

Describe "Localtest's test system user decides the organisation" {
    It '-Environment local with another organisation is refused, naming both, and nothing is filed' {
        $before = Get-SimulatorCounters $script:Sim
        $err = Get-ConnectError @{ Environment = 'local'; PlatformUri = $script:Sim.BaseUri; AppBaseUri = $script:Sim.BaseUri; SystemUserOrganization = '310461598' }
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Connect.LocalTestOrganizationMismatch,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match 'belongs to organisation 950474084.*-SystemUserOrganization 310461598 would file for 950474084'
        $err.Exception.Message | Should -Match 'Connect with -SystemUserOrganization 950474084'

        # the script goes on to file: with no session, nothing reaches the app for either organisation
        { New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 310461598 -ErrorAction Stop } | Should -Throw
        $after = Get-SimulatorCounters $script:Sim
        $after.requests.'GET /Home/GetTestSystemUserToken' | Should -Be (1 + [int]$before.requests.'GET /Home/GetTestSystemUserToken')
        [int]$after.instancesCreatedByOwner.'950474084' | Should -Be ([int]$before.instancesCreatedByOwner.'950474084')
        [int]$after.instancesCreatedByOwner.'310461598' | Should -Be ([int]$before.instancesCreatedByOwner.'310461598')
    }

    It "-Environment local with localtest's own organisation files for it" {
        $session = Connect-Altinn -Environment local -PlatformUri $script:Sim.BaseUri -AppBaseUri $script:Sim.BaseUri -SystemUserOrganization 950474084 -PassThru
        $before = Get-SimulatorCounters $script:Sim
        $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Session $session
        $instance | Should -Not -BeNullOrEmpty
        (Get-SimulatorCounters $script:Sim).instancesCreatedByOwner.'950474084' | Should -Be (1 + [int]$before.instancesCreatedByOwner.'950474084')
        $session | Disconnect-Altinn
    }
}

Describe "The token exchange's 401" {
    It 'says it is Altinn''s answer to any failure behind the exchange and lists the likely causes' {
        # a Maskinporten token from another Maskinporten than the platform trusts: the exchange answers 401
        $platform = $script:Sim.BaseUri -replace '127\.0\.0\.1', 'localhost'
        $before = Get-SimulatorCounters $script:Sim
        $err = Get-ConnectError @{ MaskinportenUri = $script:Sim.BaseUri; PlatformUri = $platform; AppBaseUri = $platform
            ClientId = $script:Client; Jwk = $script:Key.Private; SystemUserOrganization = '950474084' }
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.TokenExchange.Refused,*'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $message = $err.Exception.Message
        $message | Should -Match '401 Unauthorized'
        $message | Should -Match 'any failure behind the exchange'
        $message | Should -Match "another environment's Maskinporten.*-Environment.*-MaskinportenUri and -PlatformUri"
        $message | Should -Match 'clock'
        $message | Should -Match 'try again in a few minutes'
        $message | Should -Match 'refused earlier, by Maskinporten'
        $after = Get-SimulatorCounters $script:Sim
        $after.maskinportenTokensIssued | Should -Be (1 + $before.maskinportenTokensIssued) -Because 'Maskinporten accepted the grant'
        $after.altinnTokensIssued | Should -Be $before.altinnTokensIssued -Because 'the exchange refused the token'
    }
}
