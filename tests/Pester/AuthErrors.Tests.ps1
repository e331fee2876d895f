#Requires -Modules Pester
# Every way a connect can go wrong gives its own clear error: a stable ErrorId, a message that says
# what was wrong and how to fix it, no secret, no stack trace; and nothing is left connected.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name auth-errors
    $script:Connect = Get-SimulatorConnectParameters $script:Sim
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-autherr-' + [Guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory $script:Work | Out-Null
    $script:Key = New-TestRsaJwk -KeyId 'registered'
    $script:Client = Register-TestClient -Simulator $script:Sim -Jwk $script:Key

    # Runs a Connect-Altinn that must fail; returns its error record after the checks every error shares.
    function Get-ConnectError([hashtable] $Parameters, [string[]] $Secrets = @()) {
        Get-AltinnSession | Disconnect-Altinn
        $err = $null
        try { Connect-Altinn @Parameters -ErrorAction Stop | Out-Null } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty -Because 'the connect must fail'
        $err.FullyQualifiedErrorId | Should -Match '^Altinn\.[A-Za-z]+\.[A-Za-z]+,AltinnApp\.PowerShell\.Cmdlets\.ConnectAltinnCommand$'
        $message = $err.Exception.Message
        $message | Should -Not -Match '   at |Exception:|System\.[A-Za-z.]+Exception'
        $message | Should -Not -Match 'eyJ[A-Za-z0-9_-]{10,}'
        foreach ($secret in $Secrets) { $message.Contains($secret) | Should -BeFalse }
        Get-AltinnSession | Should -BeNullOrEmpty -Because 'a failed connect leaves no session behind'
        $err
    }
}

AfterAll {
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Connect-Altinn refuses bad keys clearly' {
    It 'wrong .pfx password' {
        $certificate = New-TestCertificate
        $path = Join-Path $script:Work 'client-with-password.pfx'
        [IO.File]::WriteAllBytes($path, $certificate.Export('Pfx', 'the-right-one'))
        $err = Get-ConnectError @{ MaskinportenUri = $script:Sim.BaseUri; PlatformUri = $script:Sim.BaseUri; AppBaseUri = $script:Sim.BaseUri
            ClientId = $script:Client; CertificatePath = $path; CertificatePassword = (ConvertTo-SecureString 'wrong-password' -AsPlainText -Force); SystemUserOrganization = '950474084' } -Secrets 'wrong-password', 'the-right-one'
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Certificate.CannotOpen,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match 'password is wrong.*-CertificatePassword'
    }

    It 'a key whose kid is not registered for the client' {
        $other = New-TestRsaJwk -KeyId 'never-registered'
        $err = Get-ConnectError ($script:Connect + @{ ClientId = $script:Client; Jwk = $other.Private; SystemUserOrganization = '950474084' })
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Maskinporten.KeyNotAccepted,*'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err.Exception.Message | Should -Match 'invalid_grant\): MP-124: Invalid JWT signature'
        $err.Exception.Message | Should -Match "RSA key 'never-registered'.*Register its public key"
    }

    It 'the wrong key under a registered kid' {
        $impostor = New-TestRsaJwk -KeyId 'registered'
        $err = Get-ConnectError ($script:Connect + @{ ClientId = $script:Client; Jwk = $impostor.Private; SystemUserOrganization = '950474084' })
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Maskinporten.KeyNotAccepted,*'
        $err.Exception.Message | Should -Match 'MP-124: Invalid JWT signature.*does not verify with any key'
    }

    It 'a certificate not registered for the client' {
        $err = Get-ConnectError ($script:Connect + @{ ClientId = $script:Client; Certificate = (New-TestCertificate); SystemUserOrganization = '950474084' })
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Maskinporten.KeyNotAccepted,*'
        $err.Exception.Message | Should -Match 'MP-120: Invalid assertion\. Client authentication failed\. The JWT is signed with an invalid certificate.*register it with the client'
    }

    It 'an unknown client id' {
        $err = Get-ConnectError ($script:Connect + @{ ClientId = 'no-such-client'; Jwk = $script:Key.Private; SystemUserOrganization = '950474084' })
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Maskinporten.InvalidClient,*'
        $err.Exception.Message | Should -Match "MP-100: Invalid assertion\. Client authentication failed.*client 'no-such-client'.*check -ClientId"
    }

    It '<Case> certificate' -TestCases @(
        @{ Case = 'an expired'; From = -60; To = -1; Id = 'Altinn.Certificate.Expired'; Text = 'expired on .*Renew the business certificate' }
        @{ Case = 'a not yet valid'; From = 2; To = 60; Id = 'Altinn.Certificate.NotYetValid'; Text = 'is not valid before .*valid now' }
    ) {
        $certificate = New-TestCertificate -NotBefore ([DateTimeOffset]::UtcNow.AddDays($From)) -NotAfter ([DateTimeOffset]::UtcNow.AddDays($To))
        $client = Register-TestClient -Simulator $script:Sim -Certificate $certificate
        $before = (Get-SimulatorCounters $script:Sim).requests.'POST /token'
        $err = Get-ConnectError ($script:Connect + @{ ClientId = $client; Certificate = $certificate; SystemUserOrganization = '950474084' })
        $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $err.Exception.Message | Should -Match $Text
        $err.Exception.Message | Should -Match ([regex]::Escape($certificate.Thumbprint))
        (Get-SimulatorCounters $script:Sim).requests.'POST /token' | Should -Be $before -Because 'a certificate that cannot work is refused before any request'
    }

    It 'a certificate without its private key' {
        $public = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new((New-TestCertificate).RawData)
        $err = Get-ConnectError ($script:Connect + @{ ClientId = $script:Client; Certificate = $public; SystemUserOrganization = '950474084' })
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Certificate.NoPrivateKey,*'
        $err.Exception.Message | Should -Match 'has no private key.*\.pfx'
    }

    It 'a thumbprint that finds only an expired certificate, named in the error' {
        $expired = ConvertTo-ExportableCertificate (New-TestCertificate -NotBefore ([DateTimeOffset]::UtcNow.AddDays(-30)) -NotAfter ([DateTimeOffset]::UtcNow.AddDays(-2)))
        $store = [System.Security.Cryptography.X509Certificates.X509Store]::new('My', 'CurrentUser')
        $store.Open('ReadWrite'); $store.Add($expired); $store.Close()
        try {
            $err = Get-ConnectError ($script:Connect + @{ ClientId = $script:Client; CertificateThumbprint = $expired.Thumbprint; SystemUserOrganization = '950474084' })
        } finally {
            $store.Open('ReadWrite'); $store.Remove($expired); $store.Close()
        }
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Certificate.NotFound,*'
        $err.Exception.Message | Should -Match 'found only: CurrentUser\\My: expired on'
    }

    It 'a JWK without its private part' {
        $public = $script:Key.Public | ConvertTo-Json -Compress
        $err = Get-ConnectError ($script:Connect + @{ ClientId = $script:Client; Jwk = $public; SystemUserOrganization = '950474084' })
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Jwk.NoPrivateKey,*'
        $err.Exception.Message | Should -Match 'only the public key'
    }

    It 'a PEM file without a private key, and a PEM key without -KeyId' {
        $path = Join-Path $script:Work 'certificate.pem'
        Set-Content $path ("-----BEGIN CERTIFICATE-----`n" + [Convert]::ToBase64String((New-TestCertificate).RawData) + "`n-----END CERTIFICATE-----")
        $err = Get-ConnectError ($script:Connect + @{ ClientId = $script:Client; PrivateKeyPath = $path; KeyId = 'registered'; SystemUserOrganization = '950474084' })
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Pem.NoPrivateKey,*'

        $keyPath = Join-Path $script:Work 'key.pem'
        Set-Content $keyPath $script:Key.Pem
        $err = Get-ConnectError ($script:Connect + @{ ClientId = $script:Client; PrivateKeyPath = $keyPath; SystemUserOrganization = '950474084' }) -Secrets ($script:Key.Pem -split "`n")[1]
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Connect.MissingKeyId,*'
        $err.Exception.Message | Should -Match 'give -KeyId'
    }

    It 'a key file that does not exist' {
        $err = Get-ConnectError ($script:Connect + @{ ClientId = $script:Client; JwkPath = './no-such.jwk.json'; SystemUserOrganization = '950474084' })
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.File.FileNotFound,*'
        $err.Exception.Message | Should -Match 'no-such\.jwk\.json'
    }
}

Describe 'Connect-Altinn refuses bad system-user details and environments clearly' {
    It 'an organisation without a system user for the client' {
        $err = Get-ConnectError ($script:Connect + @{ ClientId = $script:Client; Jwk = $script:Key.Private; SystemUserOrganization = '310461598' })
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Maskinporten.SystemUserNotFound,*'
        $err.Exception.Message | Should -Match 'invalid_altinn_customer_configuration\): MP-303: .*0192:310461598.*accepted the system user request'
    }

    It 'a missing external reference the system user was created with' {
        $key = New-TestRsaJwk
        $client = Register-TestClient -Simulator $script:Sim -Jwk $key -ExternalRef 'contract-42'
        $err = Get-ConnectError ($script:Connect + @{ ClientId = $client; Jwk = $key.Private; SystemUserOrganization = '950474084' })
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Maskinporten.SystemUserNotFound,*'
        $err.Exception.Message | Should -Match 'invalid_altinn_customer_configuration\): MP-303: .*externalRef.*-SystemUserExternalRef'
    }

    It 'an invalid organisation number, before any request' {
        $before = (Get-SimulatorCounters $script:Sim).requests.'POST /token'
        $err = Get-ConnectError ($script:Connect + @{ ClientId = $script:Client; Jwk = $script:Key.Private; SystemUserOrganization = '950474085' })
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Connect.InvalidOrganizationNumber,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match "'950474085' is not a valid Norwegian organisation number.*mod-11"
        (Get-SimulatorCounters $script:Sim).requests.'POST /token' | Should -Be $before
    }

    It 'an unknown environment, naming the known ones' {
        $err = Get-ConnectError @{ Environment = 'tt2'; ClientId = $script:Client; Jwk = $script:Key.Private; SystemUserOrganization = '950474084' }
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Connect.UnknownEnvironment,*'
        $err.Exception.Message | Should -Match "'tt2' is not an Altinn environment.*prod, tt02, at22, at23, at24, yt01, local"
    }

    It 'no environment at all: production is never assumed' {
        $err = Get-ConnectError @{ ClientId = $script:Client; Jwk = $script:Key.Private; SystemUserOrganization = '950474084' }
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Connect.NoEnvironment,*'
        $err.Exception.Message | Should -Match 'production is never assumed'
    }

    It 'no key for an environment that needs one' {
        $err = Get-ConnectError @{ Environment = 'tt02'; ClientId = $script:Client; SystemUserOrganization = '950474084' }
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Connect.MissingKey,*'
        $err.Exception.Message | Should -Match '-CertificateThumbprint.*-Jwk.*Only -Environment local'
    }

    It 'a missing -<Name>' -TestCases @(
        @{ Name = 'ClientId'; Parameters = @{ SystemUserOrganization = '950474084' } }
        @{ Name = 'SystemUserOrganization'; Parameters = @{ ClientId = 'c' } }
    ) {
        $err = Get-ConnectError ($script:Connect + @{ Jwk = $script:Key.Private } + $Parameters)
        $err.FullyQualifiedErrorId | Should -BeLike "Altinn.Connect.Missing$Name,*"
        $err.Exception.Message | Should -Match "Give -$Name"
    }

    It 'a raw Maskinporten token handed in as -AccessToken' {
        $raw = New-TestJwt @{ iss = $script:Sim.BaseUri; client_amr = 'private_key_jwt'; exp = [DateTimeOffset]::UtcNow.AddMinutes(2).ToUnixTimeSeconds() }
        $err = Get-ConnectError ($script:Connect + @{ AccessToken = $raw }) -Secrets $raw
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.AccessToken.NotExchanged,*'
        $err.Exception.Message | Should -Match 'Maskinporten token.*exchanged'
    }

    It 'an expired -AccessToken, before any request' {
        $expired = New-TestJwt @{ iat = [DateTimeOffset]::UtcNow.AddHours(-1).ToUnixTimeSeconds(); exp = [DateTimeOffset]::UtcNow.AddMinutes(-1).ToUnixTimeSeconds()
            authorization_details = @{ type = 'urn:altinn:systemuser'; systemuser_org = @{ authority = 'iso6523-actorid-upis'; ID = '0192:950474084' } } }
        $before = (Get-SimulatorCounters $script:Sim).requests
        $err = Get-ConnectError ($script:Connect + @{ AccessToken = (ConvertTo-SecureString $expired -AsPlainText -Force) }) -Secrets $expired
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.AccessToken.Expired,*'
        $err.Exception.Message | Should -Match 'expired at .*cannot be renewed'
        (Get-SimulatorCounters $script:Sim).requests.Count | Should -Be $before.Count
    }

    It 'an -AccessToken for another organisation than -SystemUserOrganization' {
        $token = New-TestJwt @{ exp = [DateTimeOffset]::UtcNow.AddMinutes(20).ToUnixTimeSeconds()
            authorization_details = @{ type = 'urn:altinn:systemuser'; systemuser_org = @{ authority = 'iso6523-actorid-upis'; ID = '0192:950474084' } } }
        $err = Get-ConnectError ($script:Connect + @{ AccessToken = $token; SystemUserOrganization = '310461598' }) -Secrets $token
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Connect.TokenOrganizationMismatch,*'
    }

    It 'text that is not a token' {
        $err = Get-ConnectError ($script:Connect + @{ AccessToken = 'not-a-token' })
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Token.Malformed,*'
    }
}

Describe 'Connect-Altinn never prompts' {
    It 'has no parameter PowerShell would prompt for' {
        $mandatory = (Get-Command Connect-Altinn).Parameters.Values |
            Where-Object { $_.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.Mandatory } }
        $mandatory | Should -BeNullOrEmpty
    }

    It 'fails at once with a clear error in an interactive host whose input nobody answers' {
        # a scheduled task running powershell -File without -NonInteractive has an interactive host
        $pwsh = Get-PwshCommand
        $script = "Import-Module AltinnApp; try { Connect-Altinn -Environment tt02 -SystemUserOrganization 950474084 } catch { `$_.FullyQualifiedErrorId }"
        $job = Start-ThreadJob { param($exe, $dll, $cmd) '' | & $exe $dll -NoProfile -Command $cmd 2>&1 } -ArgumentList $pwsh[0], $pwsh[1], $script
        $finished = $job | Wait-Job -Timeout 60
        $finished | Should -Not -BeNullOrEmpty -Because 'a prompt would wait for input for ever'
        $output = ($job | Receive-Job) -join "`n"
        $job | Remove-Job -Force
        $output | Should -Match 'Altinn\.Connect\.MissingKey'
    }
}
