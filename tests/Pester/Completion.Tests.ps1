#Requires -Modules Pester
# Tab completion as a user at the prompt gets it (TabExpansion2), against the simulator: -Environment,
# -App from the session, -DataType from the app's metadata (ErgonomicsSmall.Tests.ps1: which types each cmdlet is offered).

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name completion

    # what pressing Tab at the end of the line offers
    function Get-Completion([string] $Line) {
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches)
    }

    function Get-MetadataReads {
        $requests = (Get-SimulatorCounters $script:Sim).requests
        $key = $requests.PSObject.Properties.Name | Where-Object { $_ -like 'GET*applicationmetadata' }
        if ($key) { [int]$requests.$key } else { 0 }
    }
}

AfterAll {
    Disconnect-Altinn
    Stop-AltinnSimulator $script:Sim
}

Describe 'Tab completion of -Environment' {
    It 'offers every environment' {
        $offered = (Get-Completion 'Connect-Altinn -Environment ').CompletionText
        foreach ($name in 'prod', 'tt02', 'at22', 'at23', 'at24', 'yt01', 'local') { $offered | Should -Contain $name }
    }

    It 'completes what has been typed, in any case, also as the first positional argument' {
        (Get-Completion 'Connect-Altinn -Environment t').CompletionText | Should -Be @('tt02')
        (Get-Completion 'Connect-Altinn -Environment AT2').CompletionText | Should -Be @('at22', 'at23', 'at24')
        (Get-Completion 'Connect-Altinn yt').CompletionText | Should -Be @('yt01')
    }
}

Describe 'Tab completion of -App' {
    It 'offers no app before Connect-Altinn' {
        Disconnect-Altinn
        (Get-Completion 'New-AltinnInstance -App brg').CompletionText | Where-Object { $_ -like 'brg/*' } | Should -BeNullOrEmpty
    }

    It "offers the session's default app" {
        $null = Connect-TestSession -Simulator $script:Sim -App brg/aarsregnskap
        $offered = (Get-Completion 'New-AltinnInstance -App b').CompletionText
        $offered | Should -Contain 'brg/aarsregnskap'
        $offered | Where-Object { $_ -notlike 'b*' } | Should -BeNullOrEmpty
        (Get-Completion 'Get-AltinnApplication -App ').CompletionText | Should -Contain 'brg/aarsregnskap'
    }

    It 'offers the apps the session has read since' {
        $null = Get-AltinnApplication -App brg/aarsregnskap-bekreft
        $offered = (Get-Completion 'Get-AltinnInstance -App brg/').CompletionText
        $offered | Should -Contain 'brg/aarsregnskap'
        $offered | Should -Contain 'brg/aarsregnskap-bekreft'
        (Get-Completion 'New-AltinnInstance -App brg/aarsregnskap-').CompletionText | Should -Contain 'brg/aarsregnskap-bekreft'
        (Get-Completion 'New-AltinnInstance -App brg/aarsregnskap-').CompletionText | Should -Not -Contain 'brg/aarsregnskap'
    }

    It 'uses the session given with -Session on the same line' {
        $script:Other = Connect-TestSession -Simulator $script:Sim -Organization 310461598 -App brg/aarsregnskap-bekreft
        $null = Connect-TestSession -Simulator $script:Sim -App brg/aarsregnskap   # the current session is another one again
        Disconnect-Altinn                                                          # and offers nothing now
        (Get-Completion 'New-AltinnInstance -App brg/').CompletionText | Should -BeNullOrEmpty
        (Get-Completion 'New-AltinnInstance -Session $script:Other -App brg/').CompletionText | Should -Contain 'brg/aarsregnskap-bekreft'
    }
}

Describe 'Tab completion of -DataType' {
    BeforeAll {
        $null = Connect-TestSession -Simulator $script:Sim
        $script:Instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084
    }

    It "offers the app's data types, with what each takes, and not the receipt" {
        $offered = Get-Completion 'Get-AltinnData -Instance $script:Instance -DataType '
        $offered.CompletionText | Should -Be @('model', 'attachment')
        ($offered | Where-Object CompletionText -eq 'model').ToolTip | Should -Match 'form data'
        ($offered | Where-Object CompletionText -eq 'attachment').ToolTip | Should -Match 'application/pdf'
    }

    It 'completes what has been typed' {
        (Get-Completion 'Set-AltinnData -Instance $script:Instance -DataType m').CompletionText | Should -Be @('model')
    }

    It 'finds the app from -App when the instance is given by id' {
        (Get-Completion "Add-AltinnAttachment -InstanceId '$($script:Instance.Id)' -App brg/aarsregnskap -DataType a").CompletionText | Should -Be @('attachment')
    }

    It 'reads the metadata from Altinn at most once per session and app' {
        $null = Get-Completion 'Set-AltinnData -Instance $script:Instance -DataType '
        $before = Get-MetadataReads
        1..3 | ForEach-Object { $null = Get-Completion 'Set-AltinnData -Instance $script:Instance -DataType ' }
        Get-MetadataReads | Should -Be $before
    }

    It 'offers nothing, and does not fail, when the app cannot be read' {
        { Get-Completion 'Set-AltinnData -InstanceId 500700/00000000-0000-0000-0000-000000000001 -App brg/no-such-app -DataType ' } | Should -Not -Throw
        (Get-Completion 'Set-AltinnData -InstanceId 500700/00000000-0000-0000-0000-000000000001 -App brg/no-such-app -DataType ').CompletionText |
            Where-Object { $_ -in 'model', 'attachment' } | Should -BeNullOrEmpty
    }
}
