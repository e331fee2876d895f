#Requires -Modules Pester
# The pipeline as batch scripts use it: CSV rows bound by property name, one bad row among good ones,
# parallel runspaces sharing a session, and -WhatIf on every cmdlet that changes something.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name flow-pipeline
    $script:Session = Connect-TestSession -Simulator $script:Sim
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-flow-pipe-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null
    function script:New-Filled {
        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'a'; property2 = 'b' } -Session $script:Session
    }
}

AfterAll {
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'CSV rows with InstanceId and App columns' {
    BeforeAll {
        $script:Rows = 1..3 | ForEach-Object { New-Filled }
        $script:Csv = Join-Path $script:Work 'instances.csv'
        $script:Rows | Select-Object InstanceId, App | Export-Csv -Path $script:Csv -NoTypeInformation
        # a row with a malformed id and one for an instance that does not exist, between the good ones
        Add-Content -Path $script:Csv -Value '"500700/not-a-guid","brg/aarsregnskap"'
        Add-Content -Path $script:Csv -Value ('"500700/{0}","brg/aarsregnskap"' -f [Guid]::NewGuid())
        Add-Content -Path $script:Csv -Value ('"{0}","brg/aarsregnskap"' -f $script:Rows[0].Id)
    }

    It 'Get-AltinnInstance reads every good row and gives one error per bad row' {
        $read = @(Import-Csv $script:Csv | Get-AltinnInstance -Session $script:Session -ErrorVariable err -ErrorAction SilentlyContinue)
        $read.Id | Should -Be @($script:Rows.Id + $script:Rows[0].Id)
        $err | Should -HaveCount 2
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.GetInstance.InvalidInstanceId*'
        $err[0].TargetObject | Should -Be '500700/not-a-guid'
        $err[1].FullyQualifiedErrorId | Should -BeLike 'Altinn.Instance.NotFoundOrForbidden*'
    }

    It 'Test-AltinnInstance -Quiet, Invoke-AltinnProcessNext and Save-AltinnReceipt work from the same rows' {
        $rows = Import-Csv $script:Csv | Select-Object -First 3
        @($rows | Test-AltinnInstance -Quiet -Session $script:Session) | Should -Be @($true, $true, $true)
        $receipts = Join-Path $script:Work 'receipts'
        $files = @($rows | Invoke-AltinnProcessNext -Session $script:Session | Save-AltinnReceipt -Path "$receipts/")
        $files | Should -HaveCount 3
        $files.Name | ForEach-Object { $_ | Should -Match '^500700-[0-9a-f-]{36}-aarsregnskap\.pdf$' }
        @($rows | Save-AltinnReceipt -Path "$receipts/" -Session $script:Session -Force) | Should -HaveCount 3
    }

    It 'takes -App and -Session from the command line for rows without those columns' {
        $ids = Join-Path $script:Work 'ids-only.csv'
        $script:Rows | Select-Object InstanceId | Export-Csv -Path $ids -NoTypeInformation
        (Import-Csv $ids | Get-AltinnInstance -App brg/aarsregnskap -Session $script:Session).Id | Should -Be $script:Rows.Id
        @(Import-Csv $ids | Save-AltinnReceipt -App brg/aarsregnskap -Session $script:Session -Path "$script:Work/again/") | Should -HaveCount 3
    }

    It 'uses the session''s default app when the rows have no App column' {
        $withDefault = Connect-TestSession -Simulator $script:Sim -App brg/aarsregnskap
        $ids = Join-Path $script:Work 'ids.csv'
        $script:Rows | Select-Object InstanceId | Export-Csv -Path $ids -NoTypeInformation
        (Import-Csv $ids | Get-AltinnInstance -Session $withDefault).Id | Should -Be $script:Rows.Id
    }
}

Describe 'Data elements and active instances down the pipeline' {
    It 'pipes $instance.Data into Save-AltinnData and the active list into Remove-AltinnInstance' {
        $instance = New-Filled
        $files = $instance.Data | Save-AltinnData -Path "$script:Work/data/"
        $files | Should -HaveCount 1
        Get-AltinnInstance -Active -PartyId 500700 -App brg/aarsregnskap -Session $script:Session |
            Where-Object Id -eq $instance.Id | Remove-AltinnInstance -Session $script:Session -Confirm:$false
        (Get-SimulatorInstances $script:Sim | Where-Object id -eq $instance.Id).status.isSoftDeleted | Should -BeTrue
    }
}

Describe 'ForEach-Object -Parallel with one session' {
    It 'submits from several runspaces through $using:session' {
        $session = $script:Session
        $results = 1..4 | ForEach-Object -ThrottleLimit 4 -Parallel {
            Import-Module AltinnApp
            New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = "p$_"; property2 = 'x' } -Session $using:session |
                Invoke-AltinnProcessNext
        }
        @($results) | Should -HaveCount 4
        $results | ForEach-Object { $_.Ended | Should -BeTrue }
        ($results.Id | Sort-Object -Unique) | Should -HaveCount 4
    }
}

Describe '-WhatIf changes nothing on any cmdlet' {
    It 'leaves the simulator''s state exactly as it was and sends no change' {
        $instance = New-Filled
        $pdf = New-TestPdf -Folder $script:Work -Name 'w.pdf'
        $withFile = $instance | Add-AltinnAttachment -DataType attachment -Path $pdf.FullName
        $state = Get-SimulatorInstances $script:Sim | ConvertTo-Json -Depth 20
        $count = @(Get-SimulatorInstances $script:Sim).Count
        Clear-SimulatorRequests $script:Sim

        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Session $script:Session -WhatIf
        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Attachment @{ attachment = $pdf.FullName } -Session $script:Session -WhatIf
        $withFile | Set-AltinnData -DataType model -Value @{ property1 = 'no' } -WhatIf
        $withFile | Add-AltinnAttachment -DataType attachment -Path $pdf.FullName -WhatIf
        $withFile | Remove-AltinnData -DataType attachment -WhatIf
        $withFile | Invoke-AltinnProcessNext -WhatIf
        $withFile | Remove-AltinnInstance -Hard -WhatIf
        $withFile | Save-AltinnData -DataType model -Path (Join-Path $script:Work 'never.xml') -WhatIf

        Get-SimulatorWrites $script:Sim | Should -BeNullOrEmpty
        @(Get-SimulatorInstances $script:Sim).Count | Should -Be $count
        Get-SimulatorInstances $script:Sim | ConvertTo-Json -Depth 20 | Should -Be $state
        Test-Path (Join-Path $script:Work 'never.xml') | Should -BeFalse
    }
}
