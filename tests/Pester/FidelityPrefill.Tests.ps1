#Requires -Modules Pester
# Prefill values are strings (InstansiationInstance.Prefill is Dictionary<string, string> in app-lib), and a 400
# ValidationProblemDetails reaches the user with each field in the message and in Exception.ValidationErrors.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name fidelity-prefill
    $script:Session = Connect-TestSession -Simulator $script:Sim

    # an app whose form has the fields these tests fill
    $script:App = 'ttd/prefill-types'
    $types = @(
        @{ id = 'ref-data-as-pdf'; allowedContentTypes = @('application/pdf'); maxCount = 0; minCount = 0 }
        @{ id = 'model'; allowedContentTypes = @('application/xml'); appLogic = @{ autoCreate = $true; classRef = 'Altinn.App.Models.Model' }; taskId = 'Task_1'; maxCount = 1; minCount = 1 }
    )
    Invoke-Simulator -Simulator $script:Sim -Method POST -Path '_sim/apps' -Body @{
        org = 'ttd'; app = 'prefill-types'
        metadata = @{ id = $script:App; org = 'ttd'; title = @{ nb = 'prefill-types' }; dataTypes = $types; partyTypesAllowed = @{ organisation = $true } }
        process = @(@{ id = 'Task_1'; type = 'data'; name = 'Utfylling' })
        modelFields = @('amount', 'ratio', 'approved', 'due', 'note')
        requiredFields = @()
        receiptFileName = 'prefill-types.pdf'
        generateReceipt = $true
    } | Out-Null

    function script:Get-CreatedCount {
        $created = (Get-SimulatorCounters $script:Sim).instancesCreated
        ($created.PSObject.Properties | Measure-Object -Property Value -Sum).Sum
    }

    $script:ValidationProblem = $null
}

AfterAll {
    Invoke-Simulator -Simulator $script:Sim -Method DELETE -Path '_sim/faults' | Out-Null
    Stop-AltinnSimulator $script:Sim
}

Describe 'New-AltinnInstance -Prefill sends text, as Altinn''s prefill takes it' {
    It 'sends numbers, booleans and dates as invariant text and the form holds them' {
        $before = [cultureinfo]::CurrentCulture
        try {
            # a culture that writes 1234.5 as 1234,5: the values must not depend on it
            [cultureinfo]::CurrentCulture = [cultureinfo]::new('nb-NO')
            (1234.5).ToString() | Should -Be '1234,5'
            $instance = New-AltinnInstance -App $script:App -OrganizationNumber 950474084 -Session $script:Session `
                -Prefill @{ amount = 12345; ratio = 1234.5; approved = $true; due = [datetime]'2026-05-31'; note = 'tekst' }
        } finally {
            [cultureinfo]::CurrentCulture = $before
        }

        $instance.Id | Should -Match '^500700/'
        $form = $instance | Get-AltinnData -DataType model
        $form.amount | Should -BeExactly '12345'
        $form.ratio | Should -BeExactly '1234.5'
        $form.approved | Should -BeExactly 'true'
        $form.due | Should -BeExactly '2026-05-31'
        $form.note | Should -BeExactly 'tekst'
    }

    It 'writes a date the same way in Set-AltinnData -Value as in -Prefill' {
        $instance = New-AltinnInstance -App $script:App -OrganizationNumber 950474084 -Session $script:Session -Prefill @{ due = [datetime]'2026-05-31' }
        $instance | Set-AltinnData -DataType model -Value @{ due = [datetime]'2026-06-30'; note = [datetimeoffset]'2026-06-30T13:45:00+02:00' } | Out-Null
        $form = $instance | Get-AltinnData -DataType model
        $form.due | Should -BeExactly '2026-06-30'
        $form.note | Should -BeExactly '2026-06-30T13:45:00+02:00'
    }

    It 'says which field the app could not read when Set-AltinnData sends a number or a nested value for a text field, and changes nothing' {
        $instance = New-AltinnInstance -App $script:App -OrganizationNumber 950474084 -Session $script:Session -Prefill @{ note = 'før' }
        foreach ($case in @(@{ Value = @{ amount = 12345 }; Path = 'amount' }, @{ Value = @{ note = @{ a = 1 } }; Path = 'note' })) {
            $instance | Set-AltinnData -DataType model -Value $case.Value -ErrorVariable refused -ErrorAction SilentlyContinue
            $refused[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SetData.FormDataRefused*'
            $refused[0].Exception.Message | Should -Match ([regex]::Escape("Path: `$.$($case.Path)"))
            $refused[0].Exception.Message | Should -Match 'a text field a string'
        }
        ($instance | Get-AltinnData -DataType model).note | Should -BeExactly 'før'
    }

    It 'takes a PSCustomObject as the prefill and leaves out a $null value' {
        $instance = New-AltinnInstance -App $script:App -OrganizationNumber 950474084 -Session $script:Session `
            -Prefill ([pscustomobject]@{ amount = [decimal]'0.5'; approved = $false; note = $null })
        $form = $instance | Get-AltinnData -DataType model
        $form.amount | Should -BeExactly '0.5'
        $form.approved | Should -BeExactly 'false'
        $form.note | Should -BeNullOrEmpty
    }

    It 'refuses a nested <Name> with PrefillNotFlat naming the key, and creates nothing' -ForEach @(
        @{ Name = 'hashtable'; Value = @{ street = 'Storgata 1' } }
        @{ Name = 'PSCustomObject'; Value = [pscustomobject]@{ street = 'Storgata 1' } }
        @{ Name = 'array'; Value = @('a', 'b') }
    ) {
        $created = Get-CreatedCount
        Clear-SimulatorRequests $script:Sim
        $result = New-AltinnInstance -App $script:App -OrganizationNumber 950474084 -Session $script:Session `
            -Prefill @{ amount = 1; address = $Value } -ErrorVariable err -ErrorAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.NewInstance.PrefillNotFlat*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].Exception.Message | Should -Match "Prefill field 'address' is a"
        $err[0].Exception.Message | Should -Match 'one flat value per field'
        $err[0].Exception.Message | Should -Match 'Set-AltinnData -Value'
        Get-SimulatorWrites $script:Sim | Should -BeNullOrEmpty
        Get-CreatedCount | Should -Be $created
    }
}

Describe 'A 400 ValidationProblemDetails names its fields' {
    It 'the simulator answers a number in prefill as Altinn does' {
        $token = Get-AltinnAccessToken -Session $script:Session -AsPlainText
        $response = Invoke-WebRequest -Method POST -Uri ($script:Sim.BaseUri + $script:App + '/instances/create') -SkipHttpErrorCheck `
            -Headers @{ Authorization = "Bearer $token" } -ContentType 'application/json' `
            -Body '{"instanceOwner":{"organisationNumber":"950474084"},"prefill":{"amount":12345}}'

        $response.StatusCode | Should -Be 400
        $response.Headers['Content-Type'] | Should -Be 'application/problem+json; charset=utf-8'
        # a problem+json body may come as bytes
        $text = if ($response.Content -is [byte[]]) { [Text.Encoding]::UTF8.GetString($response.Content) } else { $response.Content }
        $problem = $text | ConvertFrom-Json
        $problem.title | Should -Be 'One or more validation errors occurred.'
        $problem.errors.'$.prefill.amount' | Should -Match '^The JSON value could not be converted to System.String. Path: \$\.prefill\.amount \| LineNumber: 0 \| BytePositionInLine: \d+\.$'
        $problem.errors.instansiationInstance | Should -Be 'The instansiationInstance field is required.'
        $script:ValidationProblem = $text
    }

    It 'a 400 ValidationProblemDetails reaches the user with each field in the message and as data' {
        $script:ValidationProblem | Should -Not -BeNullOrEmpty
        # the module sends text only, so Altinn's answer to a number is replayed for its create
        Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/faults' -Body @{
            rules = @(@{ pathPrefix = "/$($script:App)/instances/create"; rateAnswer = 1; answer = @{ status = 400; body = ($script:ValidationProblem | ConvertFrom-Json) } })
        } | Out-Null
        try {
            $created = Get-CreatedCount
            $result = New-AltinnInstance -App $script:App -OrganizationNumber 950474084 -Session $script:Session `
                -Prefill @{ amount = 12345 } -ErrorVariable err -ErrorAction SilentlyContinue
        } finally {
            Invoke-Simulator -Simulator $script:Sim -Method DELETE -Path '_sim/faults' | Out-Null
        }

        $result | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.NewInstance.BadRequest*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $err[0].TargetObject | Should -Be '950474084'
        $message = $err[0].Exception.Message
        $message | Should -Match '400 Bad Request . One or more validation errors occurred'
        $message | Should -Match '  - \$\.prefill\.amount: The JSON value could not be converted to System\.String\. Path: \$\.prefill\.amount'
        $message | Should -Match '  - instansiationInstance: The instansiationInstance field is required\.'
        $err[0].ErrorDetails.Message | Should -Be $message

        $fields = $err[0].Exception.ValidationErrors
        @($fields.Keys) | Should -Be @('$.prefill.amount', 'instansiationInstance')
        $fields['$.prefill.amount'] | Should -HaveCount 1
        $fields['$.prefill.amount'][0] | Should -BeLike 'The JSON value could not be converted to System.String.*'
        $fields['instansiationInstance'][0] | Should -Be 'The instansiationInstance field is required.'
        Get-CreatedCount | Should -Be $created
    }
}
