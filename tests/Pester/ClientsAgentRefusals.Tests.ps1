#Requires -Modules Pester
# What an accounting firm meets when its agent system user (one for client relationships) is refused: a client refused
# and then delegated files at the next run under the same journal key; the messages fit an agent (its own firm, a
# removed delegation, a client's party); a vendor session is refused before anything is sent; -Restart -WhatIf names
# the instance it would delete; a new -LogPath file is the owner's alone.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name agentrefusals
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-agentref-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null

    $script:Firm = '313725138'
    $script:Package = 'urn:altinn:accesspackage:regnskapsforer-med-signeringsrettighet'
    # organisation numbers with a valid check digit (weights 3 2 7 6 5 4 3 2), none of them built in
    $weights = 3, 2, 7, 6, 5, 4, 3, 2
    $numbers = [System.Collections.Generic.List[string]]::new()
    for ($base = 82000000; $numbers.Count -lt 4; $base++) {
        $digits = "$base".ToCharArray() | ForEach-Object { [int]"$_" }
        $sum = 0; for ($i = 0; $i -lt 8; $i++) { $sum += $digits[$i] * $weights[$i] }
        $check = 11 - ($sum % 11)
        if ($check -eq 11) { $check = 0 }
        if ($check -eq 10) { continue }
        $numbers.Add("$base$check")
    }
    $script:Late, $script:Revoked, $script:Listed, $script:Other = $numbers
    for ($i = 0; $i -lt $numbers.Count; $i++) {
        Invoke-Simulator -Simulator $script:Sim -Method POST -Path '_sim/parties' -Body @{ organizationNumber = $numbers[$i]; partyId = 620000 + $i; name = "KLIENT $($numbers[$i]) AS" } | Out-Null
    }

    # the firm delegates every client but the late one
    $script:Key = New-TestRsaJwk
    $script:ClientId = 'firm-' + [Guid]::NewGuid().ToString('N').Substring(0, 8)
    $registered = Invoke-Simulator -Simulator $script:Sim -Method POST -Path '_sim/clients' -Body @{
        clientId    = $script:ClientId
        jwks        = @($script:Key.Public)
        scopes      = @('altinn:instances.read', 'altinn:instances.write')
        systemUsers = @(@{
                organizationNumber = $script:Firm
                kind               = 'agent'
                clients            = @($script:Revoked, $script:Listed, $script:Other | ForEach-Object { @{ organizationNumber = $_; accessPackages = @($script:Package) } })
            })
    }
    $script:SystemUserId = $registered.systemUsers[0].systemUserId
    $script:Connect = Get-SimulatorConnectParameters $script:Sim
    function script:New-AgentSession { Connect-Altinn @script:Connect -ClientId $script:ClientId -Jwk $script:Key.Private -SystemUserOrganization $script:Firm -RetryIntervalSec 0.05 -PassThru }
}

AfterAll {
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'A client refused, then delegated' {
    It 'files at the rerun under the same journal and key, once' {
        $journal = Join-Path $script:Work 'late.journal'
        $key = "$($script:Late)-2025-aarsregnskap"
        $file = {
            param($Session)
            New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber $script:Late -Journal $journal -Key $key -Session $Session -ErrorAction Stop |
                Set-AltinnData -DataType model -Value @{ property1 = 'accounts'; property2 = $script:Late } -ErrorAction Stop |
                Submit-AltinnInstance -ErrorAction Stop
        }

        { & $file (New-AgentSession) } | Should -Throw -ErrorId 'Altinn.NewInstance.Forbidden*'
        (Get-AltinnJournal $journal -Key $key).State | Should -Be 'Failed'
        # one refusal, one record of it
        @([IO.File]::ReadAllLines($journal) | Where-Object { $_ -like '*"state":"Failed"*' }) | Should -HaveCount 1

        Invoke-Simulator -Simulator $script:Sim -Method PUT -Path "_sim/systemusers/$($script:SystemUserId)/clients/$($script:Late)" -Body @{ accessPackages = @($script:Package) } | Out-Null
        # a new process's run: a new session, the journal read from its file
        $filed = & $file (New-AgentSession)
        $filed.Ended | Should -BeTrue
        $mine = @(Get-SimulatorInstances $script:Sim | Where-Object { $_.instanceOwner.organisationNumber -eq $script:Late })
        $mine | Should -HaveCount 1
        $mine[0].status.isArchived | Should -BeTrue
        (Get-AltinnJournal $journal -Key $key).State | Should -Be 'Submitted'
    }
}

Describe 'Advice that fits an agent' {
    It 'says the firm is not one of its own clients when creating for the firm itself' {
        $session = New-AgentSession
        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber $script:Firm -Session $session -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.NewInstance.Forbidden*'
        $err[0].Exception.Message | Should -Match "$($script:Firm) is not one of its own clients"
        $err[0].Exception.Message | Should -Match 'standard system user'
        $err[0].Exception.Message | Should -Not -Match 'may not be deployed'
        ($err[0] | Out-String -Width 400) | Should -Not -Match 'may not be deployed'
    }

    It 'says the client''s delegation may have been removed when it goes between the create and Set-AltinnData' {
        $session = New-AgentSession
        $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber $script:Revoked -Session $session -ErrorAction Stop
        Invoke-Simulator -Simulator $script:Sim -Method DELETE -Path "_sim/systemusers/$($script:SystemUserId)/clients/$($script:Revoked)" | Out-Null
        $instance | Set-AltinnData -DataType model -Value @{ property1 = 'a' } -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $message = $err[0].Exception.Message
        $message | Should -Match "$($script:Revoked), a client this system user filed for"
        $message | Should -Match 'removed the .*delegation'
        $message | Should -Not -Match 'it must be the organisation the system user acts for'
    }

    It 'lists the active instances of a client by its number once the session has filed for it' {
        $session = New-AgentSession
        $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber $script:Listed -Session $session -ErrorAction Stop
        $active = @(Get-AltinnInstance -App brg/aarsregnskap -Active -OrganizationNumber $script:Listed -Session $session -ErrorAction Stop)
        $active.Id | Should -Contain $instance.Id
    }

    It 'says what an agent can do for a client the session has not met' {
        $session = New-AgentSession
        Get-AltinnInstance -App brg/aarsregnskap -Active -OrganizationNumber $script:Other -Session $session -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.GetActiveInstances.NotAPartyOfSession*'
        $err[0].Exception.Message | Should -Match 'client of this system user'
        $err[0].Exception.Message | Should -Match '-PartyId'
    }
}

Describe 'A vendor session' {
    It 'is refused before anything is sent to the app, saying how to connect as the system user' {
        $vendorKey = New-TestRsaJwk
        $scopes = @('altinn:authentication/systemregister.write', 'altinn:authentication/systemuser.request.write', 'altinn:authentication/systemuser.request.read', 'altinn:instances.read', 'altinn:instances.write')
        $vendorClient = Register-TestClient -Simulator $script:Sim -Jwk $vendorKey -Organization @() -Scope $scopes
        $vendor = Connect-Altinn @script:Connect -ClientId $vendorClient -Jwk $vendorKey.Private -Vendor -PassThru
        Clear-SimulatorRequests $script:Sim
        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Session $vendor -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.NewInstance.VendorSession*'
        $err[0].Exception.Message | Should -Match 'Connect-Altinn -SystemUserOrganization <customer> -SystemUserExternalRef <ref>'
        @(Get-SimulatorRequests $script:Sim | Where-Object path -like '*/brg/aarsregnskap/*') | Should -HaveCount 0
    }
}

Describe 'New-AltinnInstance -Restart -WhatIf' {
    It 'names the unsubmitted instance it would delete before creating' {
        $session = Connect-TestSession -Simulator $script:Sim
        $journal = Join-Path $script:Work 'restart.journal'
        $first = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $journal -Key 'k' -Session $session -ErrorAction Stop
        $before = Get-Content -Raw $journal
        $transcript = Join-Path $script:Work 'whatif.txt'
        Start-Transcript -Path $transcript | Out-Null
        try {
            New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $journal -Key 'k' -Session $session -Restart -WhatIf | Out-Null
        } finally {
            Stop-Transcript | Out-Null
        }
        $said = Get-Content -Raw $transcript
        $said | Should -Match ([regex]::Escape("Delete the key's unsubmitted instance $($first.Id)"))
        $said | Should -Match 'then create instance'
        Get-Content -Raw $journal | Should -Be $before
    }

    It 'names the delete of what a stopped create made, and writes nothing, for a key whose create was interrupted' {
        $session = Connect-TestSession -Simulator $script:Sim
        $journal = Join-Path $script:Work 'interrupted.journal'
        # a run killed after it recorded the create as begun
        $line = @{ key = 'k'; state = 'Creating'; at = [DateTimeOffset]::UtcNow.ToString('o'); app = 'brg/aarsregnskap'; partyId = 500700; org = '950474084'; owner = 'organisation'; pid = 1 } | ConvertTo-Json -Compress
        Set-Content -Path $journal -Value $line
        $before = Get-Content -Raw $journal
        $transcript = Join-Path $script:Work 'whatif-interrupted.txt'
        Start-Transcript -Path $transcript | Out-Null
        try {
            New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $journal -Key 'k' -Session $session -Restart -WhatIf | Out-Null
        } finally {
            Stop-Transcript | Out-Null
        }
        Get-Content -Raw $transcript | Should -Match "Delete the instance the key's stopped create may have made"
        Get-Content -Raw $journal | Should -Be $before
    }
}

Describe 'Connect-Altinn -LogPath' {
    It 'creates a new log file open to its owner alone' -Skip:$IsWindows {
        $log = Join-Path $script:Work 'agent.log'
        $session = Connect-TestSession -Simulator $script:Sim -Extra @{ LogPath = $log }
        Test-Path $log | Should -BeTrue
        (Get-Item -Force $log).UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
        Disconnect-Altinn -Session $session -ErrorAction SilentlyContinue
    }
}
