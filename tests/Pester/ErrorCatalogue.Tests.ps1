#Requires -Modules Pester
# The ErrorIds the documentation names are ids the installed module reports: README.md's and about_AltinnApp's
# tables and text, and the ErrorIds notes of docs/cmdlets, are checked against the module's ErrorCatalogue.
# README and about write every id in full; a cmdlet page's notes may list more reasons of the id before them
# (Altinn.SetData.DataLocked, .Forbidden, ...), and those are checked as the full ids they stand for.

BeforeDiscovery {
    $repoRoot = if ($env:ALTINNAPP_REPO_ROOT) { $env:ALTINNAPP_REPO_ROOT } else { (Resolve-Path "$PSScriptRoot/../..").Path }
    $script:Documents = @(
        @{ Document = 'README.md'; Shorthand = $false }
        @{ Document = 'docs/about_AltinnApp.md'; Shorthand = $false }
        Get-ChildItem (Join-Path $repoRoot 'docs/cmdlets') -Filter *.md | Sort-Object Name | ForEach-Object { @{ Document = "docs/cmdlets/$($_.Name)"; Shorthand = $true } }
    )
}

BeforeAll {
    $script:RepoRoot = if ($env:ALTINNAPP_REPO_ROOT) { $env:ALTINNAPP_REPO_ROOT } else { (Resolve-Path "$PSScriptRoot/../..").Path }
    Import-Module AltinnApp -Force
    # the engine loads in the module's own load context on PowerShell 7; the type name resolves once the module is in
    $script:Catalogue = [AltinnApp.Core.ErrorCatalogue]

    # Each id a document names, with its line: full ids, Altinn.<Operation>.<Reason> for a reason under any
    # operation, and (with -Shorthand) .Reason after a full id in the same paragraph, as that id's operation.
    function Get-DocumentedErrorId([string] $Path, [switch] $Shorthand) {
        $token = [regex] '(?<![A-Za-z-])(?<full>Altinn\.(?<op>[A-Za-z]+|<Operation>)(?:\.(?<reason>[A-Za-z]+|<Reason>))?)\b|(?<=[\s,(`])\.(?<short>[A-Z][a-z][A-Za-z]*)\b'
        $operation = $null
        $number = 0
        foreach ($line in Get-Content -LiteralPath $Path) {
            $number++
            if ([string]::IsNullOrWhiteSpace($line)) { $operation = $null; continue }
            foreach ($m in $token.Matches($line)) {
                if ($m.Groups['full'].Success) {
                    if (-not $m.Groups['reason'].Success) {
                        # Altinn.InvalidApp: no operation
                        [pscustomobject]@{ Id = $m.Value; Line = $number; Shorthand = $false }
                        $operation = $null
                        continue
                    }
                    $operation = $m.Groups['op'].Value
                    [pscustomobject]@{ Id = $m.Value; Line = $number; Shorthand = $false }
                }
                elseif ($operation) {
                    [pscustomobject]@{ Id = "Altinn.$operation.$($m.Groups['short'].Value)"; Line = $number; Shorthand = $true }
                }
            }
        }
    }

    function Test-DocumentedErrorId([string] $Id) {
        if ($Id -eq 'Altinn.<Operation>.<Reason>' -or $Id -like 'Altinn.<Area>*') { return $true }
        if ($Id -like 'Altinn.<Operation>.*') {
            $reason = $Id.Substring('Altinn.<Operation>.'.Length)
            return [bool]($script:Catalogue::All | Where-Object { $_.Reason -ceq $reason -and $_.Operations -contains $script:Catalogue::AnyOperation })
        }
        $script:Catalogue::IsKnown($Id)
    }
}

Describe 'ErrorIds in the documentation' {
    It '<Document> names only ids the module reports' -ForEach $script:Documents {
        $ids = @(Get-DocumentedErrorId (Join-Path $script:RepoRoot $Document) -Shorthand:$Shorthand)
        $problems = @(
            # README and about_AltinnApp write each id in full
            if (-not $Shorthand) { $ids | Where-Object Shorthand | ForEach-Object { "line $($_.Line): a shorthand for $($_.Id)" } }
            $ids | Where-Object { -not (Test-DocumentedErrorId $_.Id) } | ForEach-Object { "line $($_.Line): $($_.Id) is not in ErrorCatalogue" }
        )
        $problems | Should -BeNullOrEmpty
    }

    It 'README and about_AltinnApp write every id in their tables in full' {
        foreach ($document in 'README.md', 'docs/about_AltinnApp.md') {
            $rows = Get-Content -LiteralPath (Join-Path $script:RepoRoot $document) | Where-Object { $_ -match '^\|' }
            $rows | Where-Object { $_ -cmatch '(^|[\s,(`])\.[A-Z][a-z][A-Za-z]*\b' } | Should -BeNullOrEmpty -Because "$document's tables name full ids"
            ($rows | Where-Object { $_ -match 'Altinn\.' }).Count | Should -BeGreaterThan 0
        }
    }

    It 'the catalogue refuses a misspelt id and knows the ids the module throws' {
        $script:Catalogue::IsKnown('Altinn.Journal.FolderMisssing') | Should -BeFalse
        $script:Catalogue::IsKnown('Altinn.Jurnal.FolderMissing') | Should -BeFalse
        $script:Catalogue::IsKnown('Altinn.Journal.FolderMissing') | Should -BeTrue
        $script:Catalogue::IsKnown('Altinn.File.NoFolder') | Should -BeFalse
        $err = { New-AltinnSigningKey -Path $TestDrive } | Should -Throw -PassThru
        $script:Catalogue::IsKnown(($err.FullyQualifiedErrorId -split ',')[0]) | Should -BeTrue
    }
}
