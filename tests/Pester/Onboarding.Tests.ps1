#Requires -Modules Pester
# Vendor onboarding offline, through the installed module against the simulator on 127.0.0.1: register the system,
# ask customers for system users, the customer approves (the simulator's control endpoint plays the portal),
# then connect as that system user, file and save the receipt.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name onboarding
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-onboard-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null
    $script:VendorScopes = @('altinn:authentication/systemregister.write', 'altinn:authentication/systemuser.request.write', 'altinn:authentication/systemuser.request.read')
    # the vendor's one Maskinporten client: it calls the authentication API as the vendor, and logs in as its system users
    $script:Key = New-TestRsaJwk
    $script:JwkPath = Join-Path $script:Work 'vendor.jwk.json'
    Set-Content -Path $script:JwkPath -Value $script:Key.Private -NoNewline
    $script:ClientId = Register-TestClient -Simulator $script:Sim -Jwk $script:Key -Organization @() -Scope ($script:VendorScopes + 'altinn:instances.read', 'altinn:instances.write')
    $script:Connect = Get-SimulatorConnectParameters $script:Sim
    $script:Vendor = Connect-Altinn @script:Connect -ClientId $script:ClientId -Jwk $script:Key.Private -Vendor -PassThru
    $script:SystemId = '991825827_regnskap'
    $script:App = 'app_brg_aarsregnskap'
    $script:Package = 'urn:altinn:accesspackage:regnskapsforer-med-signeringsrettighet'
    Register-AltinnSystem -SystemId $script:SystemId -Name @{ nb = 'Regnskap 123'; en = 'Accounting 123' } -Right $script:App -AccessPackage $script:Package `
        -AllowedRedirectUrl 'https://vendor.example/onboarded' -Session $script:Vendor | Out-Null

    # Invoke-RestMethod hands a JSON array over as one object: one item per pipeline object instead
    function Get-SimulatorList([string] $Path) { foreach ($item in (Invoke-Simulator -Simulator $script:Sim -Path $Path)) { $item } }

    function Approve-Request([string] $RequestId, [string[]] $Clients) {
        $body = if ($Clients) { @{ clients = $Clients } } else { $null }
        Invoke-Simulator -Simulator $script:Sim -Method POST -Path "_sim/systemuser-requests/$RequestId/approve" -Body $body
    }
}

AfterAll {
    Disconnect-Altinn -ErrorAction SilentlyContinue
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'A vendor session' {
    It 'connects as the vendor, with the three vendor scopes and no system user' {
        $script:Vendor.IsVendor | Should -BeTrue
        $script:Vendor.VendorOrganization | Should -Be '991825827'
        $script:Vendor.SystemUserOrganization | Should -BeNullOrEmpty
        $script:Vendor.Scope -split ' ' | Should -Be $script:VendorScopes
        $grant = (Get-SimulatorGrants $script:Sim | Select-Object -Last 1).payload
        $grant.PSObject.Properties.Name | Should -Not -Contain 'authorization_details'
    }

    It 'reads the registered system, and completes its id' {
        $system = Get-AltinnSystem -SystemId $script:SystemId -Session $script:Vendor
        $system.Name | Should -Be 'Regnskap 123'
        $system.Rights | Should -Be @($script:App)
        $system.AccessPackages | Should -Be @($script:Package)
        $system.ClientIds | Should -Be @($script:ClientId)
        $system.IsVisible | Should -BeFalse
        (Get-AltinnSystem -Session $script:Vendor).SystemId | Should -Contain $script:SystemId
        $line = 'Get-AltinnSystemUser -SystemId 991825827_re'
        $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $completion.CompletionMatches.CompletionText | Should -Contain $script:SystemId
    }

    It 'updates the system: what is given replaces, what is left out stays' {
        $updated = Set-AltinnSystem -SystemId $script:SystemId -AllowedRedirectUrl 'https://vendor.example/onboarded', 'https://vendor.example/again' -Session $script:Vendor
        $updated.AllowedRedirectUrls | Should -Be @('https://vendor.example/onboarded', 'https://vendor.example/again')
        $updated.Rights | Should -Be @($script:App)
        $updated.Name | Should -Be 'Regnskap 123'
    }

    It 'changes nothing with -WhatIf' {
        Register-AltinnSystem -SystemId '991825827_whatif' -Name 'X' -Right $script:App -Session $script:Vendor -WhatIf
        New-AltinnSystemUserRequest -SystemId $script:SystemId -CustomerOrganization 313725138 -Right $script:App -Session $script:Vendor -WhatIf
        (Get-AltinnSystem -Session $script:Vendor).SystemId | Should -Not -Contain '991825827_whatif'
        @(Get-SimulatorList '_sim/systemuser-requests' | Where-Object partyOrgNo -eq '313725138') | Should -HaveCount 0
    }
}

Describe 'Onboarding a customer with a standard system user' {
    It 'requests, the customer approves, the system user logs in, files and saves the receipt' {
        $request = New-AltinnSystemUserRequest -SystemId $script:SystemId -CustomerOrganization 950474084 -ExternalRef 'kunde-17' `
            -Right $script:App -RedirectUrl 'https://vendor.example/onboarded' -Session $script:Vendor
        $request.Status | Should -Be 'New'
        $request.Kind | Should -Be 'Standard'
        $request.ConfirmUrl | Should -Match "accessmanagement/ui/systemuser/request\?id=$($request.RequestId)"

        # asking again for the same reference gives the same open request, not a second one
        $again = New-AltinnSystemUserRequest -SystemId $script:SystemId -CustomerOrganization 950474084 -ExternalRef 'kunde-17' -Right $script:App -Session $script:Vendor
        $again.RequestId | Should -Be $request.RequestId

        Approve-Request $request.RequestId | Out-Null
        $answered = $request | Get-AltinnSystemUserRequest -Wait -Timeout 30 -Session $script:Vendor
        $answered.Status | Should -Be 'Accepted'
        (Get-AltinnSystemUserRequest -SystemId $script:SystemId -CustomerOrganization 950474084 -ExternalRef 'kunde-17' -Session $script:Vendor).Status | Should -Be 'Accepted'

        $user = Get-AltinnSystemUser -SystemId $script:SystemId -Session $script:Vendor | Where-Object CustomerOrganization -eq '950474084'
        $user.UserType | Should -Be 'Standard'
        $user.ExternalRef | Should -Be 'kunde-17'

        # once accepted, Altinn refuses the reference (the system user exists); a rerun returns the accepted request
        $rerun = New-AltinnSystemUserRequest -SystemId $script:SystemId -CustomerOrganization 950474084 -ExternalRef 'kunde-17' -Right $script:App -Session $script:Vendor -ErrorAction Stop
        $rerun.RequestId | Should -Be $request.RequestId
        $rerun.Status | Should -Be 'Accepted'

        $customer = Connect-Altinn @script:Connect -ClientId $script:ClientId -Jwk $script:Key.Private -SystemUserOrganization 950474084 -SystemUserExternalRef 'kunde-17' -PassThru
        $token = ConvertFrom-TestJwt (Get-AltinnAccessToken -Session $customer -AsPlainText)
        $token.authorization_details.systemuser_id[0] | Should -Be $user.SystemUserId
        $token.authorization_details.system_id | Should -Be $script:SystemId

        $receipts = Join-Path $script:Work 'receipts'
        $file = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Session $customer |
            Set-AltinnData -DataType model -Value @{ property1 = 'a'; property2 = 'b'; property3 = 'c' } |
            Invoke-AltinnProcessNext |
            Save-AltinnReceipt -Path $receipts
        [IO.File]::ReadAllBytes($file.FullName)[0..3] | Should -Be ([byte[]][char[]]'%PDF')
    }

    It 'goes from a CSV file to a CSV file of pending requests, and back' {
        $customers = Join-Path $script:Work 'customers.csv'
        @(
            [pscustomobject]@{ OrganizationNumber = '310461598'; ExternalRef = 'k-1' }
            [pscustomobject]@{ OrganizationNumber = '313725138'; ExternalRef = 'k-2' }
        ) | Export-Csv $customers -NoTypeInformation
        $pending = Join-Path $script:Work 'pending.csv'
        Import-Csv $customers | New-AltinnSystemUserRequest -SystemId $script:SystemId -Right $script:App -Session $script:Vendor | Export-Csv $pending -NoTypeInformation

        $rows = Import-Csv $pending
        $rows.CustomerOrganization | Should -Be @('310461598', '313725138')
        $rows.Kind | Should -Be @('Standard', 'Standard')
        $rows.Status | Should -Be @('New', 'New')
        $rows[0].Rights | Should -Be $script:App
        $rows[0].Created | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$'

        Invoke-Simulator -Simulator $script:Sim -Method POST -Path "_sim/systemuser-requests/$($rows[1].RequestId)/reject" | Out-Null
        $statuses = Import-Csv $pending | Get-AltinnSystemUserRequest -Session $script:Vendor
        $statuses.Status | Should -Be @('New', 'Rejected')
    }

    It 'times out waiting with an error that says the request is still open' {
        $request = New-AltinnSystemUserRequest -SystemId $script:SystemId -CustomerOrganization 910825526 -Right $script:App -Session $script:Vendor
        { $request | Get-AltinnSystemUserRequest -Wait -Timeout 1 -PollIntervalSec 1 -Session $script:Vendor -ErrorAction Stop } |
            Should -Throw -ErrorId 'Altinn.GetSystemUserRequest.Timeout*'
        $error[0].Exception.Message | Should -Match ([regex]::Escape($request.ConfirmUrl))
    }
}

Describe 'Onboarding an accounting firm with an agent system user' {
    It 'requests with access packages; once approved with two clients, the system user is listed with them and files for both' {
        $request = New-AltinnSystemUserRequest -Agent -SystemId $script:SystemId -CustomerOrganization 310461598 -ExternalRef 'byraa-1' -AccessPackage $script:Package -Session $script:Vendor
        $request.Kind | Should -Be 'Agent'
        $request.ConfirmUrl | Should -Match 'agentrequest\?id='
        $request.AccessPackages | Should -Be $script:Package

        Approve-Request $request.RequestId -Clients '950474084', '313725138' | Out-Null
        ($request | Get-AltinnSystemUserRequest -Session $script:Vendor).Status | Should -Be 'Accepted'

        $user = Get-AltinnSystemUser -SystemId $script:SystemId -CustomerOrganization 310461598 -Session $script:Vendor | Where-Object ExternalRef -eq 'byraa-1'
        $user.UserType | Should -Be 'Agent'
        $held = Get-SimulatorList '_sim/systemusers' | Where-Object id -eq $user.SystemUserId
        $held.clients | Should -Be @('950474084', '313725138')

        # the firm's system user logs in through Maskinporten
        $firm = Connect-Altinn @script:Connect -ClientId $script:ClientId -Jwk $script:Key.Private -SystemUserOrganization 310461598 -SystemUserExternalRef 'byraa-1' -PassThru
        $firm.SystemUserOrganization | Should -Be '310461598'

        # it files for each of its two clients, while the firm itself, not delegated to it as a client, is refused
        $receipts = Join-Path $script:Work 'agent-receipts'
        foreach ($client in '950474084', '313725138') {
            $file = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber $client -Session $firm |
                Set-AltinnData -DataType model -Value @{ property1 = 'a'; property2 = $client } |
                Invoke-AltinnProcessNext |
                Save-AltinnReceipt -Path $receipts
            [IO.File]::ReadAllBytes($file.FullName)[0..3] | Should -Be ([byte[]][char[]]'%PDF')
        }
        { New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 310461598 -Session $firm -ErrorAction Stop } |
            Should -Throw -ErrorId 'Altinn.NewInstance.Forbidden*'
        @(Get-ChildItem $receipts -Filter *.pdf).Count | Should -Be 2
    }
}

Describe 'Views' {
    It 'shows systems, requests and system users within 80 columns' {
        $outputs = @(
            Get-AltinnSystem -Session $script:Vendor
            Get-AltinnSystemUserRequest -SystemId $script:SystemId -CustomerOrganization 950474084 -ExternalRef 'kunde-17' -Session $script:Vendor
            Get-AltinnSystemUser -SystemId $script:SystemId -Session $script:Vendor
        )
        foreach ($output in $outputs) {
            $text = $output | Out-String -Width 200
            $lines = $text -split "`r?`n" | Where-Object { $_.Trim() }
            $lines | Should -Not -BeNullOrEmpty
            ($lines | Measure-Object Length -Maximum).Maximum | Should -BeLessOrEqual 80 -Because "$($output.GetType().Name) is shown as:`n$text"
        }
    }
}

Describe 'Bad input' {
    It 'names an unknown system' {
        { New-AltinnSystemUserRequest -SystemId '991825827_ukjent' -CustomerOrganization 950474084 -Right $script:App -Session $script:Vendor -ErrorAction Stop } |
            Should -Throw -ErrorId 'Altinn.NewSystemUserRequest.SystemNotFound*'
        { Get-AltinnSystem -SystemId '991825827_ukjent' -Session $script:Vendor -ErrorAction Stop } | Should -Throw -ErrorId 'Altinn.GetSystem.NotFound*'
    }

    It 'refuses an invalid organisation number before asking Altinn' {
        $before = @(Get-SimulatorList '_sim/systemuser-requests').Count
        { New-AltinnSystemUserRequest -SystemId $script:SystemId -CustomerOrganization 950474085 -Right $script:App -Session $script:Vendor -ErrorAction Stop } |
            Should -Throw -ErrorId 'Altinn.NewSystemUserRequest.InvalidOrganizationNumber*'
        @(Get-SimulatorList '_sim/systemuser-requests').Count | Should -Be $before
    }

    It 'passes on what Altinn says is wrong with a system, each with its path' {
        { Register-AltinnSystem -SystemId '123456785_x y' -Name 'X' -Right 'app_brg_finnesikke' -Session $script:Vendor -ErrorAction Stop } |
            Should -Throw -ErrorId 'Altinn.RegisterSystem.SystemRefused*'
        $message = $error[0].Exception.Message
        $message | Should -Match 'AUTH.VLD-00013'
        $message | Should -Match 'AUTH.VLD-00001'
        $message | Should -Match 'AUTH.VLD-00003.*app_brg_finnesikke'
    }

    It 'refuses rights the system is not registered with, and a redirect URL it does not allow' {
        { New-AltinnSystemUserRequest -SystemId $script:SystemId -CustomerOrganization 313725138 -Right 'app_brg_aarsregnskap-bekreft' -Session $script:Vendor -ErrorAction Stop } |
            Should -Throw -ErrorId 'Altinn.NewSystemUserRequest.RightsRefused*'
        { New-AltinnSystemUserRequest -SystemId $script:SystemId -CustomerOrganization 313725138 -ExternalRef r -Right $script:App -RedirectUrl 'https://elsewhere.example/' -Session $script:Vendor -ErrorAction Stop } |
            Should -Throw -ErrorId 'Altinn.NewSystemUserRequest.InvalidRedirectUrl*'
    }

    It 'names the missing scope when the Maskinporten client lacks one' {
        $key = New-TestRsaJwk
        $client = Register-TestClient -Simulator $script:Sim -Jwk $key -Organization @() -Scope 'altinn:authentication/systemuser.request.read'
        { Connect-Altinn @script:Connect -ClientId $client -Jwk $key.Private -Vendor } | Should -Throw -ErrorId 'Altinn.Maskinporten.InvalidScope*'
        $error[0].Exception.Message | Should -Match 'altinn:authentication/systemregister.write'

        $narrow = Connect-Altinn @script:Connect -ClientId $client -Jwk $key.Private -Vendor -Scope 'altinn:authentication/systemuser.request.read' -PassThru
        { Get-AltinnSystem -Session $narrow -ErrorAction Stop } | Should -Throw -ErrorId 'Altinn.GetSystem.ScopeNotGranted*'
        $error[0].Exception.Message | Should -Match 'altinn:authentication/systemregister.write'
    }

    It 'tells a system user session apart from a vendor session' {
        $customer = Connect-TestSession -Simulator $script:Sim
        { Get-AltinnSystem -Session $customer -ErrorAction Stop } | Should -Throw -ErrorId 'Altinn.GetSystem.NotVendorSession*'
        { Connect-Altinn @script:Connect -ClientId $script:ClientId -Jwk $script:Key.Private -Vendor -SystemUserOrganization 950474084 } |
            Should -Throw -ErrorId 'Altinn.Connect.VendorConflict*'
    }
}

Describe 'examples/Onboard-Customers.ps1' {
    It 'asks each customer once, reports who is ready, and a rerun after the approvals exits 0' {
        $csv = Join-Path $script:Work 'firms.csv'
        @([pscustomobject]@{ OrganizationNumber = '313725138'; ExternalRef = 'ex-1' }) | Export-Csv $csv -NoTypeInformation
        $result = Join-Path $script:Work 'onboarding.csv'
        $run = {
            & (Join-Path (Get-RepoRoot) 'examples/Onboard-Customers.ps1') -ClientId $script:ClientId -JwkPath $script:JwkPath -SystemId $script:SystemId `
                -CustomersCsv $csv -Right $script:App -ResultPath $result -ConnectOverrides $script:Connect 3>$null
        }
        & $run | Out-Null
        $LASTEXITCODE | Should -Be 1
        $row = Import-Csv $result
        $row.Status | Should -Be 'New'
        $row.ConfirmUrl | Should -Not -BeNullOrEmpty

        Approve-Request $row.RequestId | Out-Null
        & $run | Out-Null
        $LASTEXITCODE | Should -Be 0
        (Import-Csv $result).Status | Should -Be 'Ready'
    }
}
