#Requires -Modules Pester
# Form data at the prompt: a hashtable wherever form data goes, misspelt fields caught before sending, and an empty form to fill in.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name ergonomics-formdata
    $script:Session = Connect-TestSession -Simulator $script:Sim
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-ergo-formdata-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null
    $script:Pdf = New-TestPdf -Folder $script:Work -Name 'rapport.pdf'
    $script:Org = '950474084'
    function script:Created { @(Get-SimulatorWrites $script:Sim | Where-Object { $_.method -eq 'POST' -and $_.path -like '*/instances*' }).Count }
    function script:SchemaReads { [int] (Get-SimulatorCounters $script:Sim).requests.'GET /{org}/{app}/api/jsonschema/{id}' }
}

AfterAll {
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'The simulator serves each form data type''s JSON schema' {
    It 'answers api/jsonschema/{id} with the model''s fields, required ones and XML root, anonymously' {
        $schema = Invoke-RestMethod "$($script:Sim.BaseUri)brg/aarsregnskap/api/jsonschema/model"
        if ($schema -is [string]) { $schema = $schema | ConvertFrom-Json }
        $schema.'@xsdRootElement' | Should -Be 'model'
        $schema.properties.PSObject.Properties.Name | Should -Be 'property1', 'property2', 'property3'
        $schema.required | Should -Be 'property1', 'property2'
    }

    It 'fails with a bare 500 for an id that is no model, as app-lib''s missing file does, and 404 for an unknown app' {
        $r = Invoke-WebRequest "$($script:Sim.BaseUri)brg/aarsregnskap/api/jsonschema/attachment" -SkipHttpErrorCheck
        $r.StatusCode | Should -Be 500
        (Invoke-WebRequest "$($script:Sim.BaseUri)brg/nosuch/api/jsonschema/model" -SkipHttpErrorCheck).StatusCode | Should -Be 404
    }
}

Describe 'A hashtable is form data wherever form data goes' {
    It 'New-AltinnInstance -Data @{ model = @{...} } writes the XML the model takes (root element from the schema) and creates the instance' {
        Clear-SimulatorRequests $script:Sim
        $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber $script:Org -Data @{ model = @{ property1 = 'a1'; property2 = 'b1' } } -Session $script:Session
        $instance | Should -Not -BeNullOrEmpty
        $post = @(Get-SimulatorRequests $script:Sim -Method POST -PathLike '/brg/aarsregnskap/instances')[0]
        ($post.parts | Where-Object name -eq 'model').contentType | Should -Match '^application/xml'
        $data = $instance | Get-AltinnData -DataType model
        $data.property1 | Should -Be 'a1'
        $data.property2 | Should -Be 'b1'
    }

    It 'takes -Data with -Attachment in one multipart create' {
        $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber $script:Org -Data @{ model = @{ property1 = 'a2'; property2 = 'b2' } } -Attachment @{ attachment = $script:Pdf.FullName } -Session $script:Session
        @($instance.GetDataElements('attachment')).Count | Should -Be 1
        ($instance | Get-AltinnData -DataType model).property2 | Should -Be 'b2'
    }

    It '-Prefill with -Attachment is refused before sending, pointing to -Data (Altinn''s multipart create takes no prefill)' {
        $before = Created
        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber $script:Org -Prefill @{ property1 = 'x' } -Attachment @{ attachment = $script:Pdf.FullName } -Session $script:Session -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.NewInstance.PrefillWithData*'
        $e[0].Exception.Message | Should -Match "-Data @\{ model = @\{"
        Created | Should -Be $before
    }
}

Describe 'A misspelt field is reported before sending' {
    It 'warns about an unknown -Prefill field, naming the one meant, and still creates' {
        $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber $script:Org -Prefill @{ propery1 = 'x'; property2 = 'y' } -Session $script:Session -WarningVariable w -WarningAction SilentlyContinue
        $instance | Should -Not -BeNullOrEmpty
        "$w" | Should -Match "'propery1' is not a field of the model \(did you mean 'property1'\?\)"
    }

    It 'with -Strict refuses it as NewInstance.SchemaMismatch and creates nothing' {
        $before = Created
        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber $script:Org -Prefill @{ propery1 = 'x' } -Strict -Session $script:Session -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.NewInstance.SchemaMismatch*'
        $e[0].Exception.Message | Should -Match 'propery1'
        $e[0].Exception.Message | Should -Match 'Nothing was sent'
        Created | Should -Be $before
    }

    It 'checks -Data: a warning by default, an error with -Strict' {
        $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber $script:Org -Data @{ model = @{ property1 = 'a'; property2 = 'b'; propety3 = 'c' } } -Session $script:Session -WarningVariable w -WarningAction SilentlyContinue
        $instance | Should -Not -BeNullOrEmpty
        "$w" | Should -Match "'propety3' is not a field of the model \(did you mean 'property3'\?\)"
        $before = Created
        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber $script:Org -Data @{ model = @{ property1 = 'a'; propety3 = 'c' } } -Strict -Session $script:Session -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.NewInstance.SchemaMismatch*'
        Created | Should -Be $before
    }

    It 'checks Set-AltinnData -Value for unknown fields and wrong types; -Strict sends nothing' {
        $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber $script:Org -Prefill @{ property1 = 'a'; property2 = 'b' } -Session $script:Session
        $instance | Set-AltinnData -DataType model -Value @{ property1 = 'a'; propery2 = 'b' } -WarningVariable w -WarningAction SilentlyContinue | Out-Null
        "$w" | Should -Match "'propery2' is not a field of the model \(did you mean 'property2'\?\)"

        Clear-SimulatorRequests $script:Sim
        $instance | Set-AltinnData -DataType model -Value @{ property1 = 42; property2 = 'b' } -Strict -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SetData.SchemaMismatch*'
        $e[0].Exception.Message | Should -Match "'property1' is the number 42; the model takes text there"
        @(Get-SimulatorRequests $script:Sim -Method PUT).Count | Should -Be 0
    }

    It 'reads the schema once per session and data type' {
        $reads = SchemaReads
        1..2 | ForEach-Object { New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber $script:Org -Prefill @{ property1 = 'a' } -Session $script:Session | Out-Null }
        SchemaReads | Should -Be $reads
    }
}

Describe 'New-AltinnFormData' {
    It 'returns an ordered hashtable of every field, which fills in and sends as -Data' {
        $form = New-AltinnFormData -App brg/aarsregnskap -DataType model -Session $script:Session
        $form | Should -BeOfType ([System.Collections.Specialized.OrderedDictionary])
        @($form.Keys) | Should -Be 'property1', 'property2', 'property3'
        $form.property1 = 'filled'
        $form.property2 = 'in'
        $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber $script:Org -Data @{ model = $form } -Strict -Session $script:Session
        ($instance | Get-AltinnData -DataType model).property1 | Should -Be 'filled'
    }

    It 'takes the app''s one form data type when -DataType is left out, and -Full lists the fields with type and required flag' {
        $fields = New-AltinnFormData brg/aarsregnskap -Full -Session $script:Session
        $fields.Path | Should -Be 'property1', 'property2', 'property3'
        $fields[0].Type | Should -Be 'string'
        $fields.Required | Should -Be $true, $true, $false
    }

    It 'refuses a file data type, naming the form data types' {
        New-AltinnFormData -App brg/aarsregnskap -DataType attachment -Session $script:Session -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.NewFormData.NotFormData*'
        $e[0].Exception.Message | Should -Match 'model'
    }
}
