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

    It 'Submit-FromCsv.ps1 files the good rows, lists every bad one, exits 1, and a corrected rerun files the rest exactly once' {
        $attachment = New-TestPdf -Folder $script:Work -Name 'noter.pdf'
        $csv = Join-Path $script:Work 'rows.csv'
        @(
            [pscustomobject]@{ OrganizationNumber = '950474084'; Period = ''; Property1 = 'a1'; Property2 = 'a2'; Property3 = 'a3'; Attachment = $attachment.FullName }
            [pscustomobject]@{ OrganizationNumber = '950474085'; Period = ''; Property1 = 'b1'; Property2 = 'b2'; Property3 = 'b3'; Attachment = '' }
            [pscustomobject]@{ OrganizationNumber = '950474084'; Period = '2025'; Property1 = 'c1'; Property2 = ''; Property3 = 'c3'; Attachment = '' }
            # no organisation number, right after a row that failed before its submission: its file must not land in that row's form
            [pscustomobject]@{ OrganizationNumber = ''; Period = ''; Property1 = 'd1'; Property2 = 'd2'; Property3 = 'd3'; Attachment = $attachment.FullName }
            # the first row's key again, with other values: the key is filed, so this row is refused, and not counted as filed
            [pscustomobject]@{ OrganizationNumber = '950474084'; Period = ''; Property1 = 'other'; Property2 = 'a2'; Property3 = 'a3'; Attachment = '' }
        ) | Export-Csv -Path $csv -NoTypeInformation
        $results = Join-Path $script:Work 'results.csv'
        $receipts = Join-Path $script:Work 'batch-receipts'
        $journal = Join-Path $script:Work 'batch.journal'
        $run = {
            & (Join-Path $script:Examples 'Submit-FromCsv.ps1') -ClientId $script:ClientId -JwkPath $script:JwkPath `
                -SystemUserOrganization 950474084 -CsvPath $csv -Period 2026 -JournalPath $journal -ResultPath $results -ReceiptFolder $receipts `
                -ConnectOverrides $script:Overrides 2>$null 3>$null 6>$null
        }
        & $run
        $LASTEXITCODE | Should -Be 1

        $rows = Import-Csv $results
        $rows.Key | Should -Be @('950474084-2026-brg.aarsregnskap', '950474085-2026-brg.aarsregnskap', '950474084-2025-brg.aarsregnskap', '-2026-brg.aarsregnskap', '950474084-2026-brg.aarsregnskap')
        $rows.Filed | Should -Be @('True', 'False', 'False', 'False', 'False')
        $rows[1].ErrorId | Should -Be 'Altinn.InvalidOrganizationNumber'
        $rows[2].ErrorId | Should -Be 'Altinn.ProcessNext.ValidationFailed'
        $rows[3].State | Should -Be 'NotStarted'
        $rows[4].ErrorId | Should -Be 'Altinn.SetData.DataChanged'
        $failedForm = Get-SimulatorInstances $script:Sim | Where-Object id -eq $rows[2].InstanceId
        @($failedForm.data | Where-Object dataType -eq attachment) | Should -HaveCount 0
        (Get-ChildItem $receipts -Filter *.pdf) | Should -HaveCount 1
        $first = Get-SimulatorInstances $script:Sim | Where-Object id -eq $rows[0].InstanceId
        ($first.data | Where-Object dataType -eq attachment).filename | Should -Be 'noter.pdf'

        # the operator corrects the two rows and runs the same command again: the done row is not filed again
        @(
            [pscustomobject]@{ OrganizationNumber = '950474084'; Period = ''; Property1 = 'a1'; Property2 = 'a2'; Property3 = 'a3'; Attachment = $attachment.FullName }
            [pscustomobject]@{ OrganizationNumber = '950474084'; Period = '2024'; Property1 = 'b1'; Property2 = 'b2'; Property3 = 'b3'; Attachment = '' }
            [pscustomobject]@{ OrganizationNumber = '950474084'; Period = '2025'; Property1 = 'c1'; Property2 = 'fixed'; Property3 = 'c3'; Attachment = '' }
        ) | Export-Csv -Path $csv -NoTypeInformation
        & $run
        $LASTEXITCODE | Should -Be 0
        $after = Import-Csv $results
        $after.Key | Should -Be @('950474084-2026-brg.aarsregnskap', '950474084-2024-brg.aarsregnskap', '950474084-2025-brg.aarsregnskap')
        $after.State | Should -Be @('ReceiptSaved', 'ReceiptSaved', 'ReceiptSaved')
        $after.Filed | Should -Be @('True', 'True', 'True')
        $after[0].InstanceId | Should -Be $rows[0].InstanceId
        $after[2].InstanceId | Should -Be $rows[2].InstanceId
        (Get-ChildItem $receipts -Filter *.pdf) | Should -HaveCount 3
        $instances = @(Get-SimulatorInstances $script:Sim | Where-Object { $_.id -in $after.InstanceId })
        @($instances | Where-Object { $_.process.ended }) | Should -HaveCount 3
        $corrected = Get-SimulatorInstances $script:Sim | Where-Object id -eq $after[2].InstanceId
        @($corrected.data | Where-Object dataType -eq model) | Should -HaveCount 1
        $first = Get-SimulatorInstances $script:Sim | Where-Object id -eq $rows[0].InstanceId
        @($first.data | Where-Object dataType -eq attachment) | Should -HaveCount 1
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

# 'Onboard-Customers.ps1' runs end to end, with the vendor's journey around it, in Onboarding.Tests.ps1
