#Requires -Modules Pester
# What a hostile or compromised server cannot make the module do with the files it writes: the simulator's
# hostile-data fault disguises a real data element with crafted ids, data types, file names, scan results and
# oversized bodies, and Save-AltinnData must keep every file inside -Path, harmless and whole.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name hostile-server
    $script:Session = Connect-TestSession -Simulator $script:Sim
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-hostile-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null
    $script:Pdf = New-TestPdf -Folder $script:Work -Name 'rapport.pdf'
    $script:Instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'a'; property2 = 'b' } -Session $script:Session |
        Add-AltinnAttachment -DataType attachment -Path $script:Pdf.FullName
    $script:Attachment = $script:Instance.GetDataElements('attachment')[0]

    function script:Disguise([hashtable] $With) {
        $element = @{ element = $script:Attachment.Id }
        foreach ($key in $With.Keys) { $element[$key] = $With[$key] }
        Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/hostile-data' -Body @{ elements = @($element) } | Out-Null
    }
    # a fresh, empty folder two levels down, so an escape upwards has somewhere to land that the test can see
    function script:New-Target {
        $root = Join-Path $script:Work ([Guid]::NewGuid().ToString('N').Substring(0, 8))
        $folder = Join-Path $root 'a/out'
        New-Item -ItemType Directory $folder | Out-Null
        [pscustomobject]@{ Root = $root; Folder = $folder }
    }
    # every file under the root, relative to it
    function script:Files-Under($Root) {
        @(Get-ChildItem -LiteralPath $Root -Recurse -File -Force | ForEach-Object { [IO.Path]::GetRelativePath($Root, $_.FullName) -replace '\\', '/' })
    }
    function script:Disguised { $script:Instance | Get-AltinnInstance | Select-Object -ExpandProperty Data | Where-Object ContentType -eq 'application/pdf' }
}

AfterAll {
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Save-AltinnData against a server that lies about its data elements' {
    BeforeEach { Invoke-Simulator -Simulator $script:Sim -Method DELETE -Path '_sim/hostile-data' | Out-Null }

    It 'keeps the fallback name inside the folder when the data type is a traversal and the file name empty or dots (<filename>)' -TestCases @(
        @{ filename = ''; dataType = '../../escaped' }
        @{ filename = '...'; dataType = '/../../escaped' }
        @{ filename = ' . '; dataType = '..\..\escaped' }
    ) {
        param($filename, $dataType)
        $target = New-Target
        # what an escape would overwrite with -Force
        $victim = Join-Path $target.Root ("escaped-$($script:Attachment.Id).pdf")
        Set-Content -LiteralPath $victim -Value 'keep me'
        Disguise @{ filename = $filename; dataType = $dataType }

        $saved = Disguised | Save-AltinnData -Path "$($target.Folder)/" -Force

        $saved | Should -HaveCount 1
        $saved.DirectoryName | Should -Be (Get-Item -LiteralPath $target.Folder).FullName
        $saved.Name | Should -BeLike "*escaped-$($script:Attachment.Id).pdf"
        $saved.Name | Should -Not -Match '[/\\]'
        Get-Content -LiteralPath $victim | Should -Be 'keep me'
        Files-Under $target.Root | Sort-Object | Should -Be (@("a/out/$($saved.Name)", "escaped-$($script:Attachment.Id).pdf") | Sort-Object)
        [IO.File]::ReadAllBytes($saved.FullName) | Should -Be ([IO.File]::ReadAllBytes($script:Pdf.FullName))
    }

    It 'keeps an absolute file name inside the folder' {
        $target = New-Target
        $absolute = if ($IsWindows) { Join-Path $target.Root 'abs.pdf' } else { "$($target.Root)/abs.pdf" }
        Disguise @{ filename = $absolute }
        $saved = Disguised | Save-AltinnData -Path "$($target.Folder)/"
        $saved.DirectoryName | Should -Be (Get-Item -LiteralPath $target.Folder).FullName
        Test-Path -LiteralPath $absolute | Should -BeFalse
        Files-Under $target.Root | Should -HaveCount 1
    }

    It 'makes a crafted file name harmless: <label> -> <expected>' -TestCases @(
        @{ label = 'right-to-left override'; given = "invoice$([char]0x202E)fdp.exe"; expected = 'invoicefdp.exe.download' }
        @{ label = 'run.ps1'; given = 'run.ps1'; expected = 'run.ps1.download' }
        @{ label = 'shortcut.lnk'; given = 'shortcut.lnk'; expected = 'shortcut.lnk.download' }
        @{ label = 'CON'; given = 'CON'; expected = '_CON' }
        @{ label = 'nul.txt'; given = 'nul.txt'; expected = '_nul.txt' }
        @{ label = 'ANSI escapes and controls'; given = "red$([char]27)[31m$([char]27)]0;title$([char]7)ink$([char]1).pdf"; expected = 'redink.pdf' }
    ) {
        param($label, $given, $expected)
        $target = New-Target
        Disguise @{ filename = $given }
        $saved = Disguised | Save-AltinnData -Path "$($target.Folder)/"
        $saved.Name | Should -BeExactly $expected
        Files-Under $target.Root | Should -Be "a/out/$expected"
    }

    It 'refuses an element id that is not a GUID, names nothing outside the folder and keeps escapes out of the message' {
        $target = New-Target
        Disguise @{ id = "../../$([char]27)[2Jx" }
        $script:Instance | Get-AltinnInstance | Save-AltinnData -DataType attachment -Path "$($target.Folder)/" -Force -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SaveData.BadResponse*'
        $e[0].Exception.Message | Should -Match 'not a data element id'
        $e[0].Exception.Message | Should -Not -Match ([regex]::Escape([string][char]27))
        Files-Under $target.Root | Should -BeNullOrEmpty
    }

    It 'refuses a body larger than the element, keeping nothing' {
        $target = New-Target
        Disguise @{ extraBytes = 1MB }
        Disguised | Save-AltinnData -Path "$($target.Folder)/" -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SaveData.BadResponse*'
        $e[0].Exception.Message | Should -Match "more than $($script:Attachment.Size) bytes"
        Files-Under $target.Root | Should -BeNullOrEmpty
    }

    It 'refuses an element a size smaller than it sends' {
        $target = New-Target
        Disguise @{ size = 10 }
        Disguised | Save-AltinnData -Path "$($target.Folder)/x.pdf" -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SaveData.BadResponse*'
        Files-Under $target.Root | Should -BeNullOrEmpty
    }

    It 'never downloads an Infected element, even with -Force and -AllowUnscanned' {
        $target = New-Target
        Disguise @{ fileScanResult = 'Infected' }
        Clear-SimulatorRequests $script:Sim
        Disguised | Save-AltinnData -Path "$($target.Folder)/" -Force -AllowUnscanned -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SaveData.Infected*'
        $e[0].Exception.Message | Should -Match 'infected'
        @(Get-SimulatorRequests $script:Sim -Method GET | Where-Object path -like "*/data/$($script:Attachment.Id)*") | Should -BeNullOrEmpty
        Files-Under $target.Root | Should -BeNullOrEmpty
    }

    It 'saves a Pending element only with -AllowUnscanned, and warns' {
        $target = New-Target
        Disguise @{ fileScanResult = 'Pending' }
        Disguised | Save-AltinnData -Path "$($target.Folder)/" -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SaveData.ScanPending*'
        $e[0].Exception.Message | Should -Match '-AllowUnscanned'
        Files-Under $target.Root | Should -BeNullOrEmpty

        $saved = Disguised | Save-AltinnData -Path "$($target.Folder)/" -AllowUnscanned -WarningVariable w -WarningAction SilentlyContinue
        $saved.Name | Should -Be 'rapport.pdf'
        $w | Should -HaveCount 1
        "$w" | Should -Match 'malware scan'
    }
}

Describe 'Form data given as text is read as a file only when it names an .xml or .json file' {
    It 'refuses text that names an existing file of another kind, reading and sending nothing' {
        $secret = New-TestFile -Folder $script:Work -Name 'id_rsa' -Text '{"property1":"not for Altinn"}'
        $open = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'a'; property2 = 'b' } -Session $script:Session
        Clear-SimulatorRequests $script:Sim
        $open | Set-AltinnData -DataType model -Value $secret.FullName -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SetData.DataUnknownText*'
        $e[0].Exception.Message | Should -Match 'not an \.xml or \.json file'
        $e[0].Exception.Message | Should -Not -Match 'not for Altinn'
        @(Get-SimulatorRequests $script:Sim -Method PUT) | Should -BeNullOrEmpty

        # the same content as a file object is the caller's clear choice
        $updated = $open | Set-AltinnData -DataType model -Value (Get-Item -LiteralPath $secret.FullName)
        ($updated | Get-AltinnData -DataType model).property1 | Should -Be 'not for Altinn'
    }
}
