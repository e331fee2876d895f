#Requires -Modules Pester
# Moving the process on, validation, the confirmation app and the receipt.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name flow-process
    $script:Session = Connect-TestSession -Simulator $script:Sim
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-flow-proc-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null
    function script:New-Filled([string] $App = 'brg/aarsregnskap') {
        New-AltinnInstance -App $App -OrganizationNumber 950474084 -Prefill @{ property1 = 'a'; property2 = 'b' } -Session $script:Session
    }
    function script:Held($Id) { Get-SimulatorInstances $script:Sim | Where-Object id -eq $Id }
}

AfterAll {
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Invoke-AltinnProcessNext (guide step 3)' {
    It 'PUTs process/next?language=nb without a body and outputs the ended instance' {
        $instance = New-Filled
        Clear-SimulatorRequests $script:Sim
        $done = $instance | Invoke-AltinnProcessNext
        $put = @(Get-SimulatorRequests $script:Sim -Method PUT)
        $put | Should -HaveCount 1
        $put[0].path | Should -Be "/brg/aarsregnskap/instances/$($instance.Id)/process/next"
        $put[0].query | Should -Be '?language=nb'
        $put[0].contentLength | Should -BeIn @($null, 0)
        $done.Ended | Should -BeTrue
        $done.CurrentTask | Should -BeNullOrEmpty
        $done.Process.Ended | Should -BeOfType ([datetime])
        $held = Held $instance.Id
        $held.status.isArchived | Should -BeTrue
        ($held.data | Where-Object dataType -eq model).locked | Should -BeTrue
    }

    It 'turns a failed validation (409) into one error listing every issue, with the issues as objects' {
        $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Session $script:Session
        $instance | Invoke-AltinnProcessNext -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.ProcessNext.ValidationFailed*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $err[0].TargetObject.Id | Should -Be $instance.Id
        $issues = $err[0].Exception.ValidationIssues
        $issues | Should -HaveCount 2
        $issues[0] | Should -BeOfType ([AltinnApp.Core.Models.AltinnValidationIssue])
        $issues.Field | Sort-Object | Should -Be @('property1', 'property2')
        $issues.Severity | ForEach-Object { $_.ToString() | Should -Be 'Error' }
        $issues.Code | ForEach-Object { $_ | Should -Be 'required' }
        $issues.InstanceId | ForEach-Object { $_ | Should -Be $instance.Id }
        $err[0].Exception.Message | Should -Match '2 error\(s\)'
        $err[0].Exception.Message | Should -Match 'Error: property1: .+\[required\]'
        $err[0].Exception.Message | Should -Match 'Error: property2: '
        (Held $instance.Id).process.currentTask.elementId | Should -Be 'Task_1'
    }

    It 'says so when another caller holds the instance lock (concurrent 409)' {
        $instance = New-Filled
        Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/settings' -Body @{ processNextDelayMs = 2500 } | Out-Null
        $first = [powershell]::Create()
        try {
            $null = $first.AddScript('param($Instance) Import-Module AltinnApp; $Instance | Invoke-AltinnProcessNext').AddArgument($instance)
            $key = 'PUT /{org}/{app}/instances/{instanceOwnerPartyId}/{instanceGuid}/process/next'
            $counted = { $c = (Get-SimulatorCounters $script:Sim).requests.PSObject.Properties[$key]; if ($c) { [int]$c.Value } else { 0 } }
            $before = & $counted
            $running = $first.BeginInvoke()
            # the request counter moves when the first call arrives; from then on it holds the lock for 2.5 s
            $deadline = [DateTime]::UtcNow.AddSeconds(15)
            while ((& $counted) -eq $before -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            Start-Sleep -Milliseconds 200

            $instance | Invoke-AltinnProcessNext -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.ProcessNext.Concurrent*'
            $err[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
            $err[0].Exception.Message | Should -Match 'another caller'

            $firstResult = $first.EndInvoke($running)
            $firstResult[0].Ended | Should -BeTrue
        } finally {
            $first.Dispose()
            Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/settings' -Body @{ processNextDelayMs = 0 } | Out-Null
        }
    }

    It 'says the process has ended when it is moved on again' {
        $instance = New-Filled
        $instance | Invoke-AltinnProcessNext | Out-Null
        # $instance is the object from before the submission: the call goes out and Altinn answers 409
        $instance | Invoke-AltinnProcessNext -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.ProcessNext.ProcessEnded*'
        $err[0].Exception.Message | Should -Match 'Save-AltinnReceipt'
    }

    It '-WhatIf moves nothing' {
        $instance = New-Filled
        Clear-SimulatorRequests $script:Sim
        ($instance | Invoke-AltinnProcessNext -WhatIf).IsPlanned | Should -BeTrue
        Get-SimulatorWrites $script:Sim | Should -BeNullOrEmpty
        (Held $instance.Id).process.currentTask.elementId | Should -Be 'Task_1'
    }
}

Describe 'The confirmation app (brg/aarsregnskap-bekreft)' {
    It 'goes data task, confirmation task, end; the wrong action gets a hint, confirm ends it' {
        $instance = New-Filled -App brg/aarsregnskap-bekreft
        $atConfirm = $instance | Invoke-AltinnProcessNext
        $atConfirm.CurrentTask | Should -Be 'Task_2'
        $atConfirm.CurrentTaskType | Should -Be 'confirmation'
        $atConfirm.CurrentTaskName | Should -Be 'Bekreftelse'

        $atConfirm | Invoke-AltinnProcessNext -Action write -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.ProcessNext.Forbidden*'
        $err[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $err[0].Exception.Message | Should -Match '-Action confirm'

        Clear-SimulatorRequests $script:Sim
        $done = $atConfirm | Invoke-AltinnProcessNext -Action confirm
        $done.Ended | Should -BeTrue
        $put = @(Get-SimulatorRequests $script:Sim -Method PUT)[0]
        $put.contentType | Should -Match '^application/json'
        $put.status | Should -Be 200

        $file = $done | Save-AltinnReceipt -Path "$script:Work/bekreft/"
        [IO.File]::ReadAllBytes($file.FullName)[0..3] | Should -Be ([byte[]][char[]]'%PDF')
    }

    It 'moves a confirmation task on without -Action (the task decides)' {
        $done = New-Filled -App brg/aarsregnskap-bekreft | Invoke-AltinnProcessNext | Invoke-AltinnProcessNext
        $done.Ended | Should -BeTrue
    }
}

Describe 'Test-AltinnInstance' {
    It 'gives the issues as objects with readable severities, and -Quiet gives $true/$false' {
        $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Session $script:Session
        Clear-SimulatorRequests $script:Sim
        $issues = @($instance | Test-AltinnInstance)
        $get = @(Get-SimulatorRequests $script:Sim -Method GET -PathLike '*/validate')
        $get[0].query | Should -Be '?language=nb'
        $issues | Should -HaveCount 2
        $issues[0] | Should -BeOfType ([AltinnApp.Core.Models.AltinnValidationIssue])
        $issues[0].Severity.ToString() | Should -Be 'Error'
        $issues.Field | Sort-Object | Should -Be @('property1', 'property2')
        ($issues | Out-String) | Should -Match 'Error\s+property1\s+required'
        $instance | Test-AltinnInstance -Quiet | Should -BeExactly $false

        $filled = $instance | Set-AltinnData -DataType model -Value @{ property1 = 'x'; property2 = 'y' }
        $filled | Test-AltinnInstance | Should -BeNullOrEmpty
        $filled | Test-AltinnInstance -Quiet | Should -BeExactly $true
    }

    It 'says there is nothing to validate once the process has ended' {
        $done = New-Filled | Invoke-AltinnProcessNext
        $done | Test-AltinnInstance -Quiet -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.TestInstance.NoCurrentTask*'
    }
}

Describe 'Save-AltinnReceipt (guide step 4)' {
    It 'GETs data/{id}/type/ref-data-as-pdf?language=nb into a name unique per instance' {
        $done = New-Filled | Invoke-AltinnProcessNext
        $pdf = $done.GetDataElements('ref-data-as-pdf')[0]
        Clear-SimulatorRequests $script:Sim
        $file = $done | Save-AltinnReceipt -Path "$script:Work/receipts/"
        $get = @(Get-SimulatorRequests $script:Sim -Method GET -PathLike '*/data/*')
        $get[0].path | Should -Be "/brg/aarsregnskap/instances/$($done.Id)/data/$($pdf.Id)/type/ref-data-as-pdf"
        $get[0].query | Should -Be '?language=nb'
        $file.Name | Should -Be "$($done.PartyId)-$($done.InstanceGuid)-aarsregnskap.pdf"
        [Text.Encoding]::ASCII.GetString([IO.File]::ReadAllBytes($file.FullName), 0, 5) | Should -Be '%PDF-'
        $file.Length | Should -Be $pdf.Size
    }

    It 'needs -Force to overwrite, and -PassThru outputs the instance' {
        $done = New-Filled | Invoke-AltinnProcessNext
        $target = Join-Path $script:Work 'kvittering.pdf'
        $done | Save-AltinnReceipt -Path $target | Out-Null
        $done | Save-AltinnReceipt -Path $target -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SaveReceipt.FileExists*'
        ($done | Save-AltinnReceipt -Path $target -Force -PassThru).Id | Should -Be $done.Id
    }

    It 'refuses before the process has ended' {
        $open = New-Filled
        $open | Save-AltinnReceipt -Path $script:Work -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SaveReceipt.ProcessNotEnded*'
        $err[0].Exception.Message | Should -Match 'Invoke-AltinnProcessNext'
    }

    It 'says when the app makes no PDF, and times out when the PDF does not come' {
        $noPdf = Register-TestApp -Simulator $script:Sim -App 'flow-nopdf' -NoReceiptType -GenerateReceipt $false
        $done = New-Filled -App $noPdf | Invoke-AltinnProcessNext
        $done | Save-AltinnReceipt -Path $script:Work -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SaveReceipt.NotProduced*'

        $latePdf = Register-TestApp -Simulator $script:Sim -App 'flow-latepdf' -GenerateReceipt $false
        $waiting = New-Filled -App $latePdf | Invoke-AltinnProcessNext
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $waiting | Save-AltinnReceipt -Path $script:Work -TimeoutSec 1 -ErrorVariable late -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $late[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SaveReceipt.Timeout*'
        $late[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
    }

    It '-WhatIf writes no file' {
        $done = New-Filled | Invoke-AltinnProcessNext
        $folder = Join-Path $script:Work 'whatif'
        New-Item -ItemType Directory $folder | Out-Null
        $done | Save-AltinnReceipt -Path $folder -WhatIf | Should -BeNullOrEmpty
        Get-ChildItem $folder -Force | Should -BeNullOrEmpty
    }
}
