#Requires -Modules Pester
# Every exported cmdlet has a complete help page in docs/cmdlets, the page matches the cmdlet's real
# parameters, its examples parse, and Get-Help on the installed module shows what the page says.
# The pages are read with build/HelpMarkdown.psm1, the reader the build uses to make the MAML.

BeforeDiscovery {
    $repoRoot = if ($env:ALTINNAPP_REPO_ROOT) { $env:ALTINNAPP_REPO_ROOT } else { (Resolve-Path "$PSScriptRoot/../..").Path }
    Import-Module AltinnApp -Force
    $script:Cmdlets = @(Get-Command -Module AltinnApp -CommandType Cmdlet | Sort-Object Name | ForEach-Object { @{ Name = $_.Name } })
    $script:Pages = @(Get-ChildItem (Join-Path $repoRoot 'docs/cmdlets') -Filter *.md -ErrorAction Ignore | ForEach-Object { @{ Page = $_.BaseName } })
}

BeforeAll {
    $script:RepoRoot = if ($env:ALTINNAPP_REPO_ROOT) { $env:ALTINNAPP_REPO_ROOT } else { (Resolve-Path "$PSScriptRoot/../..").Path }
    $script:DocsPath = Join-Path $script:RepoRoot 'docs/cmdlets'
    Import-Module (Join-Path $script:RepoRoot 'build/HelpMarkdown.psm1') -Force
    Import-Module AltinnApp -Force
    $script:Common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters

    # whitespace-insensitive: Get-Help wraps and indents, the page does not
    function Compress-Text([string] $Text) { ($Text -replace '\s+', ' ').Trim() }

    # What Get-Help must show of a piece of markdown: each of its paragraphs, as plain text.
    function Get-ExpectedText([string] $Markdown) { ConvertTo-HelpParagraph $Markdown | ForEach-Object { Compress-Text $_ } | Where-Object { $_ } }

    # Lines that are missing from the shown help; empty when everything is there.
    function Find-Missing([string] $Shown, [string[]] $Expected) {
        $haystack = Compress-Text $Shown
        $Expected | Where-Object { $_ -and -not $haystack.Contains($_) }
    }

    # An example as a script: prompts ('PS> ', 'PS C:\> ') are not code
    function Get-ExampleScript([string] $Code) { ($Code -split "`n" | ForEach-Object { $_ -replace '^\s*PS( [^>]*)?>\s?', '' }) -join "`n" }

    function Get-ParseErrors([string] $Script) {
        $tokens = $null; $errors = $null
        [System.Management.Automation.Language.Parser]::ParseInput($Script, [ref] $tokens, [ref] $errors) | Out-Null
        @($errors)
    }
}

Describe 'Help for <Name>' -ForEach $script:Cmdlets {
    BeforeAll {
        $command = Get-Command $Name
        $parameters = @($command.Parameters.Keys | Where-Object { $_ -notin $script:Common })
        $pagePath = Join-Path $script:DocsPath "$Name.md"
        $page = if (Test-Path $pagePath) { Read-CmdletHelpPage -Path $pagePath } else { $null }
    }

    It 'has a page docs/cmdlets/<Name>.md' {
        $pagePath | Should -Exist -Because "every exported cmdlet needs a help page (see CONTRIBUTING.md, Help)"
    }

    It 'has every section' {
        if (-not $page) { Set-ItResult -Skipped -Because "docs/cmdlets/$Name.md does not exist (one failure above)"; return }
        $page.Name | Should -Be $Name -Because "the page's '# Name' heading names the cmdlet"
        foreach ($section in 'SYNOPSIS', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'NOTES', 'RELATED LINKS') {
            $page.Sections | Should -Contain $section -Because "docs/cmdlets/$Name.md needs a '## $section' section"
        }
        $page.Synopsis | Should -Not -BeNullOrEmpty
        $page.Description | Should -Not -BeNullOrEmpty
        $page.Outputs | Should -Not -BeNullOrEmpty -Because 'OUTPUTS names each type the cmdlet writes (### TypeName), or ### None'
        $page.Inputs | Should -Not -BeNullOrEmpty -Because 'INPUTS names each type the cmdlet takes from the pipeline, or ### None'
        $page.Notes | Should -Not -BeNullOrEmpty
        $page.Links | Should -Not -BeNullOrEmpty -Because 'RELATED LINKS lists at least one [Text](url) line'
    }

    It 'describes every parameter of the cmdlet' {
        if (-not $page) { Set-ItResult -Skipped -Because "docs/cmdlets/$Name.md does not exist (one failure above)"; return }
        $undocumented = $parameters | Where-Object { -not $page.Parameters.Contains($_) -or -not $page.Parameters[$_].Text }
        $undocumented | Should -BeNullOrEmpty -Because "each parameter needs a '### -Name' and a paragraph in docs/cmdlets/$Name.md"
    }

    It 'names no parameter the cmdlet does not have' {
        if (-not $page) { Set-ItResult -Skipped -Because "docs/cmdlets/$Name.md does not exist (one failure above)"; return }
        $unknown = $page.Parameters.Keys | Where-Object { $_ -ne 'CommonParameters' -and $_ -notin $parameters }
        $unknown | Should -BeNullOrEmpty -Because "docs/cmdlets/$Name.md describes parameters $Name does not have"
    }

    It 'has at least two examples, each with code' {
        if (-not $page) { Set-ItResult -Skipped -Because "docs/cmdlets/$Name.md does not exist (one failure above)"; return }
        $page.Examples.Count | Should -BeGreaterOrEqual 2 -Because 'one example at a prompt and one in a scheduled script'
        foreach ($example in $page.Examples) {
            $example.Code.Trim() | Should -Not -BeNullOrEmpty -Because "'$($example.Title)' needs a fenced code block"
        }
        @($page.Examples | Where-Object Remarks).Count | Should -BeGreaterOrEqual 2 -Because 'at least the two main examples say what they do'
    }

    It 'has examples that parse' {
        if (-not $page) { Set-ItResult -Skipped -Because "docs/cmdlets/$Name.md does not exist (one failure above)"; return }
        $failures = foreach ($example in $page.Examples) {
            foreach ($e in Get-ParseErrors (Get-ExampleScript $example.Code)) { "$($example.Title), line $($e.Extent.StartLineNumber): $($e.Message)" }
        }
        $failures | Should -BeNullOrEmpty
    }

    It 'shows the page with Get-Help -Full' {
        if (-not $page) { Set-ItResult -Skipped -Because "docs/cmdlets/$Name.md does not exist (one failure above)"; return }
        $help = Get-Help $Name -Full
        (Compress-Text $help.Synopsis) | Should -Be (Compress-Text (ConvertTo-PlainInline $page.Synopsis))
        $shown = $help | Out-String -Width 4096
        $expected = @(
            Get-ExpectedText $page.Description
            Get-ExpectedText $page.Notes
            foreach ($example in $page.Examples) { Compress-Text $example.Code; Get-ExpectedText $example.Remarks }
            foreach ($entry in @($page.Inputs) + @($page.Outputs)) { Compress-Text $entry.Type; Get-ExpectedText $entry.Text }
            foreach ($parameter in $page.Parameters.Values) { if ($parameter.Name -ne 'CommonParameters') { Get-ExpectedText $parameter.Text } }
            foreach ($link in $page.Links) { Compress-Text $link.Text }
        )
        Find-Missing $shown $expected | Should -BeNullOrEmpty
    }

    It 'shows every example with Get-Help -Examples' {
        if (-not $page) { Set-ItResult -Skipped -Because "docs/cmdlets/$Name.md does not exist (one failure above)"; return }
        $help = Get-Help $Name -Examples
        @($help.examples.example).Count | Should -Be $page.Examples.Count
        $expected = foreach ($example in $page.Examples) { Compress-Text $example.Title; Compress-Text $example.Code; Get-ExpectedText $example.Remarks }
        Find-Missing ($help | Out-String -Width 4096) $expected | Should -BeNullOrEmpty
    }

    It 'shows each parameter with Get-Help -Parameter' {
        if (-not $page) { Set-ItResult -Skipped -Because "docs/cmdlets/$Name.md does not exist (one failure above)"; return }
        $missing = foreach ($parameter in $parameters) {
            if (-not $page.Parameters.Contains($parameter)) { "-$($parameter): no text on the page"; continue }
            $shown = Get-Help $Name -Parameter $parameter | Out-String -Width 4096
            foreach ($line in Find-Missing $shown (Get-ExpectedText $page.Parameters[$parameter].Text)) { "-$($parameter): $line" }
        }
        $missing | Should -BeNullOrEmpty
    }
}

Describe 'docs/cmdlets/<Page>.md' -ForEach $script:Pages {
    It 'documents a cmdlet the module exports' {
        Get-Command -Module AltinnApp -Name $Page -CommandType Cmdlet -ErrorAction Ignore | Should -Not -BeNullOrEmpty -Because 'a page for a cmdlet that does not exist misleads'
    }
}

Describe 'about_AltinnApp' {
    BeforeAll {
        $markdown = Get-Content -Raw (Join-Path $script:RepoRoot 'docs/about_AltinnApp.md')
        $headings = [regex]::Matches($markdown, '(?m)^##\s+(.+)$') | ForEach-Object { $_.Groups[1].Value.Trim() }
    }

    It 'is shown by Get-Help about_AltinnApp' {
        $help = Get-Help about_AltinnApp | Out-String -Width 4096
        $help | Should -Match 'about_AltinnApp'
        foreach ($heading in $headings) { $help | Should -Match ([regex]::Escape($heading.ToUpperInvariant())) }
        $shown = Compress-Text $help
        $shown.Contains((Compress-Text 'A session keeps the signing key, not only a token.')) | Should -BeTrue
    }

    It 'is listed with its short description' {
        $entry = Get-Help about_Altinn* | Where-Object Name -eq 'about_AltinnApp'
        $entry | Should -Not -BeNullOrEmpty
        $entry.Synopsis | Should -Match 'Altinn 3 apps'
    }

    It 'covers sessions, environments, the system user, key sources, the pipeline, the journal, errors and retries, logging' {
        foreach ($topic in 'SESSIONS', 'ENVIRONMENTS', 'SYSTEM USER', 'KEY SOURCES', 'PIPELINE', 'JOURNAL', 'ERRORS AND RETRIES', 'LOGGING') {
            ($headings | Where-Object { $_.ToUpperInvariant().Contains($topic) }) | Should -Not -BeNullOrEmpty -Because "about_AltinnApp needs a section on $topic"
        }
    }

    It 'has code that parses' {
        $blocks = [regex]::Matches($markdown, '(?s)```powershell\s*\n(.*?)\n```') | ForEach-Object { $_.Groups[1].Value }
        $blocks | Should -Not -BeNullOrEmpty
        $failures = foreach ($block in $blocks) { Get-ParseErrors $block | ForEach-Object { "$($_.Message) in: $block" } }
        $failures | Should -BeNullOrEmpty
    }
}

Describe 'README.md' {
    It 'has PowerShell examples that parse' {
        $markdown = Get-Content -Raw (Join-Path $script:RepoRoot 'README.md')
        $blocks = [regex]::Matches($markdown, '(?s)```powershell\s*\n(.*?)\n\s*```') | ForEach-Object { $_.Groups[1].Value -replace '(?m)^ {3}', '' }
        $blocks | Should -Not -BeNullOrEmpty
        $failures = foreach ($block in $blocks) { Get-ParseErrors $block | ForEach-Object { "$($_.Message) in: $block" } }
        $failures | Should -BeNullOrEmpty
    }
}
