#Requires -Modules Pester
# Add-AltinnAttachment: how files and instances arrive, what goes on the wire, the rules checked before
# sending and Altinn's own refusals, progress, and the wait for the virus scan.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name flow-attach
    $script:Session = Connect-TestSession -Simulator $script:Sim
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-flow-att-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null
    $script:Files = Join-Path $script:Work 'vedlegg'
    $script:Pdf = New-TestPdf -Folder $script:Files -Name 'rapport.pdf'
    $script:Png = New-TestFile -Folder $script:Files -Name 'logo.png' -Size 4096
    $script:Txt = New-TestFile -Folder $script:Files -Name 'notat.txt' -Text 'notat'
    function script:New-Open { New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'a'; property2 = 'b' } -Session $script:Session }
    function script:Held($Id) { Get-SimulatorInstances $script:Sim | Where-Object id -eq $Id }
}

AfterAll {
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Add-AltinnAttachment: what goes on the wire' {
    It 'POSTs each file to data/type/{dataType}?language=nb with its content type and a quoted filename plus filename*' {
        $instance = New-Open
        Clear-SimulatorRequests $script:Sim
        $updated = $instance | Add-AltinnAttachment -DataType attachment -Path $script:Pdf.FullName, $script:Png.FullName

        $posts = @(Get-SimulatorRequests $script:Sim -Method POST)
        $posts | Should -HaveCount 2
        $posts.path | ForEach-Object { $_ | Should -Be "/brg/aarsregnskap/instances/$($instance.Id)/data/type/attachment" }
        $posts.query | ForEach-Object { $_ | Should -Be '?language=nb' }
        $posts[0].contentType | Should -Be 'application/pdf'
        $posts[1].contentType | Should -Be 'image/png'
        $posts[0].contentDisposition | Should -Be "attachment; filename=`"rapport.pdf`"; filename*=UTF-8''rapport.pdf"
        $posts[0].contentLength | Should -Be $script:Pdf.Length
        $posts.status | ForEach-Object { $_ | Should -Be 200 }

        $updated | Should -BeOfType ([AltinnApp.Core.Models.AltinnInstance])
        $updated.GetDataElements('attachment').Filename | Sort-Object | Should -Be @('logo.png', 'rapport.pdf')
        ((Held $instance.Id).data | Where-Object dataType -eq attachment).contentType | Sort-Object | Should -Be @('application/pdf', 'image/png')
    }

    It 'sends a name with spaces and Norwegian letters quoted, with an RFC 5987 filename*, and Altinn keeps the real name' {
        $odd = New-TestPdf -Folder $script:Files -Name 'Årsrapport æøå 2025.pdf'
        $instance = New-Open
        Clear-SimulatorRequests $script:Sim
        $instance | Add-AltinnAttachment -DataType attachment -Path $odd.FullName | Out-Null
        $post = @(Get-SimulatorRequests $script:Sim -Method POST)[0]
        $post.contentDisposition | Should -Match 'filename="_rsrapport ___ 2025\.pdf"'
        $post.contentDisposition | Should -Match ([regex]::Escape("filename*=UTF-8''%C3%85rsrapport%20%C3%A6%C3%B8%C3%A5%202025.pdf"))
        ((Held $instance.Id).data | Where-Object dataType -eq attachment).filename | Should -Be 'Årsrapport æøå 2025.pdf'
    }

    It 'expands wildcards in -Path and takes a literal name with brackets as it is' {
        $bracket = New-TestFile -Folder $script:Files -Name 'scan[1].txt' -Text 'x'
        $instance = New-Open
        $updated = $instance | Add-AltinnAttachment -DataType attachment -Path (Join-Path $script:Files '*.png'), $bracket.FullName
        $updated.GetDataElements('attachment').Filename | Sort-Object | Should -Be @('logo.png', 'scan[1].txt')
    }
}

Describe 'Add-AltinnAttachment: instances and files from the pipeline' {
    It 'takes FileInfo objects from the pipeline for the instance given by parameter, and outputs it once' {
        $instance = New-Open
        $output = @(Get-ChildItem $script:Files -Include *.pdf, *.txt -Recurse | Where-Object Name -in 'rapport.pdf', 'notat.txt' |
            Add-AltinnAttachment -Instance $instance -DataType attachment)
        $output | Should -HaveCount 1
        $output[0].GetDataElements('attachment').Filename | Sort-Object | Should -Be @('notat.txt', 'rapport.pdf')
    }

    It 'takes instances from the pipeline, each getting the files of -Path, one output per instance' {
        $first = New-Open; $second = New-Open
        $output = @($first, $second | Add-AltinnAttachment -DataType attachment -Path $script:Txt.FullName)
        $output.Id | Should -Be @($first.Id, $second.Id)
        $output | ForEach-Object { $_.GetDataElements('attachment').Filename | Should -Be 'notat.txt' }
    }

    It 'takes CSV rows with InstanceId, App and Path columns, the rows of one instance as one call' {
        $instance = New-Open
        $csv = Join-Path $script:Work 'uploads.csv'
        $rows = @(
            [pscustomobject]@{ InstanceId = $instance.Id; App = 'brg/aarsregnskap'; Path = $script:Pdf.FullName }
            [pscustomobject]@{ InstanceId = $instance.Id; App = 'brg/aarsregnskap'; Path = (Join-Path $script:Files 'missing.pdf') }
            [pscustomobject]@{ InstanceId = $instance.Id; App = 'brg/aarsregnskap'; Path = $script:Txt.FullName }
        )
        $rows | Export-Csv -Path $csv -NoTypeInformation
        # one bad row: none of the instance's files is sent, and the instance is not passed on
        $output = @(Import-Csv $csv | Add-AltinnAttachment -DataType attachment -Session $script:Session -ErrorVariable err -ErrorAction SilentlyContinue)
        $output | Should -HaveCount 0
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.AddAttachment.FileNotFound*'
        $err[0].TargetObject | Should -BeLike '*missing.pdf'
        @((Held $instance.Id).data | Where-Object dataType -eq attachment) | Should -BeNullOrEmpty

        $rows | Where-Object Path -notlike '*missing.pdf' | Export-Csv -Path $csv -NoTypeInformation
        $output = @(Import-Csv $csv | Add-AltinnAttachment -DataType attachment -Session $script:Session)
        $output | Should -HaveCount 1
        $output[0].GetDataElements('attachment').Filename | Sort-Object | Should -Be @('notat.txt', 'rapport.pdf')
    }

    It 'checks the count against every piped file before sending the first' {
        $instance = New-Open
        Clear-SimulatorRequests $script:Sim
        $files = 1..4 | ForEach-Object { New-TestPdf -Folder (Join-Path $script:Work 'four') -Name "del$_.pdf" }
        $files | Add-AltinnAttachment -Instance $instance -DataType attachment -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.AddAttachment.TooMany*'
        $err[0].Exception.Message | Should -Match 'at most 3'
        Get-SimulatorWrites $script:Sim | Should -BeNullOrEmpty
    }
}

Describe 'Add-AltinnAttachment: refused before sending' {
    It 'refuses <Case> and sends nothing' -TestCases @(
        @{ Case = 'an unknown data type'; DataType = 'nosuch'; File = { $script:Pdf }; Reason = 'UnknownDataType'; Category = 'InvalidArgument' }
        @{ Case = 'form data as a file'; DataType = 'model'; File = { $script:Pdf }; Reason = 'IsFormData'; Category = 'InvalidArgument' }
        @{ Case = 'a content type the type does not take'; DataType = 'attachment'; File = { New-TestFile -Folder $script:Work -Name 'table.csv' -Text 'a;b' }; Reason = 'ContentTypeNotAllowed'; Category = 'InvalidArgument' }
        @{ Case = 'a file above maxSize'; DataType = 'attachment'; File = { New-TestFile -Folder $script:Work -Name 'huge.pdf' -Size (5MB + 1) }; Reason = 'TooLarge'; Category = 'InvalidArgument' }
        @{ Case = 'an empty file'; DataType = 'attachment'; File = { New-TestFile -Folder $script:Work -Name 'empty.pdf' -Size 0 }; Reason = 'EmptyFile'; Category = 'InvalidArgument' }
        @{ Case = 'a file without extension'; DataType = 'attachment'; File = { New-TestFile -Folder $script:Work -Name 'README' -Text 'x' }; Reason = 'NoExtension'; Category = 'InvalidArgument' }
        @{ Case = 'a missing file'; DataType = 'attachment'; File = { [IO.FileInfo](Join-Path $script:Work 'nope.pdf') }; Reason = 'FileNotFound'; Category = 'ObjectNotFound' }
    ) {
        param($Case, $DataType, $File, $Reason, $Category)
        $instance = New-Open
        $path = (& $File).FullName
        Clear-SimulatorRequests $script:Sim
        $instance | Add-AltinnAttachment -DataType $DataType -Path $path -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike "Altinn.AddAttachment.$Reason*"
        $err[0].CategoryInfo.Category | Should -Be $Category
        $err[0].Exception.Message | Should -Not -Match 'at AltinnApp|System\.\w+Exception'
        Get-SimulatorWrites $script:Sim | Should -BeNullOrEmpty
    }

    It 'uploads none of the files when one is bad, names that one, and does not pass the instance on' {
        $instance = New-Open
        $bad = New-TestFile -Folder $script:Work -Name 'bad.csv' -Text 'x'
        Clear-SimulatorRequests $script:Sim
        $output = $instance | Add-AltinnAttachment -DataType attachment -Path $script:Pdf.FullName, $bad.FullName, $script:Txt.FullName -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].TargetObject | Should -Be $bad.FullName
        $err[0].Exception.Message | Should -Match 'Nothing was uploaded to instance'
        $output | Should -BeNullOrEmpty
        Get-SimulatorWrites $script:Sim | Should -BeNullOrEmpty
    }

    It 'says the data is locked once the instance is submitted' {
        $submitted = New-Open | Invoke-AltinnProcessNext
        Clear-SimulatorRequests $script:Sim
        $submitted | Add-AltinnAttachment -DataType attachment -Path $script:Pdf.FullName -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.AddAttachment.DataLocked*'
        Get-SimulatorWrites $script:Sim | Should -BeNullOrEmpty
    }

    It '-WhatIf uploads nothing' {
        $instance = New-Open
        Clear-SimulatorRequests $script:Sim
        ($instance | Add-AltinnAttachment -DataType attachment -Path $script:Pdf.FullName -WhatIf).IsPlanned | Should -BeTrue
        Get-SimulatorWrites $script:Sim | Should -BeNullOrEmpty
        (Held $instance.Id).data.dataType | Should -Not -Contain 'attachment'
    }
}

Describe 'Add-AltinnAttachment: Altinn''s own refusals (the app changed after the session read it)' {
    BeforeEach {
        $script:App = Register-TestApp -Simulator $script:Sim -App ('flow-att-' + [Guid]::NewGuid().ToString('N').Substring(0, 6))
        Get-AltinnApplication -App $script:App -Session $script:Session | Out-Null
        $script:Target = New-AltinnInstance -App $script:App -OrganizationNumber 950474084 -Prefill @{ property1 = 'a' } -Session $script:Session
    }

    It 'maps <Case> to the same ErrorId as the check before sending' -TestCases @(
        @{ Case = 'an unknown data type'; Change = @{ NoAttachmentType = $true }; Reason = 'UnknownDataType'; Status = 400; File = 'rapport.pdf' }
        @{ Case = 'a wrong content type'; Change = @{ AttachmentContentTypes = @('application/pdf') }; Reason = 'ContentTypeNotAllowed'; Status = 400; File = 'logo.png' }
        @{ Case = 'a file too large'; Change = @{ AttachmentMaxSize = 0 }; Reason = 'TooLarge'; Status = 400; File = 'logo.png' }
        @{ Case = 'too many files'; Change = @{ AttachmentMaxCount = 1 }; Reason = 'TooMany'; Status = 409; File = 'rapport.pdf'; Before = 'notat.txt' }
    ) {
        param($Case, $Change, $Reason, $Status, $File, $Before)
        if ($Before) { $script:Target | Add-AltinnAttachment -DataType attachment -Path (Join-Path $script:Files $Before) | Out-Null }
        $name = $script:App.Split('/')[1]
        Register-TestApp -Simulator $script:Sim -App $name @Change | Out-Null
        Clear-SimulatorRequests $script:Sim
        $script:Target | Add-AltinnAttachment -DataType attachment -Path (Join-Path $script:Files $File) -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike "Altinn.AddAttachment.$Reason*"
        $err[0].Exception.Message | Should -Match 'Get-AltinnApplication'
        @(Get-SimulatorRequests $script:Sim -Method POST)[0].status | Should -Be $Status
    }
}

Describe 'Add-AltinnAttachment: large files and the virus scan' {
    It 'streams a large file with a progress bar and the bytes arrive whole' {
        $app = Register-TestApp -Simulator $script:Sim -App 'flow-big' -AttachmentContentTypes @() -AttachmentMaxSize 100
        $big = Join-Path $script:Work 'big.bin'
        $random = [byte[]]::new(3MB); [Random]::new(7).NextBytes($random); [IO.File]::WriteAllBytes($big, $random)
        $instance = New-AltinnInstance -App $app -OrganizationNumber 950474084 -Prefill @{ property1 = 'a' } -Session $script:Session
        $result = Invoke-InRunspace { param($Instance, $Path) Add-AltinnAttachment -Instance $Instance -DataType attachment -Path $Path } @{ Instance = $instance; Path = $big }
        $result.Errors | Should -BeNullOrEmpty
        $result.Output | Should -HaveCount 1
        $progress = @($result.Progress | Where-Object Activity -like 'Uploading big.bin*')
        $progress.Count | Should -BeGreaterThan 1
        $progress[-1].RecordType | Should -Be 'Completed'
        $progress[-1].StatusDescription | Should -Match '3\.0 MiB of 3\.0 MiB'

        $saved = $result.Output[0] | Save-AltinnData -DataType attachment -Path (Join-Path $script:Work 'big-back.bin')
        (Get-FileHash $saved.FullName).Hash | Should -Be (Get-FileHash $big).Hash
    }

    It '-WaitForScan returns at once when the app does not scan (NotApplicable)' {
        $instance = New-Open
        $updated = $instance | Add-AltinnAttachment -DataType attachment -Path $script:Pdf.FullName -WaitForScan -TimeoutSec 5
        $updated.GetDataElements('attachment')[0].FileScanResult | Should -Be 'NotApplicable'
    }
}
