#Requires -Modules Pester
# Ctrl+C: a cmdlet stopped in the middle of a slow transfer, a slow process/next or a Retry-After wait
# stops within a few seconds and leaves no partial file. The stop is what Ctrl+C does: the pipeline's
# Stop(), which calls the cmdlet's StopProcessing.

BeforeDiscovery {
    $script:Cases = @(
        @{ Case = 'Save-AltinnData of a large attachment while Altinn is slow to answer'; Trigger = 'partial'; Folder = 'data'
            Fault = @{ Prefix = 'attachment'; Methods = @('GET'); LatencyMs = 60000 }
            Script = { param($Instance, $Folder, $ElementId) $Instance | Save-AltinnData -DataElementId $ElementId -Path $Folder -Verbose } }
        @{ Case = 'Save-AltinnReceipt while Altinn is slow to answer'; Trigger = 'partial'; Folder = 'receipt'
            Fault = @{ Prefix = 'receipt'; Methods = @('GET'); LatencyMs = 60000 }
            Script = { param($Submitted, $Folder) $Submitted | Save-AltinnReceipt -Path $Folder -Verbose } }
        @{ Case = 'Save-AltinnData while it waits out a Retry-After of 60 s'; Trigger = '^Retry 1 of'; Folder = 'retry'
            Fault = @{ Prefix = 'attachment'; Methods = @('GET'); Rate503 = 1; RetryAfterSeconds = 60 }
            Script = { param($Instance, $Folder, $ElementId) $Instance | Save-AltinnData -DataElementId $ElementId -Path $Folder -Verbose } }
        @{ Case = 'Add-AltinnAttachment of a large file while Altinn is slow to answer'; Trigger = '^POST .*/data/type/attachment'; Folder = 'upload'
            Fault = @{ Prefix = 'instance'; Methods = @('POST'); LatencyMs = 60000 }
            Script = { param($Instance, $Upload) $Instance | Add-AltinnAttachment -DataType attachment -Path $Upload -Verbose } }
        @{ Case = 'Invoke-AltinnProcessNext while the app works on it'; Trigger = '^PUT .*/process/next'; Folder = 'next'; ProcessNextDelayMs = 60000
            Script = { param($Fresh) $Fresh | Invoke-AltinnProcessNext -Verbose } }
    )
}

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name cancellation
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-cancel-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null
    $script:App = Register-TestApp -Simulator $script:Sim -App bigfiles -AttachmentMaxSize 200
    $script:Session = Connect-TestSession -Simulator $script:Sim
    $script:Upload = (New-TestFile -Folder $script:Work -Name 'scan.pdf' -Size (48MB)).FullName
    $script:Instance = New-AltinnInstance -App $script:App -OrganizationNumber 950474084 -Prefill @{ property1 = 'a' } -Session $script:Session |
        Add-AltinnAttachment -DataType attachment -Path $script:Upload
    $script:ElementId = ($script:Instance.Data | Where-Object DataType -eq 'attachment').Id
    $script:Submitted = New-AltinnInstance -App $script:App -OrganizationNumber 950474084 -Prefill @{ property1 = 'a' } -Session $script:Session |
        Invoke-AltinnProcessNext
    $script:ReceiptId = ($script:Submitted.Data | Where-Object DataType -eq 'ref-data-as-pdf').Id
}

AfterAll {
    Invoke-Simulator -Simulator $script:Sim -Method DELETE -Path '_sim/faults' | Out-Null
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Ctrl+C: <Case>' -ForEach $script:Cases {
    BeforeAll {
        $script:Folder = Join-Path $script:Work $Folder
        New-Item -ItemType Directory -Force $script:Folder | Out-Null
        $fresh = New-AltinnInstance -App $script:App -OrganizationNumber 950474084 -Prefill @{ property1 = 'a' } -Session $script:Session
        $script:Fresh = $fresh
        $prefix = switch ($Fault.Prefix) {
            'attachment' { "/ttd/bigfiles/instances/$($script:Instance.Id)/data/$($script:ElementId)" }
            'receipt' { "/ttd/bigfiles/instances/$($script:Submitted.Id)/data/$($script:ReceiptId)" }
            'instance' { "/ttd/bigfiles/instances/$($script:Instance.Id)/data" }
        }
        if ($Fault) {
            $rule = @{ pathPrefix = $prefix; methods = $Fault.Methods }
            if ($Fault.LatencyMs) { $rule.latencyMs = $Fault.LatencyMs }
            if ($Fault.Rate503) { $rule.rate503 = $Fault.Rate503; $rule.retryAfterSeconds = $Fault.RetryAfterSeconds }
            Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/faults' -Body @{ rules = @($rule); seed = 1 } | Out-Null
        }
        if ($ProcessNextDelayMs) { Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/settings' -Body @{ processNextDelayMs = $ProcessNextDelayMs } | Out-Null }
        $script:Before = @(Get-SimulatorInstances $script:Sim | Sort-Object id | ConvertTo-Json -Depth 20 -Compress)
    }

    AfterAll {
        Invoke-Simulator -Simulator $script:Sim -Method DELETE -Path '_sim/faults' | Out-Null
        Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/settings' -Body @{ processNextDelayMs = 0 } | Out-Null
    }

    It 'stops within a few seconds of Ctrl+C and leaves no partial file' {
        $arguments = @{ Instance = $script:Instance; Submitted = $script:Submitted; Fresh = $script:Fresh; Folder = $script:Folder
            ElementId = $script:ElementId; Upload = $script:Upload }
        $parameters = [regex]::Matches($Script.ToString(), '\$(\w+)') | ForEach-Object { $_.Groups[1].Value }
        # the module imported by the runspace itself and one script, no statement batch: a batch's work item
        # outlives Stop() and would touch the runspace after it is disposed
        $state = [System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault2()
        $state.ImportPSModule([string[]] @('AltinnApp'))
        $ps = [powershell]::Create($state)
        $handle = $null
        try {
            $null = $ps.AddScript($Script.ToString())
            foreach ($name in $arguments.Keys) { if ($name -in $parameters) { $null = $ps.AddParameter($name, $arguments[$name]) } }
            $handle = $ps.BeginInvoke()

            # wait until the cmdlet is in the middle of it: the download's partial file exists, or the request is on its way
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            $inFlight = $false
            while (-not $inFlight -and [DateTime]::UtcNow -lt $deadline -and -not $handle.IsCompleted) {
                $inFlight = if ($Trigger -eq 'partial') { @(Get-ChildItem -LiteralPath $script:Folder -Force -Filter '*.partial').Count -gt 0 }
                            else { @($ps.Streams.Verbose | Where-Object Message -match $Trigger).Count -gt 0 }
                if (-not $inFlight) { Start-Sleep -Milliseconds 50 }
            }
            # (no look into $ps.Streams.Error here: enumerating a running pipeline's error stream waits for it to end)
            $handle.IsCompleted | Should -BeFalse -Because 'the cmdlet must still be running when it is stopped'
            $ps.InvocationStateInfo.State | Should -Be 'Running'
            $ps.Streams.Error.Count | Should -Be 0 -Because 'nothing failed before the stop'
            
            $inFlight | Should -BeTrue -Because 'the stop must land in the middle of the work'
            Start-Sleep -Milliseconds 300

            $watch = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $watch.Stop()
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 8 -Because 'Ctrl+C stops the cmdlet promptly, not when the request gives up'
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $ps.Streams.Error | Where-Object { $_.FullyQualifiedErrorId -like 'Altinn.*' } | Should -BeNullOrEmpty -Because 'a stop is not an Altinn error'
        } finally {
            # Stop() returned; EndInvoke waits until the invocation has let go of the runspace
            if ($handle) { try { $ps.EndInvoke($handle) | Out-Null } catch { $null = $_ } }
            $ps.Dispose()
        }

        Get-ChildItem -LiteralPath $script:Folder -Force -Recurse | Should -BeNullOrEmpty -Because 'no partial or half-written file is left behind'
        Get-ChildItem -LiteralPath $script:Work -Force -Filter '*.partial' -Recurse | Should -BeNullOrEmpty
        # the stopped call changed nothing on Altinn: no half-uploaded element, no process moved on
        Start-Sleep -Milliseconds 200
        @(Get-SimulatorInstances $script:Sim | Sort-Object id | ConvertTo-Json -Depth 20 -Compress) | Should -Be $script:Before
    }
}
