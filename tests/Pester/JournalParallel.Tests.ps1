#Requires -Modules Pester
# One journal, many writers: runspaces of ForEach-Object -Parallel creating for one organisation at once, a kill among
# them and a rerun; several processes appending to the same file; the files readable by their owner only.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name journal-parallel
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-jpar-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null
    $script:Key = New-TestRsaJwk
    $script:JwkPath = Join-Path $script:Work 'client.jwk.json'
    Set-Content -Path $script:JwkPath -Value $script:Key.Private -NoNewline
    $script:BatchScript = Join-Path $PSScriptRoot 'Support/Invoke-JournaledBatch.ps1'

    function New-Run([string] $Name) {
        $folder = Join-Path $script:Work $Name
        New-Item -ItemType Directory $folder | Out-Null
        Invoke-Simulator -Simulator $script:Sim -Method POST -Path '_sim/reset' | Out-Null
        Invoke-Simulator -Simulator $script:Sim -Method DELETE -Path '_sim/faults' | Out-Null
        $clientId = Register-TestClient -Simulator $script:Sim -Jwk $script:Key
        [pscustomobject]@{ Folder = $folder; Journal = (Join-Path $folder 'batch.journal'); Receipts = (Join-Path $folder 'receipts'); ClientId = $clientId }
    }

    function Get-BatchArguments($Run, [int] $Count, [int] $ThrottleLimit) {
        @('-BaseUri', $script:Sim.BaseUri, '-ClientId', $Run.ClientId, '-JwkPath', $script:JwkPath, '-Journal', $Run.Journal,
            '-Receipts', $Run.Receipts, '-Count', $Count, '-ThrottleLimit', $ThrottleLimit)
    }

    # the most keys whose create was begun and not yet recorded as made, at any point of the journal
    function Get-MostCreationsInFlight([string] $Journal) {
        $open = [Collections.Generic.HashSet[string]]::new()
        $most = 0
        foreach ($line in [IO.File]::ReadAllLines($Journal)) {
            $record = try { $line | ConvertFrom-Json } catch { $null }
            if (-not $record) { continue }
            if ($record.state -eq 'Creating') { [void]$open.Add($record.key) }
            if ($record.state -eq 'Created') { [void]$open.Remove($record.key) }
            $most = [Math]::Max($most, $open.Count)
        }
        $most
    }
}

AfterAll {
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Journaled creations under ForEach-Object -Parallel' {
    It 'are in flight together for one organisation, and after a kill among them the rerun files every key exactly once' {
        $run = New-Run 'parallel-kill'
        New-Item -ItemType Directory $run.Receipts | Out-Null
        # creates take a while, so several are in flight when the batch is killed
        Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/faults' -Body @{ rules = @(@{ pathPrefix = '/brg/'; methods = @('POST'); latencyMs = 400 }); seed = 3 } | Out-Null
        $child = Start-ChildPwsh -File $script:BatchScript -ArgumentList (Get-BatchArguments $run 24 8)
        $deadline = [DateTime]::UtcNow.AddSeconds(120)
        while ([DateTime]::UtcNow -lt $deadline -and -not $child.Process.HasExited) {
            $created = @(if (Test-Path $run.Journal) { [IO.File]::ReadAllLines($run.Journal) | Where-Object { $_ -like '*"state":"Created"*' } }).Count
            if ($created -ge 6 -and (Get-MostCreationsInFlight $run.Journal) -ge 2) { break }
            Start-Sleep -Milliseconds 50
        }
        $child.Process.HasExited | Should -BeFalse -Because 'the batch must be killed midway, not after it finished'
        $child.Process.Kill($true)
        $child.Process.WaitForExit(10000) | Out-Null
        Get-MostCreationsInFlight $run.Journal | Should -BeGreaterOrEqual 2 -Because 'creations for one organisation and the same content are made in parallel'

        # the rerun, in parallel again, with the creates still slow
        $rerun = @{ BaseUri = $script:Sim.BaseUri; ClientId = $run.ClientId; JwkPath = $script:JwkPath; Journal = $run.Journal; Receipts = $run.Receipts; Count = 24; ThrottleLimit = 8 }
        & $script:BatchScript @rerun | Out-Null
        Invoke-Simulator -Simulator $script:Sim -Method DELETE -Path '_sim/faults' | Out-Null

        $entries = @(Get-AltinnJournal -Path $run.Journal)
        $instances = @(Get-SimulatorInstances $script:Sim)
        $entries | Should -HaveCount 24
        $entries | Where-Object State -ne 'ReceiptSaved' | Select-Object -ExpandProperty Key | Should -BeNullOrEmpty
        $instances | Should -HaveCount 24
        (@($entries.InstanceId) | Sort-Object -Unique) | Should -HaveCount 24
        Compare-Object @($entries.InstanceId | Sort-Object) @($instances.id | Sort-Object) | Should -BeNullOrEmpty
        $instances | Where-Object { -not $_.process.ended } | Should -BeNullOrEmpty
        @(Get-ChildItem $run.Receipts -File -Filter '*.pdf') | Should -HaveCount 24
    }
}

Describe 'A journal shared by three processes' {
    It 'keeps every record each of them appends' {
        $run = New-Run 'three-writers'
        $script = Join-Path $run.Folder 'writer.ps1'
        Set-Content -Path $script -Value @'
param($BaseUri, $ClientId, $JwkPath, $Journal, $Prefix)
$ErrorActionPreference = 'Stop'
Import-Module AltinnApp
$session = Connect-Altinn -MaskinportenUri $BaseUri -PlatformUri $BaseUri -AppBaseUri $BaseUri -ClientId $ClientId -JwkPath $JwkPath -SystemUserOrganization 950474084 -PassThru
# two records per key (Creating, Created): 300 records from this process
1..150 | ForEach-Object { New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $Journal -Key "$Prefix-$_" -Session $session | Out-Null }
'@
        $writers = 'a', 'b', 'c' | ForEach-Object {
            Start-ChildPwsh -File $script -ArgumentList @('-BaseUri', $script:Sim.BaseUri, '-ClientId', $run.ClientId, '-JwkPath', $script:JwkPath, '-Journal', $run.Journal, '-Prefix', $_)
        }
        foreach ($writer in $writers) {
            $result = Wait-ChildPwsh $writer -TimeoutSec 300
            $result.ExitCode | Should -Be 0 -Because $result.Error
        }

        $lines = [IO.File]::ReadAllLines($run.Journal)
        $lines | Should -HaveCount 900
        $records = $lines | ForEach-Object { $_ | ConvertFrom-Json }
        @($records | Where-Object state -eq 'Creating') | Should -HaveCount 450
        @($records | Where-Object state -eq 'Created') | Should -HaveCount 450
        $entries = @(Get-AltinnJournal -Path $run.Journal)
        $entries | Should -HaveCount 450
        $entries | Where-Object State -ne 'Created' | Should -BeNullOrEmpty
        @(Get-SimulatorInstances $script:Sim) | Should -HaveCount 450
    }
}

Describe 'The journal''s files' {
    It 'are readable and writable by their owner only, from the start' -Skip:$IsWindows {
        $run = New-Run 'modes'
        $session = Connect-TestSession -Simulator $script:Sim
        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $run.Journal -Key 'k' -Session $session | Out-Null
        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $run.Journal -Key '08089403198-2025' -Session $session | Out-Null
        foreach ($name in 'batch.journal', '.batch.journal.lock', '.batch.journal.keys.lock', '.batch.journal.secret') {
            (Get-Item -Force (Join-Path $run.Folder $name)).UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite') -Because $name
        }
    }

    It 'hold no person number given in a key, and Get-AltinnJournal -Key still finds it' {
        $run = New-Run 'person-key'
        $log = Join-Path $run.Folder 'run.log'
        $session = Connect-TestSession -Simulator $script:Sim -Extra @{ LogPath = $log }
        $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $run.Journal -Key '08089403198-2025' -Session $session
        $entry = Get-AltinnJournal -Path $run.Journal -Key '08089403198-2025'
        $entry.State | Should -Be 'Created'
        $entry.InstanceId | Should -Be $instance.Id
        $entry.Key | Should -BeLike '080894`*`*`*`*`*~*-2025'
        Get-Content -Raw $run.Journal | Should -Not -Match '08089403198'
        if (Test-Path $log) { Get-Content -Raw $log | Should -Not -Match '08089403198' }
    }
}

Describe 'A key in the batch twice, with other values, under ForEach-Object -Parallel' {
    It 'files one row''s values and refuses the other with KeyTakenOver or DataChanged, never two successes' {
        $run = New-Run 'duplicate-keys'
        New-Item -ItemType Directory $run.Receipts | Out-Null
        # slow writes, so the two rows of a key overlap
        Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/faults' -Body @{ rules = @(@{ pathPrefix = '/brg/'; methods = @('PUT'); latencyMs = 150 }); seed = 5 } | Out-Null
        try {
            $session = Connect-Altinn -MaskinportenUri $script:Sim.BaseUri -PlatformUri $script:Sim.BaseUri -AppBaseUri $script:Sim.BaseUri -ClientId $run.ClientId `
                -JwkPath $script:JwkPath -SystemUserOrganization 950474084 -PassThru
            $rows = foreach ($i in 1..8) { foreach ($value in 'first', 'second') { [pscustomobject]@{ Key = 'dup-{0:d2}' -f $i; Value = "$value $i" } } }
            $results = @($rows | ForEach-Object -ThrottleLimit 8 -Parallel {
                    $row = $_
                    $file = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $using:run.Journal -Key $row.Key -Session $using:session -ErrorAction SilentlyContinue -ErrorVariable failed |
                        Set-AltinnData -DataType model -Value @{ property1 = $row.Value; property2 = 'b' } -ErrorAction SilentlyContinue -ErrorVariable +failed |
                        Invoke-AltinnProcessNext -ErrorAction SilentlyContinue -ErrorVariable +failed |
                        Save-AltinnReceipt -Path $using:run.Receipts -ErrorAction SilentlyContinue -ErrorVariable +failed
                    [pscustomobject]@{ Key = $row.Key; Value = $row.Value; Filed = [bool]$file; ErrorId = @($failed | ForEach-Object FullyQualifiedErrorId) -join ',' }
                })
        } finally {
            Invoke-Simulator -Simulator $script:Sim -Method DELETE -Path '_sim/faults' | Out-Null
        }

        $results | Should -HaveCount 16
        foreach ($group in $results | Group-Object Key) {
            $instance = Get-AltinnJournal -Path $run.Journal -Key $group.Name
            $instance.State | Should -Be 'ReceiptSaved' -Because "key $($group.Name) was filed by one of its rows"
            $filedValue = (Get-AltinnData -InstanceId $instance.InstanceId -App brg/aarsregnskap -DataType model -Session $session).property1
            $succeeded = @($group.Group | Where-Object Filed)
            $succeeded | Should -HaveCount 1 -Because "one row of $($group.Name) files, the other is refused (rows: $(($group.Group | ForEach-Object { "$($_.Value): $($_.ErrorId)" }) -join '; '))"
            $succeeded[0].Value | Should -Be $filedValue -Because 'the row that reports success is the one whose values were filed'
            $refused = @($group.Group | Where-Object { -not $_.Filed })
            $refused[0].ErrorId | Should -Match '^Altinn\.(SetData|ProcessNext)\.(KeyTakenOver|DataChanged),'
        }
        @(Get-SimulatorInstances $script:Sim) | Should -HaveCount 8
        Disconnect-Altinn -Session $session
    }
}
