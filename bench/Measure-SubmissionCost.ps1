<#
.SYNOPSIS
    What one submission costs the module's own process: wall-clock, CPU time and managed allocations per
    submission, for the same pipeline the benchmark times (create with prefill -> set data -> process next ->
    save receipt), against the local simulator.
.DESCRIPTION
    The numbers to read before and after a change to the per-request path. CPU time is this pwsh's
    (Process.TotalProcessorTime) and so is the allocation count (GC.GetTotalAllocatedBytes): the simulator runs
    in its own process and counts in neither. Wall-clock moves with the machine's load; CPU and allocations
    much less, which is why they are reported next to it. The pwsh keeps JIT-compiling PowerShell's, the runtime's
    and the module's code for some 2,000-4,750 submissions, so the warm-up is long by default and each round says how
    many methods were still compiled during it (Jitted): a round with hundreds is not yet the steady cost.

        dotnet pwsh -NoProfile -File bench/Measure-SubmissionCost.ps1 -ModulePath out/AltinnApp/AltinnApp.psd1 `
            -SimulatorDll out/AltinnApp.Simulator/AltinnApp.Simulator.dll -Count 300 -Rounds 3

    -Verbose on the pipeline is not used: the cost measured is the one a script pays when nobody asks for it.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SimulatorDll,
    [ValidateRange(1, 100000)] [int] $Count = 300,
    [ValidateRange(0, 100000)] [int] $Warmup = 4000,
    [ValidateRange(1, 100)] [int] $Rounds = 3
)
$ErrorActionPreference = 'Stop'
$repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
$env:ALTINNAPP_SIMULATOR_DLL = (Resolve-Path $SimulatorDll).Path
Import-Module (Join-Path $repoRoot 'tests/Pester/Support/AltinnTestHelpers.psm1') -Force
Import-Module (Resolve-Path $ModulePath).Path -Force
$app = 'brg/aarsregnskap'
$organization = '950474084'

# the benchmark's own module contender, so both measure the same submission (its one small timing object a
# submission is in the allocations too)
function Invoke-Submissions([int] $N, $Session, [string] $Folder) {
    $null = & (Join-Path $PSScriptRoot 'Submit-WithModule.ps1') -Session $Session -Count $N -Folder $Folder -App $app -OrganizationNumber $organization
}

$work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-cost-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory $work | Out-Null
$sim = Start-AltinnSimulator -Name cost
try {
    $key = New-TestRsaJwk -KeyId 'cost-key'
    $clientId = Register-TestClient -Simulator $sim -ClientId 'cost-client' -Jwk $key -Organization $organization
    $connect = Get-SimulatorConnectParameters $sim
    $session = Connect-Altinn @connect -ClientId $clientId -Jwk $key.Private -SystemUserOrganization $organization -PassThru
    if ($Warmup -gt 0) { Invoke-Submissions $Warmup $session (New-Item -ItemType Directory (Join-Path $work 'warmup')).FullName }
    $self = [Diagnostics.Process]::GetCurrentProcess()
    for ($round = 1; $round -le $Rounds; $round++) {
        $folder = (New-Item -ItemType Directory (Join-Path $work "round-$round")).FullName
        [GC]::Collect()
        $self.Refresh()
        $cpu = $self.TotalProcessorTime
        $allocated = [GC]::GetTotalAllocatedBytes($true)
        $gen0 = [GC]::CollectionCount(0)
        $jitted = [System.Runtime.JitInfo]::GetCompiledMethodCount($false)
        $clock = [Diagnostics.Stopwatch]::StartNew()
        Invoke-Submissions $Count $session $folder
        $clock.Stop()
        $self.Refresh()
        [pscustomobject][ordered]@{
            Round          = $round
            Submissions    = $Count
            MsEach         = [Math]::Round($clock.Elapsed.TotalMilliseconds / $Count, 3)
            CpuMsEach      = [Math]::Round(($self.TotalProcessorTime - $cpu).TotalMilliseconds / $Count, 3)
            KiBEach        = [Math]::Round(([GC]::GetTotalAllocatedBytes($true) - $allocated) / 1KB / $Count, 1)
            Gen0           = [GC]::CollectionCount(0) - $gen0
            Jitted         = [System.Runtime.JitInfo]::GetCompiledMethodCount($false) - $jitted
            Load           = if (Test-Path /proc/loadavg) { ((Get-Content /proc/loadavg -Raw) -split ' ')[0] } else { $null }
        }
    }
} finally {
    Stop-AltinnSimulator $sim
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
