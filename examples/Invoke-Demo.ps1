<#
.SYNOPSIS
    The main job end to end on this machine: starts the local Altinn simulator, registers a freshly
    generated key as a Maskinporten client, runs Submit-Aarsregnskap.ps1 against it, shows what
    happened and stops the simulator. build.ps1 -Task Demo runs it.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SimulatorDll
)
$ErrorActionPreference = 'Stop'
if ($PSVersionTable.PSVersion.Major -ge 7) { $PSStyle.OutputRendering = 'PlainText' }
$env:ALTINNAPP_SIMULATOR_DLL = $SimulatorDll
# the example imports AltinnApp by name: make the freshly built module the one it finds
$env:PSModulePath = (Split-Path (Split-Path $ModulePath)) + [IO.Path]::PathSeparator + $env:PSModulePath
Import-Module (Join-Path $PSScriptRoot '../tests/Pester/Support/AltinnTestHelpers.psm1')
Import-Module $ModulePath

$work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-demo-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory $work | Out-Null
$simulator = Start-AltinnSimulator -Name demo
try {
    Write-Host "Simulator listening on $($simulator.BaseUri)"
    $key = New-TestRsaJwk -KeyId 'demo-key'
    $jwkPath = Join-Path $work 'client.jwk.json'
    Set-Content -Path $jwkPath -Value $key.Private -NoNewline
    $clientId = Register-TestClient -Simulator $simulator -ClientId 'demo-client' -Jwk $key -Organization '950474084'
    Write-Host "Registered Maskinporten client '$clientId' with key '$($key.KeyId)' and a system user for 950474084"

    $result = & (Join-Path $PSScriptRoot 'Submit-Aarsregnskap.ps1') -Environment tt02 -ClientId $clientId -JwkPath $jwkPath `
        -OrganizationNumber 950474084 -ReceiptFolder (Join-Path $work 'receipts') `
        -ConnectOverrides (Get-SimulatorConnectParameters $simulator)

    $pdf = [IO.File]::ReadAllBytes($result.Receipt)
    $isPdf = [Text.Encoding]::ASCII.GetString($pdf, 0, [Math]::Min(5, $pdf.Length)) -eq '%PDF-'
    Write-Host ''
    Write-Host "Instance id : $($result.InstanceId)"
    Write-Host "Process     : $($result.Process)"
    Write-Host "Receipt     : $($result.Receipt) ($($result.Bytes) bytes, $(if ($isPdf) { 'a PDF' } else { 'NOT a PDF' }))"
    if (-not $isPdf) { throw 'The receipt is not a PDF.' }
} finally {
    Stop-AltinnSimulator $simulator
    Disconnect-Altinn
}
