#Requires -Modules Pester
# What is left of the ergonomics work, as a user meets it: Get-AltinnApplication lists every task of the app's
# process; exports carry dates in ISO 8601 whatever the culture; -App completes before any read;
# Get-AltinnInstance -Active takes a person number and never shows it whole.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name ergonomics-finish
    $script:Session = Connect-TestSession -Simulator $script:Sim
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-finish-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null

    function script:Get-Completion([string] $Line) {
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches)
    }

    function script:Get-RequestCount([string] $Like) {
        $requests = (Get-SimulatorCounters $script:Sim).requests
        $key = $requests.PSObject.Properties.Name | Where-Object { $_ -like $Like }
        if ($key) { [int]$requests.$key } else { 0 }
    }
}

AfterAll {
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Get-AltinnApplication shows the whole process' {
    It 'lists every task of a two-task app in order, with its type and the action that leaves it' {
        $app = Get-AltinnApplication -App brg/aarsregnskap-bekreft -Session $script:Session
        $app.ProcessTasks.Id | Should -Be @('Task_1', 'Task_2')
        $app.ProcessTasks.TaskType | Should -Be @('data', 'confirmation')
        $app.ProcessTasks.LeaveAction | Should -Be @('submit', 'confirm')
        $app.ProcessTasks[1].Actions | Should -Contain 'confirm'
        $app.ProcessTasks[1].Name | Should -Be 'Bekreftelse'
    }

    It 'shows the tasks, their types and actions in the default view at 80 columns' {
        $text = Get-AltinnApplication -App brg/aarsregnskap-bekreft -Session $script:Session | Out-String -Width 80
        ($text -split "`r?`n") | Where-Object { $_.TrimEnd().Length -gt 80 } | Should -BeNullOrEmpty
        $text | Should -Not -Match '…'
        # the Tasks column wraps; put back together it names both tasks
        $flat = $text -replace '\s+', ' '
        $flat | Should -Match 'Task_1 data \(submit\)'
        $flat | Should -Match 'Task_2 confirmation \(confirm\)'
        $flat | Should -Match '\bany\b'   # the app allows any party type
    }

    It 'reads a signing and a payment task from a process the simulator was given' {
        $app = Register-TestApp -Simulator $script:Sim -App finish-three -Process @(
            @{ id = 'Task_1'; type = 'data'; name = 'Utfylling' },
            @{ id = 'Task_2'; type = 'signing'; name = 'Signering'; actions = @('read', 'sign', 'reject') },
            @{ id = 'Task_3'; type = 'payment'; name = 'Betaling' })
        $read = Get-AltinnApplication -App $app -Session $script:Session
        $read.ProcessTasks.Id | Should -Be @('Task_1', 'Task_2', 'Task_3')
        $read.ProcessTasks.LeaveAction | Should -Be @('submit', 'sign', 'pay')
        $read.ProcessTasks[1].Actions | Should -Be @('sign', 'reject')
        ($read.DataTypes | Where-Object Id -eq attachment).MaxSizeText | Should -Be '5 MB'
    }

    It 'reads the process once a session' {
        $before = Get-RequestCount 'GET */api/v1/meta/process'
        $null = Get-AltinnApplication -App brg/aarsregnskap-bekreft -Session $script:Session
        $null = Get-AltinnApplication -App brg/aarsregnskap-bekreft -Session $script:Session
        Get-RequestCount 'GET */api/v1/meta/process' | Should -Be $before
    }
}

Describe 'Dates in exports are ISO 8601 whatever the culture' {
    BeforeAll {
        $script:Journal = Join-Path $script:Work 'dates.journal'
        $script:Instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $script:Journal -Key 'dates-1' -Session $script:Session

        # a fresh pwsh under nb-NO: exports the instance, the active list and the journal
        $child = Join-Path $script:Work 'export-nb.ps1'
        @'
param($Helpers, $BaseUri, $InstanceId, $Journal, $Out)
$ErrorActionPreference = 'Stop'
[cultureinfo]::CurrentCulture = 'nb-NO'
Import-Module $Helpers
Import-Module AltinnApp
$session = Connect-TestSession -Simulator ([pscustomobject]@{ BaseUri = $BaseUri })
$instance = Get-AltinnInstance -InstanceId $InstanceId -App brg/aarsregnskap -Session $session
$instance | Export-Csv -Path (Join-Path $Out 'instance.csv') -NoTypeInformation
Get-AltinnInstance -Active -PartyId $instance.PartyId -App brg/aarsregnskap -Session $session | Export-Csv -Path (Join-Path $Out 'active.csv') -NoTypeInformation
Get-AltinnJournal -Path $Journal | Export-Csv -Path (Join-Path $Out 'journal.csv') -NoTypeInformation
$instance | ConvertTo-Json -Depth 3 -WarningAction SilentlyContinue | Set-Content (Join-Path $Out 'instance.json')
Get-AltinnJournal -Path $Journal | ConvertTo-Json -Depth 3 -WarningAction SilentlyContinue | Set-Content (Join-Path $Out 'journal.json')
# still dates for a script
[pscustomobject]@{
    IsDate = $instance.Created -is [datetime]
    Year = $instance.Created.ToString('yyyy')
    Older = $instance.Created -lt (Get-Date).AddDays(1)
} | ConvertTo-Json | Set-Content (Join-Path $Out 'script.json')
'@ | Set-Content -Path $child
        $script:Run = Invoke-ChildPwsh -File $child -ArgumentList @("$PSScriptRoot/Support/AltinnTestHelpers.psm1", $script:Sim.BaseUri, $script:Instance.Id, $script:Journal, $script:Work)
        $script:Iso = '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$'
    }

    It 'runs the exports under nb-NO' {
        $script:Run.ExitCode | Should -Be 0 -Because $script:Run.Error
    }

    It 'writes the instance''s dates as ISO 8601 in Export-Csv' {
        $row = Import-Csv (Join-Path $script:Work 'instance.csv')
        $row.Created | Should -Match $script:Iso
        $row.LastChanged | Should -Match $script:Iso
        ([datetimeoffset]::Parse($row.Created, [cultureinfo]::InvariantCulture)).UtcDateTime |
            Should -Be $script:Instance.Created.ToUniversalTime()
    }

    It 'writes the active list''s dates as ISO 8601 in Export-Csv' {
        $rows = @(Import-Csv (Join-Path $script:Work 'active.csv'))
        $rows | Should -Not -BeNullOrEmpty
        $rows | ForEach-Object { $_.LastChanged | Should -Match $script:Iso }
    }

    It 'writes the journal''s dates as ISO 8601 in Export-Csv' {
        $row = Import-Csv (Join-Path $script:Work 'journal.csv') | Where-Object Key -eq 'dates-1'
        $row.Started | Should -Match $script:Iso
        $row.Updated | Should -Match $script:Iso
    }

    It 'writes ISO 8601 strings in ConvertTo-Json' {
        $instance = Get-Content -Raw (Join-Path $script:Work 'instance.json')
        $instance | Should -Match '"Created":\s*"\d{4}-\d{2}-\d{2}T[^"]+"'
        $instance | Should -Not -Match '\\/Date\('
        $journal = Get-Content -Raw (Join-Path $script:Work 'journal.json')
        $journal | Should -Match '"Started":\s*"\d{4}-\d{2}-\d{2}T[^"]+"'
    }

    It 'keeps the dates dates for a script' {
        $script = Get-Content -Raw (Join-Path $script:Work 'script.json') | ConvertFrom-Json
        $script.IsDate | Should -BeTrue
        $script.Year | Should -Be ([string]$script:Instance.Created.Year)
        $script.Older | Should -BeTrue
    }
}

Describe '-App completes before any read' {
    BeforeAll {
        $script:Fresh = Connect-TestSession -Simulator $script:Sim
    }

    It 'offers the apps Altinn lists for the owner typed, though the session has read none' {
        $script:Fresh.CachedApplications | Should -BeNullOrEmpty
        $offered = (Get-Completion 'New-AltinnInstance -Session $script:Fresh -App brg/').CompletionText
        $offered | Should -Contain 'brg/aarsregnskap'
        $offered | Should -Contain 'brg/aarsregnskap-bekreft'
        $offered | Where-Object { $_ -notlike 'brg/*' } | Should -BeNullOrEmpty
    }

    It 'asks Altinn once a session per owner' {
        $before = Get-RequestCount 'GET /storage/api/v1/applications/*'
        $null = Get-Completion 'New-AltinnInstance -Session $script:Fresh -App brg/aa'
        $null = Get-Completion 'Get-AltinnInstance -Session $script:Fresh -App brg/'
        Get-RequestCount 'GET /storage/api/v1/applications/*' | Should -Be $before
    }

    It 'offers the apps of a journal this process has opened' {
        $app = Register-TestApp -Simulator $script:Sim -Org ttd -App finish-journaled
        $journal = Join-Path $script:Work 'completion.journal'
        $null = New-AltinnInstance -App $app -OrganizationNumber 950474084 -Journal $journal -Key 'c-1' -Session $script:Session
        $other = Connect-TestSession -Simulator $script:Sim
        (Get-Completion 'New-AltinnInstance -Session $other -App ttd/finish-j').CompletionText | Should -Contain $app
        (Get-Completion 'New-AltinnInstance -Session $other -App ').CompletionText | Should -Contain $app
    }

    It 'offers nothing for an owner Altinn does not know, and does not fail' {
        (Get-Completion 'New-AltinnInstance -Session $script:Fresh -App nosuchowner/').CompletionText | Should -BeNullOrEmpty
    }
}

Describe 'Get-AltinnInstance -Active -PersonNumber' {
    It 'refuses an invalid person number, masked' {
        Get-AltinnInstance -Active -PersonNumber 08089403199 -App brg/aarsregnskap -Session $script:Session -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.InvalidPersonNumber*'
        $err[0].Exception.Message | Should -Match '080894\*{5}'
        # what the module writes (the error echoes the user's own command line, which is theirs)
        $err[0].Exception.Message + $err[0].ErrorDetails.Message + [string]$err[0].TargetObject | Should -Not -Match '08089403199'
    }

    It 'names a person the session has met no instance of, masked in the error, its target and the log' {
        $log = Join-Path $script:Work 'person.log'
        $logged = Connect-TestSession -Simulator $script:Sim -Extra @{ LogPath = $log }
        $output = Get-AltinnInstance -Active -PersonNumber 08089403198 -App brg/aarsregnskap -Session $logged -Verbose -ErrorVariable err -ErrorAction SilentlyContinue 4>&1
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.GetActiveInstances.NotAPartyOfSession*'
        $err[0].Exception.Message | Should -Match '080894\*{5}'
        $err[0].Exception.Message | Should -Match '-PartyId'
        $err[0].TargetObject | Should -Be '080894*****'
        $all = (@($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }) | Out-String) + $err[0].Exception.Message + $err[0].ErrorDetails.Message + [string]$err[0].TargetObject
        if (Test-Path $log) { $all += Get-Content -Raw $log }
        $all | Should -Not -Match '08089403198'
    }

    It 'is its own parameter set: with -PartyId or -OrganizationNumber it is refused' {
        { Get-AltinnInstance -Active -PersonNumber 08089403198 -PartyId 500700 -App brg/aarsregnskap -Session $script:Session -ErrorAction Stop } |
            Should -Throw -ErrorId 'AmbiguousParameterSet,AltinnApp.PowerShell.Cmdlets.GetAltinnInstanceCommand'
    }
}
