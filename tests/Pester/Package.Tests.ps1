#Requires -Modules Pester
# The .nupkg a Gallery publish would upload (build.ps1 -Task Package, out/feed): what it holds, what it
# must not hold, its manifest; and the module installed from it, as a user gets it.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    $repoRoot = Get-RepoRoot
    $feed = if ($env:ALTINNAPP_FEED) { $env:ALTINNAPP_FEED } else { Join-Path $repoRoot 'out/feed' }
    $script:Source = Import-PowerShellDataFile (Join-Path $repoRoot 'AltinnApp.psd1')
    $script:Package = Get-ChildItem $feed -Filter 'AltinnApp.*.nupkg' | Select-Object -First 1
    if (-not $script:Package) { throw "No AltinnApp .nupkg in $($feed): run ./build.ps1 -Task Package." }

    # unpacked once; NuGet's own parts (nuspec, _rels, [Content_Types].xml, package/) are not the module
    $script:Unpacked = Join-Path $TestDrive 'package'
    Add-Type -AssemblyName System.IO.Compression.FileSystem
    [System.IO.Compression.ZipFile]::ExtractToDirectory($script:Package.FullName, $script:Unpacked)
    $script:Entries = @(Get-ChildItem $script:Unpacked -Recurse -File | ForEach-Object { [IO.Path]::GetRelativePath($script:Unpacked, $_.FullName).Replace('\', '/') })
    $script:ModuleFiles = @($script:Entries | Where-Object { $_ -notmatch '^(_rels/|package/|\[Content_Types\]\.xml$|AltinnApp\.nuspec$)' })
    [xml] $script:Nuspec = Get-Content -Raw (Join-Path $script:Unpacked 'AltinnApp.nuspec')

    # What an assembly was built for, and what it references, read from its metadata (nothing is loaded).
    function Get-AssemblyMetadata([string] $Path, [scriptblock] $Read) {
        $stream = [IO.File]::OpenRead($Path)
        try {
            $pe = [System.Reflection.PortableExecutable.PEReader]::new($stream)
            & $Read ([System.Reflection.Metadata.PEReaderExtensions]::GetMetadataReader($pe))
        } finally { $stream.Dispose() }
    }

    function Get-AssemblyReference([string] $Path) {
        Get-AssemblyMetadata $Path {
            param($reader)
            foreach ($handle in $reader.AssemblyReferences) {
                $reference = $reader.GetAssemblyReference($handle)
                [pscustomobject]@{ Name = $reader.GetString($reference.Name); Version = $reference.Version }
            }
        }
    }

    function Get-TargetFramework([string] $Path) {
        Get-AssemblyMetadata $Path {
            param($reader)
            foreach ($handle in $reader.GetAssemblyDefinition().GetCustomAttributes()) {
                $attribute = $reader.GetCustomAttribute($handle)
                if ($attribute.Constructor.Kind -ne 'MemberReference') { continue }   # an attribute the assembly defines itself
                $constructor = $reader.GetMemberReference([System.Reflection.Metadata.MemberReferenceHandle] $attribute.Constructor)
                if ($constructor.Parent.Kind -ne 'TypeReference') { continue }
                $type = $reader.GetTypeReference([System.Reflection.Metadata.TypeReferenceHandle] $constructor.Parent)
                if ($reader.GetString($type.Name) -ne 'TargetFrameworkAttribute') { continue }
                # the blob: prolog 01 00, the name's length in one byte (it is short), the name in UTF-8
                $blob = $reader.GetBlobBytes($attribute.Value)
                [Text.Encoding]::UTF8.GetString($blob, 3, $blob[2])
            }
        }
    }
}

Describe 'The package' {
    It 'is named and versioned from the manifest' {
        $script:Package.Name | Should -Be "AltinnApp.$($script:Source.ModuleVersion).nupkg"
        $script:Nuspec.package.metadata.id | Should -Be 'AltinnApp'
        $script:Nuspec.package.metadata.version | Should -Be $script:Source.ModuleVersion
    }

    It 'holds the manifest, the format file, the help, the licence and the cmdlet assembly at its root' {
        foreach ($file in 'AltinnApp.psd1', 'AltinnApp.Format.ps1xml', 'AltinnApp.Types.ps1xml', 'AltinnApp.PowerShell.dll', 'LICENSE', 'THIRD-PARTY-NOTICES.txt',
            'en-US/AltinnApp.PowerShell.dll-Help.xml', 'en-US/about_AltinnApp.help.txt') {
            $script:ModuleFiles | Should -Contain $file
        }
    }

    It 'holds the engine and every dependency in Dependencies/' {
        foreach ($name in 'AltinnApp.Core', 'AltinnApp.Init', 'AltinnApp.LoadContext', 'Microsoft.IdentityModel.Tokens', 'Microsoft.IdentityModel.JsonWebTokens',
            'Microsoft.IdentityModel.Logging', 'Microsoft.IdentityModel.Abstractions', 'System.IdentityModel.Tokens.Jwt', 'Polly.Core',
            'System.Text.Json', 'System.Memory') {
            $script:ModuleFiles | Should -Contain "Dependencies/$name.dll"
        }
        # nothing else beside the cmdlet assembly: a DLL at the root would load in the default context
        $script:ModuleFiles | Where-Object { $_ -like '*.dll' -and $_ -notlike 'Dependencies/*' } | Should -Be 'AltinnApp.PowerShell.dll'
    }

    It 'holds a .NET Framework set for Windows PowerShell 5.1 in Dependencies/Desktop/' {
        foreach ($name in 'AltinnApp.Core', 'Microsoft.IdentityModel.Tokens', 'Microsoft.IdentityModel.JsonWebTokens', 'Microsoft.IdentityModel.Logging',
            'Microsoft.IdentityModel.Abstractions', 'System.IdentityModel.Tokens.Jwt', 'Polly.Core', 'System.Text.Json', 'System.Memory') {
            $script:ModuleFiles | Should -Contain "Dependencies/Desktop/$name.dll"
        }
        (Get-TargetFramework (Join-Path $script:Unpacked 'Dependencies/Desktop/AltinnApp.Core.dll')) | Should -Be '.NETFramework,Version=v4.7.2'
        (Get-TargetFramework (Join-Path $script:Unpacked 'Dependencies/AltinnApp.Core.dll')) | Should -Be '.NETStandard,Version=v2.0'
    }

    It 'gives .NET Framework no netstandard placeholder that throws there, and one System.Memory every assembly can bind to' {
        # the netstandard2.0 System.Security.Cryptography.Cng throws PlatformNotSupportedException on .NET Framework
        $script:ModuleFiles | Should -Not -Contain 'Dependencies/Desktop/System.Security.Cryptography.Cng.dll'
        $desktop = Join-Path $script:Unpacked 'Dependencies/Desktop'
        $shipped = [Reflection.AssemblyName]::GetAssemblyName((Join-Path $desktop 'System.Memory.dll')).Version
        $newer = foreach ($dll in Get-ChildItem $desktop -Filter *.dll) {
            foreach ($reference in (Get-AssemblyReference $dll.FullName)) {
                if ($reference.Name -eq 'System.Memory' -and $reference.Version -gt $shipped) { "$($dll.Name) wants System.Memory $($reference.Version)" }
                if ($reference.Name -eq 'netstandard') { "$($dll.Name) is a netstandard build" }
            }
        }
        $newer | Should -BeNullOrEmpty -Because "the resolver serves System.Memory $shipped for every older request, and nothing newer"
    }

    It 'has a first nested module that loads on every .NET Framework 5.1 runs on, so it can say which one is too old' {
        $init = Join-Path $script:Unpacked 'Dependencies/AltinnApp.Init.dll'
        (Get-TargetFramework $init) | Should -Be '.NETFramework,Version=v4.6.2'
        (Get-AssemblyReference $init).Name | Should -Not -Contain 'netstandard'
    }

    It 'holds no debug symbols, build leftovers, tests or the simulator' {
        $unwanted = $script:ModuleFiles | Where-Object {
            $_ -match '\.(pdb|deps\.json|runtimeconfig\.json|cs|csproj|Tests\.ps1|trx|log|nupkg)$' -or
            $_ -match '(^|/)(bin|obj|tests?|TestResults|NuGet)/' -or $_ -match 'Simulator|Pester|xunit'
        }
        $unwanted | Should -BeNullOrEmpty
    }

    It 'holds no key, certificate, token or password' {
        $keyFiles = $script:ModuleFiles | Where-Object { $_ -match '\.(pem|key|pfx|p12|cer|crt|jwk|jwk\.json|journal)$' }
        $keyFiles | Should -BeNullOrEmpty
        # the shapes of secrets, in text files and in the assemblies' strings (UTF-8 and UTF-16)
        $patterns = @(
            '-----BEGIN [A-Z ]*PRIVATE KEY-----\s*[A-Za-z0-9+/=\s]{64}'   # a PEM key with a body (a message naming the header has none)
            'eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}'   # a signed JWT
            '"d"\s*:\s*"[A-Za-z0-9_-]{40,}"'                                  # a private JWK member
            '(?i)(password|client_secret|secret)\s*[=:]\s*["''][^"''\s]{6,}'
        )
        $found = foreach ($entry in $script:ModuleFiles) {
            $bytes = [IO.File]::ReadAllBytes((Join-Path $script:Unpacked $entry))
            $texts = [Text.Encoding]::UTF8.GetString($bytes), [Text.Encoding]::Unicode.GetString($bytes)
            foreach ($pattern in $patterns) { if ($texts | Where-Object { $_ -match $pattern }) { "$entry matches $pattern" } }
        }
        $found | Should -BeNullOrEmpty
    }

    It 'carries the Gallery metadata' {
        $metadata = $script:Nuspec.package.metadata
        $metadata.description | Should -Be $script:Source.Description
        $metadata.authors | Should -Be $script:Source.Author
        $metadata.projectUrl | Should -Be $script:Source.PrivateData.PSData.ProjectUri
        $metadata.licenseUrl | Should -Be $script:Source.PrivateData.PSData.LicenseUri
        $metadata.releaseNotes | Should -Not -BeNullOrEmpty
        $tags = $metadata.tags -split '\s+'
        foreach ($tag in 'PSModule', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS', 'Altinn', 'Maskinporten') { $tags | Should -Contain $tag }
    }
}

Describe 'The packaged manifest' {
    BeforeAll {
        $manifestPath = Join-Path $script:Unpacked 'AltinnApp.psd1'
        $data = Import-PowerShellDataFile $manifestPath
    }

    It 'passes Test-ModuleManifest' {
        $manifest = Test-ModuleManifest $manifestPath -ErrorAction Stop
        $manifest.Version | Should -Be ([version] $script:Source.ModuleVersion)
        $manifest.RootModule | Should -Be 'AltinnApp.PowerShell.dll'
    }

    It 'is the repository manifest, unchanged' {
        (Get-FileHash $manifestPath).Hash | Should -Be (Get-FileHash (Join-Path (Get-RepoRoot) 'AltinnApp.psd1')).Hash
    }

    It 'is Gallery-ready: editions, PowerShell 5.1, explicit exports, URIs, tags, release notes' {
        $data.GUID | Should -Match '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$'
        foreach ($key in 'Author', 'CompanyName', 'Copyright', 'Description') { $data[$key] | Should -Not -BeNullOrEmpty -Because "$key is shown on the Gallery" }
        $data.PowerShellVersion | Should -Be '5.1'
        $data.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
        $data.FormatsToProcess | Should -Be @('AltinnApp.Format.ps1xml')
        $data.TypesToProcess | Should -Be @('AltinnApp.Types.ps1xml')
        $data.CmdletsToExport.Count | Should -BeGreaterThan 0
        $data.CmdletsToExport | Where-Object { $_ -match '[*?]' } | Should -BeNullOrEmpty -Because 'wildcard exports make the Gallery and autoloading guess'
        foreach ($key in 'FunctionsToExport', 'VariablesToExport', 'AliasesToExport') {
            $data.ContainsKey($key) | Should -BeTrue -Because "an absent $key means 'everything'"
            @($data[$key]).Count | Should -Be 0
        }
        $psData = $data.PrivateData.PSData
        foreach ($tag in 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS', 'Altinn', 'Maskinporten') { $psData.Tags | Should -Contain $tag }
        $psData.Tags | Where-Object { $_ -match '\s' } | Should -BeNullOrEmpty -Because 'Gallery tags cannot contain spaces'
        foreach ($key in 'ProjectUri', 'LicenseUri') { [uri]::new($psData[$key]).Scheme | Should -Be 'https' }
        $psData.ReleaseNotes | Should -Match ([regex]::Escape($data.ModuleVersion))
    }

    It 'names a format file whose views are for types the module has' {
        [xml] $format = Get-Content -Raw (Join-Path $script:Unpacked 'AltinnApp.Format.ps1xml')
        $typeNames = @($format.SelectNodes('//TypeName') | ForEach-Object { $_.InnerText.Trim() } | Sort-Object -Unique)
        $typeNames | Should -Not -BeNullOrEmpty
        Import-Module AltinnApp
        $known = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -like 'AltinnApp.*' } |
            ForEach-Object { $_.GetExportedTypes() } | ForEach-Object FullName
        $typeNames | Where-Object { $_ -notin $known } | Should -BeNullOrEmpty
    }
}

Describe 'The installed module' {
    BeforeAll {
        # a fresh pwsh: what a user's session sees after Install-PSResource AltinnApp
        $probe = Join-Path $TestDrive 'probe.ps1'
        Set-Content $probe -Value @'
$ErrorActionPreference = 'Stop'
$module = Import-Module AltinnApp -PassThru
# every cmdlet class in the assembly, whether the manifest exports it or not
$inAssembly = foreach ($type in $module.ImplementingAssembly.GetExportedTypes()) {
    foreach ($attribute in $type.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)) { "$($attribute.VerbName)-$($attribute.NounName)" }
}
[ordered]@{
    Path = $module.Path
    Version = $module.Version.ToString()
    Cmdlets = @($module.ExportedCmdlets.Keys | Sort-Object)
    Functions = @($module.ExportedFunctions.Keys)
    Aliases = @($module.ExportedAliases.Keys)
    Variables = @($module.ExportedVariables.Keys)
    InAssembly = @($inAssembly | Sort-Object)
} | ConvertTo-Json -Compress
'@
        $run = Invoke-ChildPwsh -File $probe
        $report = $run.Output -split "`n" | Where-Object { $_.StartsWith('{') } | Select-Object -Last 1 | ConvertFrom-Json
        if (-not $report) { throw "The probe printed nothing (exit code $($run.ExitCode)): $($run.Error)" }
    }

    It 'imports by name from the module path it was installed to' {
        $run.ExitCode | Should -Be 0
        $installedRoot = (Get-Module -ListAvailable AltinnApp | Select-Object -First 1).ModuleBase
        $report.Path | Should -BeLike "$installedRoot*"
        $report.Path | Should -Not -BeLike "$(Get-RepoRoot)/out/AltinnApp*" -Because 'the tests run against the installed package, not the build folder'
        $report.Version | Should -Be $script:Source.ModuleVersion
    }

    It 'exports exactly the cmdlets the manifest lists, and nothing else' {
        $report.Cmdlets | Should -Be @($script:Source.CmdletsToExport | Sort-Object)
        @($report.Functions).Count | Should -Be 0
        @($report.Aliases).Count | Should -Be 0
        @($report.Variables).Count | Should -Be 0
    }

    It 'lists every cmdlet the assembly implements in the manifest' {
        $report.InAssembly | Should -Be @($script:Source.CmdletsToExport | Sort-Object) -Because 'a cmdlet missing from CmdletsToExport is invisible to users'
    }

    It 'refuses to import from a damaged installation, saying how to repair it' -ForEach @(
        @{ Missing = 'Dependencies/AltinnApp.Core.dll' }
        @{ Missing = 'Dependencies/AltinnApp.LoadContext.dll' }
    ) {
        $installed = (Get-Module -ListAvailable AltinnApp | Select-Object -First 1).ModuleBase
        $damaged = Join-Path $TestDrive "damaged-$([IO.Path]::GetFileNameWithoutExtension($Missing))/AltinnApp"
        New-Item -ItemType Directory -Force (Split-Path $damaged) | Out-Null
        Copy-Item $installed $damaged -Recurse
        Remove-Item (Join-Path $damaged $Missing)
        $probe = Join-Path $TestDrive 'import-damaged.ps1'
        Set-Content $probe -Value @'
param([string] $Manifest)
try { Import-Module $Manifest -ErrorAction Stop; 'imported' }
catch { [ordered]@{ Id = $_.FullyQualifiedErrorId; Category = "$($_.CategoryInfo.Category)"; Message = $_.Exception.Message } | ConvertTo-Json -Compress }
'@
        $run = Invoke-ChildPwsh -File $probe -ArgumentList @('-Manifest', (Join-Path $damaged 'AltinnApp.psd1'))
        $result = $run.Output -split "`n" | Where-Object { $_.StartsWith('{') } | Select-Object -Last 1 | ConvertFrom-Json
        $result.Id | Should -BeLike 'Altinn.Import.InstallationIncomplete,*'
        $result.Category | Should -Be 'ObjectNotFound'
        $result.Message | Should -Match 'Reinstall|reinstall'
        $result.Message | Should -Not -Match '\bat [A-Z][\w.]+\(' -Because 'no stack trace'
    }
}
