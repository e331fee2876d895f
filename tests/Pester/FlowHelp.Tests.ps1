#Requires -Modules Pester
# The help of the submission-flow cmdlets, as Get-Help shows it from the installed module.

BeforeDiscovery {
    $script:FlowCmdlets = @(
        'New-AltinnInstance', 'Get-AltinnInstance', 'Remove-AltinnInstance', 'Get-AltinnApplication',
        'Get-AltinnData', 'Set-AltinnData', 'Add-AltinnAttachment', 'Save-AltinnData', 'Remove-AltinnData',
        'Invoke-AltinnProcessNext', 'Test-AltinnInstance', 'Save-AltinnReceipt'
    )
}

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Docs = Join-Path (Get-RepoRoot) 'docs/cmdlets'
    $script:Common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
}

Describe 'Help of <_>' -ForEach $script:FlowCmdlets {
    BeforeAll {
        $script:Name = $_
        $script:Help = Get-Help $script:Name -Full
        $script:Markdown = Get-Content -Raw (Join-Path $script:Docs "$($script:Name).md")
    }

    It 'is exported by the module' {
        (Get-Command $script:Name -Module AltinnApp).CommandType | Should -Be 'Cmdlet'
    }

    It 'has a markdown page with every section, in order' {
        $sections = [regex]::Matches($script:Markdown, '(?m)^## (.+)$') | ForEach-Object { $_.Groups[1].Value.Trim() }
        $expected = 'SYNOPSIS', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'NOTES', 'RELATED LINKS'
        @($sections | Where-Object { $_ -in $expected }) | Should -Be $expected
        $script:Markdown | Should -Match "(?m)\A---\r?\n(.|\n)*?\r?\n---"
        $script:Markdown | Should -Match "(?m)^# $([regex]::Escape($script:Name))\s*$"
    }

    It 'has a synopsis and a description of its own' {
        $script:Help.Synopsis | Should -Not -BeNullOrEmpty
        $script:Help.Synopsis | Should -Not -Match "^$([regex]::Escape($script:Name)) "
        ($script:Help.Description.Text -join ' ').Length | Should -BeGreaterThan 200
    }

    It 'has at least two examples whose code parses' {
        $examples = @($script:Help.Examples.Example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) {
            $errors = $null
            [System.Management.Automation.Language.Parser]::ParseInput($example.Code, [ref]$null, [ref]$errors) | Out-Null
            $errors | Should -BeNullOrEmpty -Because "example '$($example.Title.Trim('- '))' should be valid PowerShell"
            ($example.Remarks.Text -join ' ').Trim() | Should -Not -BeNullOrEmpty
            $example.Code | Should -Match ([regex]::Escape($script:Name))
        }
    }

    It 'describes every parameter' {
        $command = Get-Command $script:Name
        foreach ($parameter in $command.Parameters.Keys | Where-Object { $_ -notin $script:Common }) {
            $described = $script:Help.Parameters.Parameter | Where-Object Name -eq $parameter
            ($described.Description.Text -join ' ').Trim() | Should -Not -BeNullOrEmpty -Because "-$parameter needs a description"
        }
        # and documents none that does not exist
        foreach ($documented in [regex]::Matches($script:Markdown, '(?m)^### -(\w+)') | ForEach-Object { $_.Groups[1].Value }) {
            $command.Parameters.Keys | Should -Contain $documented
        }
    }

    It 'names its input and output types' {
        ($script:Help.inputTypes.inputType.type.name -join ' ') | Should -Not -BeNullOrEmpty
        $outputs = $script:Help.returnValues.returnValue.type.name -join ' '
        $declared = (Get-Command $script:Name).OutputType.Name
        foreach ($type in $declared) { $outputs | Should -Match ([regex]::Escape(($type -split '\.')[-1])) }
    }
}
