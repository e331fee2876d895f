<#
.SYNOPSIS
    Renders the benchmark's result (what Invoke-Benchmark.ps1 writes as JSON) as the Markdown of
    bench/results.md. bench/what-bounds-it.md, the analysis written by hand, is appended as it is.
.EXAMPLE
    Get-Content bench/results.json -Raw | ConvertFrom-Json | ./bench/Format-BenchmarkReport.ps1 > bench/results.md
#>
[CmdletBinding()]
param([Parameter(Mandatory, ValueFromPipeline)] $Result)
process {
    Set-StrictMode -Version 3.0
    $r = $Result
    $lines = [Collections.Generic.List[string]]::new()
    function Add([string] $Text = '') { $lines.Add($Text) }
    function Cell($Summary) { if ($null -eq $Summary) { '–' } else { '{0:0.00} / {1:0.00}' -f $Summary.p50, $Summary.p95 } }

    Add '# AltinnApp benchmark results'
    Add
    Add ("Run {0} ({1}), {2:0} s, AltinnApp {3}. Written by ``bench/Invoke-Benchmark.ps1``{4}; ``build.ps1 -Task Bench`` runs it." -f `
            ([DateTimeOffset]::Parse($r.started).ToString('yyyy-MM-dd HH:mm') + ' UTC'), $(if ($r.smoke) { 'smoke run: the numbers say nothing about speed' } else { 'full run' }),
        $r.durationSeconds, $r.moduleVersion, $(if ($r.smoke) { ' -Smoke' } else { '' }))
    Add
    Add '## Machine'
    Add
    Add '| cores | memory | CPU | OS | .NET | pwsh | load average (1/5/15 min) at start, at end |'
    Add '|---|---|---|---|---|---|---|'
    $m = $r.machine
    Add ("| {0} | {1} GiB | {2} | {3} | {4} | {5} | {6}; {7} |" -f $m.cores, $m.memoryGiB, $m.cpu, $m.os, $m.dotnet, $m.pwsh, $m.loadAverageStart, $m.loadAverageEnd)
    Add
    Add 'The machine is shared: other builds run beside the benchmark, so the load average says how quiet it was.'
    Add
    Add '## Targets'
    Add
    Add '| target | goal | this run | |'
    Add '|---|---|---|---|'
    foreach ($t in $r.targets) { Add ("| {0} | {1} | {2} | {3} |" -f $t.name, $t.goal, $t.actual, $(if ($t.met) { 'met' } else { '**missed**' })) }
    Add
    $s = $r.sequential
    Add "## Submissions one after another ($($s.submissions) each, no added latency)"
    Add
    Add "One submission = create with prefill → set data → process next (and read the instance back) → save the receipt PDF. The floor, the module and the script ran interleaved in $($s.rounds) rounds against one simulator, each in a long-lived process of its own; throughput is submissions divided by the sum of their times. Milliseconds as p50 / p95."
    # results written before the warm-up was recorded have none (a dictionary in the run, an object when read back from JSON)
    $hasWarmup = if ($s.module -is [Collections.IDictionary]) { $s.module.Contains('warmup') } else { @($s.module.PSObject.Properties.Name) -contains 'warmup' }
    if ($hasWarmup) {
        Add
        Add "The module's step columns come from batches of their own with a mark between the stages (four script-filter calls, 0.3–0.5 ms a submission the floor's compiled laps do not cost); its throughput and whole submission come from batches without them, timed by a clock around the pipeline statement."
    }
    Add
    Add '| contender | submissions/s | create | set data | process next | receipt | whole submission | logins |'
    Add '|---|---|---|---|---|---|---|---|'
    foreach ($pair in @(@('floor (HttpClient loop)', $s.floor), @('module (pipeline)', $s.module), @('script (Invoke-RestMethod)', $s.script))) {
        $c = $pair[1]
        Add ("| {0} | {1:0.0} | {2} | {3} | {4} | {5} | {6} | {7} |" -f $pair[0], $c.perSecond, (Cell $c.stepsMs.create), (Cell $c.stepsMs.setData), (Cell $c.stepsMs.processNext), (Cell $c.stepsMs.receipt), (Cell $c.stepsMs.total), $c.tokenFetches)
    }
    Add
    Add 'Logins are Maskinporten tokens issued during the rounds (the module''s one is its Connect-Altinn; the script logs in once per run, one run per round; the floor takes a localtest token, outside what is timed).'
    Add
    Add ("Ratios of throughput: module/floor **{0}**, module/script **{1}** (from medians: {2} and {3})." -f $r.ratios.moduleToFloor, $r.ratios.moduleToScript, $r.ratios.moduleToFloorByMedian, $r.ratios.moduleToScriptByMedian)
    # results written before CPU time was recorded have none (a dictionary in the run, an object when read back from JSON)
    $hasCpu = if ($s.module -is [Collections.IDictionary]) { $s.module.Contains('cpuMsPerSubmission') } else { @($s.module.PSObject.Properties.Name) -contains 'cpuMsPerSubmission' }
    if ($hasCpu) {
        Add
        Add ("CPU time per submission, each contender's own process over its rounds (Process.TotalProcessorTime; the simulator's is in none): floor {0} ms, module {1} ms, script {2} ms." -f $s.floor.cpuMsPerSubmission, $s.module.cpuMsPerSubmission, $s.script.cpuMsPerSubmission)
    }
    if ($hasWarmup) {
        Add
        Add ("Warm-up: each contender ran batches of {8} submissions until a batch made its process compile fewer than {0} methods (its JIT had settled): floor {1}, module {2}, script {3} submissions{4}. Methods compiled during the timed rounds: floor {5}, module {6}, script {7}." -f `
                $s.module.warmup.settledBelow, $s.floor.warmup.submissions, $s.module.warmup.submissions, $s.script.warmup.submissions,
                $(if (-not ($s.floor.warmup.settled -and $s.module.warmup.settled -and $s.script.warmup.settled)) { ' (**not settled in every process**: stopped at the most the run allows)' } else { '' }),
                $s.floor.jittedInRounds, $s.module.jittedInRounds, $s.script.jittedInRounds, $s.module.warmup.batch)
        Add
        Add ("The first batch of the warm-up, in a fresh process with the JIT compiling (what a short batch pays), took floor {0} ms, module {1} ms, script {2} ms a submission (the floor's includes warming the fresh simulator up)." -f `
                $s.floor.warmup.firstBatchMsEach, $s.module.warmup.firstBatchMsEach, $s.script.warmup.firstBatchMsEach)
    }
    Add
    Add 'Requests per submission, from the simulator''s request log (first round; ids shown as {party} and {guid}):'
    Add
    Add '| request | module | floor | script |'
    Add '|---|---|---|---|'
    $routes = @(@($s.requestsPerSubmission.module, $s.requestsPerSubmission.floor, $s.requestsPerSubmission.script) | ForEach-Object {
            if ($_ -is [Collections.IDictionary]) { $_.Keys } else { $_.PSObject.Properties.Name } } | Sort-Object -Unique)
    foreach ($route in $routes) {
        $values = foreach ($who in 'module', 'floor', 'script') {
            $table = $s.requestsPerSubmission.$who
            $value = if ($table -is [Collections.IDictionary]) { $table[$route] } elseif ($table.PSObject.Properties[$route]) { $table.PSObject.Properties[$route].Value } else { $null }
            if ($null -eq $value) { '–' } else { $value }
        }
        Add ("| ``{0}`` | {1} | {2} | {3} |" -f $route, $values[0], $values[1], $values[2])
    }
    Add
    Add "The floor sends the module's requests: $(if ($s.requestsPerSubmission.moduleEqualsFloor) { 'checked: the same methods, paths, queries, content types and lengths, as often' } else { '**not the same**' }). The script's requests are the guide's, as a user copies them."
    Add
    $l = $r.latency
    Add "## $($l.addedMsPerRequest) ms added to every request (the simulator's latency fault)"
    Add
    Add '| run | submissions | seconds | submissions/s | whole submission p50 / p95 ms |'
    Add '|---|---|---|---|---|'
    Add ("| floor, one after another | {0} | {1:0.0} | {2:0.0} | {3} |" -f $l.floorSequential.submissions, $l.floorSequential.seconds, $l.floorSequential.perSecond, (Cell $l.floorSequential.stepsMs.total))
    Add ("| module, one after another | {0} | {1:0.0} | {2:0.0} | {3} |" -f $l.sequential.submissions, $l.sequential.seconds, $l.sequential.perSecond, (Cell $l.sequential.stepsMs.total))
    Add ("| ForEach-Object -Parallel -ThrottleLimit 4, one session | {0} | {1:0.0} | {2:0.0} | {3} |" -f $l.throttle4.submissions, $l.throttle4.seconds, $l.throttle4.perSecond, (Cell $l.throttle4.stepsMs.total))
    Add ("| ForEach-Object -Parallel -ThrottleLimit 8, one session | {0} | {1:0.0} | {2:0.0} | {3} |" -f $l.throttle8.submissions, $l.throttle8.seconds, $l.throttle8.perSecond, (Cell $l.throttle8.stepsMs.total))
    Add
    Add ("Module / floor, one after another: **{4}**. Throttle 4 / one after another: **{0}**; throttle 8 / one after another: **{1}**. Token fetches in the whole phase (connect included): {2} from Maskinporten and {3} exchanged. The parallel runs' seconds are wall-clock from the first runspace's start to the last submission, so they include creating the runspaces and loading the module into each." -f `
            $l.throttle4ToSequential, $l.throttle8ToSequential, $l.tokenFetches.maskinporten, $l.tokenFetches.altinn, $l.moduleToFloor)
    Add
    # phases added later: results written before them have none
    function Part([string] $Name) {
        if ($r -is [Collections.IDictionary]) { if ($r.Contains($Name)) { $r[$Name] } else { $null } }
        elseif ($r.PSObject.Properties[$Name]) { $r.PSObject.Properties[$Name].Value } else { $null }
    }
    $rl = Part 'rateLimit'
    if ($rl) {
        Add "## Under a rate limit of $($rl.requestsPerSecond) requests a second"
        Add
        Add ("$($rl.submissions) submissions under ``ForEach-Object -Parallel -ThrottleLimit $($rl.throttle)`` on one session, against the simulator's rate limit on the app's routes (429 with ``Retry-After`` beyond it). The ideal time is the app requests carried out divided by the limit.")
        Add
        Add '| requests sent | refused (429) | seconds | ideal seconds | time / ideal |'
        Add '|---|---|---|---|---|'
        Add ("| {0} | {1} ({2:0.0} %) | {3:0.0} | {4:0.0} | **{5}** |" -f $rl.requestsSent, $rl.requestsRefused, ($rl.refusedShare * 100), $rl.seconds, $rl.idealSeconds, $rl.toIdeal)
        Add
    }
    $jp = Part 'journalParallel'
    if ($jp) {
        Add '## The journal in a parallel batch'
        Add
        Add ("$($jp.submissions) submissions under ``ForEach-Object -Parallel -ThrottleLimit $($jp.throttle)`` on one session, $($jp.latencyMs) ms added to every request, with ``-Journal``/``-Key`` (one journal, a key each) and without, alternating for $($jp.rounds) round(s) after an untimed warm-up of each.")
        Add
        Add '| plain (submissions/s) | journaled | journaled / plain, per round | median | journal lines |'
        Add '|---|---|---|---|---|'
        Add ("| {0} | {1} | {2} | **{3}** | {4} |" -f $jp.plainPerSecond, $jp.journaledPerSecond, $jp.ratios, $jp.medianRatio, $jp.journalLines)
        Add
    }
    $js = Part 'journal'
    if ($js) {
        Add "## The journal at scale: $($js.submissions) journaled submissions in one run"
        Add
        Add 'One after another, one journal, a key each, no added latency. Times are client time per submission; the reads run in a fresh pwsh that has imported the module (the import is not timed).'
        Add
        Add '| measure | result |'
        Add '|---|---|'
        Add ("| time per submission, first {0} | {1:0.00} ms |" -f $js.window, $js.firstMeanMs)
        Add ("| time per submission, last {0} | {1:0.00} ms (**{2}x** the first) |" -f $js.window, $js.lastMeanMs, $js.lastOverFirst)
        Add ("| working set after the first {0} → end (after a full GC) | {1} → {2} MiB, **{3:+0.0;-0.0} MiB** |" -f $js.window, $js.workingSetAfterFirstMiB, $js.workingSetEndMiB, $js.workingSetGrowthMiB)
        Add ("| the run's journal ({0} lines, {1} MiB) read at start: ``Get-AltinnJournal -Key`` | **{2:0} ms** (a one-key journal: {3:0} ms) |" -f $js.journalLines, $js.journalMiB, $js.readAtStartMs, $js.coldStartOneKeyMs)
        Add ("| ``Get-AltinnJournal -State Failed`` on a synthetic {0}-key journal ({1} MiB, 7 lines a key, one key in 20 failed) | **{2:0} ms**, {3} found |" -f $js.syntheticKeys, $js.syntheticMiB, $js.failedQueryMs, $js.failedFound)
        Add
    }
    $i = $r.import
    Add '## Import time'
    Add
    Add ("Median of {0} fresh processes each: ``pwsh -NoProfile -Command exit`` {1:0} ms, with ``Import-Module AltinnApp`` {2:0} ms: **{3:0.000} s** of import." -f $i.runs, $i.bareMedianMs, $i.importMedianMs, $i.overheadSeconds)
    Add ("Bare: {0}. With the import: {1}." -f ($i.bareMs -join ', '), ($i.importMs -join ', '))
    Add
    Add ("Inside those processes, ``Import-Module AltinnApp`` itself took {0:0} ms (median; {1}): the steadier number where process start-up varies by more than the import costs. For scale, importing a one-function script module with a manifest and a one-view format file took {2:0} ms (median; {3}): PowerShell's own cost for any module of that shape." -f `
            $i.importCommandMedianMs, ($i.importCommandMs -join ', '), $i.referenceImportMedianMs, ($i.referenceImportMs -join ', '))
    Add
    $x = $r.transfer
    Add "## $($x.sizeMiB) MiB attachment up and down"
    Add
    if ($x.measured) {
        Add '| transfer | seconds | MiB/s | working set before | peak | growth |'
        Add '|---|---|---|---|---|---|'
        foreach ($pair in @(@('upload (Add-AltinnAttachment)', $x.upload), @('download (Save-AltinnData)', $x.download))) {
            $t = $pair[1]
            Add ("| {0} | {1:0.0} | {2:0.0} | {3:0} MiB | {4:0} MiB | {5:0.0} MiB |" -f $pair[0], $t.seconds, $t.mibPerSecond, $t.baselineMiB, $t.peakMiB, $t.growthMiB)
        }
        Add
        Add ("Peak working-set growth over both: **{0:0.0} MiB** ({1}). Sampled from outside every 20 ms, the process peaked at {2:0} MiB over its whole life (start-up and import included); the downloaded file was checked to be the uploaded one (SHA-256)." -f $x.growthMiB, $x.method, $x.outsidePeakMiB)
    } else {
        Add "Not measured: $($x.reason)."
    }
    Add
    $analysis = Join-Path $PSScriptRoot 'what-bounds-it.md'
    if (Test-Path $analysis) {
        foreach ($line in (Get-Content -LiteralPath $analysis)) { Add $line }
    }
    $lines -join "`n"
}
