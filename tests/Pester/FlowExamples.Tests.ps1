#Requires -Modules Pester
# The scripts in examples/ run as users would run them, against the simulator.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name flow-examples
    $script:Examples = Join-Path (Get-RepoRoot) 'examples'
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-flow-ex-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null
    $key = New-TestRsaJwk
    $script:JwkPath = Join-Path $script:Work 'client.jwk.json'
    Set-Content -Path $script:JwkPath -Value $key.Private -NoNewline
    $script:ClientId = Register-TestClient -Simulator $script:Sim -Jwk $key -Organization '950474084'
    $script:Overrides = Get-SimulatorConnectParameters $script:Sim
}

AfterAll {
    Disconnect-Altinn
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'examples/' {
    It 'has a test below for every script (apart from the demo driver)' {
        $tested = Get-Content -Raw $PSCommandPath
        Get-ChildItem $script:Examples -Filter *.ps1 | Where-Object Name -ne 'Invoke-Demo.ps1' | ForEach-Object {
            $tested | Should -Match ([regex]::Escape("'$($_.Name)'")) -Because "$($_.Name) is an example users copy"
        }
    }

    It 'Submit-Aarsregnskap.ps1 submits one account and saves its receipt' {
        $result = & (Join-Path $script:Examples 'Submit-Aarsregnskap.ps1') -ClientId $script:ClientId -JwkPath $script:JwkPath `
            -OrganizationNumber 950474084 -ReceiptFolder (Join-Path $script:Work 'single') -ConnectOverrides $script:Overrides
        $result.Process | Should -Match '^ended'
        [IO.File]::ReadAllBytes($result.Receipt)[0..3] | Should -Be ([byte[]][char[]]'%PDF')
    }

    It 'Submit-FromCsv.ps1 submits the good rows, records the bad one and goes on' {
        $attachment = New-TestPdf -Folder $script:Work -Name 'noter.pdf'
        $csv = Join-Path $script:Work 'rows.csv'
        @(
            [pscustomobject]@{ OrganizationNumber = '950474084'; Property1 = 'a1'; Property2 = 'a2'; Property3 = 'a3'; Attachment = $attachment.FullName }
            [pscustomobject]@{ OrganizationNumber = '950474085'; Property1 = 'b1'; Property2 = 'b2'; Property3 = 'b3'; Attachment = '' }
            [pscustomobject]@{ OrganizationNumber = '950474084'; Property1 = 'c1'; Property2 = ''; Property3 = 'c3'; Attachment = '' }
            [pscustomobject]@{ OrganizationNumber = '950474084'; Property1 = 'd1'; Property2 = 'd2'; Property3 = 'd3'; Attachment = '' }
        ) | Export-Csv -Path $csv -NoTypeInformation
        $results = Join-Path $script:Work 'results.csv'
        $receipts = Join-Path $script:Work 'batch-receipts'

        & (Join-Path $script:Examples 'Submit-FromCsv.ps1') -ClientId $script:ClientId -JwkPath $script:JwkPath -SystemUserOrganization 950474084 `
            -CsvPath $csv -ResultPath $results -ReceiptFolder $receipts -ConnectOverrides $script:Overrides 3>$null 6>$null
        $LASTEXITCODE | Should -Be 2

        $rows = Import-Csv $results
        $rows.Status | Should -Be @('Submitted', 'Failed', 'Created', 'Submitted')
        $rows[1].Error | Should -BeLike 'Altinn.InvalidOrganizationNumber*'
        $rows[2].Error | Should -BeLike 'Altinn.ProcessNext.ValidationFailed*property2: required*'
        Test-Path $rows[0].Receipt | Should -BeTrue
        (Get-ChildItem $receipts -Filter *.pdf) | Should -HaveCount 2
        $first = Get-SimulatorInstances $script:Sim | Where-Object id -eq $rows[0].InstanceId
        ($first.data | Where-Object dataType -eq attachment).filename | Should -Be 'noter.pdf'

        # the row left at 'Created' is picked up again by piping the result file, as the script's help says
        Connect-TestSession -Simulator $script:Sim | Out-Null
        $pending = Import-Csv $results | Where-Object Status -eq Created
        $pending | Set-AltinnData -DataType model -Value @{ property1 = 'c1'; property2 = 'fixed'; property3 = 'c3' } | Invoke-AltinnProcessNext |
            Save-AltinnReceipt -Path "$receipts/" | Should -HaveCount 1
    }

    It 'Submit-WithAttachments.ps1 sends the XML form and the folder''s files in one request, then submits' {
        $folder = Join-Path $script:Work 'vedlegg'
        New-TestPdf -Folder $folder -Name 'balanse.pdf' | Out-Null
        New-TestFile -Folder $folder -Name 'noter.txt' -Text 'Noter til regnskapet' | Out-Null
        $model = New-TestFile -Folder $script:Work -Name 'aarsregnskap.xml' -Text '<model><property1>Driftsinntekter</property1><property2>1200000</property2><property3>x</property3></model>'
        Clear-SimulatorRequests $script:Sim

        $result = & (Join-Path $script:Examples 'Submit-WithAttachments.ps1') -ClientId $script:ClientId -JwkPath $script:JwkPath -OrganizationNumber 950474084 `
            -ModelPath $model.FullName -AttachmentFolder $folder -ReceiptFolder (Join-Path $script:Work 'mp-receipts') -ConnectOverrides $script:Overrides 6>$null

        $result.Attachments -split ', ' | Sort-Object | Should -Be @('balanse.pdf', 'noter.txt')
        Test-Path $result.Receipt | Should -BeTrue
        $create = @(Get-SimulatorRequests $script:Sim -Method POST -PathLike '*/instances')
        $create | Should -HaveCount 1
        $create[0].parts.name | Should -Be @('instance', 'model', 'attachment', 'attachment')
    }

    It 'Submit-WithAttachments.ps1 stops before creating anything when a file is not allowed' {
        $folder = Join-Path $script:Work 'bad-vedlegg'
        New-TestFile -Folder $folder -Name 'regneark.xlsx' -Size 100 | Out-Null
        $model = New-TestFile -Folder $script:Work -Name 'm2.xml' -Text '<model><property1>a</property1><property2>b</property2></model>'
        $before = @(Get-SimulatorInstances $script:Sim).Count
        { & (Join-Path $script:Examples 'Submit-WithAttachments.ps1') -ClientId $script:ClientId -JwkPath $script:JwkPath -OrganizationNumber 950474084 `
            -ModelPath $model.FullName -AttachmentFolder $folder -ConnectOverrides $script:Overrides 6>$null } | Should -Throw -ErrorId 'Altinn.NewInstance.ContentTypeNotAllowed*'
        @(Get-SimulatorInstances $script:Sim).Count | Should -Be $before
    }
}
