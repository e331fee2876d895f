#Requires -Modules Pester
# Creating, reading and removing instances through the installed module, checked against what the
# simulator received (/_sim/requests) and holds (/_sim/instances).

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name flow-instances
    $script:Session = Connect-TestSession -Simulator $script:Sim
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-flow-inst-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null
    $script:Pdf = New-TestPdf -Folder $script:Work -Name 'a.pdf'
    $script:Png = New-TestFile -Folder $script:Work -Name 'b.png' -Size 2048
    $script:ModelXml = '<model><property1>value1</property1><property2>value2</property2><property3>value3</property3></model>'
    function script:Count-Instances { @(Get-SimulatorInstances $script:Sim).Count }
}

AfterAll {
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'New-AltinnInstance, simple create (guide 1.1)' {
    It 'posts JSON to instances/create with ?language=nb and the prefill reaches the form' {
        Clear-SimulatorRequests $script:Sim
        $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'value1'; property2 = 'value2' } -Session $script:Session

        $instance | Should -BeOfType ([AltinnApp.Core.Models.AltinnInstance])
        $instance.Id | Should -Match '^500700/[0-9a-f-]{36}$'
        $instance.Owner | Should -Be '950474084'
        $instance.CurrentTask | Should -Be 'Task_1'
        $instance.Ended | Should -BeFalse
        $instance.Created | Should -BeOfType ([datetime])

        $post = @(Get-SimulatorRequests $script:Sim -Method POST -PathLike '*/instances/create')
        $post | Should -HaveCount 1
        $post[0].path | Should -Be '/brg/aarsregnskap/instances/create'
        $post[0].query | Should -Be '?language=nb'
        $post[0].contentType | Should -Match '^application/json'
        $post[0].status | Should -Be 201

        ($instance | Get-AltinnData -DataType model).property1 | Should -Be 'value1'
    }

    It 'sends -DueBefore and -VisibleAfter as UTC' {
        $due = [datetime]::new(2031, 1, 15, 12, 0, 0, [DateTimeKind]::Utc)
        $unspecified = [datetime]::new(2031, 1, 2, 8, 30, 0)
        $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -DueBefore $due -VisibleAfter $unspecified -Session $script:Session
        $held = Get-SimulatorInstances $script:Sim | Where-Object id -eq $instance.Id
        ([datetime]$held.dueBefore).ToUniversalTime() | Should -Be $due
        # a time without a kind is local time, as PowerShell's [datetime] casts give it
        ([datetime]$held.visibleAfter).ToUniversalTime() | Should -Be ([datetime]::SpecifyKind($unspecified, 'Local').ToUniversalTime())

        # a text with an offset is converted by PowerShell's binder and then sent as the same instant in UTC
        $offset = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -DueBefore '2031-01-15T12:00:00+01:00' -Session $script:Session
        $heldOffset = Get-SimulatorInstances $script:Sim | Where-Object id -eq $offset.Id
        ([datetime]$heldOffset.dueBefore).ToUniversalTime() | Should -Be ([datetime]::new(2031, 1, 15, 11, 0, 0, [DateTimeKind]::Utc))
        $offset.DueBefore.ToUniversalTime() | Should -Be ([datetime]::new(2031, 1, 15, 11, 0, 0, [DateTimeKind]::Utc))
    }

    It 'checks the organisation number''s control digit and sends nothing when it is wrong' {
        Clear-SimulatorRequests $script:Sim
        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474085 -Session $script:Session -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.InvalidOrganizationNumber*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].Exception.Message | Should -Match 'control digit'
        Get-SimulatorWrites $script:Sim | Should -BeNullOrEmpty
    }

    It 'refuses a party the system user may not act for (403), naming the session''s organisation and the one asked for' {
        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 310461598 -Session $script:Session -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.NewInstance.Forbidden*'
        $err[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $err[0].Exception.Message | Should -Match 'for organisation 310461598'
        $err[0].Exception.Message | Should -Match 'acts as the system user of 950474084'
        $err[0].Exception.Message | Should -Match 'Connect-Altinn -SystemUserOrganization 310461598'
        $err[0].ErrorDetails.RecommendedAction | Should -Match '^Connect-Altinn -SystemUserOrganization 310461598'
        $err[0].Exception.StatusCode | Should -Be 403
        $err[0].TargetObject | Should -Be '310461598'
    }

    It 'reports an organisation Altinn does not know (404) in the server''s words' {
        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 974760673 -Session $script:Session -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.NewInstance.PartyNotFound*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].Exception.Message | Should -Match 'Cannot lookup party'
        # the owner is what Altinn could not find, not the app
        $err[0].Exception.Message | Should -Match 'could not find the instance owner organisation 974760673'
        $err[0].Exception.Message | Should -Not -Match 'Check the app id'
    }

    It 'masks a person number in errors, targets and logs' {
        $output = New-AltinnInstance -App brg/aarsregnskap -PersonNumber 08089403198 -Session $script:Session -Verbose -ErrorVariable err -ErrorAction SilentlyContinue 4>&1
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.NewInstance.Forbidden*'
        $all = (@($output) + @($err) | Out-String) + $err[0].Exception.Message + $err[0].ErrorDetails.Message + [string]$err[0].TargetObject
        $all | Should -Not -Match '08089403198'
        $err[0].Exception.Message | Should -Match '080894\*{5}'
        $err[0].TargetObject | Should -Be '080894*****'

        New-AltinnInstance -App brg/aarsregnskap -PersonNumber 08089403199 -Session $script:Session -ErrorVariable bad -ErrorAction SilentlyContinue
        $bad[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.InvalidPersonNumber*'
        ($bad[0] | Out-String) + $bad[0].Exception.Message | Should -Not -Match '08089403199'
    }

    It 'goes on with the next pipeline row when one row fails' {
        $rows = @(
            [pscustomobject]@{ App = 'brg/aarsregnskap'; OrganizationNumber = '950474084' }
            [pscustomobject]@{ App = 'brg/aarsregnskap'; OrganizationNumber = '123' }
            [pscustomobject]@{ App = 'brg/aarsregnskap'; OrganizationNumber = '950474084' }
        )
        $created = $rows | New-AltinnInstance -Session $script:Session -ErrorVariable err -ErrorAction SilentlyContinue
        @($created) | Should -HaveCount 2
        $err | Should -HaveCount 1
        $err[0].TargetObject | Should -Be '123'
    }

    It 'names every bad file of a multipart create, not only the first, and creates nothing' {
        $before = Count-Instances
        $exe = New-TestFile -Folder $script:Work -Name 'program.exe' -Size 10
        $csv = New-TestFile -Folder $script:Work -Name 'figures.csv' -Text 'a,b'
        $out = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Data @{ model = $script:ModelXml } `
            -Attachment @{ attachment = $exe.FullName, $script:Pdf.FullName, $csv.FullName } -Session $script:Session -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $err | Should -HaveCount 2
        $err[0].Exception.Message | Should -Match 'program\.exe'
        $err[1].Exception.Message | Should -Match 'figures\.csv'
        $err.FullyQualifiedErrorId | ForEach-Object { $_ | Should -BeLike 'Altinn.NewInstance.ContentTypeNotAllowed,*' }
        Count-Instances | Should -Be $before
    }

    It '-WhatIf creates nothing and sends nothing' {
        $before = Count-Instances
        Clear-SimulatorRequests $script:Sim
        # what goes down the pipeline is a stand-in, so the next steps say what they would do; it is no instance
        $planned = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'x' } -Session $script:Session -WhatIf
        $planned.IsPlanned | Should -BeTrue
        $planned.Id | Should -BeNullOrEmpty
        "$planned" | Should -Be 'the new instance of brg/aarsregnskap for 950474084'
        (New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Data @{ model = $script:ModelXml } -Attachment @{ attachment = $script:Pdf.FullName } -Session $script:Session -WhatIf).IsPlanned | Should -BeTrue
        Count-Instances | Should -Be $before
        Get-SimulatorWrites $script:Sim | Should -BeNullOrEmpty
    }
}

Describe 'New-AltinnInstance, multipart create (guide 1.2)' {
    It 'posts the parts instance, model and one per file, with the documented names and content types' {
        Clear-SimulatorRequests $script:Sim
        $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Session $script:Session `
            -Data @{ model = $script:ModelXml } -Attachment @{ attachment = $script:Pdf.FullName, $script:Png.FullName }

        $post = @(Get-SimulatorRequests $script:Sim -Method POST -PathLike '*/instances')
        $post | Should -HaveCount 1
        $post[0].path | Should -Be '/brg/aarsregnskap/instances'
        $post[0].query | Should -Be '?language=nb'
        $post[0].contentType | Should -Match '^multipart/form-data; boundary='
        $parts = $post[0].parts
        $parts.name | Should -Be @('instance', 'model', 'attachment', 'attachment')
        $parts[0].contentType | Should -Match '^application/json'
        $parts[1].contentType | Should -Match '^application/xml'
        $parts[2].contentType | Should -Be 'application/pdf'
        $parts[2].fileName | Should -Be 'a.pdf'
        $parts[3].contentType | Should -Be 'image/png'
        $parts[3].fileName | Should -Be 'b.png'

        $instance.GetDataElements('attachment').Filename | Sort-Object | Should -Be @('a.pdf', 'b.png')
        $held = Get-SimulatorInstances $script:Sim | Where-Object id -eq $instance.Id
        ($held.data | Where-Object dataType -eq 'model').contentType | Should -Be 'application/xml'
        ($instance | Get-AltinnData -DataType model).property3 | Should -Be 'value3'
    }

    It 'takes -Data as an XmlDocument, an XML file path, a FileInfo, or a hashtable where the app takes JSON' {
        [xml] $document = $script:ModelXml -replace 'value1', 'from-document'
        $fromDocument = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Data @{ model = $document } -Session $script:Session
        ($fromDocument | Get-AltinnData -DataType model).property1 | Should -Be 'from-document'

        $file = New-TestFile -Folder $script:Work -Name 'model.xml' -Text ($script:ModelXml -replace 'value1', 'from-file')
        Push-Location $script:Work
        try { $fromPath = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Data @{ model = './model.xml' } -Session $script:Session }
        finally { Pop-Location }
        ($fromPath | Get-AltinnData -DataType model).property1 | Should -Be 'from-file'
        $fromInfo = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Data @{ model = $file } -Session $script:Session
        ($fromInfo | Get-AltinnData -DataType model).property1 | Should -Be 'from-file'

        $jsonApp = Register-TestApp -Simulator $script:Sim -App 'flow-json-model' -ModelContentTypes 'application/json'
        Clear-SimulatorRequests $script:Sim
        $fromHashtable = New-AltinnInstance -App $jsonApp -OrganizationNumber 950474084 -Data @{ model = @{ property1 = 'from-hashtable'; property2 = '2' } } -Session $script:Session
        (Get-SimulatorRequests $script:Sim -Method POST -PathLike '*/instances').parts[1].contentType | Should -Match '^application/json'
        $data = $fromHashtable | Get-AltinnData -DataType model
        $data.property1 | Should -Be 'from-hashtable'
        $data.property2 | Should -Be '2'
    }

    It 'refuses what the app''s metadata does not allow before sending anything' -TestCases @(
        @{ Case = 'unknown data type'; Reason = 'UnknownDataType'; Data = $null; Attachment = { @{ nosuch = $script:Pdf.FullName } } }
        @{ Case = 'wrong content type'; Reason = 'ContentTypeNotAllowed'; Data = $null; Attachment = { @{ attachment = (New-TestFile -Folder $script:Work -Name 'sheet.csv' -Text 'a;b').FullName } } }
        @{ Case = 'too large'; Reason = 'TooLarge'; Data = $null; Attachment = { @{ attachment = (New-TestFile -Folder $script:Work -Name 'big.pdf' -Size (6MB)).FullName } } }
        @{ Case = 'too many'; Reason = 'TooMany'; Data = $null; Attachment = { @{ attachment = @(1..4 | ForEach-Object { (New-TestPdf -Folder $script:Work -Name "n$_.pdf").FullName }) } } }
        @{ Case = 'form data as JSON text where the type takes XML'; Reason = 'ContentTypeNotAllowed'; Data = { @{ model = '{"property1":"x"}' } }; Attachment = $null }
    ) {
        param($Case, $Reason, $Data, $Attachment)
        $before = Count-Instances
        Clear-SimulatorRequests $script:Sim
        $parameters = @{ App = 'brg/aarsregnskap'; OrganizationNumber = '950474084'; Session = $script:Session }
        if ($Data) { $parameters.Data = & $Data }
        if ($Attachment) { $parameters.Attachment = & $Attachment }
        New-AltinnInstance @parameters -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike "Altinn.NewInstance.$Reason*"
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].Exception.Message | Should -Not -BeNullOrEmpty
        Get-SimulatorWrites $script:Sim | Should -BeNullOrEmpty
        Count-Instances | Should -Be $before
    }

    It 'maps Altinn''s own refusal to the same ErrorId when the app changed since the session read it, and leaves no instance' {
        $app = Register-TestApp -Simulator $script:Sim -App 'flow-changing' -AttachmentContentTypes 'application/pdf', 'image/png'
        Get-AltinnApplication -App $app -Session $script:Session | Out-Null          # the session now holds the old rules
        Register-TestApp -Simulator $script:Sim -App 'flow-changing' -AttachmentContentTypes 'application/pdf' | Out-Null
        $before = Count-Instances
        Clear-SimulatorRequests $script:Sim

        New-AltinnInstance -App $app -OrganizationNumber 950474084 -Data @{ model = $script:ModelXml } -Attachment @{ attachment = $script:Png.FullName } `
            -Session $script:Session -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.NewInstance.ContentTypeNotAllowed*'
        $err[0].Exception.Message | Should -Match 'image/png'
        $err[0].Exception.Message | Should -Match 'Get-AltinnApplication'
        @(Get-SimulatorRequests $script:Sim -Method POST -PathLike '*/instances') | Should -HaveCount 1
        Count-Instances | Should -Be $before

        # the stale rules were dropped: the second try is refused before anything is sent
        Clear-SimulatorRequests $script:Sim
        New-AltinnInstance -App $app -OrganizationNumber 950474084 -Data @{ model = $script:ModelXml } -Attachment @{ attachment = $script:Png.FullName } `
            -Session $script:Session -ErrorVariable again -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $again[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.NewInstance.ContentTypeNotAllowed*'
        Get-SimulatorWrites $script:Sim | Should -BeNullOrEmpty
    }

    It 'refuses -Prefill together with -Data' {
        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ a = 1 } -Data @{ model = $script:ModelXml } -Session $script:Session -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.NewInstance.PrefillWithData*'
    }
}

Describe 'Get-AltinnInstance' {
    BeforeAll {
        $script:Existing = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'x' } -Session $script:Session
    }

    It 'reads an instance by object and by -InstanceId and -App' {
        $byObject = $script:Existing | Get-AltinnInstance
        $byObject.Id | Should -Be $script:Existing.Id
        $byId = Get-AltinnInstance -InstanceId $script:Existing.Id -App brg/aarsregnskap -Session $script:Session
        $byId.Id | Should -Be $script:Existing.Id
        $byId.App | Should -Be 'brg/aarsregnskap'
        $byId.Session.Id | Should -Be $script:Session.Id
        @($byId.Data) | ForEach-Object { $_.InstanceId | Should -Be $script:Existing.Id }
    }

    It 'gives a clear error for an instance that does not exist, and for a malformed id' {
        Get-AltinnInstance -InstanceId "500700/$([Guid]::NewGuid())" -App brg/aarsregnskap -Session $script:Session -ErrorVariable err -ErrorAction SilentlyContinue
        # Altinn answers 403 for a missing instance as for a forbidden one: one ErrorId for both
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.Instance.NotFoundOrForbidden*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'instance id'

        Get-AltinnInstance -InstanceId 'not-an-id' -App brg/aarsregnskap -Session $script:Session -ErrorVariable bad -ErrorAction SilentlyContinue
        $bad[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.GetInstance.InvalidInstanceId*'
        $bad[0].Exception.Message | Should -Match 'party id and the instance GUID'
    }

    It 'refuses an instance of another party (403)' {
        $other = Connect-TestSession -Simulator $script:Sim -Organization 310461598
        $foreign = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 310461598 -Session $other
        Get-AltinnInstance -InstanceId $foreign.Id -App brg/aarsregnskap -Session $script:Session -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.Instance.NotFoundOrForbidden*'
    }

    It 'lists a party''s active instances with -Active' {
        $active = @(Get-AltinnInstance -Active -PartyId 500700 -App brg/aarsregnskap -Session $script:Session)
        $active.Id | Should -Contain $script:Existing.Id
        $active[0] | Should -BeOfType ([AltinnApp.Core.Models.AltinnActiveInstance])
        $active[0].App | Should -Be 'brg/aarsregnskap'
        # an active entry pipes on to the cmdlets that take an instance id
        ($active | Where-Object Id -eq $script:Existing.Id | Get-AltinnInstance).CurrentTask | Should -Be 'Task_1'
    }

    It 'reads well at a prompt: the table shows the whole id, owner and task; the list adds the app' {
        $table = $script:Existing | Out-String -Width 160
        $table | Should -Match 'Id\s+Owner\s+CurrentTask'
        $table | Should -Match ([regex]::Escape($script:Existing.Id))
        $table | Should -Match '950474084\s+Task_1'
        $list = $script:Existing | Format-List | Out-String -Width 160
        $list | Should -Match 'App\s*:\s*brg/aarsregnskap'
        $list | Should -Match 'CurrentTask\s*:\s*Task_1 \(Utfylling, data\)'
        $list | Should -Match 'Data\s*:\s*model'
    }
}

Describe 'Remove-AltinnInstance' {
    It '-WhatIf removes nothing' {
        $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Session $script:Session
        Clear-SimulatorRequests $script:Sim
        $instance | Remove-AltinnInstance -Hard -WhatIf
        Get-SimulatorWrites $script:Sim | Should -BeNullOrEmpty
        (Get-SimulatorInstances $script:Sim | Where-Object id -eq $instance.Id).status.isSoftDeleted | Should -BeFalse
    }

    It 'asks before removing (high impact): with nobody to answer, nothing is removed' {
        $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Session $script:Session
        Clear-SimulatorRequests $script:Sim
        $result = Invoke-InRunspace { param($Instance) Remove-AltinnInstance -Instance $Instance } @{ Instance = $instance }
        # a runspace without a host cannot answer the confirmation prompt: the call fails instead of removing
        ((@($result.Errors) + @($result.Exception)) | Out-String) | Should -Match 'prompt|interact'
        Get-SimulatorWrites $script:Sim | Should -BeNullOrEmpty
        (Get-SimulatorInstances $script:Sim | Where-Object id -eq $instance.Id).status.isSoftDeleted | Should -BeFalse
    }

    It 'soft-deletes by default and removes for good with -Hard' {
        $soft = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Session $script:Session
        $hard = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Session $script:Session
        Clear-SimulatorRequests $script:Sim

        $returned = $soft | Remove-AltinnInstance -Confirm:$false -PassThru
        $returned.Status.IsSoftDeleted | Should -BeTrue
        Remove-AltinnInstance -InstanceId $hard.Id -App brg/aarsregnskap -Hard -Confirm:$false -Session $script:Session | Should -BeNullOrEmpty

        $deletes = @(Get-SimulatorRequests $script:Sim -Method DELETE)
        $deletes.query | Should -Be @('?hard=false', '?hard=true')
        $held = Get-SimulatorInstances $script:Sim
        ($held | Where-Object id -eq $soft.Id).status.isSoftDeleted | Should -BeTrue
        $held.id | Should -Not -Contain $hard.Id
        (Get-AltinnInstance -Active -PartyId 500700 -App brg/aarsregnskap -Session $script:Session).Id | Should -Not -Contain $soft.Id
    }
}
