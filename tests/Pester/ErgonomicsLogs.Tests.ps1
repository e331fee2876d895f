#Requires -Modules Pester
# What an operator reads: an HTTP error that says its status once, names Altinn's trace id and prints its
# recommendation once; and the log file of Connect-Altinn -LogPath, checked line by line.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name ergonomics-logs
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-logs-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null
    $script:Session = Connect-TestSession -Simulator $script:Sim

    # a log line: UTC time (ISO 8601), level, journal key, instance id, message, separated by tabs
    $script:LinePattern = '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t(INFO|VERBOSE|DEBUG|WARNING|ERROR)\t[^\t]+\t[^\t]+\t[^\t]*$'
    function script:Read-Log([string] $Path) {
        @(Get-Content -LiteralPath $Path | ForEach-Object {
            $cells = $_ -split "`t"
            [pscustomobject]@{ Line = $_; Time = $cells[0]; Level = $cells[1]; Key = $cells[2]; Instance = $cells[3]; Message = $cells[4] }
        })
    }
    function script:Count-Of([string] $Text, [string] $Part) { ([regex]::Matches($Text, [regex]::Escape($Part))).Count }
}

AfterAll {
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'An error Altinn answered, as the operator reads it' {
    It 'says the status once, in words, not the bare ProblemDetails title again' {
        Get-AltinnApplication -App brg/nosuchapp -Session $script:Session -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.GetApplication.NotFound*'
        $message = $err[0].Exception.Message
        $message | Should -Match '404 Not Found\.'
        $message | Should -Not -Match 'Not Found – Not Found'
        (Count-Of $message 'Not Found') | Should -Be 1

        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 974760673 -Session $script:Session -ErrorVariable created -ErrorAction SilentlyContinue
        $created[0].Exception.Message | Should -Not -Match 'Forbidden – Forbidden|Not Found – Not Found'
    }

    It 'names Altinn''s trace id in the message and as Exception.TraceId' {
        Get-AltinnApplication -App brg/nosuchapp -Session $script:Session -ErrorVariable err -ErrorAction SilentlyContinue
        $traceId = $err[0].Exception.TraceId
        $traceId | Should -Match '^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$'
        $err[0].Exception.Message | Should -BeLike "*Altinn's trace id: $traceId."
        (Count-Of $err[0].Exception.Message $traceId) | Should -Be 1

        # an instance Altinn will not show is explained by the module, and keeps the trace id
        Get-AltinnInstance -InstanceId "500700/$([Guid]::NewGuid())" -App brg/aarsregnskap -Session $script:Session -ErrorVariable missing -ErrorAction SilentlyContinue
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.Instance.NotFoundOrForbidden*'
        $missing[0].Exception.TraceId | Should -Match '^00-'
        $missing[0].Exception.Message | Should -Match ([regex]::Escape("Altinn's trace id: $($missing[0].Exception.TraceId)."))
    }

    It 'prints the recommendation once: on the Recommendation line in ConciseView, in the message elsewhere' {
        $saved = $ErrorView
        try {
            $global:ErrorView = 'ConciseView'
            Get-AltinnApplication -App brg/nosuchapp -Session $script:Session -ErrorVariable concise -ErrorAction SilentlyContinue
            $global:ErrorView = 'NormalView'
            Get-AltinnApplication -App brg/nosuchapp -Session $script:Session -ErrorVariable normal -ErrorAction SilentlyContinue
        } finally { $global:ErrorView = $saved }

        $recommendation = $concise[0].ErrorDetails.RecommendedAction
        $recommendation | Should -Not -BeNullOrEmpty
        $sentence = $recommendation.TrimEnd('.')
        # the exception keeps the whole text for catch blocks and logs
        (Count-Of $concise[0].Exception.Message $sentence) | Should -Be 1
        # ConciseView prints ErrorDetails.Message and then "Recommendation: ...": the message leaves it out
        (Count-Of $concise[0].ErrorDetails.Message $sentence) | Should -Be 0
        $concise[0].ErrorDetails.Message | Should -Match '404 Not Found\. Altinn''s trace id: 00-'
        $shown = & { $ErrorView = 'ConciseView'; $PSStyle.OutputRendering = 'PlainText'; $concise[0] | Out-String -Width 4000 }
        (Count-Of $shown $sentence) | Should -Be 1
        $shown | Should -Match 'Recommendation:'
        # NormalView has no Recommendation line: the message says it
        (Count-Of $normal[0].ErrorDetails.Message $sentence) | Should -Be 1
    }

    It 'prints the advice for an instance Altinn will not show, and for another organisation''s create, once in ConciseView' {
        $saved = $ErrorView
        try {
            $global:ErrorView = 'ConciseView'
            Get-AltinnInstance -InstanceId "500700/$([Guid]::NewGuid())" -App brg/aarsregnskap -Session $script:Session -ErrorVariable missing -ErrorAction SilentlyContinue
            New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 310461598 -Session $script:Session -ErrorVariable other -ErrorAction SilentlyContinue
        } finally { $global:ErrorView = $saved }
        foreach ($err in $missing[0], $other[0]) {
            $sentence = $err.ErrorDetails.RecommendedAction.TrimEnd('.')
            (Count-Of $err.Exception.Message $sentence) | Should -Be 1
            (Count-Of $err.ErrorDetails.Message $sentence) | Should -Be 0
        }
        $missing[0].ErrorDetails.Message | Should -Match '(?s)may not see it .+ In detail:.+the party 500700'
        $other[0].ErrorDetails.Message | Should -Match '(?s)with a session of its own\..*Altinn''s trace id'
    }
}

Describe 'Connect-Altinn -LogPath' {
    BeforeAll {
        $script:Log = Join-Path $script:Work 'nightly.log'
        $parameters = Get-SimulatorConnectParameters $script:Sim
        $script:Key = New-TestRsaJwk
        $script:ClientId = Register-TestClient -Simulator $script:Sim -Jwk $script:Key
        $script:Logged = Connect-Altinn @parameters -ClientId $script:ClientId -Jwk $script:Key.Private -SystemUserOrganization 950474084 -PassThru -LogPath $script:Log -RetryIntervalSec 0.05
        $script:Token = Get-AltinnAccessToken -Session $script:Logged -AsPlainText
        $script:Journal = Join-Path $script:Work 'logs.journal'
        $script:Instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal $script:Journal -Key 'logs-2025' -Session $script:Logged
        Get-AltinnInstance -InstanceId $script:Instance.Id -App brg/aarsregnskap -Session $script:Logged | Out-Null
        $script:Instance | Set-AltinnData -DataType model -Value @{ property1 = 'a' } | Out-Null
        Get-AltinnApplication -App brg/nosuchapp -Session $script:Logged -ErrorAction SilentlyContinue
    }

    It 'shows the file on the session, and writes one well-formed line per message' {
        $script:Logged.LogPath | Should -Be $script:Log
        ($script:Logged | Out-String -Width 500) | Should -Match "LogPath\s+: $([regex]::Escape($script:Log))"
        $lines = Read-Log $script:Log
        $lines.Count | Should -BeGreaterThan 5
        foreach ($line in $lines) { $line.Line | Should -Match $script:LinePattern }
        $lines[0].Level | Should -BeIn 'VERBOSE', 'DEBUG', 'INFO'
        @($lines | Where-Object Level -eq INFO | Where-Object Message -like 'Connected to *').Count | Should -Be 1
        # verbose messages are logged whatever -Verbose says
        @($lines | Where-Object Level -eq VERBOSE).Count | Should -BeGreaterThan 0
    }

    It 'names the journal key and the instance id where known' {
        $lines = Read-Log $script:Log
        @($lines | Where-Object { $_.Key -eq 'logs-2025' }).Count | Should -BeGreaterThan 0
        @($lines | Where-Object { $_.Key -eq 'logs-2025' -and $_.Instance -eq $script:Instance.Id }).Count | Should -BeGreaterThan 0
        @($lines | Where-Object { $_.Instance -eq $script:Instance.Id }).Count | Should -BeGreaterThan 1
    }

    It 'logs an error with its ErrorId and Altinn''s trace id' {
        $errors = @(Read-Log $script:Log | Where-Object Level -eq ERROR)
        $errors | Should -HaveCount 1
        $errors[0].Message | Should -Match '^Altinn\.GetApplication\.NotFound: .*404 Not Found.*Altinn''s trace id: 00-[0-9a-f]{32}-'
    }

    It 'never writes the token, the key or the grant' {
        $text = Get-Content -Raw -LiteralPath $script:Log
        $parts = $script:Token -split '\.'
        $text.Contains($script:Token) | Should -BeFalse
        $text.Contains($parts[1]) | Should -BeFalse
        $text.Contains($parts[2]) | Should -BeFalse
        $jwk = $script:Key.Private | ConvertFrom-Json
        foreach ($field in 'd', 'p', 'q') { $text.Contains($jwk.$field) | Should -BeFalse }
        $text | Should -Not -Match 'eyJ[A-Za-z0-9_-]{10,}\.'
        $text | Should -Not -Match 'assertion=[^\[]'
    }

    It 'keeps lines whole when parallel runspaces write at once' {
        $before = (Read-Log $script:Log).Count
        $session = $script:Logged
        $id = $script:Instance.Id
        1..8 | ForEach-Object -ThrottleLimit 4 -Parallel {
            Import-Module AltinnApp
            1..5 | ForEach-Object { Get-AltinnInstance -InstanceId $using:id -App brg/aarsregnskap -Session $using:session | Out-Null }
        }
        $lines = Read-Log $script:Log
        ($lines.Count - $before) | Should -BeGreaterOrEqual 40
        foreach ($line in $lines) { $line.Line | Should -Match $script:LinePattern }
    }

    It 'logs a connect that fails, with its ErrorId' {
        $failedLog = Join-Path $script:Work 'failed.log'
        $parameters = Get-SimulatorConnectParameters $script:Sim
        $other = New-TestRsaJwk
        { Connect-Altinn @parameters -ClientId $script:ClientId -Jwk $other.Private -SystemUserOrganization 950474084 -LogPath $failedLog -ErrorAction Stop } |
            Should -Throw -ErrorId 'Altinn.Maskinporten.KeyNotAccepted*'
        $errors = @(Read-Log $failedLog | Where-Object Level -eq ERROR)
        $errors | Should -HaveCount 1
        $errors[0].Message | Should -BeLike 'Altinn.Maskinporten.KeyNotAccepted: *'
        (Get-Content -Raw $failedLog).Contains(($other.Private | ConvertFrom-Json).d) | Should -BeFalse
    }

    It 'refuses a folder that does not exist, with a clear error and nothing created' {
        $missing = Join-Path $script:Work 'no-such-folder'
        $parameters = Get-SimulatorConnectParameters $script:Sim
        $thrown = { Connect-Altinn @parameters -ClientId $script:ClientId -Jwk $script:Key.Private -SystemUserOrganization 950474084 -LogPath (Join-Path $missing 'nightly.log') -ErrorAction Stop } |
            Should -Throw -ErrorId 'Altinn.Connect.FolderMissing*' -PassThru
        $thrown.Exception.Message | Should -Match 'does not exist'
        $thrown.Exception.Message | Should -Match 'Create it first'
        $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
        Test-Path $missing | Should -BeFalse
    }

    It 'closes the file on Disconnect-Altinn' {
        Disconnect-Altinn -Session $script:Logged
        $moved = Join-Path $script:Work 'rotated.log'
        Move-Item -LiteralPath $script:Log -Destination $moved
        { [IO.File]::Open($moved, 'Open', 'ReadWrite', 'None').Dispose() } | Should -Not -Throw
    }
}
