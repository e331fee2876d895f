<#
.SYNOPSIS
    Builds, tests, packages and demonstrates the AltinnApp module.
.DESCRIPTION
    Run it with the pinned PowerShell from the repository root:
        dotnet tool restore
        dotnet pwsh ./build.ps1 -Task Test
    Tasks:
        Build    publish the module into out/AltinnApp (manifest, format file, MAML help), build the simulator
                 and the benchmark's floor
        Test     Build, Package, then the xunit suites and the Pester suite against the module installed
                 from a local PSResource repository; prints one line 'N passed, N failed, N skipped'
        Demo     Build, start the simulator, register a fresh key, run examples/Submit-Aarsregnskap.ps1, stop it
        Package  Build, then the .nupkg a Gallery publish would upload (out/feed) via Publish-PSResource
        Bench    Build, then the benchmark in bench/ (writes bench/results.md and bench/results.json)
        Clean    remove out/ and every bin/ and obj/
.PARAMETER Task
    One or more tasks, run in the order given.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Package', 'Bench', 'Clean')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Run only the Pester files whose name matches (for a quick local loop); the full suite otherwise.
    [string] $PesterFilter = '*',

    [switch] $SkipXunit,

    # Bench: fewer submissions, for the smoke run inside Test.
    [switch] $Smoke
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
if ($PSVersionTable.PSVersion.Major -ge 7) { $PSStyle.OutputRendering = 'PlainText' }
$env:NO_COLOR = '1'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
Set-Location $PSScriptRoot

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'AltinnApp'
$SimulatorOut = Join-Path $Out 'AltinnApp.Simulator'
$FloorOut = Join-Path $Out 'AltinnApp.Bench.Floor'
$FeedDir = Join-Path $Out 'feed'
$PwshDll = Join-Path $PSHOME 'pwsh.dll'
$Version = (Import-PowerShellDataFile (Join-Path $Root 'AltinnApp.psd1')).ModuleVersion
$PesterVersion = '5.7.1'
$script:Done = @{}

function Invoke-Native {
    param([Parameter(Mandatory)] [scriptblock] $Command, [string] $What = "$Command")
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)." }
}

function Step {
    param([string] $Name, [scriptblock] $Body)
    $watch = [Diagnostics.Stopwatch]::StartNew()
    Write-Host "==> $Name"
    & $Body
    Write-Host ("<== {0} ({1:n1} s)" -f $Name, $watch.Elapsed.TotalSeconds)
}

# $null removes the variable (passing $null to a .NET string parameter would set it to '').
function Set-EnvironmentValue([string] $Name, $Value) {
    if ($null -eq $Value) { Remove-Item "Env:$Name" -ErrorAction Ignore } else { Set-Item "Env:$Name" ([string]$Value) }
}

# A child pwsh: a binary module cannot be unloaded, so anything that imports it runs in a fresh process.
function Invoke-ChildPwsh {
    param([string] $Command, [hashtable] $Environment = @{})
    $saved = @{}
    foreach ($key in $Environment.Keys) { $saved[$key] = [Environment]::GetEnvironmentVariable($key); Set-EnvironmentValue $key $Environment[$key] }
    try {
        & dotnet $PwshDll -NoProfile -NonInteractive -Command $Command | Out-Host
        return $LASTEXITCODE
    } finally {
        foreach ($key in $saved.Keys) { Set-EnvironmentValue $key $saved[$key] }
    }
}

function Invoke-Build {
    if ($script:Done['Build']) { return }
    Step 'publish module' {
        if (Test-Path $ModuleOut) { Remove-Item $ModuleOut -Recurse -Force }
        Invoke-Native { dotnet publish src/AltinnApp.PowerShell -c $Configuration -o $ModuleOut --nologo -v quiet "-p:Version=$Version" } 'dotnet publish'
        # the csproj lays the module out: cmdlet assembly at the root, engine and dependencies in Dependencies/
        Get-ChildItem $ModuleOut -Recurse -Include *.pdb, *.deps.json | Remove-Item
        foreach ($required in 'AltinnApp.PowerShell.dll', 'Dependencies/AltinnApp.Init.dll', 'Dependencies/AltinnApp.Core.dll', 'Dependencies/AltinnApp.LoadContext.dll') {
            if (-not (Test-Path (Join-Path $ModuleOut $required))) { throw "The published module has no $($required): check the publish layout in src/AltinnApp.PowerShell/AltinnApp.PowerShell.csproj." }
        }
    }
    Step 'MAML help from docs/cmdlets' {
        $code = Invoke-ChildPwsh "& '$Root/build/New-MamlHelp.ps1' -ModuleManifest '$ModuleOut/AltinnApp.psd1' -DocsPath '$Root/docs/cmdlets' -AboutPath '$Root/docs/about_AltinnApp.md'; exit `$LASTEXITCODE"
        if ($code -ne 0) { throw "help generation failed (exit code $code)" }
    }
    Step 'build simulator' {
        Invoke-Native { dotnet build tests/AltinnApp.Simulator -c $Configuration -o $SimulatorOut --nologo -v quiet } 'simulator build'
    }
    Step 'build benchmark floor' {
        Invoke-Native { dotnet build bench/AltinnApp.Bench.Floor -c $Configuration -o $FloorOut --nologo -v quiet } 'floor build'
    }
    $script:Done['Build'] = $true
}

function Invoke-Package {
    if ($script:Done['Package']) { return }
    Invoke-Build
    Step 'package (Publish-PSResource to out/feed)' {
        if (Test-Path $FeedDir) { Remove-Item $FeedDir -Recurse -Force }
        New-Item -ItemType Directory $FeedDir | Out-Null
        # PSResourceGet keeps its repository list under the user's data folder: give it a private one
        $state = Join-Path $Out 'psresourceget-state'
        # .NET answers '' for the config folder when it does not exist, and NuGet (inside Publish-PSResource)
        # then writes NuGet/NuGet.Config into the current directory, i.e. the repository
        New-Item -ItemType Directory -Force (Join-Path $state '.config') | Out-Null
        $command = @"
`$ErrorActionPreference = 'Stop'
Test-ModuleManifest '$ModuleOut/AltinnApp.psd1' | Out-Null
Register-PSResourceRepository -Name AltinnAppBuild -Uri '$FeedDir' -Trusted -Force
try { Publish-PSResource -Path '$ModuleOut' -Repository AltinnAppBuild } finally { Unregister-PSResourceRepository -Name AltinnAppBuild }
"@
        $code = Invoke-ChildPwsh $command @{ HOME = $state; XDG_DATA_HOME = $null; LOCALAPPDATA = $state; USERPROFILE = $state
            DOTNET_CLI_HOME = $(if ($env:DOTNET_CLI_HOME) { $env:DOTNET_CLI_HOME } else { [Environment]::GetFolderPath('UserProfile') }) }
        if ($code -ne 0) { throw "Publish-PSResource failed (exit code $code)" }
        Get-ChildItem $FeedDir -Filter *.nupkg | ForEach-Object { Write-Host "package: $($_.FullName) ($([math]::Round($_.Length / 1KB)) KiB)" }
    }
    $script:Done['Package'] = $true
}

function Read-TrxCounts([string] $Path) {
    [xml] $trx = Get-Content -Raw $Path
    $c = $trx.TestRun.ResultSummary.Counters
    [pscustomobject]@{ Passed = [int]$c.passed; Failed = [int]$c.failed + [int]$c.error + [int]$c.timeout + [int]$c.aborted; Skipped = [int]$c.notExecuted }
}

function Invoke-Test {
    Invoke-Package
    $results = [Collections.Generic.List[object]]::new()
    $resultsDir = Join-Path $Out 'test-results'
    if (Test-Path $resultsDir) { Remove-Item $resultsDir -Recurse -Force }
    New-Item -ItemType Directory $resultsDir | Out-Null

    if (-not $SkipXunit) {
        foreach ($project in 'AltinnApp.Core.Tests', 'AltinnApp.Simulator.Tests') {
            if (-not (Test-Path "tests/$project")) { continue }
            Step "xunit $project" {
                $trx = Join-Path $resultsDir "$project.trx"
                & dotnet test "tests/$project" -c $Configuration --nologo -v quiet --logger "trx;LogFileName=$trx" --logger 'console;verbosity=minimal'
                if (-not (Test-Path $trx)) { throw "dotnet test of $project produced no results (exit code $LASTEXITCODE)" }
                $counts = Read-TrxCounts $trx
                Write-Host ("{0}: {1} passed, {2} failed, {3} skipped" -f $project, $counts.Passed, $counts.Failed, $counts.Skipped)
                $results.Add($counts)
            }
        }
    }

    Step 'pester (installed module, fresh pwsh)' {
        Invoke-Native { dotnet restore build/tools.proj --nologo -v quiet } 'restore of the test tools (Pester, older IdentityModel)'
        $packages = ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
        $pester = Join-Path $packages "pester/$PesterVersion/tools/Pester.psd1"
        # the tests run against the module as a user gets it: installed from a repository into a clean module path.
        # Save-PSResource into a folder put first in PSModulePath, not Install-PSResource -Scope CurrentUser: on
        # Windows the CurrentUser scope is the real Documents folder whatever HOME or USERPROFILE say.
        $testHome = Join-Path $Out 'test-home'
        $testModules = Join-Path $testHome 'Modules'
        if (Test-Path $testHome) { Remove-Item $testHome -Recurse -Force }
        New-Item -ItemType Directory $testHome, (Join-Path $testHome '.config'), $testModules | Out-Null   # .config: see the package step
        $xml = Join-Path $resultsDir 'pester.xml'
        $summary = Join-Path $resultsDir 'pester-summary.json'
        $command = @"
`$ErrorActionPreference = 'Stop'
`$PSStyle.OutputRendering = 'PlainText'
Register-PSResourceRepository -Name AltinnAppTest -Uri '$FeedDir' -Trusted -Force
try { Save-PSResource -Name AltinnApp -Repository AltinnAppTest -Path '$testModules' -TrustRepository -Quiet } finally { Unregister-PSResourceRepository -Name AltinnAppTest }
`$installed = Get-Module -ListAvailable AltinnApp
if (-not `$installed) { throw 'AltinnApp was not installed from the local repository' }
if (-not `$installed[0].Path.StartsWith('$testHome')) { throw "the module under test is not the one just installed: `$(`$installed[0].Path)" }
Write-Host "module under test: `$(`$installed[0].Path)"
Import-Module '$pester'
`$c = New-PesterConfiguration
`$c.Run.Path = '$Root/tests/Pester'
`$c.Run.PassThru = `$true
`$c.Filter.FullName = '*'
`$c.Output.Verbosity = 'Detailed'
`$c.TestResult.Enabled = `$true
`$c.TestResult.OutputPath = '$xml'
`$files = Get-ChildItem '$Root/tests/Pester' -Filter '*.Tests.ps1' -Recurse | Where-Object Name -like '$PesterFilter'
`$c.Run.Path = [string[]]`$files.FullName
`$r = Invoke-Pester -Configuration `$c
@{ Passed = `$r.PassedCount; Failed = `$r.FailedCount + `$r.FailedBlocksCount + `$r.FailedContainersCount; Skipped = `$r.SkippedCount } | ConvertTo-Json | Set-Content '$summary'
"@
        $environment = @{
            # a clean user profile, so nothing of the developer's leaks in, and the saved module first in the module path
            HOME = $testHome; XDG_DATA_HOME = $null; XDG_CONFIG_HOME = $null; LOCALAPPDATA = $testHome; USERPROFILE = $testHome
            PSModulePath = $testModules + [IO.Path]::PathSeparator + $env:PSModulePath
            DOTNET_CLI_HOME = $(if ($env:DOTNET_CLI_HOME) { $env:DOTNET_CLI_HOME } else { [Environment]::GetFolderPath('UserProfile') })
            ALTINNAPP_REPO_ROOT = $Root
            ALTINNAPP_SIMULATOR_DLL = (Join-Path $SimulatorOut 'AltinnApp.Simulator.dll')
            ALTINNAPP_PWSH_DLL = $PwshDll
            # build/tools.proj's downloads (older Microsoft.IdentityModel for Isolation.Tests.ps1)
            ALTINNAPP_NUGET_PACKAGES = $packages
            # the .nupkg Package.Tests.ps1 inspects
            ALTINNAPP_FEED = $FeedDir
        }
        $code = Invoke-ChildPwsh $command $environment
        if (-not (Test-Path $summary)) { throw "the Pester run ended without results (exit code $code)" }
        $counts = Get-Content -Raw $summary | ConvertFrom-Json
        $results.Add([pscustomobject]@{ Passed = [int]$counts.Passed; Failed = [int]$counts.Failed; Skipped = [int]$counts.Skipped })
    }

    $passed = ($results | Measure-Object Passed -Sum).Sum
    $failed = ($results | Measure-Object Failed -Sum).Sum
    $skipped = ($results | Measure-Object Skipped -Sum).Sum
    Write-Host ''
    Write-Host "$passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0) { throw "$failed test(s) failed." }
    if ($passed -eq 0) { throw 'No test ran: a suite of zero tests is a failure.' }
}

function Invoke-Demo {
    Invoke-Build
    Step 'demo: submit an annual account to the local simulator' {
        $command = "& '$Root/examples/Invoke-Demo.ps1' -ModulePath '$ModuleOut/AltinnApp.psd1' -SimulatorDll '$SimulatorOut/AltinnApp.Simulator.dll'; exit `$LASTEXITCODE"
        $code = Invoke-ChildPwsh $command
        if ($code -ne 0) { throw "the demo failed (exit code $code)" }
    }
}

function Invoke-Bench {
    Invoke-Build
    Step 'benchmark' {
        $smokeArg = if ($Smoke) { '-Smoke' } else { '' }
        $command = "& '$Root/bench/Invoke-Benchmark.ps1' -ModulePath '$ModuleOut/AltinnApp.psd1' -SimulatorDll '$SimulatorOut/AltinnApp.Simulator.dll' -FloorDll '$FloorOut/AltinnApp.Bench.Floor.dll' $smokeArg; exit `$LASTEXITCODE"
        $code = Invoke-ChildPwsh $command
        if ($code -ne 0) { throw "the benchmark failed (exit code $code)" }
    }
}

function Invoke-Clean {
    Step 'clean' {
        if (Test-Path $Out) { Remove-Item $Out -Recurse -Force }
        Get-ChildItem $Root -Directory -Recurse -Include bin, obj | Where-Object FullName -notlike '*node_modules*' | Remove-Item -Recurse -Force
    }
}

foreach ($name in $Task) {
    switch ($name) {
        'Build' { Invoke-Build }
        'Test' { Invoke-Test }
        'Demo' { Invoke-Demo }
        'Package' { Invoke-Package }
        'Bench' { Invoke-Bench }
        'Clean' { Invoke-Clean }
    }
}
