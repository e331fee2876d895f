#Requires -Modules Pester
# The repository stands alone: what a clone holds is enough to build and test, and nothing in it reads
# a path outside it. The copy is the files a clone of this work tree would have (tracked, plus new files
# git does not ignore), in a fresh temporary folder with nothing beside it.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    $script:RepoRoot = Get-RepoRoot
    $script:Files = @(& git -C $script:RepoRoot ls-files --cached --others --exclude-standard |
        Where-Object { Test-Path -LiteralPath (Join-Path $script:RepoRoot $_) -PathType Leaf })
    if ($LASTEXITCODE -ne 0 -or $script:Files.Count -eq 0) { throw "git ls-files found no files in $($script:RepoRoot)" }

    $script:Clone = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-clone-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    foreach ($file in $script:Files) {
        $target = Join-Path $script:Clone $file
        New-Item -ItemType Directory -Force (Split-Path $target) | Out-Null
        Copy-Item -LiteralPath (Join-Path $script:RepoRoot $file) -Destination $target
    }
}

AfterAll {
    if ($script:Clone -and (Test-Path $script:Clone)) { Remove-Item $script:Clone -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'A clone of the repository' {
    It 'has no source, build or test file that names a path above the repository' {
        # every relative path that climbs ('..' segments), resolved from its file's folder, must stay inside the
        # checkout: a folder beside it (such as a 'shared' sibling) is not there in a clone elsewhere
        $root = [IO.Path]::GetFullPath($script:RepoRoot).TrimEnd('/', '\') + [IO.Path]::DirectorySeparatorChar
        $outside = foreach ($file in $script:Files | Where-Object { $_ -match '\.(cs|csproj|props|targets|ps1|psm1|psd1|json|yml|sh)$|^\.ci/' }) {
            $text = Get-Content -Raw -LiteralPath (Join-Path $script:RepoRoot $file)
            foreach ($match in [regex]::Matches($text, '(?:\.\.[/\\])+[\w.\-]+')) {
                $resolved = [IO.Path]::GetFullPath((Join-Path (Split-Path (Join-Path $root $file)) $match.Value.Replace('\', '/')))
                if (-not ($resolved + [IO.Path]::DirectorySeparatorChar).StartsWith($root)) { "$file names $($match.Value)" }
            }
        }
        $outside | Should -BeNullOrEmpty -Because 'a clone in another folder has nothing beside it'
    }

    It 'passes the OpenAPI contract tests of the engine and the simulator from a fresh temporary folder' {
        $environment = @{ NUGET_PACKAGES = (Get-NuGetPackagesFolder) }
        foreach ($project in 'AltinnApp.Core.Tests', 'AltinnApp.Simulator.Tests') {
            $trx = Join-Path $script:Clone "out/$project.trx"
            $saved = @{}
            foreach ($key in $environment.Keys) { $saved[$key] = [Environment]::GetEnvironmentVariable($key); [Environment]::SetEnvironmentVariable($key, $environment[$key]) }
            try {
                $output = & dotnet test (Join-Path $script:Clone "tests/$project") -c Release --nologo -v quiet `
                    --filter 'FullyQualifiedName~ContractTests' --logger "trx;LogFileName=$trx" 2>&1
            } finally {
                foreach ($key in $saved.Keys) { [Environment]::SetEnvironmentVariable($key, $saved[$key]) }
            }
            $LASTEXITCODE | Should -Be 0 -Because ($output | Out-String)
            [xml] $result = Get-Content -Raw $trx
            [int] $result.TestRun.ResultSummary.Counters.passed | Should -BeGreaterThan 0 -Because "the contract tests of $project must run in the clone"
            [int] $result.TestRun.ResultSummary.Counters.failed | Should -Be 0
            # they read the documents the clone's own tests/reference holds, copied beside the test assembly
            Join-Path $script:Clone "tests/$project/bin/Release/net10.0/reference/app-lib-dotnet.OpenApiSpecChangeDetection.SaveJsonSwagger.verified.json" |
                Should -Exist
        }
    }
}
