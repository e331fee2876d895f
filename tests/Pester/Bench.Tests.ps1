#Requires -Modules Pester
# The benchmark's smoke run: bench/Invoke-Benchmark.ps1 -Smoke in a child pwsh against the installed module.
# It proves the benchmark works end to end and writes well-formed results; it never judges speed
# (speed is what the full run in bench/results.md is for).

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    $root = Get-RepoRoot
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-bench-test-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null
    $script:Installed = (Get-Module -ListAvailable AltinnApp | Select-Object -First 1).Path
    $simulatorDll = if ($env:ALTINNAPP_SIMULATOR_DLL) { $env:ALTINNAPP_SIMULATOR_DLL } else { Join-Path $root 'out/AltinnApp.Simulator/AltinnApp.Simulator.dll' }
    $floorDll = Join-Path $root 'out/AltinnApp.Bench.Floor/AltinnApp.Bench.Floor.dll'
    $script:OutputPath = Join-Path $script:Work 'smoke'
    $pwsh = Get-PwshCommand
    # the benchmark starts and stops its own simulator, as build.ps1 -Task Bench runs it
    $script:Output = & $pwsh[0] $pwsh[1] -NoProfile -NonInteractive -File (Join-Path $root 'bench/Invoke-Benchmark.ps1') `
        -ModulePath $script:Installed -SimulatorDll $simulatorDll -FloorDll $floorDll -Smoke -OutputPath $script:OutputPath 2>&1 | Out-String
    $script:ExitCode = $LASTEXITCODE
    $script:Result = if (Test-Path "$script:OutputPath.json") { Get-Content -Raw "$script:OutputPath.json" | ConvertFrom-Json } else { $null }
    $script:Markdown = if (Test-Path "$script:OutputPath.md") { Get-Content -Raw "$script:OutputPath.md" } else { '' }
}

AfterAll {
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'The benchmark in its smoke run' {
    It 'finishes and writes results as JSON and Markdown' {
        $script:ExitCode | Should -Be 0 -Because $script:Output
        $script:Result | Should -Not -BeNullOrEmpty
        $script:Result.schemaVersion | Should -Be 1
        $script:Result.smoke | Should -BeTrue
        $script:Result.moduleVersion | Should -Be (Import-PowerShellDataFile $script:Installed).ModuleVersion
    }

    It 'names the machine it ran on' {
        $machine = $script:Result.machine
        $machine.cores | Should -Be ([Environment]::ProcessorCount)
        $machine.memoryGiB | Should -BeGreaterThan 0
        $machine.os | Should -Not -BeNullOrEmpty
        $machine.dotnet | Should -Match '\.NET'
        $machine.pwsh | Should -Be $PSVersionTable.PSVersion.ToString()
    }

    It 'times every submission of the floor, the module and the script, per step' {
        $sequential = $script:Result.sequential
        foreach ($who in 'floor', 'module', 'script') {
            $contender = $sequential.$who
            $contender.submissions | Should -Be $sequential.submissions -Because "$who ran every submission"
            $contender.perSecond | Should -BeGreaterThan 0
            foreach ($step in 'create', 'setData', 'processNext', 'receipt', 'total') {
                $summary = $contender.stepsMs.$step
                $summary.p50 | Should -BeGreaterThan 0 -Because "$who $step was timed"
                $summary.p95 | Should -BeGreaterOrEqual $summary.p50
            }
            $contender.stepsMs.total.p50 | Should -BeGreaterOrEqual $contender.stepsMs.create.p50
        }
        $script:Result.ratios.moduleToFloor | Should -BeGreaterThan 0
        $script:Result.ratios.moduleToScript | Should -BeGreaterThan 0
    }

    It 'warms each contender up in its own process and says how far its JIT had settled' {
        foreach ($who in 'floor', 'module', 'script') {
            $warmup = $script:Result.sequential.$who.warmup
            $warmup.submissions | Should -BeGreaterThan 0 -Because "$who was warmed up"
            $warmup.submissions % $warmup.batch | Should -Be 0 -Because 'the warm-up runs whole batches'
            $warmup.firstBatchMsEach | Should -BeGreaterThan 0
            $warmup.lastBatchJitted | Should -BeGreaterOrEqual 0
            $warmup.settled | Should -Be ($warmup.lastBatchJitted -lt $warmup.settledBelow)
            $script:Result.sequential.$who.jittedInRounds | Should -BeGreaterOrEqual 0
            $script:Result.sequential.$who.cpuMsPerSubmission | Should -BeGreaterThan 0
        }
        $script:Markdown | Should -Match 'Warm-up: each contender ran batches of \d+ submissions'
        $script:Markdown | Should -Match 'The first batch of the warm-up'
    }

    It 'checks in the simulator''s request log that the floor sends exactly the module''s requests' {
        $requests = $script:Result.sequential.requestsPerSubmission
        $requests.moduleEqualsFloor | Should -BeTrue
        $module = $requests.module.PSObject.Properties
        @($module.Name) | Should -Be @($requests.floor.PSObject.Properties.Name)
        @($module.Name) -match '^POST /brg/aarsregnskap/instances/create\?language=nb \[application/json' | Should -HaveCount 1
        @($module.Name) -match '^PUT /brg/aarsregnskap/instances/\{party\}/\{guid\}/process/next' | Should -HaveCount 1
        @($module.Name) -match '^GET ' | Should -HaveCount 2 -Because 'the instance is read back, then the receipt downloaded'
        foreach ($route in $module) { $route.Value | Should -Be $requests.floor.($route.Name) }
    }

    It 'shares one session in parallel with 50 ms added per request, on one token fetch' {
        $latency = $script:Result.latency
        $latency.addedMsPerRequest | Should -Be 50
        # 50 ms on each of the requests of a submission: none can be quicker than that
        $latency.sequential.stepsMs.total.p50 | Should -BeGreaterThan 200
        foreach ($run in 'throttle4', 'throttle8') {
            $latency.$run.submissions | Should -BeGreaterThan 0
            $latency.$run.perSecond | Should -BeGreaterThan 0
        }
        $latency.tokenFetches.maskinporten | Should -Be 1
        $latency.tokenFetches.altinn | Should -Be 1
    }

    It 'runs the batch under a rate limit and the journal''s phases, and reports them' {
        $limit = $script:Result.rateLimit
        $limit.requestsSent | Should -BeGreaterThan 0
        $limit.requestsRefused | Should -BeLessOrEqual $limit.requestsSent
        $limit.toIdeal | Should -BeGreaterThan 0
        $parallel = $script:Result.journalParallel
        $parallel.medianRatio | Should -BeGreaterThan 0
        # warm-up and timed batches, plain and journaled, 7 journal lines a journaled submission
        $parallel.journalLines | Should -Be (7 * ($parallel.submissions * $parallel.rounds + $parallel.throttle))
        $scale = $script:Result.journal
        $scale.journalLines | Should -Be (7 * $scale.submissions)
        $scale.failedFound | Should -Be ($scale.syntheticKeys / 20)
        $scale.failedQueryMs | Should -BeGreaterThan 0
        $scale.readAtStartMs | Should -BeGreaterThan 0
        foreach ($heading in '## Under a rate limit of', '## The journal in a parallel batch', '## The journal at scale') {
            $script:Markdown | Should -Match ('(?m)^' + [regex]::Escape($heading))
        }
    }

    It 'measures the import against a bare pwsh and leaves the 512 MiB transfer out' {
        $import = $script:Result.import
        @($import.bareMs).Count | Should -Be $import.runs
        @($import.importMs).Count | Should -Be $import.runs
        $import.importCommandMedianMs | Should -BeGreaterThan 0
        $import.overheadSeconds -is [ValueType] | Should -BeTrue
        $script:Result.transfer.measured | Should -BeFalse
        $script:Result.transfer.reason | Should -Match 'smoke'
    }

    It 'states every target with its goal, this run''s value and whether it was met' {
        $targets = @($script:Result.targets)
        $targets.Count | Should -Be 12
        foreach ($target in $targets) {
            $target.name | Should -Not -BeNullOrEmpty
            $target.goal | Should -Not -BeNullOrEmpty
            $target.met | Should -BeOfType [bool]
        }
        $script:Markdown | Should -Match '(?m)^## Targets$'
        $script:Markdown | Should -Match '(?m)^\| module \(pipeline\) \| [0-9.]+ \|'
        $script:Markdown | Should -Match '(?m)^\| floor \(HttpClient loop\) \| [0-9.]+ \|'
        $script:Markdown | Should -Match '(?m)^\| script \(Invoke-RestMethod\) \| [0-9.]+ \|'
        $script:Markdown | Should -Match 'smoke run'
    }

    It 'shows no token or key in its output or its files' {
        foreach ($text in $script:Output, $script:Markdown, (Get-Content -Raw "$script:OutputPath.json")) {
            $text | Should -Not -Match 'eyJ[A-Za-z0-9_-]{10,}\.'
            $text | Should -Not -Match '"d"\s*:'
            $text | Should -Not -Match 'PRIVATE KEY'
        }
    }
}
