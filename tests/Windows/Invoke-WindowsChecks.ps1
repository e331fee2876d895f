<#
.SYNOPSIS
    Runs tests/Windows/Windows.Tests.ps1 in the edition that runs this script (pwsh or powershell.exe),
    against the installed AltinnApp and the built simulator; exits 0 only when every check passed.
.DESCRIPTION
    The CI workflow's Windows matrix calls it after installing the packaged module for the edition.
    Pester comes from the NuGet packages folder that build/tools.proj fills (dotnet restore), as for the
    Linux suite. Windows PowerShell 5.1-safe.
.EXAMPLE
    powershell.exe -NoProfile -File tests\Windows\Invoke-WindowsChecks.ps1 -SimulatorDll out\AltinnApp.Simulator\AltinnApp.Simulator.dll
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)] [string] $SimulatorDll,
    [string] $PesterVersion = '5.7.1',
    [string] $ResultPath
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
# $IsWindows does not exist in 5.1
if ([Environment]::OSVersion.Platform -ne 'Win32NT') { throw 'These checks are for Windows.' }

$root = (Resolve-Path (Join-Path $PSScriptRoot '..\..')).Path
$env:ALTINNAPP_REPO_ROOT = $root
$env:ALTINNAPP_SIMULATOR_DLL = (Resolve-Path $SimulatorDll).Path

& dotnet restore (Join-Path $root 'build\tools.proj') --nologo -v quiet
if ($LASTEXITCODE -ne 0) { throw 'dotnet restore of build/tools.proj failed.' }
$packages = ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
Import-Module (Join-Path $packages "pester\$PesterVersion\tools\Pester.psd1") -Force

$installed = Get-Module -ListAvailable AltinnApp | Select-Object -First 1
if (-not $installed) { throw 'AltinnApp is not installed for this edition: install the packaged module first.' }
Write-Host "$($PSVersionTable.PSEdition) $($PSVersionTable.PSVersion), module under test: $($installed.Path)"

$configuration = New-PesterConfiguration
$configuration.Run.Path = Join-Path $PSScriptRoot 'Windows.Tests.ps1'
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
if (-not $ResultPath) { $ResultPath = Join-Path $root ("out\test-results\windows-" + $PSVersionTable.PSEdition + '.xml') }
New-Item -ItemType Directory -Force (Split-Path $ResultPath) | Out-Null
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputPath = $ResultPath
$result = Invoke-Pester -Configuration $configuration
Write-Host ('{0} passed, {1} failed, {2} skipped' -f $result.PassedCount, $result.FailedCount, $result.SkippedCount)
if ($result.FailedCount -gt 0 -or $result.FailedBlocksCount -gt 0 -or $result.FailedContainersCount -gt 0 -or $result.PassedCount -eq 0) { exit 1 }
exit 0
