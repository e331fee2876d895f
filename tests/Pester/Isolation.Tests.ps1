#Requires -Modules Pester
# AltinnApp's engine and dependencies load in the module's own AssemblyLoadContext on PowerShell 7, so a
# session where another module uses an older Microsoft.IdentityModel works in either order: each side
# keeps its own version. Each scenario runs in a fresh pwsh: what a process has loaded cannot be undone.

BeforeDiscovery {
    # Older releases other modules ship (the module itself uses 8.x); build/tools.proj downloads them.
    $script:OlderReleases = @(
        @{ Version = '6.10.0'; Assemblies = @('Logging', 'Tokens', 'JsonWebTokens') }
        @{ Version = '7.7.1'; Assemblies = @('Abstractions', 'Logging', 'Tokens', 'JsonWebTokens') }
    )
}

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name isolation
    $script:NuGetFolder = Get-NuGetPackagesFolder
    $script:Scenario = Join-Path $PSScriptRoot 'Support/Invoke-IsolationScenario.ps1'

    # Starts one scenario in its own pwsh; Receive-Scenario waits for its report.
    function Start-Scenario([string] $Order, [hashtable] $Release) {
        $paths = foreach ($package in $Release.Assemblies) {
            $path = Join-Path $script:NuGetFolder "microsoft.identitymodel.$($package.ToLowerInvariant())/$($Release.Version)/lib/netstandard2.0/Microsoft.IdentityModel.$package.dll"
            if (-not (Test-Path $path)) { throw "Microsoft.IdentityModel.$package $($Release.Version) is not in $($script:NuGetFolder): run 'dotnet restore build/tools.proj'." }
            $path
        }
        $key = New-TestRsaJwk
        $clientId = Register-TestClient -Simulator $script:Sim -Jwk $key
        Start-ChildPwsh -File $script:Scenario -Environment @{ ALTINNAPP_TEST_JWK = $key.Private } -ArgumentList @(
            '-Order', $Order, '-SimulatorUri', $script:Sim.BaseUri, '-ClientId', $clientId, '-OlderAssembly', ($paths -join '|'))
    }

    function Receive-Scenario($Started) {
        $run = Wait-ChildPwsh $Started
        $json = ($run.Output -split "`n" | Where-Object { $_.TrimStart().StartsWith('{') } | Select-Object -Last 1)
        if (-not $json) { throw "The scenario printed no report (exit code $($run.ExitCode)): $($run.Output) $($run.Error)" }
        $report = $json | ConvertFrom-Json
        $report | Add-Member ExitCode $run.ExitCode
        $report
    }

    function Get-SimulatorInstance([string] $Id) {
        # the control API answers with one JSON array: look inside it
        foreach ($instance in (Invoke-Simulator -Simulator $script:Sim -Path '_sim/instances')) { if ($instance.id -eq $Id) { $instance } }
    }
}

AfterAll {
    Stop-AltinnSimulator $script:Sim
}

Describe 'The cmdlet assembly' {
    It 'references only the engine, PowerShell and what the runtime itself provides' {
        # anything else (Microsoft.IdentityModel, Polly) would load in the default context and meet other modules' versions
        $dll = Join-Path (Get-Module AltinnApp).ModuleBase 'AltinnApp.PowerShell.dll'
        $stream = [IO.File]::OpenRead($dll)
        try {
            $reader = [System.Reflection.Metadata.PEReaderExtensions]::GetMetadataReader([System.Reflection.PortableExecutable.PEReader]::new($stream))
            $references = foreach ($handle in $reader.AssemblyReferences) { $reader.GetString($reader.GetAssemblyReference($handle).Name) }
        } finally { $stream.Dispose() }
        $platform = ([AppContext]::GetData('TRUSTED_PLATFORM_ASSEMBLIES') -split [IO.Path]::PathSeparator) | ForEach-Object { [IO.Path]::GetFileNameWithoutExtension($_) }
        $references | Should -Contain 'AltinnApp.Core'
        $foreign = $references | Where-Object { $_ -notin 'AltinnApp.Core', 'netstandard', 'System.Management.Automation' -and $_ -notin $platform }
        $foreign | Should -BeNullOrEmpty
    }

    It 'finds the engine and its dependencies only in Dependencies/, not beside itself' {
        $base = (Get-Module AltinnApp).ModuleBase
        Get-ChildItem $base -Filter *.dll | ForEach-Object Name | Should -Be 'AltinnApp.PowerShell.dll'
        foreach ($name in 'AltinnApp.Core', 'AltinnApp.Init', 'AltinnApp.LoadContext', 'Microsoft.IdentityModel.Tokens', 'Microsoft.IdentityModel.JsonWebTokens', 'Polly.Core') {
            Join-Path $base "Dependencies/$name.dll" | Should -Exist
        }
    }

    It 'keeps engine type names usable in scripts' {
        [AltinnApp.Core.Models.AltinnInstance].Assembly.GetName().Name | Should -Be 'AltinnApp.Core'
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext([AltinnApp.Core.Session.AltinnSession].Assembly).Name | Should -Be 'AltinnApp'
    }
}

Describe 'An older Microsoft.IdentityModel <Version> in the same session' -ForEach $script:OlderReleases {
    BeforeAll {
        # both orders at once: each is its own process, and together they take half the time
        $release = @{ Version = $Version; Assemblies = $Assemblies }
        $olderFirst = Start-Scenario OlderFirst $release
        $altinnAppFirst = Start-Scenario AltinnAppFirst $release
    }

    AfterAll {
        foreach ($run in $olderFirst, $altinnAppFirst) { if ($run -and -not $run.Process.HasExited) { $run.Process.Kill($true) } }
    }

    It 'loaded first: AltinnApp still imports, connects and submits, on its own 8.x' {
        $report = Receive-Scenario $olderFirst
        $report.PSObject.Properties['Failure'] | Should -BeNullOrEmpty -Because "$($report.Failure)"
        $report.ExitCode | Should -Be 0
        $report.OlderTypeVersion | Should -Be "$Version.0"
        $report.OlderTokenParts | Should -Be 3

        $report.Submissions | Should -HaveCount 1
        $report.Submissions[0].Ended | Should -BeTrue
        $report.Submissions[0].IsEngineType | Should -BeTrue
        (Get-SimulatorInstance $report.Submissions[0].Id).process.ended | Should -Not -BeNullOrEmpty

        $tokens = @($report.Loaded | Where-Object Name -eq 'Microsoft.IdentityModel.Tokens')
        $tokens | Where-Object Context -eq 'Default' | ForEach-Object Version | Should -Be "$Version.0"
        ($tokens | Where-Object Context -eq 'AltinnApp').Version | Should -Match '^8\.'
        ($report.Loaded | Where-Object Name -eq 'AltinnApp.Core').Context | Should -Be 'AltinnApp'
    }

    It 'loaded after AltinnApp: the later code gets its own version, and AltinnApp goes on working' {
        $report = Receive-Scenario $altinnAppFirst
        $report.PSObject.Properties['Failure'] | Should -BeNullOrEmpty -Because "$($report.Failure)"
        $report.ExitCode | Should -Be 0

        # before the older version came, AltinnApp had put nothing of IdentityModel in the default context
        @($report.LoadedBeforeOlder | Where-Object { $_.Name -like '*IdentityModel*' -and $_.Context -ne 'AltinnApp' }) | Should -HaveCount 0
        @($report.LoadedBeforeOlder | Where-Object { $_.Name -eq 'Microsoft.IdentityModel.Tokens' -and $_.Context -eq 'AltinnApp' }) | Should -HaveCount 1

        $report.OlderTypeVersion | Should -Be "$Version.0"
        $report.OlderTokenParts | Should -Be 3
        $report.Submissions | Should -HaveCount 2
        foreach ($submission in $report.Submissions) {
            $submission.Ended | Should -BeTrue
            (Get-SimulatorInstance $submission.Id).process.ended | Should -Not -BeNullOrEmpty
        }
        $report.Loaded | Where-Object { $_.Name -eq 'Microsoft.IdentityModel.Tokens' -and $_.Context -eq 'Default' } | ForEach-Object Version | Should -Be "$Version.0"
    }
}
