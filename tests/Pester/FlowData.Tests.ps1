#Requires -Modules Pester
# Form data and files of an instance: Set-AltinnData, Get-AltinnData, Save-AltinnData, Remove-AltinnData.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name flow-data
    $script:Session = Connect-TestSession -Simulator $script:Sim
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-flow-data-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null
    $script:Pdf = New-TestPdf -Folder $script:Work -Name 'rapport.pdf'
    $script:Txt = New-TestFile -Folder $script:Work -Name 'notat.txt' -Text 'Notat til årsregnskapet'
    function script:New-Filled {
        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'a'; property2 = 'b' } -Session $script:Session
    }
    function script:New-Submitted {
        New-Filled | Invoke-AltinnProcessNext
    }
    function script:Held($Id) { Get-SimulatorInstances $script:Sim | Where-Object id -eq $Id }
}

AfterAll {
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Set-AltinnData (guide step 2)' {
    It 'PUTs data/{id}/type/model?language=nb as JSON and outputs the refreshed instance' {
        $instance = New-Filled
        $model = $instance.GetDataElements('model')[0]
        Clear-SimulatorRequests $script:Sim
        $updated = $instance | Set-AltinnData -DataType model -Value @{ property1 = 'value4'; property2 = 'value5'; property3 = 'value6' }

        $put = @(Get-SimulatorRequests $script:Sim -Method PUT)
        $put | Should -HaveCount 1
        $put[0].path | Should -Be "/brg/aarsregnskap/instances/$($instance.Id)/data/$($model.Id)/type/model"
        $put[0].query | Should -Be '?language=nb'
        $put[0].contentType | Should -Match '^application/json'
        $put[0].status | Should -Be 201

        $updated | Should -BeOfType ([AltinnApp.Core.Models.AltinnInstance])
        $updated.Id | Should -Be $instance.Id
        $updated.GetDataElements('model')[0].LastChanged | Should -BeGreaterThan $model.LastChanged.AddMilliseconds(-1)
        ($updated | Get-AltinnData -DataType model).property3 | Should -Be 'value6'
    }

    It 'sends XML text and XmlDocuments as application/xml, and -Language as given' {
        $instance = New-Filled
        Clear-SimulatorRequests $script:Sim
        $instance | Set-AltinnData -DataType model -Value '<model><property1>x1</property1><property2>x2</property2></model>' -Language en | Out-Null
        [xml] $document = '<model><property1>d1</property1><property2>d2</property2></model>'
        $instance | Set-AltinnData -DataElementId $instance.GetDataElements('model')[0].Id -Value $document | Out-Null
        $puts = @(Get-SimulatorRequests $script:Sim -Method PUT)
        $puts.contentType | ForEach-Object { $_ | Should -Match '^application/xml' }
        $puts[0].query | Should -Be '?language=en'
        ($instance | Get-AltinnData -DataType model).property1 | Should -Be 'd1'
    }

    It 'round-trips: what Get-AltinnData returns can be changed and set again' {
        $instance = New-Filled
        $data = $instance | Get-AltinnData -DataType model
        $data.property3 = 'changed at the prompt'
        $instance | Set-AltinnData -DataType model -Value $data | Get-AltinnData -DataType model | Select-Object -ExpandProperty property3 | Should -Be 'changed at the prompt'
    }

    It 'refuses a file data type, an unknown type and unusable values before sending' {
        $instance = New-Filled
        $withFile = $instance | Add-AltinnAttachment -DataType attachment -Path $script:Pdf.FullName
        Clear-SimulatorRequests $script:Sim
        $withFile | Set-AltinnData -DataType attachment -Value @{ a = 1 } -ErrorVariable e1 -ErrorAction SilentlyContinue
        $e1[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SetData.NotFormData*'
        $e1[0].Exception.Message | Should -Match 'Add-AltinnAttachment'
        $withFile | Set-AltinnData -DataType nosuch -Value @{ a = 1 } -ErrorVariable e2 -ErrorAction SilentlyContinue
        $e2[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SetData.NoDataOfType*'
        $e2[0].Exception.Message | Should -Match 'model'
        $withFile | Set-AltinnData -DataType model -Value 'neither xml nor json' -ErrorVariable e3 -ErrorAction SilentlyContinue
        $e3[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SetData.DataUnknownText*'
        $withFile | Set-AltinnData -DataType model -Value '<model><unclosed></model>' -ErrorVariable e4 -ErrorAction SilentlyContinue
        $e4[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SetData.InvalidXml*'
        $withFile | Set-AltinnData -Value @{ a = 1 } -ErrorVariable e5 -ErrorAction SilentlyContinue
        $e5[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SetData.NoDataSelected*'
        Get-SimulatorWrites $script:Sim | Should -BeNullOrEmpty
    }

    It 'says the data is locked after the end: before sending when it knows, and when Altinn refuses (stale object)' {
        $instance = New-Filled
        $submitted = $instance | Invoke-AltinnProcessNext
        $submitted.Ended | Should -BeTrue
        Clear-SimulatorRequests $script:Sim

        $submitted | Set-AltinnData -DataType model -Value @{ property1 = 'late' } -ErrorVariable known -ErrorAction SilentlyContinue
        $known[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SetData.DataLocked*'
        $known[0].Exception.Message | Should -Match 'submitted'
        Get-SimulatorWrites $script:Sim | Should -BeNullOrEmpty

        # $instance still says Task_1: the PUT goes out, the policy refuses write after the end (403), and the module
        # reads the instance to give the same ErrorId and words
        $instance.Ended | Should -BeFalse
        $instance | Set-AltinnData -DataType model -Value @{ property1 = 'late' } -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SetData.DataLocked*'
        $refused[0].Exception.Message | Should -Match 'submitted'
        $refused[0].Exception.StatusCode | Should -Be 403
        @(Get-SimulatorRequests $script:Sim -Method PUT)[0].status | Should -Be 403
        ((Held $instance.Id).data | Where-Object dataType -eq model).lastChangedBy | Should -Not -BeNullOrEmpty
    }

    It '-WhatIf changes nothing' {
        $instance = New-Filled
        $before = (Held $instance.Id) | ConvertTo-Json -Depth 10
        Clear-SimulatorRequests $script:Sim
        ($instance | Set-AltinnData -DataType model -Value @{ property1 = 'what if' } -WhatIf).IsPlanned | Should -BeTrue
        Get-SimulatorWrites $script:Sim | Should -BeNullOrEmpty
        (Held $instance.Id) | ConvertTo-Json -Depth 10 | Should -Be $before
    }
}

Describe 'Get-AltinnData' {
    It 'gives form data as an object, and as XML with -AsXml, from the typed data route' {
        $instance = New-Filled
        Clear-SimulatorRequests $script:Sim
        $data = $instance | Get-AltinnData -DataType model
        $data | Should -BeOfType ([pscustomobject])
        $data.property1 | Should -Be 'a'
        $data.PSObject.Properties.Name | Should -Contain 'property3'

        $xml = $instance | Get-AltinnData -DataType model -AsXml
        $xml | Should -BeOfType ([xml])
        $xml.model.property2 | Should -Be 'b'
        $gets = @(Get-SimulatorRequests $script:Sim -Method GET -PathLike '*/data/*')
        $gets.path | ForEach-Object { $_ | Should -BeLike '*/type/model' }
    }

    It 'points to Save-AltinnData for a file element' {
        $instance = New-Filled | Add-AltinnAttachment -DataType attachment -Path $script:Pdf.FullName
        $instance | Get-AltinnData -DataType attachment -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.GetData.NotFormData*'
        $err[0].Exception.Message | Should -Match 'Save-AltinnData'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'reports a data element id the instance does not have' {
        $instance = New-Filled
        $instance | Get-AltinnData -DataElementId ([Guid]::NewGuid()) -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.GetData.DataElementNotFound*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Save-AltinnData' {
    It 'saves any element to a folder under its own name, atomically, and the bytes are the uploaded ones' {
        $instance = New-Filled | Add-AltinnAttachment -DataType attachment -Path $script:Pdf.FullName, $script:Txt.FullName
        $folder = Join-Path $script:Work ('saved-' + [Guid]::NewGuid().ToString('N').Substring(0, 6))
        $files = $instance | Save-AltinnData -DataType attachment -Path "$folder/"
        $files | Should -HaveCount 2
        $files | ForEach-Object { $_ | Should -BeOfType ([IO.FileInfo]) }
        ($files.Name | Sort-Object) | Should -Be @('notat.txt', 'rapport.pdf')
        (Get-FileHash ($files | Where-Object Name -eq 'rapport.pdf').FullName).Hash | Should -Be (Get-FileHash $script:Pdf.FullName).Hash
        [IO.File]::ReadAllText(($files | Where-Object Name -eq 'notat.txt').FullName) | Should -Be 'Notat til årsregnskapet'
        Get-ChildItem $folder -Force -Filter '*.partial' | Should -BeNullOrEmpty
    }

    It 'saves the form data as it is stored (XML) to a file name, and needs -Force to overwrite' {
        $instance = New-Filled
        $target = Join-Path $script:Work 'model-saved.xml'
        $file = $instance | Save-AltinnData -DataType model -Path $target
        $file.FullName | Should -Be $target
        ([xml](Get-Content -Raw $target)).model.property1 | Should -Be 'a'

        $instance | Save-AltinnData -DataType model -Path $target -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SaveData.FileExists*'
        $instance | Set-AltinnData -DataType model -Value @{ property1 = 'second' } | Save-AltinnData -DataType model -Path $target -Force | Should -Not -BeNullOrEmpty
        ([xml](Get-Content -Raw $target)).model.property1 | Should -Be 'second'
    }

    It 'takes data elements from the pipeline ($instance.Data)' {
        $instance = New-Filled | Add-AltinnAttachment -DataType attachment -Path $script:Pdf.FullName
        $folder = Join-Path $script:Work ('piped-' + [Guid]::NewGuid().ToString('N').Substring(0, 6))
        $files = $instance.Data | Save-AltinnData -Path "$folder/"
        $expected = @(('model-' + $instance.GetDataElements('model')[0].Id + '.xml'), 'rapport.pdf') | Sort-Object
        ($files.Name | Sort-Object) | Should -Be $expected
    }

    It 'never leaves a partial file when the download fails, and a file path for many elements is refused' {
        $instance = New-Filled | Add-AltinnAttachment -DataType attachment -Path $script:Pdf.FullName, $script:Txt.FullName
        $instance | Save-AltinnData -DataType attachment -Path (Join-Path $script:Work 'one.pdf') -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SaveData.PathIsFile*'

        $folder = Join-Path $script:Work ('failing-' + [Guid]::NewGuid().ToString('N').Substring(0, 6))
        New-Item -ItemType Directory $folder | Out-Null
        Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/faults' -Body @{ rules = @(@{ pathPrefix = "/brg/aarsregnskap/instances/$($instance.Id)/data/"; methods = @('GET'); rate503 = 1.0 }) } | Out-Null
        try {
            $session = Connect-TestSession -Simulator $script:Sim -Extra @{ MaximumRetryCount = 0 }
            Save-AltinnData -InstanceId $instance.Id -App brg/aarsregnskap -DataElementId $instance.GetDataElements('attachment')[0].Id -Path "$folder/" -Session $session -ErrorVariable failed -ErrorAction SilentlyContinue
        } finally {
            Invoke-Simulator -Simulator $script:Sim -Method DELETE -Path '_sim/faults' | Out-Null
        }
        $failed | Should -Not -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SaveData.ServiceUnavailable*'
        Get-ChildItem $folder -Force | Should -BeNullOrEmpty
    }

    It '-WhatIf writes no file' {
        $instance = New-Filled
        $target = Join-Path $script:Work 'whatif.xml'
        $instance | Save-AltinnData -DataType model -Path $target -WhatIf | Should -BeNullOrEmpty
        Test-Path $target | Should -BeFalse
    }
}

Describe 'Remove-AltinnData' {
    It 'removes the elements of a type, each asked for, and -PassThru gives the instance' {
        $instance = New-Filled | Add-AltinnAttachment -DataType attachment -Path $script:Pdf.FullName, $script:Txt.FullName
        Clear-SimulatorRequests $script:Sim
        $after = $instance | Remove-AltinnData -DataType attachment -PassThru
        $after.Id | Should -Be $instance.Id
        $after.GetDataElements('attachment') | Should -BeNullOrEmpty
        $deletes = @(Get-SimulatorRequests $script:Sim -Method DELETE)
        $deletes | Should -HaveCount 2
        $deletes[0].path | Should -BeLike "/brg/aarsregnskap/instances/$($instance.Id)/data/*"
        $deletes[0].query | Should -Be '?language=nb'
        ((Held $instance.Id).data | Where-Object dataType -eq attachment) | Should -BeNullOrEmpty
    }

    It 'removes one element piped from the instance' {
        $instance = New-Filled | Add-AltinnAttachment -DataType attachment -Path $script:Pdf.FullName, $script:Txt.FullName
        $instance.Data | Where-Object Filename -eq 'notat.txt' | Remove-AltinnData
        ((Held $instance.Id).data | Where-Object dataType -eq attachment).filename | Should -Be 'rapport.pdf'
    }

    It '-WhatIf removes nothing' {
        $instance = New-Filled | Add-AltinnAttachment -DataType attachment -Path $script:Pdf.FullName
        Clear-SimulatorRequests $script:Sim
        $instance | Remove-AltinnData -DataType attachment -WhatIf -PassThru | Should -BeNullOrEmpty
        Get-SimulatorWrites $script:Sim | Should -BeNullOrEmpty
        ((Held $instance.Id).data | Where-Object dataType -eq attachment) | Should -HaveCount 1
    }

    It 'refuses after the end (data locked) and for the receipt, without sending' {
        $submitted = New-Filled | Add-AltinnAttachment -DataType attachment -Path $script:Pdf.FullName | Invoke-AltinnProcessNext
        Clear-SimulatorRequests $script:Sim
        $submitted | Remove-AltinnData -DataType attachment -ErrorVariable locked -ErrorAction SilentlyContinue
        $locked[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.RemoveData.DataLocked*'
        $submitted | Remove-AltinnData -DataType ref-data-as-pdf -ErrorVariable receipt -ErrorAction SilentlyContinue
        $receipt[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.RemoveData.DataLocked*'
        Get-SimulatorWrites $script:Sim | Should -BeNullOrEmpty
    }

    It 'reports Altinn''s refusal to remove the only form data in its own words' {
        $instance = New-Filled
        $instance | Remove-AltinnData -DataType model -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.RemoveData.BadRequest*'
        $err[0].Exception.Message | Should -Match 'Cannot Delete main data element'
        (Held $instance.Id).data.dataType | Should -Contain 'model'
    }
}
