#Requires -Modules Pester
# What an operator meets in the first hour: -DataType and journal completion, the journal's lock file,
# New-AltinnSigningKey into a folder not made yet, a Windows path on Linux, Get-Help -Online.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name ergonomics-small

    function Get-Completion([string] $Line) {
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches)
    }
}

AfterAll {
    Disconnect-Altinn
    Stop-AltinnSimulator $script:Sim
}

Describe 'Tab completion of -DataType offers what the cmdlet takes' {
    BeforeAll {
        $null = Connect-TestSession -Simulator $script:Sim
        $script:Instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084
    }

    It 'offers Set-AltinnData the form data types only' {
        (Get-Completion 'Set-AltinnData -Instance $script:Instance -DataType ').CompletionText | Should -Be @('model')
    }

    It 'offers Add-AltinnAttachment the file types only' {
        (Get-Completion 'Add-AltinnAttachment -Instance $script:Instance -DataType ').CompletionText | Should -Be @('attachment')
    }

    It 'offers Get-AltinnData every type' {
        (Get-Completion 'Get-AltinnData -Instance $script:Instance -DataType ').CompletionText | Should -Be @('model', 'attachment')
    }

    It 'completes for an instance that comes down the pipeline, from the apps the session has read' {
        (Get-Completion '$script:Instance | Set-AltinnData -DataType ').CompletionText | Should -Be @('model')
        (Get-Completion '$script:Instance | Add-AltinnAttachment -Path ./a.pdf -DataType ').CompletionText | Should -Be @('attachment')
    }

    It 'takes the app from -App earlier in the pipeline' {
        (Get-Completion 'New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 | Add-AltinnAttachment -Path ./a.pdf -DataType ').CompletionText |
            Should -Be @('attachment')
    }
}

Describe 'Journal completion and its lock file' {
    BeforeAll {
        $null = Connect-TestSession -Simulator $script:Sim
        $script:Folder = Join-Path $TestDrive 'journal'
        New-Item -ItemType Directory $script:Folder | Out-Null
        $script:Journal = Join-Path $script:Folder 'batch.journal'
        foreach ($key in 'org-950474084-2025', 'org-310461598-2025', 'with space') {
            $null = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $script:Journal -Key $key
        }
    }

    It "completes -Key with the journal's keys" {
        (Get-Completion "Get-AltinnJournal -Path '$script:Journal' -Key org-9").CompletionText | Should -Be @('org-950474084-2025')
        $all = (Get-Completion "Get-AltinnJournal -Path '$script:Journal' -Key ").CompletionText
        $all | Should -Contain 'org-310461598-2025'
        $all | Should -Contain "'with space'"
    }

    It 'offers no key, and does not fail, for a journal that is not there' {
        (Get-Completion "Get-AltinnJournal -Path '$(Join-Path $TestDrive 'none.journal')' -Key ").CompletionText | Should -BeNullOrEmpty
    }

    It 'keeps the lock file out of sight: hidden by its name where it stays, never offered as a journal' {
        $visible = @(Get-ChildItem $script:Folder).Name
        $visible | Should -Be @('batch.journal')
        if (-not $IsWindows) { @(Get-ChildItem -Force $script:Folder).Name | Should -Contain '.batch.journal.lock' }
        $offered = (Get-Completion "Get-AltinnJournal -Path '$script:Folder/").CompletionText
        $offered | Where-Object { $_ -like '*batch.journal*' } | Should -Not -BeNullOrEmpty
        $offered | Where-Object { $_ -like '*.lock*' } | Should -BeNullOrEmpty
    }

    It 'removes the lock file after the run on Windows, where that is safe' -Skip:(-not $IsWindows) {
        Test-Path -LiteralPath (Join-Path $script:Folder '.batch.journal.lock') | Should -BeFalse
    }
}

Describe 'New-AltinnSigningKey into a folder that is not there yet' {
    It 'creates the folder, open to the current user only, and writes the key' {
        $folder = Join-Path $TestDrive 'home/.altinn'
        $key = New-AltinnSigningKey -Path (Join-Path $folder 'key.json')
        $key.Path | Should -Exist
        if (-not $IsWindows) {
            (Get-Item -Force $folder).UnixMode | Should -Be 'drwx------'
            (Get-Item (Join-Path $TestDrive 'home')).UnixMode | Should -Be 'drwx------'
            (Get-Item -Force $key.Path).UnixMode | Should -Be '-rw-------'
        }
        else {
            $rules = @((Get-Acl $folder).Access)
            $rules.IdentityReference.Value | Should -Be @([Security.Principal.WindowsIdentity]::GetCurrent().Name)
        }
    }

    It 'leaves a folder that is already there as it is' -Skip:$IsWindows {
        $folder = Join-Path $TestDrive 'shared'
        New-Item -ItemType Directory $folder | Out-Null
        $before = (Get-Item $folder).UnixMode
        $null = New-AltinnSigningKey -Path (Join-Path $folder 'key.json')
        (Get-Item $folder).UnixMode | Should -Be $before
    }
}

Describe 'A path on a drive this machine does not have' {
    It 'is a file error that names the path, not an unexpected one' -Skip:$IsWindows {
        $null = Connect-TestSession -Simulator $script:Sim
        $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084
        $out = Add-AltinnAttachment -Instance $instance -Path 'C:\x.pdf' -DataType attachment -ErrorAction SilentlyContinue -ErrorVariable failed
        $out | Should -BeNullOrEmpty
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.AddAttachment.FileNotFound*'
        $failed[0].Exception.Message | Should -Match ([regex]::Escape("'C:\x.pdf'"))
        $failed[0].Exception.Message | Should -Match 'this machine'
    }
}

Describe 'Get-Help -Online' {
    It "opens the cmdlet's own page" -Skip:$IsWindows {
        # a stand-in browser: .NET opens an address with xdg-open on Linux (open on macOS), found on PATH
        $bin = Join-Path $TestDrive 'bin'
        New-Item -ItemType Directory $bin | Out-Null
        $opened = Join-Path $TestDrive 'opened.txt'
        foreach ($name in 'xdg-open', 'open') {
            Set-Content -LiteralPath (Join-Path $bin $name) -Value "#!/bin/sh`nprintf '%s' `"`$1`" > '$opened'`n"
            chmod +x (Join-Path $bin $name)
        }
        $script = Join-Path $TestDrive 'online.ps1'
        Set-Content -LiteralPath $script -Value 'Import-Module AltinnApp; Get-Help Add-AltinnAttachment -Online'
        $run = Invoke-ChildPwsh -File $script -Environment @{ PATH = "$bin$([IO.Path]::PathSeparator)$env:PATH"; DISPLAY = ':0' }
        $run.Error | Should -BeNullOrEmpty
        Get-Content -Raw -LiteralPath $opened | Should -Be 'https://github.com/altinnapp/AltinnApp/blob/main/docs/cmdlets/Add-AltinnAttachment.md'
    }

    It 'has the address of its page for every cmdlet' {
        foreach ($command in Get-Command -Module AltinnApp -CommandType Cmdlet) {
            $first = @((Get-Help $command.Name).relatedLinks.navigationLink | Where-Object { $_.uri })[0]
            $first.uri | Should -Be "https://github.com/altinnapp/AltinnApp/blob/main/docs/cmdlets/$($command.Name).md"
        }
    }
}
