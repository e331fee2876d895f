<#
.SYNOPSIS
    The journal's cost in a parallel batch: the same batch with New-AltinnInstance -Journal/-Key and without,
    side by side. Invoke-Benchmark.ps1 -Phase JournalParallel runs it (not part of the tests).
.DESCRIPTION
    Each batch: -Submissions submissions (create with prefill -> set data -> process next -> save receipt) under
    ForEach-Object -Parallel -ThrottleLimit -Throttle on one session, the simulator adding -LatencyMs to every
    request. Plain and journaled batches alternate for -Rounds rounds (plain first in odd rounds, journaled
    first in even ones), so a busy machine slows both alike. The journaled batches share one journal, a key per
    submission. Target: journaled throughput at least 0.9x plain (the median of the rounds' ratios).
    Expects the module imported and the test helpers loaded by the caller; returns the numbers as one object.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $SimulatorDll,
    [Parameter(Mandatory)] [string] $Work,
    [ValidateRange(1, 10000)] [int] $Submissions = 64,
    [ValidateRange(1, 100)] [int] $Rounds = 3,
    [ValidateRange(1, 64)] [int] $Throttle = 8,
    [ValidateRange(0, 10000)] [int] $LatencyMs = 50
)
$ErrorActionPreference = 'Stop'
$organization = '950474084'
$app = 'brg/aarsregnskap'

function Invoke-Batch([string] $Name, [int] $Count, $Session, [string] $Journal) {
    $folder = Join-Path $Work $Name
    New-Item -ItemType Directory $folder | Out-Null
    $wall = [Diagnostics.Stopwatch]::StartNew()
    $files = @(1..$Count | ForEach-Object -ThrottleLimit $Throttle -Parallel {
            $journaled = @{}
            if ($using:Journal) { $journaled = @{ Journal = $using:Journal; Key = '{0}-{1:d4}' -f $using:Name, $_ } }
            New-AltinnInstance -App $using:app -OrganizationNumber $using:organization -Prefill @{ property1 = 'value1' } -Session $using:Session @journaled |
                Set-AltinnData -DataType model -Value @{ property1 = 'value4'; property2 = 'value5'; property3 = 'value6' } |
                Invoke-AltinnProcessNext |
                Save-AltinnReceipt -Path $using:folder
        })
    $wall.Stop()
    $saved = @(Get-ChildItem -File $folder).Count
    if ($files.Count -ne $Count -or $saved -ne $Count) { throw "The $Name batch saved $saved receipts ($($files.Count) returned) of $Count." }
    [Math]::Round($Count / $wall.Elapsed.TotalSeconds, 3)
}

$sim = Start-AltinnSimulator -Name bench-journal-parallel
try {
    $key = New-TestRsaJwk -KeyId 'bench-journal-parallel-key'
    $clientId = Register-TestClient -Simulator $sim -ClientId 'bench-journal-parallel-client' -Jwk $key -Organization $organization
    $connect = Get-SimulatorConnectParameters $sim
    $session = Connect-Altinn @connect -ClientId $clientId -Jwk $key.Private -SystemUserOrganization $organization -PassThru
    Invoke-Simulator -Simulator $sim -Method PUT -Path '_sim/faults' -Body @{ rules = @(@{ pathPrefix = '/'; latencyMs = $LatencyMs }); seed = 1 } | Out-Null
    $journal = Join-Path $Work 'parallel.journal'

    # untimed: the first parallel runspaces load the module and compile the pipeline
    Invoke-Batch 'warmup-plain' $Throttle $session $null | Out-Null
    Invoke-Batch 'warmup-journaled' $Throttle $session $journal | Out-Null

    $plain = @(); $journaled = @(); $ratios = @()
    for ($round = 1; $round -le $Rounds; $round++) {
        if ($round % 2 -eq 1) {
            $p = Invoke-Batch "plain-$round" $Submissions $session $null
            $j = Invoke-Batch "journaled-$round" $Submissions $session $journal
        } else {
            $j = Invoke-Batch "journaled-$round" $Submissions $session $journal
            $p = Invoke-Batch "plain-$round" $Submissions $session $null
        }
        $plain += $p; $journaled += $j; $ratios += [Math]::Round($j / $p, 3)
        Write-Host ("  round {0}: plain {1:n2}/s, journaled {2:n2}/s, ratio {3:n3}" -f $round, $p, $j, ($j / $p))
    }

    $median = { param($values) $sorted = @($values | Sort-Object); $sorted[[int][Math]::Floor(($sorted.Count - 1) / 2)] }
    [pscustomobject]@{
        submissions        = $Submissions
        rounds             = $Rounds
        throttle           = $Throttle
        latencyMs          = $LatencyMs
        plainPerSecond     = $plain -join ', '
        journaledPerSecond = $journaled -join ', '
        ratios             = $ratios -join ', '
        medianRatio        = & $median $ratios
        journalLines       = @([IO.File]::ReadAllLines($journal)).Count
        loadAverage        = if (Test-Path /proc/loadavg) { ((Get-Content /proc/loadavg -Raw) -split ' ')[0..2] -join ' ' } else { $null }
    }
} finally {
    Stop-AltinnSimulator $sim
}
