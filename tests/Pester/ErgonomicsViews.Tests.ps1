#Requires -Modules Pester
# What an operator sees at an 80-column prompt and in an export: every default view formats at 80 columns
# without cutting a value, an ended instance says when it ended, exports hold readable text, and
# Get-AltinnInstance never prompts.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name ergonomics-views
    $script:Session = Connect-TestSession -Simulator $script:Sim
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-views-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null
    $script:Journal = Join-Path $script:Work 'views.journal'
    $pdf = New-TestPdf -Folder $script:Work -Name 'annual-report-2025-final-version.pdf'

    $script:Open = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $script:Journal -Key 'open-row' -Session $script:Session |
        Set-AltinnData -DataType model -Value @{ property1 = 'a'; property2 = 'b' } |
        Add-AltinnAttachment -DataType attachment -Path $pdf
    $script:Ended = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $script:Journal -Key 'ended-row' -Session $script:Session |
        Set-AltinnData -DataType model -Value @{ property1 = 'a'; property2 = 'b' } |
        Submit-AltinnInstance
    # a failure with a long message, recorded against its key
    New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $script:Journal -Key 'failed-row-with-a-long-key' -Session $script:Session |
        Set-AltinnData -DataType nosuchtype -Value @{ property1 = 'a' } -ErrorAction SilentlyContinue | Out-Null

    $script:Samples = [ordered]@{
        Instances       = @($script:Open, $script:Ended)
        ActiveInstances = @(Get-AltinnInstance -Active -PartyId $script:Open.PartyId -App brg/aarsregnskap -Session $script:Session)
        DataElements    = @($script:Open.Data)
        Journal         = @(Get-AltinnJournal -Path $script:Journal)
        Applications    = @(Get-AltinnApplication -App brg/aarsregnskap -Session $script:Session)
        DataTypes       = @((Get-AltinnApplication -App brg/aarsregnskap -Session $script:Session).DataTypes)
        Issues          = @(New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Session $script:Session | Test-AltinnInstance)
        Sessions        = @($script:Session)
        Parties         = @(Get-AltinnParty -App brg/aarsregnskap -Session $script:Session)
    }

    # the rows of a table (or lines of a list) as Out-String -Width 80 gives them
    function script:Format-At80($Objects) { ($Objects | Out-String -Width 80) -split "`r?`n" | Where-Object { $_.Trim() } }
}

AfterAll {
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Default views at 80 columns' {
    It 'formats <_> within 80 columns, cutting no value' -ForEach @('Instances', 'ActiveInstances', 'DataElements', 'Journal', 'Applications', 'DataTypes', 'Issues', 'Sessions', 'Parties') {
        $objects = $script:Samples[$_]
        $objects | Should -Not -BeNullOrEmpty
        $lines = @(Format-At80 $objects)
        $lines | Should -Not -BeNullOrEmpty
        $lines | Where-Object { $_.TrimEnd().Length -gt 80 } | Should -BeNullOrEmpty
        # PowerShell marks a value cut to fit its column with an ellipsis
        $lines | Where-Object { $_ -match '…|\.\.\.$' } | Should -BeNullOrEmpty
    }

    It 'shows the instance table''s headers and an ended instance as "ended <when>"' {
        $lines = @(Format-At80 $script:Samples.Instances)
        $lines[0] | Should -Match '^Id\s+Owner\s+CurrentTask\s*$'
        $open = $lines | Where-Object { $_ -like "$($script:Open.Id)*" }
        $open | Should -Match '950474084\s+Task_1\s*$'
        $ended = $lines | Where-Object { $_ -like "$($script:Ended.Id)*" }
        $when = $script:Ended.Process.Ended.ToLocalTime().ToString('yyyy-MM-dd HH:mm')
        $ended | Should -Match ([regex]::Escape("ended $when"))
    }

    It 'shows the journal''s error whole, wrapped in its column' {
        $failed = $script:Samples.Journal | Where-Object Key -eq 'failed-row-with-a-long-key'
        $failed.State | Should -Be 'Failed'
        $failed.LastError.Length | Should -BeGreaterThan 32
        $lines = @(Format-At80 $failed)
        $column = $lines[0].IndexOf('Error')
        $column | Should -BeGreaterThan 0
        # the Error column's text on every line, put back together: the whole message, no character lost
        $shown = ($lines | Select-Object -Skip 2 | ForEach-Object { if ($_.Length -gt $column) { $_.Substring($column) } }) -join ''
        ($shown -replace '\s+', '') | Should -BeExactly ($failed.LastError -replace '\s+', '')
        ($lines | Select-Object -Skip 2 | ForEach-Object { $_.Substring(0, [Math]::Min($lines[0].IndexOf('State'), $_.Length)).Trim() }) -join '' | Should -BeExactly $failed.Key
        # a key of an organisation number, a period and a form fits its column: not cut over lines
        $lines[2] | Should -Match "^$([regex]::Escape($failed.Key))\s"
    }

    It 'shows sizes with units and party types in words' {
        ($script:Samples.DataElements | Out-String -Width 80) | Should -Match '\d+(\.\d)? (B|KB|MB)\b'
        $app = $script:Samples.Applications[0]
        [string]$app.PartyTypesAllowed | Should -Not -Match 'AltinnApp\.'
        ($app | Out-String -Width 80) | Should -Match 'Task_1'
        ($script:Samples.DataTypes | Out-String -Width 80) | Should -Match '\d+ MB|no limit'
    }
}

Describe 'Exports of instances and journal entries' {
    It 'Export-Csv of <_> holds no type names' -ForEach @('Instances', 'Journal') {
        $path = Join-Path $script:Work "$_.csv"
        $script:Samples[$_] | Export-Csv -Path $path -NoTypeInformation
        $text = Get-Content $path -Raw
        $text | Should -Not -Match 'AltinnApp\.Core\.|System\.Collections|List`1|Dictionary`2'
        $rows = Import-Csv $path
        $rows | Should -HaveCount @($script:Samples[$_]).Count
    }

    It 'ConvertTo-Json of <_> names no type where it stops expanding' -ForEach @('Instances', 'Journal') {
        $json = $script:Samples[$_] | ConvertTo-Json -WarningAction SilentlyContinue
        $json | Should -Not -Match 'AltinnApp\.Core\.|System\.Collections|List`1|Dictionary`2'
    }

    It 'ConvertTo-Json gives states and statuses by name, not number' {
        $journal = $script:Samples.Journal | ConvertTo-Json -WarningAction SilentlyContinue
        $journal | Should -Match '"State":\s*"Failed"'
        $journal | Should -Match '"Reached":\s*"Created"'
        $journal | Should -Not -Match '"(State|Reached|Begun)":\s*\d'
        $instances = $script:Samples.Instances | ConvertTo-Json -WarningAction SilentlyContinue
        $instances | Should -Match '"ReadStatus":\s*"\w+"'
        $element = $script:Open.Data | Where-Object DataType -eq attachment | ConvertTo-Json -WarningAction SilentlyContinue
        $element | Should -Not -Match '"FileScanResult":\s*\d'
    }

    It 'Export-Csv of the journal gives states as words' {
        $path = Join-Path $script:Work 'states.csv'
        $script:Samples.Journal | Export-Csv -Path $path -NoTypeInformation
        (Import-Csv $path | Where-Object Key -eq 'failed-row-with-a-long-key').State | Should -Be 'Failed'
    }

    It 'Export-Csv of instances gives the data and links as text' {
        $path = Join-Path $script:Work 'data.csv'
        $script:Open | Export-Csv -Path $path -NoTypeInformation
        $row = Import-Csv $path
        $row.Data | Should -Match 'model'
        $row.Data | Should -Match 'annual-report-2025-final-version\.pdf'
        $row.Status | Should -Be 'active'
    }
}

Describe 'Get-AltinnInstance without a target' {
    It 'reports an error instead of prompting' {
        # the default parameter set has no mandatory parameter, so no host ever asks for one
        $default = (Get-Command Get-AltinnInstance).ParameterSets | Where-Object IsDefault
        $default.Parameters | Where-Object IsMandatory | Should -BeNullOrEmpty
        $err = $null
        try { Get-AltinnInstance -Session $script:Session -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.GetInstance.NoInstanceGiven*'
        $err.Exception.Message | Should -Match '^No instance given\. Pass an instance'
        $err.Exception.Message | Should -Match '-InstanceId'
        $err.Exception.Message | Should -Match '-Active'
    }

    It 'lists a party''s active instances by organisation number, looked up at most once' {
        Clear-SimulatorRequests $script:Sim
        $active = @(Get-AltinnInstance -Active -OrganizationNumber 950474084 -App brg/aarsregnskap -Session $script:Session)
        $active.Id | Should -Contain $script:Open.Id
        $again = @(Get-AltinnInstance -Active -OrganizationNumber 950474084 -App brg/aarsregnskap -Session $script:Session)
        $again.Count | Should -Be $active.Count
        # the session met the organisation's party in the instances it made, or asks the party list once
        @(Get-SimulatorRequests $script:Sim -Method GET -PathLike '*/parties*').Count | Should -BeLessOrEqual 1
    }

    It 'says clearly when the organisation is not one the session can act for' {
        Get-AltinnInstance -Active -OrganizationNumber 310461598 -App brg/aarsregnskap -Session $script:Session -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.GetActiveInstances.NotAPartyOfSession*'
        $err[0].Exception.Message | Should -Match '310461598 is not one this session can act for'
        $err[0].Exception.Message | Should -Match '950474084'
    }
}
