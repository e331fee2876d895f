#Requires -Modules Pester
# A journal key stands for one submission: a rerun that brings the key with another owner or other prefill is
# refused rather than resumed into the wrong instance, and every refused row reaches the journal.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name journal-keys
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-keys-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null
    $script:CmdletId = 'AltinnApp.PowerShell.Cmdlets.NewAltinnInstanceCommand'

    # a clean simulator and a journal that does not exist yet
    function New-Run([string] $Name) {
        $folder = Join-Path $script:Work $Name
        New-Item -ItemType Directory $folder | Out-Null
        Invoke-Simulator -Simulator $script:Sim -Method POST -Path '_sim/reset' | Out-Null
        [pscustomobject]@{ Folder = $folder; Journal = (Join-Path $folder 'batch.journal'); Receipts = (Join-Path $folder 'receipts') }
    }

    function Get-HeldInstance([string] $Id) { Get-SimulatorInstances $script:Sim | Where-Object id -eq $Id }
}

AfterAll {
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'A resumed key must be for the owner it was started for' {
    It 'refuses a key started for 950474084 when the row is 310461598, naming both, and creates or changes nothing' {
        $run = New-Run 'mismatch'
        $sessionA = Connect-TestSession -Simulator $script:Sim -Organization 950474084
        # night one: row 7 is 950474084, stopped after the create
        $first = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'A figures' } -Journal $run.Journal -Key 'row-7' -Session $sessionA
        $before = Get-HeldInstance $first.Id | ConvertTo-Json -Depth 20

        # night two: row 7 is another organisation, with the same system user (the resume used to file into A's instance) ...
        $out = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 310461598 -Prefill @{ property1 = 'B figures' } -Journal $run.Journal -Key 'row-7' -Session $sessionA -ErrorAction SilentlyContinue -ErrorVariable sameUser |
            Set-AltinnData -DataType model -Value @{ property1 = 'B figures'; property2 = 'b'; property3 = 'b' } |
            Invoke-AltinnProcessNext
        $out | Should -BeNullOrEmpty
        # ... and with the other organisation's own system user (it used to end in a misleading NotFoundOrForbidden)
        $sessionB = Connect-TestSession -Simulator $script:Sim -Organization 310461598
        $otherUser = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 310461598 -Journal $run.Journal -Key 'row-7' -Session $sessionB -ErrorAction SilentlyContinue -ErrorVariable otherUserError
        $otherUser | Should -BeNullOrEmpty

        foreach ($err in @($sameUser[0], $otherUserError[0])) {
            $err.FullyQualifiedErrorId | Should -Be "Altinn.NewInstance.KeyMismatch,$script:CmdletId"
            $err.Exception.Message | Should -Match "Key 'row-7' was started for brg/aarsregnskap for organisation 950474084 \(instance $([regex]::Escape($first.Id))\)"
            $err.Exception.Message | Should -Match 'asks for brg/aarsregnskap for organisation 310461598'
            $err.Exception.Message | Should -Match 'nothing was created or changed'
            $err.Exception.Message | Should -Match 'not a row number'
        }

        $counters = Get-SimulatorCounters $script:Sim
        $counters.instancesCreatedByOwner.'950474084' | Should -Be 1
        $counters.instancesCreatedByOwner.'310461598' | Should -BeNullOrEmpty
        @(Get-SimulatorInstances $script:Sim) | Should -HaveCount 1
        Get-HeldInstance $first.Id | ConvertTo-Json -Depth 20 | Should -Be $before
        ($first | Get-AltinnData -DataType model -Session $sessionA).property1 | Should -Be 'A figures'

        # the refusal is in the journal; the key still belongs to what it was started for
        $entry = Get-AltinnJournal -Path $run.Journal -Key 'row-7' -State Failed
        $entry.LastErrorId | Should -Be 'Altinn.NewInstance.KeyMismatch'
        $entry.InstanceId | Should -Be $first.Id
        $entry.OrganizationNumber | Should -Be '950474084'

        # the first organisation's own row carries its key on, and the failure is cleared
        $resumed = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'A figures' } -Journal $run.Journal -Key 'row-7' -Session $sessionA
        $resumed.Id | Should -Be $first.Id
        (Get-AltinnJournal -Path $run.Journal -Key 'row-7').State | Should -Be 'Created'
        (Get-SimulatorCounters $script:Sim).instancesCreatedByOwner.'950474084' | Should -Be 1
    }

    It 'keeps a done key done when a row for another owner or with other prefill is refused for it' {
        $run = New-Run 'done-stays-done'
        $session = Connect-TestSession -Simulator $script:Sim -Organization 950474084
        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'a'; property2 = 'b' } -Journal $run.Journal -Key 'k-done' -Session $session |
            Invoke-AltinnProcessNext | Save-AltinnReceipt -Path $run.Receipts | Out-Null
        (Get-AltinnJournal $run.Journal | Where-Object Key -eq 'k-done').IsDone | Should -BeTrue

        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 310461598 -Prefill @{ property1 = 'a'; property2 = 'b' } -Journal $run.Journal -Key 'k-done' -Session $session -ErrorAction SilentlyContinue -ErrorVariable other
        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'changed'; property2 = 'b' } -Journal $run.Journal -Key 'k-done' -Session $session -ErrorAction SilentlyContinue -ErrorVariable changed

        $other[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.NewInstance.KeyMismatch*'
        $changed[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.NewInstance.PrefillChanged*'
        $entry = Get-AltinnJournal $run.Journal | Where-Object Key -eq 'k-done'
        $entry.IsDone | Should -BeTrue
        $entry.State | Should -Be 'ReceiptSaved'
        Get-AltinnJournal $run.Journal -State Failed | Should -BeNullOrEmpty
    }

    It 'does not carry on a key whose instance was deleted, soft or for good, and submits nothing' {
        $run = New-Run 'deleted'
        $session = Connect-TestSession -Simulator $script:Sim -Organization 950474084
        $prefill = @{ property1 = 'a'; property2 = 'b' }
        $soft = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill $prefill -Journal $run.Journal -Key 'k-soft' -Session $session
        $hard = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill $prefill -Journal $run.Journal -Key 'k-hard' -Session $session
        $soft | Remove-AltinnInstance -Confirm:$false
        $hard | Remove-AltinnInstance -Hard -Confirm:$false

        foreach ($key in 'k-soft', 'k-hard') {
            $out = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill $prefill -Journal $run.Journal -Key $key -Session $session -ErrorAction SilentlyContinue -ErrorVariable gone |
                Invoke-AltinnProcessNext
            $out | Should -BeNullOrEmpty
            $gone[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.NewInstance.KeyInstanceGone*'
            $gone[0].Exception.Message | Should -Match "Key '$key' stands for instance"
            $gone[0].Exception.Message | Should -Match 'use a new key'
        }
        $gone[0].Exception.Message | Should -Match 'can no longer be read'
        (Get-HeldInstance $soft.Id).process.ended | Should -BeNullOrEmpty
        (Get-SimulatorCounters $script:Sim).requests.'PUT /{org}/{app}/instances/{instanceOwnerPartyId}/{instanceGuid}/process/next' | Should -BeNullOrEmpty
        (Get-AltinnJournal $run.Journal -State Failed).Key | Sort-Object | Should -Be @('k-hard', 'k-soft')
    }

    It 'refuses a key started for one app when the row is for another' {
        $run = New-Run 'app'
        $session = Connect-TestSession -Simulator $script:Sim
        $first = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $run.Journal -Key 'k' -Session $session
        New-AltinnInstance -App brg/aarsregnskap-bekreft -OrganizationNumber 950474084 -Journal $run.Journal -Key 'k' -Session $session -ErrorAction SilentlyContinue -ErrorVariable err |
            Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be "Altinn.NewInstance.KeyMismatch,$script:CmdletId"
        $err[0].Exception.Message | Should -Match 'started for brg/aarsregnskap for organisation 950474084.*asks for brg/aarsregnskap-bekreft for organisation 950474084'
        @(Get-SimulatorInstances $script:Sim).id | Should -Be @($first.Id)
    }
}

Describe 'Prefill that changed since the key began' {
    It 'is reported, naming the key, and not silently dropped; the first values carry the key on' {
        $run = New-Run 'prefill'
        $session = Connect-TestSession -Simulator $script:Sim
        $first = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = '1000' } -Journal $run.Journal -Key '950474084-2025' -Session $session

        $out = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = '2000' } -Journal $run.Journal -Key '950474084-2025' -Session $session -ErrorAction SilentlyContinue -ErrorVariable err |
            Invoke-AltinnProcessNext
        $out | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be "Altinn.NewInstance.PrefillChanged,$script:CmdletId"
        $err[0].Exception.Message | Should -Match "Key '950474084-2025' already has instance $([regex]::Escape($first.Id))"
        $err[0].Exception.Message | Should -Match 'new prefill was not applied'
        $err[0].Exception.Message | Should -Match 'New-AltinnInstance -Restart'
        $err[0].Exception.Message | Should -Not -Match '2000'

        # nothing created, nothing submitted, the form keeps its first values; the journal lists the key
        (Get-SimulatorCounters $script:Sim).instancesCreatedByOwner.'950474084' | Should -Be 1
        (Get-HeldInstance $first.Id).process.ended | Should -BeNullOrEmpty
        ($first | Get-AltinnData -DataType model).property1 | Should -Be '1000'
        (Get-AltinnJournal -Path $run.Journal -Key '950474084-2025').LastErrorId | Should -Be 'Altinn.NewInstance.PrefillChanged'
        Get-Content $run.Journal -Raw | Should -Not -Match '1000|2000'

        # the same values as when the key began carry it on, with no word
        $again = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = '1000' } -Journal $run.Journal -Key '950474084-2025' -Session $session -ErrorVariable none
        $none | Should -BeNullOrEmpty
        $again.Id | Should -Be $first.Id
        (Get-AltinnJournal -Path $run.Journal -Key '950474084-2025').State | Should -Be 'Created'
    }
}

Describe 'Rows refused before the create' {
    It 'reach the journal as Failed with their ErrorIds, not under -WhatIf, and the same keys then complete with good input' {
        $run = New-Run 'refused'
        $session = Connect-TestSession -Simulator $script:Sim
        Test-Path $run.Journal | Should -BeFalse

        # -WhatIf writes nothing, not even the journal file
        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474085 -Journal $run.Journal -Key '950474084-2025' -Session $session -WhatIf -ErrorAction SilentlyContinue -ErrorVariable whatIf
        $whatIf[0].FullyQualifiedErrorId | Should -Match '^Altinn\.InvalidOrganizationNumber,'
        Test-Path $run.Journal | Should -BeFalse

        # a mistyped organisation number, and a prefill with a nested value
        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474085 -Prefill @{ property1 = 'a'; property2 = 'b'; property3 = 'c' } -Journal $run.Journal -Key '950474084-2025' -Session $session -ErrorAction SilentlyContinue -ErrorVariable badOrg
        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = @{ amount = 1 }; property2 = 'b'; property3 = 'c' } -Journal $run.Journal -Key '950474084-2024' -Session $session -ErrorAction SilentlyContinue -ErrorVariable nested
        $badOrg[0].FullyQualifiedErrorId | Should -Match '^Altinn\.InvalidOrganizationNumber,'
        $nested[0].FullyQualifiedErrorId | Should -Match '^Altinn\.NewInstance\.PrefillNotFlat,'

        $failed = @(Get-AltinnJournal -Path $run.Journal -State Failed | Sort-Object Key)
        $failed.Key | Should -Be @('950474084-2024', '950474084-2025')
        ($failed | Where-Object Key -eq '950474084-2025').LastErrorId | Should -Be 'Altinn.InvalidOrganizationNumber'
        ($failed | Where-Object Key -eq '950474084-2025').LastError | Should -Match '950474085'
        ($failed | Where-Object Key -eq '950474084-2024').LastErrorId | Should -Be 'Altinn.NewInstance.PrefillNotFlat'
        $failed.FailedStep | Should -Be @('NewInstance', 'NewInstance')
        @(Get-SimulatorInstances $script:Sim) | Should -HaveCount 0

        New-Item -ItemType Directory $run.Receipts | Out-Null
        foreach ($key in '950474084-2025', '950474084-2024') {
            New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'a'; property2 = 'b'; property3 = $key } -Journal $run.Journal -Key $key -Session $session |
                Invoke-AltinnProcessNext | Save-AltinnReceipt -Path $run.Receipts | Out-Null
        }
        Get-AltinnJournal -Path $run.Journal -State Failed | Should -BeNullOrEmpty
        @(Get-AltinnJournal -Path $run.Journal -State ReceiptSaved) | Should -HaveCount 2
        @(Get-SimulatorInstances $script:Sim | Where-Object { $_.process.ended }) | Should -HaveCount 2
    }

    It 'a row refused for want of a system user reaches the journal before anything is created' {
        $run = New-Run 'nosystemuser'
        Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/settings' -Body @{ altinnTokenLifetimeSeconds = 2; maskinportenTokenLifetimeSeconds = 2 } | Out-Null
        $key = New-TestRsaJwk
        $client = Register-TestClient -Simulator $script:Sim -Jwk $key -Organization 950474084
        $connect = Get-SimulatorConnectParameters $script:Sim
        $session = Connect-Altinn @connect -ClientId $client -Jwk $key.Private -SystemUserOrganization 950474084 -RetryIntervalSec 0.05 -PassThru
        # the organisation withdraws the system user; the next token the session needs is refused
        Register-TestClient -Simulator $script:Sim -Jwk $key -ClientId $client -Organization 310461598 | Out-Null
        Start-Sleep -Seconds 3

        # with -Data the app's rules are read before the create: that read needs the token
        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Data @{ model = @{ property1 = 'a' } } -Journal $run.Journal -Key '950474084-2025' -Session $session -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -Match '^Altinn\.Maskinporten\.SystemUserNotFound,'
        $entry = Get-AltinnJournal -Path $run.Journal -State Failed
        $entry.Key | Should -Be '950474084-2025'
        $entry.LastErrorId | Should -Be 'Altinn.Maskinporten.SystemUserNotFound'
        $entry.Attempts | Should -Be 0
        Get-Content $run.Journal -Raw | Should -Not -Match 'eyJ'
        (Get-SimulatorCounters $script:Sim).instancesCreatedByOwner.'950474084' | Should -BeNullOrEmpty
    }
}

Describe 'A key that only looks like another' {
    It 'is refused when it has a space at an end or an invisible character, before anything is sent, and the trimmed key files once' {
        $run = New-Run 'untrimmed'
        $session = Connect-TestSession -Simulator $script:Sim
        $file = {
            param($Key)
            New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $run.Journal -Key $Key -Session $session -ErrorAction Stop |
                Set-AltinnData -DataType model -Value @{ property1 = 'a'; property2 = 'b' } -ErrorAction Stop |
                Submit-AltinnInstance -ErrorAction Stop
        }
        (& $file '950474084-2025-5').Ended | Should -BeTrue
        foreach ($key in "950474084-2025-5 ", " 950474084-2025-5", "950474084-2025-5`t", "950474084$([char]0x00A0)2025-5", "950474084-2025-5$([char]0x200B)") {
            { & $file $key } | Should -Throw -ErrorId "Altinn.NewInstance.InvalidKey,$script:CmdletId" -Because "'$key' looks like the filed key"
        }
        $error[0].Exception.Message | Should -Match 'compared exactly'
        $error[0].Exception.Message | Should -Match 'Trim the key'
        @(Get-SimulatorInstances $script:Sim) | Should -HaveCount 1
        @(Get-AltinnJournal $run.Journal) | Should -HaveCount 1
    }
}
