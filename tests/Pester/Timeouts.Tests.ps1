#Requires -Modules Pester
# Each kind of call has its own timeout, set on Connect-Altinn: -TimeoutSec for ordinary requests,
# -ProcessNextTimeoutSec for process/next, -TransferTimeoutSec for uploads and downloads. A short one cuts
# only its own kind, the error names the parameter to raise, and a download that runs out of time leaves no file.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name timeouts
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-timeouts-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null
    $script:Pdf = (New-TestPdf -Folder $script:Work -Name 'annual-report.pdf').FullName

    # a session with the given timeouts and no retries, so one slow answer is one timeout
    function script:Connect-WithTimeouts([hashtable] $Timeouts) {
        Connect-TestSession -Simulator $script:Sim -Extra (@{ MaximumRetryCount = 0 } + $Timeouts)
    }

    function script:Set-Latency([string] $PathPrefix, [string] $Method, [int] $Milliseconds) {
        $rule = @{ pathPrefix = $PathPrefix; methods = @($Method); latencyMs = $Milliseconds }
        Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/faults' -Body @{ rules = @($rule); seed = 1 } | Out-Null
    }

    function script:Clear-Faults {
        Invoke-Simulator -Simulator $script:Sim -Method DELETE -Path '_sim/faults' | Out-Null
        Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/settings' -Body @{ processNextDelayMs = 0 } | Out-Null
    }

    # the error a call that must time out gives, after the checks every timeout shares
    function script:Get-TimeoutError([scriptblock] $Call, [string] $ErrorId, [string] $Parameter, [int] $Seconds) {
        $err = $null
        $watch = [Diagnostics.Stopwatch]::StartNew()
        try { $ErrorActionPreference = 'Stop'; & $Call | Out-Null } catch { $err = $_ }
        $watch.Stop()
        $err | Should -Not -BeNullOrEmpty -Because 'the call must time out'
        $err.FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $err.CategoryInfo.Category | Should -Be 'OperationTimeout'
        $err.Exception.Message | Should -Match "within $Seconds s"
        $err.Exception.Message | Should -Match "raise the timeout with Connect-Altinn $Parameter"
        $watch.Elapsed.TotalSeconds | Should -BeLessThan ($Seconds + 10) -Because 'the timeout cuts the call, not the server'
        $err
    }
}

AfterAll {
    Clear-Faults
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Connect-Altinn timeouts' {
    AfterEach { Clear-Faults }

    It 'defaults to 100 s, 300 s for process/next and 30 minutes for transfers, never shorter than -TimeoutSec' {
        $default = Connect-TestSession -Simulator $script:Sim
        $default.TimeoutSec, $default.ProcessNextTimeoutSec, $default.TransferTimeoutSec | Should -Be 100, 300, 1800
        $long = Connect-WithTimeouts @{ TimeoutSec = 600 }
        $long.TimeoutSec, $long.ProcessNextTimeoutSec, $long.TransferTimeoutSec | Should -Be 600, 600, 1800
        $given = Connect-WithTimeouts @{ TimeoutSec = 20; ProcessNextTimeoutSec = 5; TransferTimeoutSec = 7200 }
        $given.TimeoutSec, $given.ProcessNextTimeoutSec, $given.TransferTimeoutSec, $given.MaximumRetryCount | Should -Be 20, 5, 7200, 0
        ($given | Format-List | Out-String) | Should -Match 'Timeouts\s*:\s*20 s, process/next 5 s, transfers 7200 s; 0 retries'
    }

    It '-ProcessNextTimeoutSec cuts a slow process/next; a short -TimeoutSec does not' {
        Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/settings' -Body @{ processNextDelayMs = 2500 } | Out-Null

        $patient = Connect-WithTimeouts @{ TimeoutSec = 1; ProcessNextTimeoutSec = 30 }
        $done = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'a'; property2 = 'b' } -Session $patient |
            Invoke-AltinnProcessNext
        $done.Ended | Should -BeTrue

        $impatient = Connect-WithTimeouts @{ TimeoutSec = 30; ProcessNextTimeoutSec = 1 }
        $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'a'; property2 = 'b' } -Session $impatient
        $err = Get-TimeoutError { $instance | Invoke-AltinnProcessNext } 'Altinn.ProcessNext.Timeout' '-ProcessNextTimeoutSec' 1
        $err.TargetObject.Id | Should -Be $instance.Id
    }

    It '-TransferTimeoutSec cuts a slow download and leaves no file; a short -TimeoutSec does not' {
        $session = Connect-WithTimeouts @{ TimeoutSec = 30 }
        $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'a' } -Session $session |
            Add-AltinnAttachment -DataType attachment -Path $script:Pdf
        $element = $instance.Data | Where-Object DataType -eq 'attachment'
        Set-Latency "/brg/aarsregnskap/instances/$($instance.Id)/data/$($element.Id)" 'GET' 2500

        $patient = Connect-WithTimeouts @{ TimeoutSec = 1; TransferTimeoutSec = 30 }
        $saved = Get-AltinnInstance -InstanceId $instance.Id -App brg/aarsregnskap -Session $patient |
            Save-AltinnData -DataElementId $element.Id -Path (Join-Path $script:Work 'patient.pdf')
        $saved.Length | Should -Be (Get-Item $script:Pdf).Length

        $impatient = Connect-WithTimeouts @{ TimeoutSec = 30; TransferTimeoutSec = 1 }
        $target = Join-Path $script:Work 'impatient'
        New-Item -ItemType Directory $target | Out-Null
        $copy = Get-AltinnInstance -InstanceId $instance.Id -App brg/aarsregnskap -Session $impatient
        Get-TimeoutError { $copy | Save-AltinnData -DataElementId $element.Id -Path (Join-Path $target 'report.pdf') } 'Altinn.SaveData.Timeout' '-TransferTimeoutSec' 1 | Out-Null
        Get-ChildItem -LiteralPath $target -Force | Should -BeNullOrEmpty -Because 'a download that ran out of time leaves nothing behind'
    }

    It '-TransferTimeoutSec cuts a slow upload, which leaves no data element' {
        $impatient = Connect-WithTimeouts @{ TimeoutSec = 30; TransferTimeoutSec = 1 }
        $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'a' } -Session $impatient
        Set-Latency "/brg/aarsregnskap/instances/$($instance.Id)/data" 'POST' 2500
        Get-TimeoutError { $instance | Add-AltinnAttachment -DataType attachment -Path $script:Pdf } 'Altinn.AddAttachment.Timeout' '-TransferTimeoutSec' 1 | Out-Null
        Clear-Faults
        Start-Sleep -Seconds 2
        $held = Get-SimulatorInstances $script:Sim | Where-Object id -eq $instance.Id
        @($held.data | Where-Object dataType -eq 'attachment') | Should -BeNullOrEmpty
    }

    It '-TimeoutSec cuts an ordinary request' {
        $session = Connect-WithTimeouts @{ TimeoutSec = 1; ProcessNextTimeoutSec = 60; TransferTimeoutSec = 60 }
        $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'a' } -Session $session
        Set-Latency "/brg/aarsregnskap/instances/$($instance.Id)" 'GET' 2500
        Get-TimeoutError { Get-AltinnInstance -InstanceId $instance.Id -App brg/aarsregnskap -Session $session } 'Altinn.GetInstance.Timeout' '-TimeoutSec' 1 | Out-Null
    }
}
