<#
    Run by Isolation.Tests.ps1 in a fresh pwsh: loads an older Microsoft.IdentityModel (as another module
    would) before or after AltinnApp, submits an annual account to the simulator, and prints one JSON
    object with what happened and which assemblies ended up in which load context.
    The private JWK comes in $env:ALTINNAPP_TEST_JWK, never on the command line.
#>
param(
    [Parameter(Mandatory)] [ValidateSet('OlderFirst', 'AltinnAppFirst')] [string] $Order,
    # the older assemblies' paths, separated by '|' (a child started with -File gets one string per parameter)
    [Parameter(Mandatory)] [string] $OlderAssembly,
    [Parameter(Mandatory)] [string] $SimulatorUri,
    [Parameter(Mandatory)] [string] $ClientId
)
$ErrorActionPreference = 'Stop'
$report = [ordered]@{ Order = $Order; Submissions = @(); Steps = @() }

function Import-OlderIdentityModel {
    foreach ($path in $OlderAssembly -split '\|') { Add-Type -Path $path }
    # what a script or module loaded now sees when it names the type
    $report.OlderTypeVersion = [Microsoft.IdentityModel.Tokens.SecurityKey].Assembly.GetName().Version.ToString()
    # and that the older library works: an unsigned JWT from its own handler
    $report.OlderTokenParts = ([Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler]::new().CreateToken('{"sub":"isolation"}') -split '\.').Count
    $report.Steps += 'older IdentityModel loaded'
}

function Submit-AnnualAccount([string] $Value) {
    $connect = @{
        MaskinportenUri = $SimulatorUri; PlatformUri = $SimulatorUri; AppBaseUri = $SimulatorUri
        ClientId = $ClientId; Jwk = $env:ALTINNAPP_TEST_JWK; SystemUserOrganization = '950474084'; PassThru = $true
    }
    $session = Connect-Altinn @connect
    $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = $Value; property2 = 'isolation' } -Session $session |
        Invoke-AltinnProcessNext
    $report.Submissions += [ordered]@{ Id = $instance.Id; Ended = [bool]$instance.Ended; IsEngineType = $instance -is [AltinnApp.Core.Models.AltinnInstance] }
    $report.Steps += "submitted $Value"
}

function Get-LoadedAssemblies {
    foreach ($assembly in [AppDomain]::CurrentDomain.GetAssemblies()) {
        $name = $assembly.GetName()
        if ($name.Name -notmatch '^(Microsoft\.IdentityModel\.|System\.IdentityModel\.|AltinnApp\.|Polly)') { continue }
        [ordered]@{ Name = $name.Name; Version = $name.Version.ToString(); Context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($assembly).Name }
    }
}

try {
    if ($Order -eq 'OlderFirst') {
        Import-OlderIdentityModel
        Import-Module AltinnApp
        Submit-AnnualAccount 'older-first'
    } else {
        Import-Module AltinnApp
        Submit-AnnualAccount 'altinnapp-first'
        $report.LoadedBeforeOlder = @(Get-LoadedAssemblies)
        Import-OlderIdentityModel
        Submit-AnnualAccount 'after-older'
    }
    $report.Loaded = @(Get-LoadedAssemblies)
} catch {
    $report.Failure = "$($_.FullyQualifiedErrorId): $($_.Exception.Message)"
}
$report | ConvertTo-Json -Depth 5 -Compress
if ($report.Contains('Failure')) { exit 1 }
