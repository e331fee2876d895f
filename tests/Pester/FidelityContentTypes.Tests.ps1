#Requires -Modules Pester
# Content types as Altinn sees them: a file goes with the type Altinn's own table gives its extension
# (.xml application/xml, .zip application/zip), -ContentType states it for the rare file that needs it,
# and a value that is not a media type is refused before anything is sent.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name fid-content-types
    $script:Session = Connect-TestSession -Simulator $script:Sim
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-fid-ct-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null
    # apps whose attachment type allows what each test needs, registered through POST /_sim/apps
    $script:XmlZip = Register-TestApp -Simulator $script:Sim -App ct-xmlzip -AttachmentContentTypes 'application/xml', 'application/zip'
    $script:TextXml = Register-TestApp -Simulator $script:Sim -App ct-textxml -AttachmentContentTypes 'text/xml'
    $script:PdfOnly = Register-TestApp -Simulator $script:Sim -App ct-pdfonly -AttachmentContentTypes 'application/pdf'
    $script:Open = Register-TestApp -Simulator $script:Sim -App ct-open -AttachmentContentTypes @()
    $script:Xml = New-TestFile -Folder $script:Work -Name 'skjema.xml' -Text '<skjema><navn>Test</navn></skjema>'
    $script:Zip = New-TestFile -Folder $script:Work -Name 'bilag.zip' -Size 2048
    $script:Unknown = New-TestFile -Folder $script:Work -Name 'scan.qqq' -Text 'scan'
    function script:New-Open($App) { New-AltinnInstance -App $App -OrganizationNumber 950474084 -Prefill @{ property1 = 'a' } -Session $script:Session }
    function script:Held($Id) { Get-SimulatorInstances $script:Sim | Where-Object id -eq $Id }
    function script:Attachments($Id) { @((Held $Id).data | Where-Object dataType -eq attachment) }
}

AfterAll {
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Files go with the content type Altinn gives their extension' {
    It 'uploads an .xml file as application/xml and a .zip as application/zip to a type that allows them' {
        $instance = New-Open $script:XmlZip
        Clear-SimulatorRequests $script:Sim
        $updated = $instance | Add-AltinnAttachment -DataType attachment -Path $script:Xml.FullName, $script:Zip.FullName

        $posts = @(Get-SimulatorRequests $script:Sim -Method POST)
        $posts.contentType | Should -Be @('application/xml', 'application/zip')
        $posts.status | ForEach-Object { $_ | Should -Be 200 }
        $updated.GetDataElements('attachment').Filename | Sort-Object | Should -Be @('bilag.zip', 'skjema.xml')
        (Attachments $instance.Id).contentType | Sort-Object | Should -Be @('application/xml', 'application/zip')
    }

    It 'sends an .xml file as text/xml where the data type allows only that' {
        $instance = New-Open $script:TextXml
        Clear-SimulatorRequests $script:Sim
        $instance | Add-AltinnAttachment -DataType attachment -Path $script:Xml.FullName | Out-Null
        @(Get-SimulatorRequests $script:Sim -Method POST)[0].contentType | Should -Be 'text/xml'
        (Attachments $instance.Id).contentType | Should -Be 'text/xml'
    }

    It 'sends .xml and .zip in a multipart create with the same types' {
        Clear-SimulatorRequests $script:Sim
        $instance = New-AltinnInstance -App $script:XmlZip -OrganizationNumber 950474084 -Session $script:Session `
            -Attachment @{ attachment = $script:Xml.FullName, $script:Zip.FullName }
        $parts = @(Get-SimulatorRequests $script:Sim -Method POST -PathLike '*/instances')[0].parts | Where-Object name -eq attachment
        $parts.contentType | Should -Be @('application/xml', 'application/zip')
        (Attachments $instance.Id).contentType | Sort-Object | Should -Be @('application/xml', 'application/zip')
    }
}

Describe '-ContentType' {
    It 'states the type of a file whose extension Altinn does not know, for a data type that takes any type' {
        $instance = New-Open $script:Open
        Clear-SimulatorRequests $script:Sim
        $instance | Add-AltinnAttachment -DataType attachment -Path $script:Unknown.FullName -ContentType 'text/csv' | Out-Null
        @(Get-SimulatorRequests $script:Sim -Method POST)[0].contentType | Should -Be 'text/csv'
        (Attachments $instance.Id) | Should -HaveCount 1
        (Attachments $instance.Id)[0].contentType | Should -Be 'text/csv'
        (Attachments $instance.Id)[0].filename | Should -Be 'scan.qqq'
    }

    It 'states the type of an unknown extension in a multipart create, where Altinn checks the stated type and not the extension' {
        Clear-SimulatorRequests $script:Sim
        $instance = New-AltinnInstance -App $script:PdfOnly -OrganizationNumber 950474084 -Session $script:Session `
            -Attachment @{ attachment = $script:Unknown.FullName } -ContentType application/pdf
        (@(Get-SimulatorRequests $script:Sim -Method POST -PathLike '*/instances')[0].parts | Where-Object name -eq attachment).contentType | Should -Be 'application/pdf'
        (Attachments $instance.Id).contentType | Should -Be 'application/pdf'
    }

    It 'refuses -ContentType that would label a file of a known extension as another type in a multipart create, and creates nothing' {
        $before = Get-SimulatorCounters $script:Sim
        $caught = $null
        try {
            New-AltinnInstance -App $script:PdfOnly -OrganizationNumber 950474084 -Session $script:Session `
                -Attachment @{ attachment = $script:Zip.FullName } -ContentType application/pdf -ErrorAction Stop
        } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -BeLike 'Altinn.NewInstance.ContentTypeNotAllowed*'
        $caught.Exception.Message | Should -Match "'bilag.zip' is a \.zip file, which is application/zip"
        (Get-SimulatorCounters $script:Sim).instancesCreated.'500700' | Should -Be $before.instancesCreated.'500700'
    }

    It 'refuses -ContentType that would label a known file as another type where the data type lists no types, and uploads nothing' {
        $instance = New-Open $script:Open
        Clear-SimulatorRequests $script:Sim
        $pdf = New-TestFile -Folder $script:Work -Name 'rapport.pdf' -Size 512
        $instance | Add-AltinnAttachment -DataType attachment -Path $pdf.FullName -ContentType image/png -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.AddAttachment.ContentTypeNotAllowed*'
        $refused[0].Exception.Message | Should -Match "'rapport.pdf' is a \.pdf file, which is application/pdf"
        Get-SimulatorWrites $script:Sim | Should -BeNullOrEmpty
        Attachments $instance.Id | Should -BeNullOrEmpty
    }

    It 'sends -ContentType in lower case, as Altinn compares a multipart part''s type exactly' {
        $instance = New-AltinnInstance -App $script:PdfOnly -OrganizationNumber 950474084 -Session $script:Session `
            -Attachment @{ attachment = $script:Unknown.FullName } -ContentType 'APPLICATION/PDF'
        (Attachments $instance.Id).contentType | Should -Be 'application/pdf'
    }

    It 'refuses an unknown extension without -ContentType where the type does not take octet-stream, says why, and sends nothing' {
        $instance = New-Open $script:PdfOnly
        Clear-SimulatorRequests $script:Sim
        $instance | Add-AltinnAttachment -DataType attachment -Path $script:Unknown.FullName -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.AddAttachment.ContentTypeNotAllowed*'
        $err[0].Exception.Message | Should -BeLike "*'scan.qqq' has an extension Altinn does not know (.qqq)*application/octet-stream*Allowed: application/pdf*-ContentType cannot change this*.pdf*"
        @(Get-SimulatorRequests $script:Sim -Method POST) | Should -HaveCount 0
        Attachments $instance.Id | Should -HaveCount 0

        # in a multipart create the fix is -ContentType, and the message says so; nothing is created
        $before = @(Get-SimulatorInstances $script:Sim).Count
        { New-AltinnInstance -App $script:PdfOnly -OrganizationNumber 950474084 -Session $script:Session -Attachment @{ attachment = $script:Unknown.FullName } -ErrorAction Stop } |
            Should -Throw -ErrorId 'Altinn.NewInstance.ContentTypeNotAllowed*' -ExpectedMessage '*state it with -ContentType (one of: application/pdf)*'
        @(Get-SimulatorInstances $script:Sim).Count | Should -Be $before
    }

    It 'refuses a stated type that does not fit the extension on an upload, as Altinn would, and sends nothing' {
        $instance = New-Open $script:XmlZip
        Clear-SimulatorRequests $script:Sim
        $instance | Add-AltinnAttachment -DataType attachment -Path $script:Zip.FullName -ContentType application/xml -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.AddAttachment.ContentTypeNotAllowed*'
        $err[0].Exception.Message | Should -BeLike "*'bilag.zip' cannot be sent as application/xml*application/zip or application/x-zip-compressed or application/zip-compressed*for example .xml*"
        @(Get-SimulatorRequests $script:Sim -Method POST) | Should -HaveCount 0
    }

    It 'refuses <Value> as -ContentType of Add-AltinnAttachment with a clear error and uploads nothing' -TestCases @(
        @{ Value = 'pdf'; Why = 'type/subtype' }
        @{ Value = 'application/'; Why = 'type/subtype' }
        @{ Value = '*/*'; Why = 'wildcard' }
    ) {
        param($Value, $Why)
        $instance = New-Open $script:XmlZip
        Clear-SimulatorRequests $script:Sim
        { $instance | Add-AltinnAttachment -DataType attachment -Path $script:Xml.FullName -ContentType $Value } |
            Should -Throw -ErrorId 'Altinn.AddAttachment.InvalidContentType*' -ExpectedMessage "*-ContentType '$Value' is not a content type*$Why*application/pdf*"
        Get-SimulatorWrites $script:Sim | Should -HaveCount 0
        Attachments $instance.Id | Should -HaveCount 0
    }

    It 'refuses a bad -ContentType of New-AltinnInstance, and -ContentType without -Attachment, before anything is created' {
        Clear-SimulatorRequests $script:Sim
        $before = @(Get-SimulatorInstances $script:Sim).Count
        { New-AltinnInstance -App $script:XmlZip -OrganizationNumber 950474084 -Session $script:Session -Attachment @{ attachment = $script:Xml.FullName } -ContentType 'xml' } |
            Should -Throw -ErrorId 'Altinn.NewInstance.InvalidContentType*' -ExpectedMessage "*-ContentType 'xml' is not a content type*"
        { New-AltinnInstance -App $script:XmlZip -OrganizationNumber 950474084 -Session $script:Session -ContentType 'application/xml' } |
            Should -Throw -ErrorId 'Altinn.NewInstance.ContentTypeWithoutAttachment*'
        Get-SimulatorWrites $script:Sim | Should -HaveCount 0
        @(Get-SimulatorInstances $script:Sim).Count | Should -Be $before
    }
}
