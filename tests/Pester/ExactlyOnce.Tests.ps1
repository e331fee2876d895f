#Requires -Modules Pester
# Exactly once in the batches users run: a journaled key is carried to the end from whatever step it stopped at,
# never files twice, and never drops a change a rerun brings without saying so.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name exactly-once
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-once-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null

    function New-Run([string] $Name) {
        $folder = Join-Path $script:Work $Name
        New-Item -ItemType Directory $folder | Out-Null
        Invoke-Simulator -Simulator $script:Sim -Method POST -Path '_sim/reset' | Out-Null
        Invoke-Simulator -Simulator $script:Sim -Method DELETE -Path '_sim/faults' | Out-Null
        [pscustomobject]@{
            Folder   = $folder
            Journal  = (Join-Path $folder 'batch.journal')
            Receipts = (Join-Path $folder 'receipts')
            Session  = (Connect-TestSession -Simulator $script:Sim)
        }
    }

    function Get-Held([string] $Id) { Get-SimulatorInstances $script:Sim | Where-Object id -eq $Id }
    function Get-Writes { @(Get-SimulatorRequests $script:Sim | Where-Object { $_.method -ne 'GET' -and $_.path -notlike '/_sim/*' -and $_.path -notlike '*/token*' }) }
}

AfterAll {
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'A two-task app' {
    It 'is submitted through both tasks by Submit-AltinnInstance, and only then has a receipt' {
        $run = New-Run 'two-task'
        $file = New-AltinnInstance -App brg/aarsregnskap-bekreft -OrganizationNumber 950474084 -Journal $run.Journal -Key 'k' -Session $run.Session |
            Set-AltinnData -DataType model -Value @{ property1 = 'a'; property2 = 'b' } |
            Submit-AltinnInstance |
            Save-AltinnReceipt -Path $run.Receipts
        $file | Should -HaveCount 1
        $entry = Get-AltinnJournal $run.Journal -Key 'k'
        $entry.State | Should -Be 'ReceiptSaved'
        (Get-Held $entry.InstanceId).process.ended | Should -Not -BeNullOrEmpty
    }

    It 'a key stopped between the two tasks is finished by a rerun, with Submit-AltinnInstance in the place of Invoke-AltinnProcessNext' {
        $run = New-Run 'between-tasks'
        # night one ends the data task only (the old pattern), and the receipt is refused
        New-AltinnInstance -App brg/aarsregnskap-bekreft -OrganizationNumber 950474084 -Journal $run.Journal -Key 'k' -Session $run.Session |
            Set-AltinnData -DataType model -Value @{ property1 = 'a'; property2 = 'b' } |
            Invoke-AltinnProcessNext |
            Save-AltinnReceipt -Path $run.Receipts -ErrorAction SilentlyContinue -ErrorVariable notEnded | Out-Null
        $notEnded[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SaveReceipt.ProcessNotEnded,*'
        (Get-AltinnJournal $run.Journal -Key 'k').State | Should -Be 'Failed'

        # night two: the same rows, with the pipeline fixed; the data already set is not sent again (it is locked now)
        $file = New-AltinnInstance -App brg/aarsregnskap-bekreft -OrganizationNumber 950474084 -Journal $run.Journal -Key 'k' -Session $run.Session |
            Set-AltinnData -DataType model -Value @{ property1 = 'a'; property2 = 'b' } |
            Submit-AltinnInstance |
            Save-AltinnReceipt -Path $run.Receipts
        $file | Should -HaveCount 1
        (Get-AltinnJournal $run.Journal -Key 'k').State | Should -Be 'ReceiptSaved'
        @(Get-SimulatorInstances $script:Sim) | Should -HaveCount 1
    }
}

Describe 'Attachments in the journal' {
    It 'a rerun after a failed submission applies the corrected data and does not upload the files again' {
        $run = New-Run 'attachments'
        $a = New-TestPdf -Folder $run.Folder -Name 'balanse.pdf'
        $b = New-TestPdf -Folder $run.Folder -Name 'noter.pdf'
        $pipeline = {
            param($Values)
            $ErrorActionPreference = 'Continue'   # a row's failure is an error record, as in a batch
            New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $run.Journal -Key 'k' -Session $run.Session |
                Set-AltinnData -DataType model -Value $Values |
                Add-AltinnAttachment -DataType attachment -Path $a.FullName, $b.FullName |
                Submit-AltinnInstance |
                Save-AltinnReceipt -Path $run.Receipts
        }
        # property2 is required: the submission is refused after the files were added
        $refused = @(& $pipeline @{ property1 = 'a' } 2>&1 | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.ProcessNext.ValidationFailed,*'

        & $pipeline @{ property1 = 'a'; property2 = 'fixed' } | Should -HaveCount 1
        $held = Get-Held (Get-AltinnJournal $run.Journal -Key 'k').InstanceId
        @($held.data | Where-Object dataType -eq attachment).filename | Sort-Object | Should -Be @('balanse.pdf', 'noter.pdf')
        $held.process.ended | Should -Not -BeNullOrEmpty

        # a third night: the key is done, nothing is sent and nothing fails (a good night stays green)
        Clear-SimulatorRequests $script:Sim
        $third = @(& $pipeline @{ property1 = 'a'; property2 = 'fixed' } 2>&1)
        $third | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | Should -BeNullOrEmpty
        $third | Should -HaveCount 1
        Get-Writes | Should -BeNullOrEmpty
    }

    It 'an upload whose answer was lost is found on the instance by the rerun, not uploaded twice' {
        $run = New-Run 'lost-upload'
        $a = New-TestPdf -Folder $run.Folder -Name 'balanse.pdf'
        $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $run.Journal -Key 'k' -Session $run.Session |
            Set-AltinnData -DataType model -Value @{ property1 = 'a'; property2 = 'b' }
        Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/faults' -Body @{
            rules = @(@{ pathPrefix = "/brg/aarsregnskap/instances/$($instance.Id)/data"; methods = @('POST'); rateDrop = 1; dropAfterProcessing = $true })
        } | Out-Null
        $instance | Add-AltinnAttachment -DataType attachment -Path $a.FullName -ErrorAction SilentlyContinue -ErrorVariable lost | Should -BeNullOrEmpty
        $lost | Should -Not -BeNullOrEmpty
        Invoke-Simulator -Simulator $script:Sim -Method DELETE -Path '_sim/faults' | Out-Null
        @((Get-Held $instance.Id).data | Where-Object dataType -eq attachment) | Should -HaveCount 1

        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $run.Journal -Key 'k' -Session $run.Session |
            Set-AltinnData -DataType model -Value @{ property1 = 'a'; property2 = 'b' } |
            Add-AltinnAttachment -DataType attachment -Path $a.FullName |
            Submit-AltinnInstance | Save-AltinnReceipt -Path $run.Receipts | Should -HaveCount 1
        @((Get-Held $instance.Id).data | Where-Object dataType -eq attachment) | Should -HaveCount 1
    }

    It 'a rerun that brings other files than the key''s instance holds is refused, naming both, and uploads nothing' {
        $run = New-Run 'other-files'
        $a = New-TestPdf -Folder $run.Folder -Name 'balanse.pdf'
        $c = New-TestPdf -Folder $run.Folder -Name 'annet.pdf'
        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $run.Journal -Key 'k' -Session $run.Session |
            Add-AltinnAttachment -DataType attachment -Path $a.FullName | Out-Null
        $out = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $run.Journal -Key 'k' -Session $run.Session |
            Add-AltinnAttachment -DataType attachment -Path $c.FullName -ErrorAction SilentlyContinue -ErrorVariable changed |
            Submit-AltinnInstance
        $out | Should -BeNullOrEmpty
        $changed[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.AddAttachment.FilesChanged,*'
        $changed[0].Exception.Message | Should -Match "'balanse.pdf'.*'annet.pdf'"
        $held = Get-Held (Get-AltinnJournal $run.Journal -Key 'k').InstanceId
        @($held.data | Where-Object dataType -eq attachment).filename | Should -Be @('balanse.pdf')
        $held.process.ended | Should -BeNullOrEmpty
    }
}

Describe 'Changed data on a rerun' {
    It 'is applied while the instance is at its task, and refused once it is submitted' {
        $run = New-Run 'changed-data'
        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $run.Journal -Key 'k' -Session $run.Session |
            Set-AltinnData -DataType model -Value @{ property1 = 'first'; property2 = 'b' } | Out-Null
        $done = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $run.Journal -Key 'k' -Session $run.Session |
            Set-AltinnData -DataType model -Value @{ property1 = 'second'; property2 = 'b' } |
            Submit-AltinnInstance
        ($done | Get-AltinnData -DataType model).property1 | Should -Be 'second'

        $out = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $run.Journal -Key 'k' -Session $run.Session |
            Set-AltinnData -DataType model -Value @{ property1 = 'third'; property2 = 'b' } -ErrorAction SilentlyContinue -ErrorVariable late |
            Submit-AltinnInstance
        $out | Should -BeNullOrEmpty
        $late[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SetData.DataChanged,*'
        $late[0].Exception.Message | Should -Match 'was submitted'
        ($done | Get-AltinnData -DataType model).property1 | Should -Be 'second'
    }
}

Describe 'The organisation''s first create' {
    It 'makes one instance when its answer is lost: the party is known before the create, so the module finds what it made' {
        $run = New-Run 'first-create'
        Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/faults' -Body @{
            rules = @(@{ pathPrefix = '/brg/aarsregnskap/instances/create'; methods = @('POST'); rateDrop = 1; dropAfterProcessing = $true })
        } | Out-Null
        $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $run.Journal -Key 'k' -Session $run.Session -ErrorAction SilentlyContinue -ErrorVariable unknown
        Invoke-Simulator -Simulator $script:Sim -Method DELETE -Path '_sim/faults' | Out-Null
        $unknown | Should -BeNullOrEmpty
        $instance.Id | Should -Not -BeNullOrEmpty
        (Get-SimulatorCounters $script:Sim).instancesCreatedByOwner.'950474084' | Should -Be 1
        (Get-AltinnJournal $run.Journal -Key 'k').PartyId | Should -Be $instance.PartyId

        # and the rerun carries on with it
        (New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $run.Journal -Key 'k' -Session $run.Session).Id | Should -Be $instance.Id
        (Get-SimulatorCounters $script:Sim).instancesCreatedByOwner.'950474084' | Should -Be 1
    }
}

Describe 'New-AltinnInstance -Restart' {
    It 'begins a key with changed prefill again: the unsubmitted instance is deleted and the new values filed' {
        $run = New-Run 'restart'
        $first = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'old' } -Journal $run.Journal -Key 'k' -Session $run.Session
        $refused = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'new' } -Journal $run.Journal -Key 'k' -Session $run.Session -ErrorAction SilentlyContinue -ErrorVariable changed
        $refused | Should -BeNullOrEmpty
        $changed[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.NewInstance.PrefillChanged,*'
        $changed[0].Exception.Message | Should -Match '-Restart'

        $second = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'new' } -Journal $run.Journal -Key 'k' -Session $run.Session -Restart
        $second.Id | Should -Not -Be $first.Id
        Get-Held $first.Id | Should -BeNullOrEmpty
        ($second | Set-AltinnData -DataType model -Value @{ property1 = 'new'; property2 = 'b' } | Submit-AltinnInstance | Get-AltinnData -DataType model).property1 | Should -Be 'new'
        (Get-AltinnJournal $run.Journal -Key 'k').InstanceId | Should -Be $second.Id
    }

    It 'begins a key whose instance was removed (soft or for good) again' {
        $run = New-Run 'restart-removed'
        foreach ($hard in $false, $true) {
            $key = "k-$hard"
            $first = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $run.Journal -Key $key -Session $run.Session
            $first | Remove-AltinnInstance -Hard:$hard -Confirm:$false
            New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $run.Journal -Key $key -Session $run.Session -ErrorAction SilentlyContinue -ErrorVariable gone | Out-Null
            $gone[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.NewInstance.KeyInstanceGone,*'
            $again = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $run.Journal -Key $key -Session $run.Session -Restart
            $again.Id | Should -Not -Be $first.Id
            (Get-AltinnJournal $run.Journal -Key $key).InstanceId | Should -Be $again.Id
        }
    }

    It 'never begins a submitted key again, and deletes nothing' {
        $run = New-Run 'restart-submitted'
        $done = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $run.Journal -Key 'k' -Session $run.Session |
            Set-AltinnData -DataType model -Value @{ property1 = 'a'; property2 = 'b' } | Submit-AltinnInstance
        { New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $run.Journal -Key 'k' -Session $run.Session -Restart -ErrorAction Stop } |
            Should -Throw -ErrorId 'Altinn.NewInstance.RestartSubmitted,AltinnApp.PowerShell.Cmdlets.NewAltinnInstanceCommand'
        (Get-Held $done.Id).process.ended | Should -Not -BeNullOrEmpty
        @(Get-SimulatorInstances $script:Sim) | Should -HaveCount 1
    }

    It 'with -WhatIf deletes, creates and records nothing' {
        $run = New-Run 'restart-whatif'
        $first = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $run.Journal -Key 'k' -Session $run.Session
        $before = Get-Content -Raw $run.Journal
        (New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $run.Journal -Key 'k' -Session $run.Session -Restart -WhatIf).IsPlanned | Should -BeTrue
        Get-Held $first.Id | Should -Not -BeNullOrEmpty
        Get-Content -Raw $run.Journal | Should -Be $before
    }
}

Describe 'Get-AltinnJournal -Key' {
    It 'lists a key the journal never saw as NotStarted, so a batch''s check misses no row' {
        $run = New-Run 'not-started'
        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $run.Journal -Key 'started' -Session $run.Session | Out-Null
        $entries = Get-AltinnJournal $run.Journal -Key 'started', 'never'
        $entries.Key | Should -Be @('started', 'never')
        $entries.State | Should -Be @('Created', 'NotStarted')
        (Get-AltinnJournal (Join-Path $run.Folder 'none.journal') -Key 'a').State | Should -Be 'NotStarted'
    }
}

Describe 'A whole pipeline under -WhatIf' {
    It 'shows every step a submission would take, and sends and records nothing' {
        $run = New-Run 'whatif-pipeline'
        $pdf = New-TestPdf -Folder $run.Folder -Name 'noter.pdf'
        $key = New-TestRsaJwk
        $jwkPath = Join-Path $run.Folder 'client.jwk.json'
        Set-Content -Path $jwkPath -Value $key.Private -NoNewline
        $clientId = Register-TestClient -Simulator $script:Sim -Jwk $key -Organization '950474084'
        # What if: lines go to the host, so the pipeline runs in a child pwsh whose output is read
        $script = Join-Path $run.Folder 'whatif.ps1'
        Set-Content -Path $script -Value @"
Import-Module AltinnApp
Connect-Altinn -ClientId '$clientId' -JwkPath '$jwkPath' -SystemUserOrganization 950474084 -MaskinportenUri '$($script:Sim.BaseUri)' -PlatformUri '$($script:Sim.BaseUri)' -AppBaseUri '$($script:Sim.BaseUri)' -ErrorAction Stop
New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal '$($run.Journal)' -Key 'k' -WhatIf |
    Set-AltinnData -DataType model -Value @{ property1 = 'a'; property2 = 'b' } -WhatIf |
    Add-AltinnAttachment -DataType attachment -Path '$($pdf.FullName)' -WhatIf |
    Submit-AltinnInstance -WhatIf |
    Save-AltinnReceipt -Path '$($run.Receipts)' -WhatIf
"@
        Clear-SimulatorRequests $script:Sim
        $result = Invoke-ChildPwsh -File $script
        $result.Error | Should -BeNullOrEmpty
        $said = $result.Output
        $said | Should -Match 'What if: .*Create instance'
        $said | Should -Match 'What if: .*Replace the model data'
        $said | Should -Match "What if: .*Upload 'noter.pdf' as attachment"
        $said | Should -Match 'What if: .*Submit'
        $said | Should -Match 'What if: .*Save the receipt'
        Get-Writes | Should -BeNullOrEmpty
        Test-Path $run.Journal | Should -BeFalse
        Test-Path $run.Receipts | Should -BeFalse
    }
}
