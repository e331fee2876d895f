<#
.SYNOPSIS
    AltinnApp's benchmark: the module against the script a user would write and against the server's
    own cost, on one local simulator, in one run. build.ps1 -Task Bench runs it.
.DESCRIPTION
    Measures, against the same simulator (no faults unless said):
      1. submissions (create with prefill -> set data -> process next -> save receipt) one after another
         through the module's pipeline (bench/Submit-WithModule.ps1);
      2. the same with bench/Submit-WithInvokeRestMethod.ps1 (Invoke-RestMethod, token exchanged once);
      3. the same with bench/AltinnApp.Bench.Floor, a bare HttpClient loop sending the module's requests;
         these three run interleaved in rounds, so a busy machine slows them alike, each in a long-lived
         process of its own that is warmed up until its JIT has settled (the steady speed of a long batch;
         the first batch's time, JIT included, is reported beside it);
      4. with 50 ms added to every request: the module one after another, and under
         ForEach-Object -Parallel with throttle 4 and 8 sharing one session, counting token fetches;
         then (bench/Measure-RateLimit.ps1) throttle 16 on one session against a simulator that takes only
         so many app requests a second and answers the rest 429 with Retry-After: time against the ideal
         for that rate, and the share refused;
      4c. the journal in a parallel batch (bench/Measure-JournalParallel.ps1): the same batch under throttle 8 with
         50 ms added, with -Journal/-Key and without, alternating for 3 rounds; journaled throughput over plain;
      4d. the journal at scale (bench/Measure-Journal.ps1): 10,000 journaled submissions in one run, the first and
         last thousand's time per submission and the working set's growth, then, in a fresh pwsh, the run's journal
         read at start and Get-AltinnJournal -State Failed on a synthetic 100,000-key journal;
      5. Import-Module AltinnApp in a fresh pwsh over a bare 'pwsh -NoProfile -Command exit' (median);
      6. upload and download of a 512 MiB attachment, with the peak working set of the pwsh doing it.
    Writes <OutputPath>.md and <OutputPath>.json. -Smoke runs a handful of submissions and no 512 MiB
    transfer, to check that the benchmark itself works; its numbers say nothing about speed.

    The full run takes about 20 minutes on a quiet 2-core machine. Each phase can also run by itself:
    -Phase Sequential runs only the interleaved rounds of floor, module and script (with -Submissions to size
    them): their throughput, ratios and CPU time per submission, printed and written to <OutputPath>.sequential.json.
    -Phase Journal10k runs only the journal at scale (bench/Measure-Journal.ps1): -Count journaled submissions
    in one run (10,000 unless given; a smaller -Count for a smoke run), the first and last thousand's time per
    submission, the working set's growth, and Get-AltinnJournal on a synthetic 100,000-key journal. It prints
    its numbers and writes <OutputPath>.journal.json; it takes minutes and is not part of the tests.

    -Phase JournalParallel runs only bench/Measure-JournalParallel.ps1: the same parallel batch (throttle 8, one
    session, 64 submissions, 50 ms added to every request) with -Journal/-Key and without, alternating for 3
    rounds; target journaled >= 0.9x plain. It writes <OutputPath>.journal-parallel.json.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SimulatorDll,
    [switch] $Smoke,
    # the floor's DLL; built into out/AltinnApp.Bench.Floor when missing
    [string] $FloorDll,
    # results go to <OutputPath>.md and .json; bench/results for a full run, bench/results.local for -Smoke
    [string] $OutputPath,
    [ValidateRange(1, 100000)] [int] $Submissions,
    [ValidateRange(1, 4096)] [int] $TransferMiB = 512,
    [ValidateSet('All', 'Sequential', 'Journal10k', 'JournalParallel')] [string] $Phase = 'All',
    # for -Phase Journal10k: the journaled submissions in the one run
    [ValidateRange(10, 1000000)] [int] $Count = 10000
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
if ($PSVersionTable.PSVersion.Major -ge 7) { $PSStyle.OutputRendering = 'PlainText' }

$started = [DateTimeOffset]::UtcNow
$runClock = [Diagnostics.Stopwatch]::StartNew()
$repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
$ModulePath = (Resolve-Path $ModulePath).Path
$SimulatorDll = (Resolve-Path $SimulatorDll).Path
if (-not $OutputPath) { $OutputPath = Join-Path $PSScriptRoot $(if ($Smoke) { 'results.local' } else { 'results' }) }
$OutputPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath)

# Sizes: the full run takes 6-10 minutes on a 2-core machine, most of it warm-ups; -Smoke in well under a minute.
$plan = if ($Smoke) {
    @{ Submissions = 6; Rounds = 2; WarmupBatch = 2; WarmupMin = 2; WarmupMax = 4; JitSettled = 100; LatencySequential = 4; Throttle4 = 4; Throttle8 = 8; ImportRuns = 1; Transfer = $false; RateLimitSubmissions = 8; RateLimit = 20
        JournalParallelSubmissions = 8; JournalParallelRounds = 1; JournalCount = 30; JournalKeys = 1000 }
} else {
    @{ Submissions = 300; Rounds = 5; WarmupBatch = 250; WarmupMin = 2000; WarmupMax = 6000; JitSettled = 30; LatencySequential = 40; Throttle4 = 120; Throttle8 = 240; ImportRuns = 7; Transfer = $true; RateLimitSubmissions = 150; RateLimit = 20
        JournalParallelSubmissions = 64; JournalParallelRounds = 3; JournalCount = $Count; JournalKeys = 100000 }
}
if ($Submissions) { $plan.Submissions = $Submissions }
$perRound = [int][Math]::Ceiling($plan.Submissions / $plan.Rounds)
$plan.Submissions = $perRound * $plan.Rounds
$latencyMs = 50
$app = 'brg/aarsregnskap'
$organization = '950474084'

function Get-ModuleSearchRoot([string] $Manifest) {
    # out/AltinnApp/AltinnApp.psd1 -> out; Modules/AltinnApp/0.1.0/AltinnApp.psd1 -> Modules
    $folder = Split-Path $Manifest
    $parent = Split-Path $folder
    $version = $null
    if ([version]::TryParse((Split-Path $folder -Leaf), [ref]$version) -and (Split-Path $parent -Leaf) -eq 'AltinnApp') { return Split-Path $parent }
    $parent
}

# The module under test is the one 'AltinnApp' finds by name: parallel runspaces and fresh processes load it that way.
$env:PSModulePath = (Get-ModuleSearchRoot $ModulePath) + [IO.Path]::PathSeparator + $env:PSModulePath
$env:ALTINNAPP_SIMULATOR_DLL = $SimulatorDll
Import-Module (Join-Path $repoRoot 'tests/Pester/Support/AltinnTestHelpers.psm1') -Force
Import-Module $ModulePath -Force
$found = Get-Module AltinnApp -ListAvailable | Select-Object -First 1
if (-not $found) {
    throw "-ModulePath '$ModulePath' is not in a folder named AltinnApp (…/AltinnApp/AltinnApp.psd1 or …/AltinnApp/<version>/AltinnApp.psd1), so parallel runspaces and fresh processes cannot load it by name. Give the built module (out/AltinnApp) or an installed one."
}
if ($found.Path -ne $ModulePath) { throw "Another AltinnApp comes first in PSModulePath: $($found.Path). The benchmark must load the module given in -ModulePath." }
$moduleVersion = (Get-Module AltinnApp).Version.ToString()
$pwshDll = Join-Path $PSHOME 'pwsh.dll'

<# One measuring script run by itself (-Phase): its numbers printed and written to <OutputPath>.<Suffix>.json. #>
function Invoke-PhaseAlone([string] $Title, [string] $Script, [hashtable] $Parameters, [string] $Suffix) {
    $work = Join-Path ([IO.Path]::GetTempPath()) ("altinnapp-bench-$Suffix-" + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $work | Out-Null
    try {
        Write-Host "AltinnApp $moduleVersion $Title"
        $result = & (Join-Path $PSScriptRoot $Script) -SimulatorDll $SimulatorDll -Work $work @Parameters
        $result | Format-List | Out-Host
        $result | ConvertTo-Json | Set-Content -Path "$OutputPath.$Suffix.json"
        Write-Host "wrote $OutputPath.$Suffix.json"
    } finally {
        Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
    }
}

if ($Phase -eq 'Journal10k') {
    Invoke-PhaseAlone "journal at scale: $Count journaled submissions in one run, then Get-AltinnJournal on 100,000 keys" 'Measure-Journal.ps1' @{ Count = $Count } 'journal'
    return
}

if ($Phase -eq 'JournalParallel') {
    Invoke-PhaseAlone 'journal in a parallel batch: with -Journal/-Key and without, alternating' 'Measure-JournalParallel.ps1' @{ LatencyMs = $latencyMs } 'journal-parallel'
    return
}

function Write-Phase([string] $Text) { Write-Host ("[{0,6:n1} s] {1}" -f $runClock.Elapsed.TotalSeconds, $Text) }

# ---------- statistics ----------

function Get-Percentile([double[]] $Values, [double] $Percent) {
    if ($Values.Count -eq 0) { return $null }
    $sorted = [double[]]($Values | Sort-Object)
    $rank = [Math]::Max(1, [int][Math]::Ceiling($Percent / 100 * $sorted.Count))   # nearest rank
    [Math]::Round($sorted[$rank - 1], 2)
}

function Get-StepSummary([double[]] $Values) {
    [ordered]@{
        p50  = Get-Percentile $Values 50
        p95  = Get-Percentile $Values 95
        mean = [Math]::Round(($Values | Measure-Object -Average).Average, 2)
    }
}

$stepNames = 'create', 'setData', 'processNext', 'receipt', 'total'

<#
    Submissions timed one by one: throughput from the sum of their times, and p50/p95 per step. -StepRecords: the
    steps come from other submissions than the throughput and the whole submission's time (the module's marked batches).
#>
function Get-SequentialSummary([object[]] $Records, [int] $TokenFetches, [object[]] $StepRecords = $Records) {
    $total = ($Records | Measure-Object -Property total -Sum).Sum
    $steps = [ordered]@{}
    foreach ($name in $stepNames) {
        $from = if ($name -eq 'total') { $Records } else { $StepRecords }
        # a batch timed without step marks has the whole submission only
        $values = @($from | ForEach-Object { $_.PSObject.Properties[$name] } | Where-Object { $_ } | ForEach-Object { $_.Value })
        if ($values.Count -gt 0) { $steps[$name] = Get-StepSummary ([double[]]$values) }
    }
    [ordered]@{
        submissions  = $Records.Count
        seconds      = [Math]::Round($total / 1000, 3)
        perSecond    = [Math]::Round($Records.Count / ($total / 1000), 2)
        stepsMs      = $steps
        tokenFetches = $TokenFetches
    }
}

function Get-Ratio($Numerator, $Denominator) { if ($Denominator -gt 0) { [Math]::Round($Numerator / $Denominator, 3) } else { $null } }

# ---------- the simulator ----------

function Invoke-Sim([string] $Method = 'GET', [string] $Path, $Body) {
    Invoke-Simulator -Simulator $script:Sim -Method $Method -Path $Path -Body $Body
}

<#
    The app requests in the simulator's request log, each reduced to what identifies it: method, path with
    the ids replaced, query, content type and length (Authorization is never logged). Returns how many of
    each one submission sends.
#>
function Get-RequestShapes([int] $Submissions) {
    $shapes = @{}
    # Invoke-RestMethod hands a JSON array over as one object: unroll it
    foreach ($request in @(Invoke-Sim GET '_sim/requests' | ForEach-Object { $_ })) {
        if ($request.path -notmatch '^/[^/_]+/[^/]+/instances') { continue }   # the app's routes only, not tokens
        $path = $request.path -replace '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}', '{guid}' -replace '/instances/\d+/', '/instances/{party}/'
        $shape = "$($request.method) $path$($request.query)"
        if ($request.contentType) { $shape += " [$($request.contentType), $($request.contentLength) bytes]" }
        $shapes[$shape] = 1 + $(if ($shapes.ContainsKey($shape)) { $shapes[$shape] } else { 0 })
    }
    $per = [ordered]@{}
    foreach ($key in @($shapes.Keys | Sort-Object)) { $per[$key] = [Math]::Round($shapes[$key] / $Submissions, 3) }
    $per
}

# ---------- the three contenders ----------

<#
    The module and the script each run in a long-lived pwsh of their own, as the floor does: a contender's garbage,
    its JIT and its sockets must not be collected, compiled or closed while another one is being timed, and the
    benchmark's own work (the simulator's counters and request log, the receipts' checks) must not run in a
    contender's process. Each host makes and registers its own key, so no secret crosses a process boundary;
    commands go in on stdin, one line each.
#>
function Start-ContenderHost([string] $Name, [string] $Setup = '') {
    $info = [Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($argument in $pwshDll, '-NoProfile', '-NonInteractive', '-Command', '-') { $info.ArgumentList.Add($argument) }
    $info.UseShellExecute = $false
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.Environment['NO_COLOR'] = '1'
    $process = [Diagnostics.Process]::Start($info)
    $helpers = Join-Path $repoRoot 'tests/Pester/Support/AltinnTestHelpers.psm1'
    $common = "`$ErrorActionPreference = 'Stop'; Import-Module '$helpers'; `$sim = [pscustomobject]@{ BaseUri = '$($script:Sim.BaseUri)' }; " +
        "`$key = New-TestRsaJwk -KeyId 'bench-$Name-key'; `$clientId = Register-TestClient -Simulator `$sim -ClientId 'bench-$Name-client' -Jwk `$key -Organization '$organization'"
    $null = Invoke-ContenderHost $process $(if ($Setup) { "$common; $Setup" } else { $common })
    $process
}

function Invoke-ContenderHost([Diagnostics.Process] $Process, [string] $Command) {
    # one line in, lines out until the marker; a failure comes back as its message
    $Process.StandardInput.WriteLine("try { $Command } catch { '@@error ' + `$_.Exception.Message }; '@@end'")
    $Process.StandardInput.Flush()
    $lines = [Collections.Generic.List[string]]::new()
    while ($true) {
        $line = $Process.StandardOutput.ReadLine()
        if ($null -eq $line) { throw "A contender's host stopped (exit code $(if ($Process.HasExited) { $Process.ExitCode }))." }
        if ($line -eq '@@end') { break }
        if ($line.StartsWith('@@error ')) { throw "A contender's host failed: $($line.Substring(8))" }
        $lines.Add($line)
    }
    $lines
}

function Start-ScriptHost { $script:ScriptHost = Start-ContenderHost 'script' }

# the module's host imports the module under test and connects, as a user's script does, once
function Start-ModuleHost {
    $setup = "Import-Module '$ModulePath'; `$session = Connect-Altinn -MaskinportenUri `$sim.BaseUri -PlatformUri `$sim.BaseUri -AppBaseUri `$sim.BaseUri " +
        "-ClientId `$clientId -Jwk `$key.Private -SystemUserOrganization '$organization' -PassThru"
    $script:ModuleHost = Start-ContenderHost 'module' $setup
}

# The module's submissions in its host (bench/Submit-WithModule.ps1); -Steps for the per-step times only
function Invoke-ModuleSubmissions([int] $Count, [string] $Folder, [switch] $Steps) {
    $command = "& '$(Join-Path $PSScriptRoot 'Submit-WithModule.ps1')' -Session `$session -Count $Count -Folder '$Folder' -App '$app' -OrganizationNumber '$organization'" +
        $(if ($Steps) { ' -Steps' } else { '' }) + ' | ConvertTo-Json -Compress -AsArray'
    (Invoke-ContenderHost $script:ModuleHost $command) -join '' | ConvertFrom-Json | ForEach-Object { $_ }
}

# CPU time of a contender's own process
function Get-ContenderCpu([string] $Who) {
    $process = switch ($Who) { 'module' { $script:ModuleHost } 'floor' { $script:Floor } 'script' { $script:ScriptHost } }
    $process.Refresh()
    $process.TotalProcessorTime.TotalMilliseconds
}

function Invoke-ScriptSubmissions([int] $Count, [string] $Folder) {
    $base = $script:Sim.BaseUri
    $command = "& '$(Join-Path $PSScriptRoot 'Submit-WithInvokeRestMethod.ps1')' -ClientId `$clientId -Jwk `$key.Private -OrganizationNumber '$organization' -App '$app' " +
        "-Count $Count -ReceiptFolder '$Folder' -MaskinportenUri '$base' -PlatformUri '$base' -AppBaseUri '$base' | " +
        "ForEach-Object { [pscustomobject]@{ create = `$_.CreateMs; setData = `$_.SetDataMs; processNext = `$_.ProcessNextMs; receipt = `$_.ReceiptMs; total = `$_.TotalMs } } | ConvertTo-Json -Compress -AsArray"
    (Invoke-ContenderHost $script:ScriptHost $command) -join '' | ConvertFrom-Json | ForEach-Object { $_ }
}

<# The floor runs in one long-lived process, like the module's pwsh: warmed up once, then a batch per round. #>
function Start-Floor {
    $info = [Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($argument in $script:FloorDll, '--base-uri', $script:Sim.BaseUri, '--app', $app, '--organization', $organization, '--serve') { $info.ArgumentList.Add($argument) }
    $info.UseShellExecute = $false
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $process = [Diagnostics.Process]::Start($info)
    if ($process.StandardOutput.ReadLine() -notmatch '"ready"') { throw 'The floor did not start.' }
    $process
}

# Methods a contender's process has JIT-compiled so far; its warm-up lasts until this stops growing.
function Get-ContenderJit([string] $Who) {
    switch ($Who) {
        'module' { [long](Invoke-ContenderHost $script:ModuleHost '[System.Runtime.JitInfo]::GetCompiledMethodCount($false)') }
        'script' { [long](Invoke-ContenderHost $script:ScriptHost '[System.Runtime.JitInfo]::GetCompiledMethodCount($false)') }
        'floor' {
            $script:Floor.StandardInput.WriteLine('jit')
            $script:Floor.StandardInput.Flush()
            [long]$script:Floor.StandardOutput.ReadLine()
        }
    }
}

<#
    Warms a contender up until it runs at its steady speed: batches of submissions until one batch makes its process
    compile fewer than $plan.JitSettled methods (at least $plan.WarmupMin submissions, at most $plan.WarmupMax). The
    module's pwsh keeps tiering PowerShell's, the runtime's and the module's code up for some 2,000 submissions,
    the floor's small loop for far fewer; a fixed short warm-up timed the module while its JIT still took a core.
    The first batch's time per submission is kept: what a short batch in a fresh process pays.
#>
function Invoke-Warmup([string] $Who, [string] $Folder) {
    $done = 0
    $firstBatchMs = $null
    $jitBefore = Get-ContenderJit $Who
    while ($true) {
        $batchFolder = Join-Path $Folder "$Who-$done"
        New-Item -ItemType Directory $batchFolder | Out-Null
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $null = switch ($Who) {
            'floor' { Invoke-FloorSubmissions $plan.WarmupBatch $batchFolder }
            'module' { Invoke-ModuleSubmissions $plan.WarmupBatch $batchFolder }
            'script' { Invoke-ScriptSubmissions $plan.WarmupBatch $batchFolder }
        }
        $clock.Stop()
        Remove-Item -LiteralPath $batchFolder -Recurse -Force
        if ($null -eq $firstBatchMs) { $firstBatchMs = [Math]::Round($clock.Elapsed.TotalMilliseconds / $plan.WarmupBatch, 2) }
        $done += $plan.WarmupBatch
        $jit = Get-ContenderJit $Who
        $compiled = $jit - $jitBefore
        $jitBefore = $jit
        if (($done -ge $plan.WarmupMin -and $compiled -lt $plan.JitSettled) -or $done -ge $plan.WarmupMax) { break }
    }
    [ordered]@{ submissions = $done; batch = $plan.WarmupBatch; settledBelow = $plan.JitSettled; lastBatchJitted = $compiled; settled = $compiled -lt $plan.JitSettled; firstBatchMsEach = $firstBatchMs }
}

function Invoke-FloorSubmissions([int] $Count, [string] $Folder) {
    $script:Floor.StandardInput.WriteLine("submit $Count $Folder")
    $script:Floor.StandardInput.Flush()
    $line = $script:Floor.StandardOutput.ReadLine()
    if ($null -eq $line) { throw "The floor stopped (exit code $(if ($script:Floor.HasExited) { $script:Floor.ExitCode }))." }
    ($line | ConvertFrom-Json).submissions
}

function Test-Receipts([string] $Folder, [int] $Expected, [string] $Who) {
    $files = @(Get-ChildItem -LiteralPath $Folder -Filter *.pdf -File)
    if ($files.Count -ne $Expected) { throw "$Who saved $($files.Count) receipts, expected $Expected." }
    $sample = [IO.File]::ReadAllBytes($files[0].FullName)
    if ([Text.Encoding]::ASCII.GetString($sample, 0, 5) -ne '%PDF-') { throw "$Who saved a receipt that is not a PDF: $($files[0].FullName)" }
}

# ---------- machine ----------

function Get-LoadAverage { if (Test-Path /proc/loadavg) { ((Get-Content /proc/loadavg -Raw) -split ' ')[0..2] -join ' ' } else { $null } }

function Get-MachineInfo {
    $memory = [GC]::GetGCMemoryInfo().TotalAvailableMemoryBytes
    if (Test-Path /proc/meminfo) {
        $line = Select-String -Path /proc/meminfo -Pattern '^MemTotal:\s+(\d+) kB' | Select-Object -First 1
        if ($line) { $memory = [long]$line.Matches[0].Groups[1].Value * 1024 }
    }
    $cpu = if (Test-Path /proc/cpuinfo) { (Select-String -Path /proc/cpuinfo -Pattern '^model name\s*:\s*(.+)$' | Select-Object -First 1).Matches[0].Groups[1].Value.Trim() } else { $env:PROCESSOR_IDENTIFIER }
    [ordered]@{
        cores            = [Environment]::ProcessorCount
        memoryGiB        = [Math]::Round($memory / 1GB, 1)
        cpu              = $cpu
        os               = [Runtime.InteropServices.RuntimeInformation]::OSDescription
        dotnet           = [Runtime.InteropServices.RuntimeInformation]::FrameworkDescription
        pwsh             = $PSVersionTable.PSVersion.ToString()
        loadAverageStart = Get-LoadAverage
        loadAverageEnd   = $null
    }
}

# ================= run =================

$machine = Get-MachineInfo
Write-Phase "AltinnApp $moduleVersion benchmark$(if ($Smoke) { ' (smoke)' }) on $($machine.cores) cores, $($machine.os), $($machine.dotnet), pwsh $($machine.pwsh); load $($machine.loadAverageStart)"

if (-not $FloorDll) { $FloorDll = Join-Path $repoRoot 'out/AltinnApp.Bench.Floor/AltinnApp.Bench.Floor.dll' }
if (-not (Test-Path $FloorDll)) {
    Write-Phase 'building the floor (bench/AltinnApp.Bench.Floor)'
    & dotnet build (Join-Path $PSScriptRoot 'AltinnApp.Bench.Floor') -c Release -o (Split-Path $FloorDll) --nologo -v quiet | Out-Host
    if ($LASTEXITCODE -ne 0 -or -not (Test-Path $FloorDll)) { throw "The floor could not be built (exit code $LASTEXITCODE)." }
}
$script:FloorDll = (Resolve-Path $FloorDll).Path

$work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-bench-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory $work | Out-Null
$script:Sim = Start-AltinnSimulator -Name bench
$results = [ordered]@{}
try {
    $script:Key = New-TestRsaJwk -KeyId 'bench-key'
    $script:ClientId = Register-TestClient -Simulator $script:Sim -ClientId 'bench-client' -Jwk $script:Key -Organization $organization
    $connect = Get-SimulatorConnectParameters $script:Sim

    # ----- 1-3: module, script and floor, interleaved -----
    Invoke-Sim DELETE '_sim/counters'
    Start-ModuleHost
    # a token fetch is one login: a Maskinporten token (the exchange follows it); the module's is its host's Connect-Altinn
    $tokens = @{ module = (Invoke-Sim GET '_sim/counters').maskinportenTokensIssued; script = 0; floor = 0 }

    $warmup = New-Item -ItemType Directory (Join-Path $work 'warmup')
    $script:Floor = Start-Floor
    Start-ScriptHost
    $warmups = [ordered]@{}
    foreach ($who in 'floor', 'module', 'script') {
        Write-Phase "warming up the $who until its JIT settles (batches of $($plan.WarmupBatch), $($plan.WarmupMin) to $($plan.WarmupMax) submissions)"
        $warmups[$who] = Invoke-Warmup $who $warmup.FullName
        Write-Phase ("  {0}: {1} submissions, {2} methods compiled in the last batch; the first batch took {3} ms a submission" -f $who, $warmups[$who].submissions, $warmups[$who].lastBatchJitted, $warmups[$who].firstBatchMsEach)
    }

    # CPU time of each contender's own process over its rounds (the simulator's is in none of them)
    $cpu = @{ module = 0.0; script = 0.0; floor = 0.0 }
    $jitInRounds = @{ module = 0; script = 0; floor = 0 }
    $records = @{ module = [Collections.Generic.List[object]]::new(); moduleSteps = [Collections.Generic.List[object]]::new(); script = [Collections.Generic.List[object]]::new(); floor = [Collections.Generic.List[object]]::new() }
    $requests = [ordered]@{}
    for ($round = 1; $round -le $plan.Rounds; $round++) {
        Write-Phase "round $round of $($plan.Rounds): $perRound submissions each by the floor, the module and the script, then the module's with step marks"
        foreach ($who in 'floor', 'module', 'script') {
            $jitBefore = Get-ContenderJit $who
            $folder = Join-Path $work "$who-$round"
            New-Item -ItemType Directory $folder | Out-Null
            $before = Invoke-Sim GET '_sim/counters'
            Invoke-Sim DELETE '_sim/requests'
            $cpuBefore = Get-ContenderCpu $who
            $batch = switch ($who) {
                'floor' { Invoke-FloorSubmissions $perRound $folder }
                'module' { Invoke-ModuleSubmissions $perRound $folder }
                'script' { Invoke-ScriptSubmissions $perRound $folder }
            }
            $cpu[$who] += (Get-ContenderCpu $who) - $cpuBefore
            $jitInRounds[$who] += (Get-ContenderJit $who) - $jitBefore
            $after = Invoke-Sim GET '_sim/counters'
            $batch = @($batch)
            if ($batch.Count -ne $perRound) { throw "$who returned $($batch.Count) timings, expected $perRound." }
            $done = $perRound
            Test-Receipts $folder $done $who
            $records[$who].AddRange([object[]]$batch)
            $tokens[$who] += $after.maskinportenTokensIssued - $before.maskinportenTokensIssued
            if ($round -eq 1) { $requests[$who] = Get-RequestShapes $done }
        }

        # the module's per-step times, from a batch of its own: the marks would slow the timed batch above
        $folder = Join-Path $work "module-steps-$round"
        New-Item -ItemType Directory $folder | Out-Null
        $batch = @(Invoke-ModuleSubmissions $perRound $folder -Steps)
        Test-Receipts $folder $perRound 'module (step marks)'
        $records.moduleSteps.AddRange([object[]]$batch)
    }
    $sameRequests = ($requests.module | ConvertTo-Json -Compress) -eq ($requests.floor | ConvertTo-Json -Compress)
    if (-not $sameRequests) { throw "The floor does not send the module's requests. Module: $($requests.module | ConvertTo-Json -Compress); floor: $($requests.floor | ConvertTo-Json -Compress)" }

    $results.sequential = [ordered]@{
        submissions = $plan.Submissions
        rounds      = $plan.Rounds
        module      = Get-SequentialSummary $records.module $tokens.module -StepRecords $records.moduleSteps
        script      = Get-SequentialSummary $records.script $tokens.script
        floor       = Get-SequentialSummary $records.floor $tokens.floor
    }
    foreach ($who in 'module', 'script', 'floor') {
        $results.sequential[$who].cpuMsPerSubmission = [Math]::Round($cpu[$who] / $plan.Submissions, 3)
        $results.sequential[$who].warmup = $warmups[$who]
        $results.sequential[$who].jittedInRounds = $jitInRounds[$who]
    }
    $results.sequential.requestsPerSubmission = [ordered]@{ module = $requests.module; floor = $requests.floor; script = $requests.script; moduleEqualsFloor = $sameRequests }
    $results.ratios = [ordered]@{
        moduleToFloor  = Get-Ratio $results.sequential.module.perSecond $results.sequential.floor.perSecond
        moduleToScript = Get-Ratio $results.sequential.module.perSecond $results.sequential.script.perSecond
        # medians are steadier than means on a shared machine; shown beside the throughput ratios
        moduleToFloorByMedian  = Get-Ratio $results.sequential.floor.stepsMs.total.p50 $results.sequential.module.stepsMs.total.p50
        moduleToScriptByMedian = Get-Ratio $results.sequential.script.stepsMs.total.p50 $results.sequential.module.stepsMs.total.p50
    }

    if ($Phase -eq 'Sequential') {
        # only the interleaved rounds: the numbers for the module's own cost, without the rest of the run
        $machine.loadAverageEnd = Get-LoadAverage
        $only = [ordered]@{ started = $started.ToString('o'); durationSeconds = [Math]::Round($runClock.Elapsed.TotalSeconds, 1); moduleVersion = $moduleVersion; machine = $machine; sequential = $results.sequential; ratios = $results.ratios }
        $only | ConvertTo-Json -Depth 10 | Set-Content -LiteralPath "$OutputPath.sequential.json" -Encoding utf8NoBOM
        Write-Phase "wrote $OutputPath.sequential.json"
        foreach ($who in 'floor', 'module', 'script') {
            $c = $results.sequential[$who]
            Write-Host ("  {0,-6} {1,7:0.0}/s  p50 {2} ms  p95 {3} ms  CPU {4} ms per submission; warmed up over {5}, {6} methods compiled in the rounds" -f $who, $c.perSecond, $c.stepsMs.total.p50, $c.stepsMs.total.p95, $c.cpuMsPerSubmission, $c.warmup.submissions, $c.jittedInRounds)
        }
        Write-Host ("  module/floor {0}, module/script {1} (medians: {2}, {3}); load {4} at start, {5} at end" -f $results.ratios.moduleToFloor, $results.ratios.moduleToScript,
            $results.ratios.moduleToFloorByMedian, $results.ratios.moduleToScriptByMedian, $machine.loadAverageStart, $machine.loadAverageEnd)
        return
    }

    # ----- 4: 50 ms per request, one after another and in parallel on one session -----
    Write-Phase "adding $latencyMs ms to every request"
    Invoke-Sim PUT '_sim/faults' @{ rules = @(@{ pathPrefix = '/'; latencyMs = $latencyMs }); seed = 1 } | Out-Null
    Invoke-Sim DELETE '_sim/counters'
    $latencyStart = Invoke-Sim GET '_sim/counters'
    $shared = Connect-Altinn @connect -ClientId $script:ClientId -Jwk $script:Key.Private -SystemUserOrganization $organization -PassThru

    Write-Phase "module one after another: $($plan.LatencySequential) submissions"
    $folder = Join-Path $work 'latency-sequential'
    New-Item -ItemType Directory $folder | Out-Null
    $sequentialRecords = @(& (Join-Path $PSScriptRoot 'Submit-WithModule.ps1') -Session $shared -Count $plan.LatencySequential -Folder $folder -App $app -OrganizationNumber $organization)
    Test-Receipts $folder $plan.LatencySequential 'module (50 ms, sequential)'
    $latency = [ordered]@{ addedMsPerRequest = $latencyMs; sequential = Get-SequentialSummary $sequentialRecords $null }
    $latency.sequential.Remove('tokenFetches')

    # the floor with the same latency: what the module costs once the network is in the way, as it is to Altinn
    Write-Phase "floor one after another: $($plan.LatencySequential) submissions"
    $folder = Join-Path $work 'latency-floor'
    New-Item -ItemType Directory $folder | Out-Null
    $latency.floorSequential = Get-SequentialSummary @(Invoke-FloorSubmissions $plan.LatencySequential $folder) $null
    $latency.floorSequential.Remove('tokenFetches')
    Test-Receipts $folder $plan.LatencySequential 'floor (50 ms, sequential)'
    $latency.moduleToFloor = Get-Ratio $latency.sequential.perSecond $latency.floorSequential.perSecond

    foreach ($throttle in 4, 8) {
        $parallelCount = $plan["Throttle$throttle"]  # not $count: that is the -Count parameter, validated 10 and up
        Write-Phase "module under ForEach-Object -Parallel -ThrottleLimit ${throttle}: $parallelCount submissions on one session"
        $folder = Join-Path $work "latency-throttle$throttle"
        New-Item -ItemType Directory $folder | Out-Null
        $wall = [Diagnostics.Stopwatch]::StartNew()
        $times = @(1..$parallelCount | ForEach-Object -ThrottleLimit $throttle -Parallel {
                $clock = [Diagnostics.Stopwatch]::StartNew()
                $file = New-AltinnInstance -App $using:app -OrganizationNumber $using:organization -Prefill @{ property1 = 'value1' } -Session $using:shared |
                    Set-AltinnData -DataType model -Value @{ property1 = 'value4'; property2 = 'value5'; property3 = 'value6' } |
                    Invoke-AltinnProcessNext |
                    Save-AltinnReceipt -Path $using:folder
                if ($file) { $clock.Elapsed.TotalMilliseconds }
            })
        $wall.Stop()
        if ($times.Count -ne $parallelCount) { throw "ForEach-Object -Parallel with throttle $throttle completed $($times.Count) of $parallelCount submissions." }
        Test-Receipts $folder $parallelCount "module (50 ms, throttle $throttle)"
        $latency["throttle$throttle"] = [ordered]@{
            submissions = $parallelCount
            seconds     = [Math]::Round($wall.Elapsed.TotalSeconds, 3)
            perSecond   = [Math]::Round($parallelCount / $wall.Elapsed.TotalSeconds, 2)
            stepsMs     = [ordered]@{ total = Get-StepSummary ([double[]]$times) }
        }
    }
    $latencyEnd = Invoke-Sim GET '_sim/counters'
    $latency.tokenFetches = [ordered]@{ maskinporten = $latencyEnd.maskinportenTokensIssued - $latencyStart.maskinportenTokensIssued; altinn = $latencyEnd.altinnTokensIssued - $latencyStart.altinnTokensIssued }
    $latency.throttle4ToSequential = Get-Ratio $latency.throttle4.perSecond $latency.sequential.perSecond
    $latency.throttle8ToSequential = Get-Ratio $latency.throttle8.perSecond $latency.sequential.perSecond
    $results.latency = $latency
    Disconnect-Altinn -Session $shared
    Invoke-Sim DELETE '_sim/faults'

    # ----- 4b: a batch at throttle 16 under a rate limit (429 with Retry-After beyond N requests a second) -----
    Write-Phase "module under ForEach-Object -Parallel -ThrottleLimit 16 against a limit of $($plan.RateLimit) requests a second: $($plan.RateLimitSubmissions) submissions"
    $folder = New-Item -ItemType Directory (Join-Path $work 'rate-limit')
    $results.rateLimit = & (Join-Path $PSScriptRoot 'Measure-RateLimit.ps1') -Simulator $script:Sim -Folder $folder.FullName -App $app -Organization $organization `
        -Submissions $plan.RateLimitSubmissions -Throttle 16 -RequestsPerSecond $plan.RateLimit `
        -Connect (@{ ClientId = $script:ClientId; Jwk = $script:Key.Private; SystemUserOrganization = $organization } + $connect)
    Test-Receipts $folder.FullName $plan.RateLimitSubmissions 'module (rate limit, throttle 16)'

    # ----- 4c: the journal's cost in a parallel batch (its own simulator) -----
    Write-Phase "journaled against plain under ForEach-Object -Parallel -ThrottleLimit 8, $latencyMs ms added: $($plan.JournalParallelSubmissions) submissions each, $($plan.JournalParallelRounds) round(s)"
    $folder = New-Item -ItemType Directory (Join-Path $work 'journal-parallel')
    $results.journalParallel = & (Join-Path $PSScriptRoot 'Measure-JournalParallel.ps1') -SimulatorDll $SimulatorDll -Work $folder.FullName `
        -Submissions $plan.JournalParallelSubmissions -Rounds $plan.JournalParallelRounds -LatencyMs $latencyMs

    # ----- 4d: the journal at scale (its own simulator) -----
    Write-Phase "journal at scale: $($plan.JournalCount) journaled submissions in one run, then Get-AltinnJournal on $($plan.JournalKeys) keys"
    $folder = New-Item -ItemType Directory (Join-Path $work 'journal-scale')
    $results.journal = & (Join-Path $PSScriptRoot 'Measure-Journal.ps1') -SimulatorDll $SimulatorDll -Work $folder.FullName -Count $plan.JournalCount -JournalKeys $plan.JournalKeys

    # ----- 5: import time over a bare pwsh -----
    Write-Phase "Import-Module AltinnApp against a bare pwsh, $($plan.ImportRuns) runs each"
    # A reference: a one-function module with a manifest and a one-view format file, i.e. what PowerShell
    # itself costs for importing any module of that shape, so the module's own part can be told apart.
    $reference = New-Item -ItemType Directory (Join-Path $work 'reference/AltinnBenchReference')
    Set-Content (Join-Path $reference 'AltinnBenchReference.psm1') 'function Get-AltinnBenchReference { [pscustomobject]@{ PSTypeName = ''AltinnBench.Reference''; Name = ''x'' } }'
    Set-Content (Join-Path $reference 'AltinnBenchReference.Format.ps1xml') @'
<?xml version="1.0" encoding="utf-8"?>
<Configuration><ViewDefinitions><View><Name>AltinnBench.Reference</Name><ViewSelectedBy><TypeName>AltinnBench.Reference</TypeName></ViewSelectedBy>
<TableControl><TableHeaders><TableColumnHeader /></TableHeaders><TableRowEntries><TableRowEntry><TableColumnItems><TableColumnItem><PropertyName>Name</PropertyName></TableColumnItem></TableColumnItems></TableRowEntry></TableRowEntries></TableControl></View></ViewDefinitions></Configuration>
'@
    New-ModuleManifest -Path (Join-Path $reference 'AltinnBenchReference.psd1') -RootModule 'AltinnBenchReference.psm1' -ModuleVersion '1.0.0' -FunctionsToExport 'Get-AltinnBenchReference' `
        -CmdletsToExport @() -AliasesToExport @() -VariablesToExport @() -FormatsToProcess 'AltinnBenchReference.Format.ps1xml'
    # found by name like AltinnApp, so both pay the same module search
    $env:PSModulePath = (Split-Path $reference) + [IO.Path]::PathSeparator + $env:PSModulePath

    # the import's own time is printed by the child: a steadier number than the difference of two process lives
    function Get-ImportCommand([string] $Module, [string] $ExpectedBase) {
        "`$clock = [Diagnostics.Stopwatch]::StartNew(); Import-Module $Module -ErrorAction Stop; `$ms = `$clock.Elapsed.TotalMilliseconds; " +
        "if ((Get-Module $(Split-Path $Module -LeafBase)).ModuleBase -ne '$ExpectedBase') { exit 3 }; [Console]::Out.WriteLine(`$ms.ToString([Globalization.CultureInfo]::InvariantCulture)); exit"
    }
    function Invoke-TimedImport([string] $Command) {
        $printed = & dotnet $pwshDll -NoProfile -NonInteractive -Command $Command
        if ($LASTEXITCODE -ne 0) { throw "Import-Module failed in a fresh pwsh (exit code $LASTEXITCODE): $Command" }
        [double]::Parse(($printed | Select-Object -Last 1), [Globalization.CultureInfo]::InvariantCulture)
    }
    $importCommand = Get-ImportCommand 'AltinnApp' (Split-Path $ModulePath)
    $referenceCommand = Get-ImportCommand 'AltinnBenchReference' $reference.FullName
    $bare = [Collections.Generic.List[double]]::new(); $imported = [Collections.Generic.List[double]]::new()
    $inside = [Collections.Generic.List[double]]::new(); $referenceInside = [Collections.Generic.List[double]]::new()
    if (-not $Smoke) { & dotnet $pwshDll -NoProfile -NonInteractive -Command exit }   # one untimed start: disk cache
    for ($run = 0; $run -lt $plan.ImportRuns; $run++) {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        & dotnet $pwshDll -NoProfile -NonInteractive -Command exit
        $bare.Add($clock.Elapsed.TotalMilliseconds)
        $clock.Restart()
        $inside.Add((Invoke-TimedImport $importCommand))
        $imported.Add($clock.Elapsed.TotalMilliseconds)
        $referenceInside.Add((Invoke-TimedImport $referenceCommand))
    }
    $bareMedian = Get-Percentile $bare 50; $importMedian = Get-Percentile $imported 50
    $results.import = [ordered]@{
        runs                     = $plan.ImportRuns
        bareMs                   = @($bare | ForEach-Object { [Math]::Round($_, 1) })
        importMs                 = @($imported | ForEach-Object { [Math]::Round($_, 1) })
        bareMedianMs             = $bareMedian
        importMedianMs           = $importMedian
        overheadSeconds          = [Math]::Round(($importMedian - $bareMedian) / 1000, 3)
        importCommandMs          = @($inside | ForEach-Object { [Math]::Round($_, 1) })
        importCommandMedianMs    = Get-Percentile $inside 50
        referenceImportMs        = @($referenceInside | ForEach-Object { [Math]::Round($_, 1) })
        referenceImportMedianMs  = Get-Percentile $referenceInside 50
    }

    # ----- 6: 512 MiB up and down -----
    $results.transfer = [ordered]@{ sizeMiB = $TransferMiB; measured = $false; reason = $null }
    $transferCommands = @(Get-Command -Module AltinnApp -Name Add-AltinnAttachment, Save-AltinnData -ErrorAction SilentlyContinue)
    if (-not $plan.Transfer) {
        $results.transfer.reason = 'not part of the smoke run'
    } elseif ($transferCommands.Count -lt 2) {
        $results.transfer.reason = 'this build of AltinnApp has no Add-AltinnAttachment and Save-AltinnData'
    } else {
        Write-Phase "transfer of a $TransferMiB MiB attachment up and down in a fresh pwsh"
        $results.transfer = & (Join-Path $PSScriptRoot 'Measure-Transfer.ps1') -ModulePath $ModulePath -Simulator $script:Sim -SizeMiB $TransferMiB -WorkFolder $work
    }
} finally {
    foreach ($name in 'Floor', 'ScriptHost', 'ModuleHost') {
        $process = Get-Variable -Scope Script -Name $name -ValueOnly -ErrorAction SilentlyContinue
        if ($process -and -not $process.HasExited) {
            $process.StandardInput.WriteLine('exit')
            if (-not $process.WaitForExit(5000)) { $process.Kill($true) }
        }
    }
    Stop-AltinnSimulator $script:Sim
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}

# ================= results =================

$machine.loadAverageEnd = Get-LoadAverage
$targets = [Collections.Generic.List[object]]::new()
function Add-Target([string] $Name, [string] $Goal, $Actual, [bool] $Met) { $targets.Add([ordered]@{ name = $Name; goal = $Goal; actual = $Actual; met = $Met }) }
Add-Target 'module vs floor' '>= 0.7 x floor throughput' $results.ratios.moduleToFloor ($results.ratios.moduleToFloor -ge 0.7)
Add-Target 'module vs script' '>= 2 x script throughput' $results.ratios.moduleToScript ($results.ratios.moduleToScript -ge 2)
Add-Target 'throttle 8 vs one after another (50 ms added)' '>= 5 x' $results.latency.throttle8ToSequential ($results.latency.throttle8ToSequential -ge 5)
$fetches = $results.latency.tokenFetches
Add-Target 'token fetches, 50 ms phase, one shared session' '1' "$($fetches.maskinporten) Maskinporten, $($fetches.altinn) exchange" ($fetches.maskinporten -eq 1 -and $fetches.altinn -eq 1)
Add-Target 'import overhead' '< 0.3 s' $results.import.overheadSeconds ($results.import.overheadSeconds -lt 0.3)
$rl = $results.rateLimit
Add-Target "rate limit of $($rl.requestsPerSecond) a second, throttle 16: refused" '< 5 % of requests' ('{0:0.0} %' -f ($rl.refusedShare * 100)) ($rl.refusedShare -lt 0.05)
Add-Target "rate limit of $($rl.requestsPerSecond) a second, throttle 16: time" '<= 1.2 x the ideal' $rl.toIdeal ($rl.toIdeal -le 1.2)
$jp = $results.journalParallel
Add-Target 'journaled vs plain, throttle 8, 50 ms added' '>= 0.9 x plain throughput' $jp.medianRatio ($jp.medianRatio -ge 0.9)
$js = $results.journal
Add-Target "$($js.submissions) journaled in one run: last $($js.window) vs first" '<= 1.2 x the time per submission' $js.lastOverFirst ($js.lastOverFirst -le 1.2)
Add-Target "$($js.submissions) journaled in one run: working-set growth" '< 100 MiB' $js.workingSetGrowthMiB ($js.workingSetGrowthMiB -lt 100)
Add-Target "the run's journal read at start (fresh pwsh)" '< 2 s' ('{0:0} ms' -f $js.readAtStartMs) ($js.readAtStartMs -lt 2000)
Add-Target "Get-AltinnJournal -State Failed, $($js.syntheticKeys) keys (fresh pwsh)" '< 2 s' ('{0:0} ms' -f $js.failedQueryMs) ($js.failedQueryMs -lt 2000)
if ($results.transfer.measured) {
    Add-Target "peak working-set growth, $TransferMiB MiB upload and download" '< 64 MiB' $results.transfer.growthMiB ($results.transfer.growthMiB -lt 64)
}

$document = [ordered]@{
    schemaVersion   = 1
    smoke           = [bool]$Smoke
    started         = $started.ToString('o')
    durationSeconds = [Math]::Round($runClock.Elapsed.TotalSeconds, 1)
    moduleVersion   = $moduleVersion
    machine         = $machine
    sequential      = $results.sequential
    ratios          = $results.ratios
    latency         = $results.latency
    rateLimit       = $results.rateLimit
    journalParallel = $results.journalParallel
    journal         = $results.journal
    import          = $results.import
    transfer        = $results.transfer
    targets         = $targets
}
$outFolder = Split-Path $OutputPath
if ($outFolder) { New-Item -ItemType Directory -Force $outFolder | Out-Null }
$document | ConvertTo-Json -Depth 10 | Set-Content -LiteralPath "$OutputPath.json" -Encoding utf8NoBOM
& (Join-Path $PSScriptRoot 'Format-BenchmarkReport.ps1') -Result $document | Set-Content -LiteralPath "$OutputPath.md" -Encoding utf8NoBOM

Write-Phase "wrote $OutputPath.md and $OutputPath.json"
foreach ($target in $targets) { Write-Host ("  {0,-4} {1}: {2} (goal {3})" -f $(if ($target.met) { 'met' } else { 'MISS' }), $target.name, $target.actual, $target.goal) }
