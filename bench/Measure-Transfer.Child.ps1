<#
.SYNOPSIS
    Run by Measure-Transfer.ps1 in a fresh pwsh: connects with a key of its own, creates an instance of
    bench/transfer, uploads -Payload with Add-AltinnAttachment and downloads it with Save-AltinnData,
    and writes the working set before and at the peak of each transfer to -ResultPath as JSON.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $BaseUri,
    [Parameter(Mandatory)] [string] $Payload,
    [Parameter(Mandatory)] [string] $DownloadFolder,
    [Parameter(Mandatory)] [string] $ResultPath
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
Import-Module (Join-Path $PSScriptRoot '../tests/Pester/Support/AltinnTestHelpers.psm1')

$simulator = [pscustomobject]@{ BaseUri = $BaseUri }
$key = New-TestRsaJwk -KeyId 'transfer-key'
$clientId = Register-TestClient -Simulator $simulator -ClientId 'transfer-client' -Jwk $key -Organization 950474084
$connect = Get-SimulatorConnectParameters $simulator
$session = Connect-Altinn @connect -ClientId $clientId -Jwk $key.Private -SystemUserOrganization 950474084 -PassThru
$instance = New-AltinnInstance -App bench/transfer -OrganizationNumber 950474084 -Session $session

$self = [Diagnostics.Process]::GetCurrentProcess()
# Linux can restart the peak (VmHWM) at a moment we choose; elsewhere the peak is the process's whole life
$canReset = $false
try { [IO.File]::WriteAllText('/proc/self/clear_refs', '5'); $canReset = $true } catch { }

function Measure-Step([scriptblock] $Transfer) {
    [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
    if ($canReset) { [IO.File]::WriteAllText('/proc/self/clear_refs', '5') }
    $self.Refresh()
    $baseline = $self.WorkingSet64
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $output = & $Transfer
    $clock.Stop()
    $self.Refresh()
    [ordered]@{ seconds = [Math]::Round($clock.Elapsed.TotalSeconds, 2); baseline = $baseline; peak = [Math]::Max($self.PeakWorkingSet64, $self.WorkingSet64); output = $output }
}

$upload = Measure-Step { $instance | Add-AltinnAttachment -Path $Payload -DataType attachment }
$instance = $upload.output | Select-Object -Last 1
if (-not $instance) { throw 'Add-AltinnAttachment returned no instance.' }
$download = Measure-Step { $instance | Save-AltinnData -DataType attachment -Path $DownloadFolder }
if (-not $download.output) { throw 'Save-AltinnData returned no file.' }
$upload.Remove('output'); $download.Remove('output')

[ordered]@{
    upload   = $upload
    download = $download
    method   = if ($canReset) { 'inside: VmHWM restarted before each transfer, then PeakWorkingSet64 after it, against WorkingSet64 just before' } else { 'inside: PeakWorkingSet64 over the process life after each transfer, against WorkingSet64 just before it (an upper bound)' }
} | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $ResultPath
