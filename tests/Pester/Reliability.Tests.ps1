#Requires -Modules Pester
# A night's batch survives faults and crashes and files nothing twice: the journal, the retries, reconciliation.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name reliability
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-rel-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null
    $script:Key = New-TestRsaJwk
    $script:JwkPath = Join-Path $script:Work 'client.jwk.json'
    Set-Content -Path $script:JwkPath -Value $script:Key.Private -NoNewline
    $script:BatchScript = Join-Path $PSScriptRoot 'Support/Invoke-JournaledBatch.ps1'

    function New-Run([string] $Name) {
        $folder = Join-Path $script:Work $Name
        New-Item -ItemType Directory $folder | Out-Null
        Invoke-Simulator -Simulator $script:Sim -Method POST -Path '_sim/reset' | Out-Null
        $clientId = Register-TestClient -Simulator $script:Sim -Jwk $script:Key
        [pscustomobject]@{ Folder = $folder; Journal = (Join-Path $folder 'batch.journal'); Receipts = (Join-Path $folder 'receipts'); ClientId = $clientId }
    }

    function Invoke-Batch($Run, [int] $Count, [int] $ThrottleLimit = 1) {
        New-Item -ItemType Directory -Force $Run.Receipts | Out-Null
        & $script:BatchScript -BaseUri $script:Sim.BaseUri -ClientId $Run.ClientId -JwkPath $script:JwkPath -Journal $Run.Journal `
            -Receipts $Run.Receipts -Count $Count -ThrottleLimit $ThrottleLimit
    }

    # exactly one instance per key, each submitted and archived, one whole receipt per key
    function Assert-ExactlyOncePerKey($Run, [int] $Count) {
        $instances = @(Get-SimulatorInstances $script:Sim)
        $entries = @(Get-AltinnJournal -Path $Run.Journal)
        $entries | Should -HaveCount $Count
        $entries | Where-Object State -ne 'ReceiptSaved' | Select-Object -ExpandProperty Key | Should -BeNullOrEmpty
        $instances | Should -HaveCount $Count
        (@($entries.InstanceId) | Sort-Object -Unique) | Should -HaveCount $Count
        Compare-Object @($entries.InstanceId | Sort-Object) @($instances.id | Sort-Object) | Should -BeNullOrEmpty
        $instances | Where-Object { -not $_.process.ended } | Should -BeNullOrEmpty
        $counters = Get-SimulatorCounters $script:Sim
        $counters.instancesCreatedByOwner.'950474084' | Should -Be $Count
        $files = @(Get-ChildItem $Run.Receipts -File -Filter '*.pdf')
        $files | Should -HaveCount $Count
        Get-ChildItem $Run.Receipts -Force -Filter '*.partial' | Should -BeNullOrEmpty
        foreach ($file in $files) { [Text.Encoding]::ASCII.GetString([IO.File]::ReadAllBytes($file.FullName), 0, 5) | Should -Be '%PDF-' }
    }
}

AfterAll {
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'The journal' {
    It 'carries every key to the end once, and a rerun creates and sends nothing new' {
        $run = New-Run 'rerun'
        Invoke-Batch $run -Count 5
        Assert-ExactlyOncePerKey $run 5
        $before = Get-SimulatorCounters $script:Sim

        Invoke-Batch $run -Count 5
        Assert-ExactlyOncePerKey $run 5
        $after = Get-SimulatorCounters $script:Sim
        $after.requests.'POST /{org}/{app}/instances/create' | Should -Be $before.requests.'POST /{org}/{app}/instances/create'
        $after.requests.'PUT /{org}/{app}/instances/{instanceOwnerPartyId}/{instanceGuid}/process/next' | Should -Be $before.requests.'PUT /{org}/{app}/instances/{instanceOwnerPartyId}/{instanceGuid}/process/next'
    }

    It 'records a failure with its reason, and the rerun carries the key on from where it stopped' {
        $run = New-Run 'failure'
        New-Item -ItemType Directory $run.Receipts | Out-Null
        $session = Connect-TestSession -Simulator $script:Sim
        # property2 is required: process/next refuses, and the journal says why
        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $run.Journal -Key 'k1' -Session $session |
            Set-AltinnData -DataType model -Value @{ property1 = 'a' } |
            Invoke-AltinnProcessNext -ErrorAction SilentlyContinue -ErrorVariable failed | Out-Null
        $failed | Should -Not -BeNullOrEmpty
        $entry = Get-AltinnJournal -Path $run.Journal -Key 'k1'
        $entry.State | Should -Be 'Failed'
        $entry.Reached | Should -Be 'DataSet'
        $entry.FailedStep | Should -Be 'ProcessNext'
        $entry.LastErrorId | Should -Be 'Altinn.ProcessNext.ValidationFailed'

        $file = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $run.Journal -Key 'k1' -Session $session |
            Set-AltinnData -DataType model -Value @{ property1 = 'a'; property2 = 'b' } |
            Invoke-AltinnProcessNext | Save-AltinnReceipt -Path $run.Receipts
        $file.Name | Should -Match $entry.InstanceId.Split('/')[1]
        (Get-AltinnJournal -Path $run.Journal -Key 'k1').State | Should -Be 'ReceiptSaved'
        @(Get-SimulatorInstances $script:Sim) | Should -HaveCount 1
    }

    It 'refuses -Journal without -Key, clearly, and creates nothing' {
        $run = New-Run 'nokey'
        $session = Connect-TestSession -Simulator $script:Sim
        { New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $run.Journal -Session $session -ErrorAction Stop } |
            Should -Throw -ErrorId 'Altinn.NewInstance.JournalNeedsKey,AltinnApp.PowerShell.Cmdlets.NewAltinnInstanceCommand'
        @(Get-SimulatorInstances $script:Sim) | Should -HaveCount 0
    }

    It 'survives a kill at any point: the rerun ends with exactly one instance and one receipt per key' {
        $run = New-Run 'crash'
        New-Item -ItemType Directory $run.Receipts | Out-Null
        # some latency, so the kill lands in the middle of requests rather than between them
        Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/faults' -Body @{ rules = @(@{ pathPrefix = '/brg/'; latencyMs = 15 }); seed = 7 } | Out-Null
        $pwsh = Get-PwshCommand
        $arguments = @($pwsh[1..($pwsh.Count - 1)]) + @('-NoProfile', '-NonInteractive', '-File', $script:BatchScript, '-BaseUri', $script:Sim.BaseUri,
            '-ClientId', $run.ClientId, '-JwkPath', $script:JwkPath, '-Journal', $run.Journal, '-Receipts', $run.Receipts, '-Count', '24', '-ThrottleLimit', '4')
        $child = Start-Process -FilePath $pwsh[0] -ArgumentList $arguments -PassThru `
            -RedirectStandardOutput (Join-Path $run.Folder 'child.out') -RedirectStandardError (Join-Path $run.Folder 'child.err')
        $deadline = [DateTime]::UtcNow.AddSeconds(90)
        while ([DateTime]::UtcNow -lt $deadline -and -not $child.HasExited) {
            $done = @(if (Test-Path $run.Journal) { Get-AltinnJournal -Path $run.Journal -State ReceiptSaved })
            if ($done.Count -ge 8) { break }
            Start-Sleep -Milliseconds 100
        }
        $child.HasExited | Should -BeFalse -Because 'the batch must be killed midway, not after it finished'
        $child.Kill($true)
        $child.WaitForExit(10000) | Out-Null

        $partial = @(Get-AltinnJournal -Path $run.Journal | Where-Object State -ne 'ReceiptSaved')
        $partial.Count + @(Get-AltinnJournal -Path $run.Journal -State ReceiptSaved).Count | Should -BeLessOrEqual 24

        Invoke-Simulator -Simulator $script:Sim -Method DELETE -Path '_sim/faults' | Out-Null
        Invoke-Batch $run -Count 24
        Assert-ExactlyOncePerKey $run 24
    }
}

Describe 'A batch under faults' {
    It 'completes 200 submissions with 503s, 429s with Retry-After, dropped connections and short-lived tokens, one instance per key' {
        $run = New-Run 'faults'
        Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/settings' -Body @{ altinnTokenLifetimeSeconds = 4; maskinportenTokenLifetimeSeconds = 4 } | Out-Null
        $rules = @(
            @{ pathPrefix = '/'; rate503 = 0.10; rate429 = 0.05; retryAfterSeconds = 1; rateDrop = 0.02 }
            # lost answers to requests Altinn did carry out: the module must find out before repeating
            @{ pathPrefix = '/brg/'; methods = @('POST'); rateDrop = 0.02; dropAfterProcessing = $true }
            @{ pathPrefix = '/brg/'; methods = @('PUT'); rateDrop = 0.02; dropAfterProcessing = $true }
        )
        Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/faults' -Body @{ rules = $rules; seed = 2026 } | Out-Null
        try {
            $watch = [Diagnostics.Stopwatch]::StartNew()
            Invoke-Batch $run -Count 200 -ThrottleLimit 8
            $elapsed = $watch.Elapsed
        } finally {
            Invoke-Simulator -Simulator $script:Sim -Method DELETE -Path '_sim/faults' | Out-Null
        }

        $counters = Get-SimulatorCounters $script:Sim
        $counters.faultsInjected.'503' | Should -BeGreaterThan 20
        $counters.faultsInjected.'429' | Should -BeGreaterThan 10
        $counters.faultsInjected.drop | Should -BeGreaterThan 5
        # the batch outlived several token lifetimes, and renewed rather than failing
        $elapsed.TotalSeconds | Should -BeGreaterThan 4
        $counters.altinnTokensIssued | Should -BeGreaterThan 1
        Assert-ExactlyOncePerKey $run 200
    }
}
