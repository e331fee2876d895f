#Requires -Modules Pester
# The files of one Add-AltinnAttachment call go all or none, and an instance whose step failed is not passed down the
# pipeline, whatever -ErrorAction says: a user's `Add-AltinnAttachment -Path a.pdf, missing.pdf, c.pdf` with
# ErrorAction Continue, piped to Invoke-AltinnProcessNext, submitted the form without missing.pdf.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name all-or-nothing
    $script:Session = Connect-TestSession -Simulator $script:Sim
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-aon-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    $script:A = New-TestPdf -Folder $script:Work -Name 'a.pdf'
    $script:B = New-TestFile -Folder $script:Work -Name 'b.png' -Size 2048
    $script:C = New-TestPdf -Folder $script:Work -Name 'c.pdf'
    $script:Missing = Join-Path $script:Work 'missing.pdf'
    function script:New-Open([string] $App = 'brg/aarsregnskap') {
        New-AltinnInstance -App $App -OrganizationNumber 950474084 -Prefill @{ property1 = 'a'; property2 = 'b' } -Session $script:Session
    }
    function script:Held($Id) { Get-SimulatorInstances $script:Sim | Where-Object id -eq $Id }
    function script:Attached($Id) { @((Held $Id).data | Where-Object dataType -eq 'attachment') }
    function script:Set-Faults([object[]] $Rules) { Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/faults' -Body @{ rules = $Rules; seed = 1 } | Out-Null }
    function script:Clear-Faults { Invoke-Simulator -Simulator $script:Sim -Method DELETE -Path '_sim/faults' | Out-Null }
    $script:ServerError = @{ status = 500; body = @{ type = 'https://tools.ietf.org/html/rfc9110#section-15.6.1'; title = 'Internal Server Error'; status = 500 } }
}

AfterAll {
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Every file is checked before the first byte is sent' {
    AfterEach { Clear-Faults }

    It 'a.pdf, missing.pdf, c.pdf with ErrorAction Continue into Invoke-AltinnProcessNext: nothing uploaded, one error naming missing.pdf, nothing submitted' {
        $instance = New-Open
        Clear-SimulatorRequests $script:Sim
        $ErrorActionPreference = 'Continue'
        $out = @($instance | Add-AltinnAttachment -DataType attachment -Path $script:A.FullName, $script:Missing, $script:C.FullName -ErrorVariable err 2>$null |
            Invoke-AltinnProcessNext)

        $out | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.AddAttachment.FileNotFound*'
        $err[0].TargetObject | Should -Be $script:Missing
        $err[0].Exception.Message | Should -Match ([regex]::Escape("The file '$($script:Missing)' in -Path does not exist"))
        $err[0].Exception.Message | Should -Match "Nothing was uploaded to instance $([regex]::Escape($instance.Id)): the 3 files of a call are sent only when every one passes"
        Get-SimulatorWrites $script:Sim | Should -BeNullOrEmpty -Because 'no upload, and no process/next'
        Attached $instance.Id | Should -BeNullOrEmpty
        $held = Held $instance.Id
        $held.process.ended | Should -BeNullOrEmpty
        $held.process.currentTask.elementId | Should -Be 'Task_1'
    }

    It 'names every bad file of the call, each in its own error, in the order given' {
        $instance = New-Open
        $csv = New-TestFile -Folder $script:Work -Name 'table.csv' -Text 'a;b'
        Clear-SimulatorRequests $script:Sim
        $instance | Add-AltinnAttachment -DataType attachment -Path $csv.FullName, $script:A.FullName, $script:Missing -ErrorVariable err -ErrorAction SilentlyContinue |
            Should -BeNullOrEmpty

        $err | Should -HaveCount 2
        $err.TargetObject | Should -Be @($csv.FullName, $script:Missing)
        $err.FullyQualifiedErrorId | ForEach-Object { $_ -replace ',.*' } | Should -Be @('Altinn.AddAttachment.ContentTypeNotAllowed', 'Altinn.AddAttachment.FileNotFound')
        $err | ForEach-Object { $_.Exception.Message | Should -Match 'the 3 files of a call are sent only when every one passes the checks, and 2 of them did not' }
        Get-SimulatorWrites $script:Sim | Should -BeNullOrEmpty
    }

    It 'counts every file of the call against maxCount, the missing one too, and still names the missing one' {
        $instance = New-Open | Add-AltinnAttachment -DataType attachment -Path $script:C.FullName
        Clear-SimulatorRequests $script:Sim
        $instance | Add-AltinnAttachment -DataType attachment -Path $script:A.FullName, $script:Missing, $script:B.FullName -ErrorVariable err -ErrorAction SilentlyContinue |
            Should -BeNullOrEmpty

        $err | Should -HaveCount 2
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.AddAttachment.FileNotFound*'
        $err[1].FullyQualifiedErrorId | Should -BeLike 'Altinn.AddAttachment.TooMany*'
        $err[1].Exception.Message | Should -Match 'would have 4 \(1 already there, 3 to add\)'
        Get-SimulatorWrites $script:Sim | Should -BeNullOrEmpty
        (Attached $instance.Id).filename | Should -Be 'c.pdf'
    }

    It 'with -ErrorAction Stop the bad file''s own error stops the script, and nothing is sent' {
        $instance = New-Open
        Clear-SimulatorRequests $script:Sim
        $caught = $null
        try { $instance | Add-AltinnAttachment -DataType attachment -Path $script:A.FullName, $script:Missing -ErrorAction Stop | Invoke-AltinnProcessNext }
        catch { $caught = $_ }

        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -BeLike 'Altinn.AddAttachment.FileNotFound*'
        $caught.TargetObject | Should -Be $script:Missing
        Get-SimulatorWrites $script:Sim | Should -BeNullOrEmpty
    }

    It 'rows of a CSV file go together per instance: the instance with a missing file gets none of its files and is not passed on; the other is' {
        $broken = New-Open; $whole = New-Open
        $csv = Join-Path $script:Work 'rows.csv'
        @(
            [pscustomobject]@{ InstanceId = $broken.Id; App = 'brg/aarsregnskap'; Path = $script:A.FullName }
            [pscustomobject]@{ InstanceId = $whole.Id; App = 'brg/aarsregnskap'; Path = $script:A.FullName }
            [pscustomobject]@{ InstanceId = $broken.Id; App = 'brg/aarsregnskap'; Path = $script:Missing }
            [pscustomobject]@{ InstanceId = $whole.Id; App = 'brg/aarsregnskap'; Path = $script:C.FullName }
        ) | Export-Csv -Path $csv -NoTypeInformation
        $out = @(Import-Csv $csv | Add-AltinnAttachment -DataType attachment -Session $script:Session -ErrorVariable err -ErrorAction SilentlyContinue |
            Invoke-AltinnProcessNext -ErrorAction Stop)

        $err | Should -HaveCount 1
        $err[0].TargetObject | Should -Be $script:Missing
        $out.Id | Should -Be @($whole.Id)
        $out[0].Ended | Should -BeTrue
        (Attached $whole.Id).filename | Sort-Object | Should -Be @('a.pdf', 'c.pdf')
        Attached $broken.Id | Should -BeNullOrEmpty
        (Held $broken.Id).process.ended | Should -BeNullOrEmpty
    }
}

Describe 'A refusal part-way: the files sent before it are removed again, and the instance is not passed on' {
    BeforeEach {
        # the session reads the app while it takes PDF and PNG; then the app changes to PDF only, so the module's own
        # check passes b.png and Altinn refuses it, as the second of three files
        $script:App = Register-TestApp -Simulator $script:Sim -App ('aon-' + [Guid]::NewGuid().ToString('N').Substring(0, 6)) -RequiredFields @()
        Get-AltinnApplication -App $script:App -Session $script:Session | Out-Null
        $script:Target = New-Open -App $script:App
        Register-TestApp -Simulator $script:Sim -App $script:App.Split('/')[1] -AttachmentContentTypes @('application/pdf') -RequiredFields @() | Out-Null
        Clear-SimulatorRequests $script:Sim
    }

    AfterEach { Clear-Faults }

    It 'says a.pdf was uploaded and removed again, b.png refused, c.pdf not sent; nothing reaches Invoke-AltinnProcessNext' {
        $ErrorActionPreference = 'Continue'
        $out = @($script:Target | Add-AltinnAttachment -DataType attachment -Path $script:A.FullName, $script:B.FullName, $script:C.FullName -ErrorVariable err 2>$null |
            Invoke-AltinnProcessNext)

        $out | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.AddAttachment.ContentTypeNotAllowed*'
        $err[0].TargetObject | Should -Be $script:B.FullName
        $message = $err[0].Exception.Message
        $message | Should -Match "stopped at 'b\.png' \(file 2 of 3\)"
        $message | Should -Match "'b\.png' was refused, so it is not on the instance"
        $message | Should -Match "Uploaded before it and removed again: 'a\.pdf'\."
        $message | Should -Match "Not sent: 'c\.pdf'\."

        $posts = @(Get-SimulatorRequests $script:Sim -Method POST -PathLike '*/data/type/attachment')
        $posts.status | Should -Be @(200, 400)
        @(Get-SimulatorRequests $script:Sim -Method DELETE) | Should -HaveCount 1
        @(Get-SimulatorRequests $script:Sim -Method PUT -PathLike '*/process/next') | Should -BeNullOrEmpty
        Attached $script:Target.Id | Should -BeNullOrEmpty
        (Held $script:Target.Id).process.ended | Should -BeNullOrEmpty
    }

    It 'when a.pdf cannot be removed again, says it is still there with the command that removes it' {
        Set-Faults @(@{ pathPrefix = "/$($script:App)/instances/"; methods = @('DELETE'); rateAnswer = 1; answer = $script:ServerError })
        $out = @($script:Target | Add-AltinnAttachment -DataType attachment -Path $script:A.FullName, $script:B.FullName, $script:C.FullName -ErrorVariable err -ErrorAction SilentlyContinue |
            Invoke-AltinnProcessNext)

        $out | Should -BeNullOrEmpty
        $left = @(Attached $script:Target.Id)
        $left.filename | Should -Be 'a.pdf'
        $err | Should -HaveCount 1
        $err[0].Exception.Message | Should -Match ([regex]::Escape("'a.pdf' was uploaded (data element $($left[0].id)) and could not be removed again"))
        $err[0].Exception.Message | Should -Match ([regex]::Escape("Remove-AltinnData -InstanceId $($script:Target.Id) -App $($script:App) -DataElementId $($left[0].id)"))
        (Held $script:Target.Id).process.ended | Should -BeNullOrEmpty

        Clear-Faults
        Remove-AltinnData -InstanceId $script:Target.Id -App $script:App -DataElementId $left[0].id -Session $script:Session -Confirm:$false
        Attached $script:Target.Id | Should -BeNullOrEmpty
    }
}

Describe 'The other pipeline cmdlets: an instance whose step failed is not passed on' {
    AfterEach { Clear-Faults }

    It 'Set-AltinnData refused by Altinn: Invoke-AltinnProcessNext never sees the instance' {
        $instance = New-Open
        Set-Faults @(@{ pathPrefix = "/brg/aarsregnskap/instances/$($instance.Id)/data/"; methods = @('PUT'); rateAnswer = 1; answer = $script:ServerError })
        $ErrorActionPreference = 'Continue'
        $out = @($instance | Set-AltinnData -DataType model -Value @{ property1 = 'x'; property2 = 'y' } -ErrorVariable err 2>$null | Invoke-AltinnProcessNext)

        $out | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SetData.*'
        @(Get-SimulatorRequests $script:Sim -Method PUT -PathLike "*$($instance.Id)/process/next") | Should -BeNullOrEmpty
        (Held $instance.Id).process.ended | Should -BeNullOrEmpty
    }

    It 'Remove-AltinnData -PassThru with one of two removals refused: the instance is not passed on' {
        $instance = New-Open | Add-AltinnAttachment -DataType attachment -Path $script:A.FullName, $script:C.FullName
        $second = $instance.GetDataElements('attachment')[1]
        Set-Faults @(@{ pathPrefix = "/brg/aarsregnskap/instances/$($instance.Id)/data/$($second.Id)"; methods = @('DELETE'); rateAnswer = 1; answer = $script:ServerError })
        Clear-SimulatorRequests $script:Sim
        $out = @($instance | Remove-AltinnData -DataType attachment -PassThru -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue | Invoke-AltinnProcessNext)

        $out | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].TargetObject.Id | Should -Be $second.Id
        @(Get-SimulatorRequests $script:Sim -Method PUT -PathLike '*/process/next') | Should -BeNullOrEmpty
        (Attached $instance.Id).id | Should -Be $second.Id
    }

    It 'Invoke-AltinnProcessNext refused: nothing goes on to Save-AltinnReceipt' {
        $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'a' } -Session $script:Session
        $receipts = Join-Path $script:Work 'receipts'
        New-Item -ItemType Directory -Force $receipts | Out-Null
        $out = @($instance | Invoke-AltinnProcessNext -ErrorVariable err -ErrorAction SilentlyContinue | Save-AltinnReceipt -Path $receipts)

        $out | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.ProcessNext.ValidationFailed*'
        Get-ChildItem $receipts | Should -BeNullOrEmpty
    }
}
