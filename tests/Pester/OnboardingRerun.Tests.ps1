#Requires -Modules Pester
# Vendor onboarding run again, as a vendor does until every customer is ready: the README's pipeline from customers.csv
# to pending.csv, waiting for many customers in one call, a customer who rejected, -WhatIf, and the default views.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name onboardrerun
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-rerun-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null
    $scopes = @('altinn:authentication/systemregister.write', 'altinn:authentication/systemuser.request.write', 'altinn:authentication/systemuser.request.read')
    $key = New-TestRsaJwk
    $script:ClientId = Register-TestClient -Simulator $script:Sim -Jwk $key -Organization @() -Scope $scopes
    $script:Connect = Get-SimulatorConnectParameters $script:Sim
    $script:JwkPath = Join-Path $script:Work 'vendor.jwk.json'
    Set-Content -Path $script:JwkPath -Value $key.Private -NoNewline
    $script:Vendor = Connect-Altinn @script:Connect -ClientId $script:ClientId -Jwk $key.Private -Vendor -PassThru
    $script:SystemId = '991825827_regnskap'
    $script:App = 'app_brg_aarsregnskap'
    Register-AltinnSystem -SystemId $script:SystemId -Name 'Regnskap 123' -Right $script:App -Session $script:Vendor | Out-Null

    function Set-RequestAnswer([string] $RequestId, [string] $Answer) {
        Invoke-Simulator -Simulator $script:Sim -Method POST -Path "_sim/systemuser-requests/$RequestId/$Answer" | Out-Null
    }
}

AfterAll {
    Disconnect-Altinn -ErrorAction SilentlyContinue
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'The README onboarding pipeline run again' {
    It 'keeps the customers who approved in pending.csv, Accepted, with no error; a customer listed twice is one row' {
        $customers = Join-Path $script:Work 'customers.csv'
        @(
            [pscustomobject]@{ OrganizationNumber = '310461598'; ExternalRef = 'r-1' }
            [pscustomobject]@{ OrganizationNumber = '313725138'; ExternalRef = 'r-2' }
            [pscustomobject]@{ OrganizationNumber = '313725138'; ExternalRef = 'r-2' }
        ) | Export-Csv $customers -NoTypeInformation
        $pending = Join-Path $script:Work 'pending.csv'
        Import-Csv $customers | New-AltinnSystemUserRequest -SystemId $script:SystemId -Right $script:App -Session $script:Vendor |
            Export-Csv $pending -NoTypeInformation
        $first = @(Import-Csv $pending)
        $first.CustomerOrganization | Should -Be @('310461598', '313725138')

        Set-RequestAnswer $first[0].RequestId approve
        Import-Csv $customers | New-AltinnSystemUserRequest -SystemId $script:SystemId -Right $script:App -Session $script:Vendor -ErrorVariable failed |
            Export-Csv $pending -NoTypeInformation
        $failed | Should -BeNullOrEmpty
        $again = @(Import-Csv $pending)
        $again.RequestId | Should -Be $first.RequestId
        $again.Status | Should -Be @('Accepted', 'New')
    }
}

Describe 'Waiting for many customers' {
    It 'polls every open request in each interval, not one request after another, and times out once for the call' {
        $a = New-AltinnSystemUserRequest -SystemId $script:SystemId -CustomerOrganization 910825526 -ExternalRef 'w-1' -Right $script:App -Session $script:Vendor
        $b = New-AltinnSystemUserRequest -SystemId $script:SystemId -CustomerOrganization 950474084 -ExternalRef 'w-2' -Right $script:App -Session $script:Vendor
        Clear-SimulatorRequests $script:Sim
        $out = @($a, $b | Get-AltinnSystemUserRequest -Wait -Timeout 2 -PollIntervalSec 1 -Session $script:Vendor -ErrorVariable waited -ErrorAction SilentlyContinue)
        $out | Should -HaveCount 0
        @($waited | ForEach-Object FullyQualifiedErrorId | Where-Object { $_ -like 'Altinn.GetSystemUserRequest.Timeout*' }) | Should -HaveCount 2
        # the order in which Altinn was asked: both requests read before the first one's time is up
        $reads = @(Get-SimulatorRequests $script:Sim -Method GET -PathLike '*/systemuser/request/vendor/*' | ForEach-Object { ($_.path -split '/')[-1] -replace '\?.*$' })
        $reads.Count | Should -BeGreaterThan 2
        $reads[1] | Should -Be $b.RequestId
        $reads[-1] | Should -Be $b.RequestId
        $reads[-2] | Should -Be $a.RequestId
    }

    It 'writes a request as soon as it is answered, and an error only for those still open' {
        $a = New-AltinnSystemUserRequest -SystemId $script:SystemId -CustomerOrganization 910825526 -ExternalRef 'w-3' -Right $script:App -Session $script:Vendor
        $b = New-AltinnSystemUserRequest -SystemId $script:SystemId -CustomerOrganization 950474084 -ExternalRef 'w-4' -Right $script:App -Session $script:Vendor
        Set-RequestAnswer $b.RequestId approve
        $out = @($a, $b | Get-AltinnSystemUserRequest -Wait -Timeout 1 -PollIntervalSec 1 -Session $script:Vendor -ErrorVariable waited -ErrorAction SilentlyContinue)
        $out.RequestId | Should -Be @($b.RequestId)
        $out.Status | Should -Be 'Accepted'
        @($waited | Where-Object { $_.FullyQualifiedErrorId -like 'Altinn.GetSystemUserRequest.Timeout*' }) | Should -HaveCount 1
        $waited[0].Exception.Message | Should -Match $a.RequestId
    }
}

Describe 'A customer who rejected' {
    It 'returns the rejected request again with a warning that a new request needs a new -ExternalRef' {
        $request = New-AltinnSystemUserRequest -SystemId $script:SystemId -CustomerOrganization 310461598 -ExternalRef 'rej-1' -Right $script:App -Session $script:Vendor
        Set-RequestAnswer $request.RequestId reject
        $again = New-AltinnSystemUserRequest -SystemId $script:SystemId -CustomerOrganization 310461598 -ExternalRef 'rej-1' -Right $script:App -Session $script:Vendor -WarningVariable warned -WarningAction SilentlyContinue
        $again.RequestId | Should -Be $request.RequestId
        $again.Status | Should -Be 'Rejected'
        "$warned" | Should -Match 'rejected'
        "$warned" | Should -Match '-ExternalRef'
    }

    It 'is what examples/Onboard-Customers.ps1 advises for a rejected row: a new ExternalRef, not the ConfirmUrl' {
        $csv = Join-Path $script:Work 'rejecting.csv'
        @([pscustomobject]@{ OrganizationNumber = '310461598'; ExternalRef = 'rej-1' }) | Export-Csv $csv -NoTypeInformation
        $result = Join-Path $script:Work 'rejecting-result.csv'
        $warnings = @(& (Join-Path (Get-RepoRoot) 'examples/Onboard-Customers.ps1') -ClientId $script:ClientId -JwkPath $script:JwkPath -SystemId $script:SystemId `
                -CustomersCsv $csv -Right $script:App -ResultPath $result -ConnectOverrides $script:Connect 3>&1 |
            Where-Object { $_ -is [System.Management.Automation.WarningRecord] })
        $LASTEXITCODE | Should -Be 1
        (Import-Csv $result).Status | Should -Be 'Rejected'
        "$warnings" | Should -Match 'new ExternalRef'
        "$warnings" | Should -Not -Match 'send each the ConfirmUrl'
    }
}

Describe '-WhatIf' {
    It 'gives the errors the real run gives, and asks nothing' {
        $rows = @(
            [pscustomobject]@{ OrganizationNumber = '123'; ExternalRef = 'bad' }
            [pscustomobject]@{ OrganizationNumber = '313725138'; ExternalRef = 'whatif-ok' }
        )
        $before = @(Invoke-Simulator -Simulator $script:Sim -Path '_sim/systemuser-requests' | ForEach-Object { $_ }).Count
        $rows | New-AltinnSystemUserRequest -SystemId $script:SystemId -Right $script:App -Session $script:Vendor -WhatIf -ErrorVariable refused -ErrorAction SilentlyContinue
        @($refused) | Should -HaveCount 1
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.NewSystemUserRequest.InvalidOrganizationNumber*'
        @(Invoke-Simulator -Simulator $script:Sim -Path '_sim/systemuser-requests' | ForEach-Object { $_ }).Count | Should -Be $before
    }
}

Describe 'Vendor views at 80 columns' {
    It 'shows no client count in the list of systems, which does not carry client ids, and the count in the detail' {
        $listed = Get-AltinnSystem -Session $script:Vendor | Where-Object SystemId -eq $script:SystemId
        $listed.ClientIds | Should -BeNullOrEmpty
        $row = ($listed | Out-String -Width 80) -split "`r?`n" | Where-Object { $_ -like "$($script:SystemId)*" }
        # ... Rights, Packages, Clients, Visible: in the list the Clients cell is left empty, not 0
        $row | Should -Match '\s1\s+0\s+False\s*$'
        $detail = Get-AltinnSystem -SystemId $script:SystemId -Session $script:Vendor
        $detailRow = ($detail | Out-String -Width 80) -split "`r?`n" | Where-Object { $_ -like "$($script:SystemId)*" }
        $detailRow | Should -Match '\s1\s+0\s+1\s+False\s*$'
    }

    It 'shows a request on one line within 80 columns, the ConfirmUrl left to Format-List' {
        $request = Get-AltinnSystemUserRequest -SystemId $script:SystemId -CustomerOrganization 310461598 -ExternalRef 'r-1' -Session $script:Vendor
        $lines = @(($request | Out-String -Width 80) -split "`r?`n" | Where-Object { $_.Trim() })
        $lines | Should -HaveCount 3
        $lines | Where-Object { $_.TrimEnd().Length -gt 80 } | Should -BeNullOrEmpty
        $lines[2] | Should -Match $request.RequestId
        ($request | Format-List | Out-String -Width 80) | Should -Match 'ConfirmUrl'
    }
}
