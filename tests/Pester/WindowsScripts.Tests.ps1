#Requires -Modules Pester
<#
    The scripts the Windows CI matrix runs in Windows PowerShell 5.1 (tests/Windows) and the examples users
    run there must not use what only PowerShell 7 has. Nothing runs them on this machine, so they are parsed
    here: a syntax error, 7-only syntax (ternary, '??', '?.', '&&', '||', clean blocks), ForEach-Object
    -Parallel, 7-only parameters and .NET members, Join-Path with more than one child, #Requires for 7, or
    non-ASCII text without a byte order mark (5.1 reads such a file as ANSI) fails the test.
#>

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    $script:Root = Get-RepoRoot

    # parameters that exist only in PowerShell 7, by the command that has them ('*': any command)
    $script:SevenOnlyParameters = @{
        'ForEach-Object' = @('Parallel', 'ThrottleLimit', 'AsJob', 'TimeoutSeconds')
        'ConvertFrom-Json' = @('AsHashtable', 'NoEnumerate', 'Depth')
        'Get-Content' = @('AsByteStream')
        'Set-Content' = @('AsByteStream')
        'Add-Content' = @('AsByteStream')
        'Invoke-RestMethod' = @('SkipCertificateCheck', 'StatusCodeVariable', 'ResponseHeadersVariable', 'SkipHttpErrorCheck', 'Authentication', 'Token', 'MaximumRetryCount', 'RetryIntervalSec', 'Form', 'Resume')
        'Invoke-WebRequest' = @('SkipCertificateCheck', 'SkipHttpErrorCheck', 'Authentication', 'Token', 'MaximumRetryCount', 'RetryIntervalSec', 'Form', 'Resume')
        'Test-Connection' = @('TargetName', 'TcpPort')
        'Select-Object' = @('SkipLast')
        'Get-Date' = @('AsUTC', 'UnixTimeSeconds')
    }
    # .NET members that .NET Framework 4.7.2 does not have
    $script:SevenOnlyMembers = @('GetRelativePath', 'HashData', 'ToHexString', 'ExportPkcs8PrivateKeyPem', 'ExportRSAPrivateKeyPem', 'ImportFromPem',
        'ReadAllTextAsync', 'WriteAllTextAsync', 'ReadAllBytesAsync', 'WriteAllBytesAsync', 'CreateTempSubdirectory')
    $script:ForEachNames = @('ForEach-Object', '%', 'foreach')

    function Get-SevenOnlyUse {
        param([Parameter(Mandatory)] [string] $Text, [string] $Name = 'text', [byte[]] $Bytes)
        $tokens = $null; $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Text, [ref] $tokens, [ref] $errors)
        foreach ($e in $errors) { "${Name}:$($e.Extent.StartLineNumber): does not parse: $($e.Message)" }
        foreach ($t in $tokens) {
            if ($t.Kind -in 'QuestionQuestion', 'QuestionQuestionEquals', 'QuestionDot', 'QuestionLBracket', 'AndAnd', 'OrOr', 'Clean') {
                "${Name}:$($t.Extent.StartLineNumber): '$($t.Text)' is PowerShell 7 syntax"
            }
        }
        $found = $ast.FindAll({ param($n) $true }, $true)
        foreach ($node in $found) {
            $line = $node.Extent.StartLineNumber
            switch ($node.GetType().Name) {
                'TernaryExpressionAst' { "${Name}:${line}: a ternary ('? :') is PowerShell 7 syntax" }
                'PipelineChainAst' { "${Name}:${line}: '&&' or '||' is PowerShell 7 syntax" }
                'CommandAst' {
                    $command = $node.GetCommandName()
                    if (-not $command) { break }
                    $parameters = @($node.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] } | ForEach-Object ParameterName)
                    $key = if ($command -in $script:ForEachNames) { 'ForEach-Object' } else { $command }
                    foreach ($map in $script:SevenOnlyParameters.GetEnumerator()) {
                        if ($map.Key -ne $key) { continue }
                        foreach ($p in $parameters) {
                            # a prefix of the name binds too (-Par for -Parallel)
                            $hit = $map.Value | Where-Object { $p.Length -ge 3 -and $_.StartsWith($p, [StringComparison]::OrdinalIgnoreCase) }
                            if ($hit) { "${Name}:${line}: $command -$p is PowerShell 7 only" }
                        }
                    }
                    if ($command -eq 'Join-Path') {
                        $positional = @($node.CommandElements | Select-Object -Skip 1 | Where-Object { $_ -isnot [System.Management.Automation.Language.CommandParameterAst] })
                        if ($positional.Count -gt 2) { "${Name}:${line}: Join-Path with more than one child path is PowerShell 7 only" }
                    }
                }
                'InvokeMemberExpressionAst' {
                    $member = $node.Member.Extent.Text.Trim("'", '"')
                    if ($member -in $script:SevenOnlyMembers) { "${Name}:${line}: .$member() is not in .NET Framework" }
                    if ($member -eq 'Kill' -and @($node.Arguments | Where-Object { $_ }).Count -gt 0) { "${Name}:${line}: Kill(`$true) is not in .NET Framework (only Kill())" }
                }
                'MemberExpressionAst' {
                    $member = $node.Member.Extent.Text.Trim("'", '"')
                    if ($member -eq 'ArgumentList' -and $node.Expression.Extent.Text -match 'info|StartInfo') { "${Name}:${line}: ProcessStartInfo.ArgumentList is not in .NET Framework" }
                }
            }
        }
        if ($ast.ScriptRequirements) {
            $requirements = $ast.ScriptRequirements
            if ($requirements.RequiredPSVersion -and $requirements.RequiredPSVersion.Major -ge 6) { "${Name}: #Requires -Version $($requirements.RequiredPSVersion)" }
            if ($requirements.RequiredPSEditions -contains 'Core') { "${Name}: #Requires -PSEdition Core" }
        }
        if ($Bytes) {
            $bom = $Bytes.Length -ge 3 -and $Bytes[0] -eq 0xEF -and $Bytes[1] -eq 0xBB -and $Bytes[2] -eq 0xBF
            if (-not $bom -and @($Bytes | Where-Object { $_ -gt 127 }).Count -gt 0) { "${Name}: non-ASCII text without a byte order mark (5.1 reads it as ANSI)" }
        }
    }

    $script:Files = @(
        Get-ChildItem (Join-Path $script:Root 'tests/Windows') -File -Include *.ps1, *.psm1 -Recurse
        Get-ChildItem (Join-Path $script:Root 'examples') -File -Filter *.ps1
    )
}

Describe 'The check itself' {
    It 'finds <What>' -ForEach @(
        @{ What = 'a ternary'; Code = '$a = $true ? 1 : 2' }
        @{ What = 'null-coalescing'; Code = '$a = $b ?? 3' }
        @{ What = 'null-conditional access'; Code = '${b}?.Length' }
        @{ What = 'a pipeline chain'; Code = 'Get-Item . && Get-Item ..' }
        @{ What = 'ForEach-Object -Parallel'; Code = '1..3 | ForEach-Object -Parallel { $_ }' }
        @{ What = 'ConvertFrom-Json -AsHashtable'; Code = "'{}' | ConvertFrom-Json -AsHashtable" }
        @{ What = 'Join-Path with two children'; Code = 'Join-Path a b c' }
        @{ What = 'Kill($true)'; Code = '$p.Kill($true)' }
        @{ What = 'Path.GetRelativePath'; Code = '[IO.Path]::GetRelativePath("a", "b")' }
        @{ What = '#Requires -Version 7'; Code = "#Requires -Version 7.2`n'x'" }
        @{ What = 'a syntax error'; Code = 'if ($a -eq { ' }
    ) {
        @(Get-SevenOnlyUse -Text $Code) | Should -Not -BeNullOrEmpty
    }

    It 'passes what 5.1 runs' {
        @(Get-SevenOnlyUse -Text 'if ($a) { 1 } else { 2 }; $p.Kill(); Join-Path a b; 1..3 | ForEach-Object { $_ }; [IO.File]::ReadAllText("x")') | Should -BeNullOrEmpty
    }

    It 'finds non-ASCII text without a byte order mark, and passes it with one' {
        $text = "# Ø`n'x'"
        @(Get-SevenOnlyUse -Text $text -Bytes ([Text.UTF8Encoding]::new($false).GetBytes($text))) | Should -Not -BeNullOrEmpty
        @(Get-SevenOnlyUse -Text $text -Bytes ([Text.UTF8Encoding]::new($true).GetPreamble() + [Text.UTF8Encoding]::new($false).GetBytes($text))) | Should -BeNullOrEmpty
    }
}

Describe 'Scripts that run in Windows PowerShell 5.1' {
    It 'are there to check' {
        $names = $script:Files | ForEach-Object Name
        foreach ($expected in 'Invoke-WindowsChecks.ps1', 'Windows.Tests.ps1', 'WindowsTestHelpers.psm1', 'Submit-Check.ps1', 'Invoke-Demo.ps1') { $names | Should -Contain $expected }
    }

    It 'use nothing that only PowerShell 7 has' {
        $found = foreach ($file in $script:Files) {
            $relative = [IO.Path]::GetRelativePath($script:Root, $file.FullName)
            Get-SevenOnlyUse -Text ([IO.File]::ReadAllText($file.FullName)) -Name $relative -Bytes ([IO.File]::ReadAllBytes($file.FullName))
        }
        $found | Should -BeNullOrEmpty
    }

    It 'the workflow runs them in both editions' {
        $workflow = Get-Content -Raw (Join-Path $script:Root '.github/workflows/ci.yml')
        $workflow | Should -Match 'tests[\\/]Windows[\\/]Invoke-WindowsChecks\.ps1'
        $workflow | Should -Match 'shell:\s*\$\{\{\s*matrix\.shell\s*\}\}'
        $workflow | Should -Match 'powershell\b'
        $workflow | Should -Match 'pwsh\b'
    }
}
