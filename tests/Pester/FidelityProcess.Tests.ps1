#Requires -Modules Pester
# Locked data and the task a data type belongs to, a missing instance, and process/next as Altinn does them:
# each It here failed before the module and the simulator followed app-lib and Storage.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name fidelity-process
    $script:Session = Connect-TestSession -Simulator $script:Sim
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-fid-proc-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null
    $script:Txt = New-TestFile -Folder $script:Work -Name 'notat.txt' -Text 'sen vedlegg'
    $script:ProcessNextKey = 'PUT /{org}/{app}/instances/{instanceOwnerPartyId}/{instanceGuid}/process/next'

    function script:New-Filled([string] $App = 'brg/aarsregnskap-bekreft') {
        New-AltinnInstance -App $App -OrganizationNumber 950474084 -Prefill @{ property1 = 'a'; property2 = 'b' } -Session $script:Session
    }
    function script:Held($Id) { Get-SimulatorInstances $script:Sim | Where-Object id -eq $Id }
    # a data task, then a confirmation task whose policy grants the given actions
    function script:Register-ConfirmApp([string] $Name, [string[]] $Actions, [string] $RejectTo) {
        $task2 = @{ id = 'Task_2'; type = 'confirmation'; name = 'Bekreftelse'; actions = $Actions }
        if ($RejectTo) { $task2.rejectTo = $RejectTo }
        Register-TestApp -Simulator $script:Sim -App $Name -RequiredFields @('property1', 'property2') `
            -Process @(@{ id = 'Task_1'; type = 'data'; name = 'Utfylling' }, $task2)
    }
    # the lock and data rules sit behind the policy check for 'write' at the instance's task: this app's policy grants
    # write at its confirmation task too, as some apps' do (the built-in one grants only read and confirm there)
    Register-ConfirmApp -Name 'bekreft-skriv' -Actions 'read', 'write', 'confirm'
    $script:Writable = 'ttd/bekreft-skriv'
}

AfterAll {
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Locked data and the task a data type belongs to' {
    It 'says the policy grants no write at the task when Altinn answers 403 to a data change at a confirmation task, and nothing changes' {
        $atConfirm = New-Filled | Add-AltinnAttachment -DataType attachment -Path $script:Txt.FullName | Invoke-AltinnProcessNext
        $atConfirm.CurrentTask | Should -Be 'Task_2'
        $before = @((Held $atConfirm.Id).data).Count

        $atConfirm | Add-AltinnAttachment -DataType attachment -Path $script:Txt.FullName -ErrorVariable added -ErrorAction SilentlyContinue
        $atConfirm | Remove-AltinnData -DataType attachment -Confirm:$false -ErrorVariable removed -ErrorAction SilentlyContinue

        foreach ($case in @(@{ Error = $added[0]; Id = 'Altinn.AddAttachment.Forbidden' }, @{ Error = $removed[0]; Id = 'Altinn.RemoveData.Forbidden' })) {
            $case.Error.FullyQualifiedErrorId | Should -BeLike "$($case.Id)*"
            $case.Error.Exception.StatusCode | Should -Be 403
            $case.Error.Exception.Message | Should -Match "does not grant 'write' at the task the instance is at"
            $case.Error.Exception.Message | Should -Match 'confirmation or signing task'
        }
        @((Held $atConfirm.Id).data).Count | Should -Be $before
    }

    It 'says Task_1''s data at Task_2 is locked because Task_1 ended, before sending and when Altinn refuses' {
        $instance = New-Filled $script:Writable
        $atConfirm = $instance | Invoke-AltinnProcessNext
        $atConfirm.CurrentTask | Should -Be 'Task_2'
        Clear-SimulatorRequests $script:Sim

        $atConfirm | Set-AltinnData -DataType model -Value @{ property1 = 'sent'; property2 = 'b' } -ErrorVariable known -ErrorAction SilentlyContinue
        $known[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SetData.DataLocked*'
        $known[0].Exception.Message | Should -Match "is locked because task Task_1, which 'model' belongs to, has ended \(instance .+ is now at Task_2\)"
        $known[0].Exception.Message | Should -Not -Match 'submitted'
        Get-SimulatorWrites $script:Sim | Should -BeNullOrEmpty

        # $instance still says Task_1 with the model unlocked: the PUT goes out and Storage's bare 409 gets the same words
        $instance | Set-AltinnData -DataType model -Value @{ property1 = 'sent'; property2 = 'b' } -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SetData.DataLocked*'
        $refused[0].Exception.StatusCode | Should -Be 409
        $refused[0].Exception.Message | Should -Match "is locked because task Task_1, which 'model' belongs to, has ended"
        $refused[0].Exception.Message | Should -Not -Match 'submitted'
        @(Get-SimulatorRequests $script:Sim -Method PUT)[0].status | Should -Be 409
        ((Held $instance.Id).data | Where-Object dataType -eq model).locked | Should -BeTrue
    }

    It 'accepts a new attachment of Task_1''s type at Task_2 (the app does not enforce the type''s task)' {
        $atConfirm = New-Filled $script:Writable | Invoke-AltinnProcessNext
        $atConfirm.CurrentTask | Should -Be 'Task_2'

        $after = $atConfirm | Add-AltinnAttachment -DataType attachment -Path $script:Txt.FullName

        $after.GetDataElements('attachment').Filename | Should -Be 'notat.txt'
        $held = (Held $atConfirm.Id).data | Where-Object dataType -eq attachment
        $held.filename | Should -Be 'notat.txt'
        $held.locked | Should -BeFalse
        (Held $atConfirm.Id).process.currentTask.elementId | Should -Be 'Task_2'
    }

    It 'removes an attachment that was locked when Task_1 ended, as Altinn does not refuse a delete for the lock' {
        $atConfirm = New-Filled $script:Writable | Add-AltinnAttachment -DataType attachment -Path $script:Txt.FullName | Invoke-AltinnProcessNext
        ($atConfirm.GetDataElements('attachment')).Locked | Should -BeTrue

        $atConfirm | Remove-AltinnData -DataType attachment -Confirm:$false

        (Held $atConfirm.Id).data | Where-Object dataType -eq attachment | Should -BeNullOrEmpty
    }
}

Describe 'A missing instance' {
    It 'gives a missing instance and another party''s instance the one ErrorId, with the 403 and what to check' {
        $missing = "500700/$([Guid]::NewGuid())"
        Get-AltinnInstance -InstanceId $missing -App brg/aarsregnskap -Session $script:Session -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.Instance.NotFoundOrForbidden,*'
        $err[0].Exception.StatusCode | Should -Be 403
        $err[0].Exception.Message | Should -Match "instance $missing of brg/aarsregnskap: it does not exist there, or this system user may not see it"
        $err[0].Exception.Message | Should -Match 'the party 500700: it must be the organisation the system user acts for \(950474084\)'
        $err[0].Exception.Message | Should -Match 'rights to brg/aarsregnskap'

        $other = Connect-TestSession -Simulator $script:Sim -Organization 310461598
        $foreign = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 310461598 -Session $other
        Get-AltinnInstance -InstanceId $foreign.Id -App brg/aarsregnskap -Session $script:Session -ErrorVariable forbidden -ErrorAction SilentlyContinue
        $forbidden[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.Instance.NotFoundOrForbidden,*'
        $forbidden[0].Exception.StatusCode | Should -Be 403

        # a cmdlet that changes data reads the instance first, and says the same
        Set-AltinnData -InstanceId $missing -App brg/aarsregnskap -DataType model -Value @{ property1 = 'x' } -Session $script:Session -ErrorVariable set -ErrorAction SilentlyContinue
        $set[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.Instance.NotFoundOrForbidden,*'

        # a stale object of an instance deleted since: process/next gets Storage's 404 there, and the same ErrorId
        $gone = New-Filled -App brg/aarsregnskap
        $gone | Remove-AltinnInstance -Hard -Confirm:$false
        Clear-SimulatorRequests $script:Sim
        $gone | Invoke-AltinnProcessNext -ErrorVariable next -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $next[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.Instance.NotFoundOrForbidden,*'
        $next[0].Exception.Message | Should -Match "instance $($gone.Id) of brg/aarsregnskap"
    }
}

Describe 'process/next' {
    It 'sends a rejected instance back with -Action reject where the policy allows it, and refuses it where not' {
        $app = Register-ConfirmApp -Name 'med-retur' -Actions @('read', 'confirm', 'reject') -RejectTo 'Task_1'
        $atConfirm = New-Filled -App $app | Invoke-AltinnProcessNext
        $atConfirm.CurrentTask | Should -Be 'Task_2'

        $back = $atConfirm | Invoke-AltinnProcessNext -Action reject

        $back.CurrentTask | Should -Be 'Task_1'
        ($back.GetDataElements('model')).Locked | Should -BeFalse
        $corrected = $back | Set-AltinnData -DataType model -Value @{ property1 = 'rettet'; property2 = 'b' }
        ($corrected | Invoke-AltinnProcessNext).CurrentTask | Should -Be 'Task_2'

        $plain = New-Filled | Invoke-AltinnProcessNext
        $plain | Invoke-AltinnProcessNext -Action reject -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.ProcessNext.Forbidden*'
        $err[0].Exception.Message | Should -Match 'Task ID: Task_2. Task type: confirmation. Action: reject'
        (Held $plain.Id).process.currentTask.elementId | Should -Be 'Task_2'
    }

    It 'moves a task on with -Action write where the policy grants it' {
        $app = Register-ConfirmApp -Name 'skriv-bekreft' -Actions @('read', 'confirm', 'write')
        $atConfirm = New-Filled -App $app | Invoke-AltinnProcessNext

        $done = $atConfirm | Invoke-AltinnProcessNext -Action write

        $done.Ended | Should -BeTrue
    }

    It 'checks ended, then the action, then the lock' {
        # ended before the action: an action no task grants still gets "ended"
        $ended = New-Filled -App brg/aarsregnskap
        $ended | Invoke-AltinnProcessNext | Out-Null
        $ended | Invoke-AltinnProcessNext -Action sign -ErrorVariable late -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $late[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.ProcessNext.ProcessEnded*'

        # the action before the lock: while another call holds the lock a wrong action is 403, a right one 409
        $instance = New-Filled -App brg/aarsregnskap
        Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/settings' -Body @{ processNextDelayMs = 3000 } | Out-Null
        $first = [powershell]::Create()
        try {
            $null = $first.AddScript('param($Instance) Import-Module AltinnApp; $Instance | Invoke-AltinnProcessNext').AddArgument($instance)
            $counted = { $c = (Get-SimulatorCounters $script:Sim).requests.PSObject.Properties[$script:ProcessNextKey]; if ($c) { [int]$c.Value } else { 0 } }
            $before = & $counted
            $running = $first.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(15)
            while ((& $counted) -eq $before -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            Start-Sleep -Milliseconds 200

            $instance | Invoke-AltinnProcessNext -Action confirm -ErrorVariable wrong -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $instance | Invoke-AltinnProcessNext -ErrorVariable busy -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $running.IsCompleted | Should -BeFalse -Because 'the first call still holds the lock'
            $wrong[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.ProcessNext.Forbidden*'
            $busy[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.ProcessNext.Concurrent*'

            $first.EndInvoke($running)[0].Ended | Should -BeTrue
        } finally {
            $first.Dispose()
            Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/settings' -Body @{ processNextDelayMs = 0 } | Out-Null
        }
    }

    It 'repeats a process/next that failed in the PDF step, once it has seen the process where it was' {
        $instance = New-Filled -App brg/aarsregnskap
        Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/pdf-failures' -Body @{ count = 1 } | Out-Null
        Clear-SimulatorRequests $script:Sim

        $done = $instance | Invoke-AltinnProcessNext

        $done.Ended | Should -BeTrue
        $calls = @(Get-SimulatorRequests $script:Sim | Where-Object path -like "*/$($instance.Id)/process*")
        ($calls | ForEach-Object { '{0} {1} {2}' -f $_.method, ($_.path -replace '.*/process', 'process'), $_.status }) |
            Should -Be @('PUT process/next 500', 'GET process 200', 'PUT process/next 200')
        @((Held $instance.Id).data | Where-Object dataType -eq 'ref-data-as-pdf') | Should -HaveCount 1
    }

    It 'says it is safe to send again when the PDF step keeps failing, and the data is left unlocked' {
        $instance = New-Filled -App brg/aarsregnskap
        Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/pdf-failures' -Body @{ count = 50 } | Out-Null
        try {
            $instance | Invoke-AltinnProcessNext -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.ProcessNext.ServerError*'
            $err[0].Exception.StatusCode | Should -Be 500
            $err[0].Exception.Message | Should -Match 'Pdf generation failed'
            $err[0].Exception.Message | Should -Match 'safe to send again'
            $held = Held $instance.Id
            $held.process.currentTask.elementId | Should -Be 'Task_1'
            ($held.data | Where-Object dataType -eq model).locked | Should -BeFalse
        } finally {
            Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/pdf-failures' -Body @{ count = 0 } | Out-Null
        }
        ($instance | Invoke-AltinnProcessNext).Ended | Should -BeTrue
    }
}
