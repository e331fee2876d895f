#Requires -Modules Pester
# Save-AltinnReceipt saves a receipt only for an instance whose process has ended, and -Path is a folder unless it
# names a .pdf file: a missing folder is created, and two receipts never share one file.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name receipt-rules
    $script:Session = Connect-TestSession -Simulator $script:Sim
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-receipt-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null

    function script:New-Case([string] $Name) {
        $folder = Join-Path $script:Work $Name
        New-Item -ItemType Directory $folder | Out-Null
        [pscustomobject]@{ Folder = $folder; Journal = (Join-Path $folder 'batch.journal') }
    }
    function script:New-Submitted([string] $App = 'brg/aarsregnskap', [string] $Journal, [string] $Key) {
        $journaled = if ($Journal) { @{ Journal = $Journal; Key = $Key } } else { @{} }
        New-AltinnInstance -App $App -OrganizationNumber 950474084 -Prefill @{ property1 = 'a'; property2 = 'b' } -Session $script:Session @journaled |
            Invoke-AltinnProcessNext
    }
    # the simulator writes the instance id into its receipt, so a file tells whose receipt it is
    function script:Get-ReceiptText([string] $Path) { [Text.Encoding]::ASCII.GetString([IO.File]::ReadAllBytes($Path)) }
}

AfterAll {
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'A receipt only for an ended process (brg/aarsregnskap-bekreft: a data task, then a confirmation task)' {
    It 'refuses an instance at Task_2, naming the task and the action, writes nothing, and the journal does not call the key done' {
        $case = New-Case 'two-task'
        $receipts = Join-Path $case.Folder 'receipts'
        $atConfirm = New-Submitted -App brg/aarsregnskap-bekreft -Journal $case.Journal -Key 'k-bekreft'
        $atConfirm.CurrentTask | Should -Be 'Task_2'
        # the trap: the PDF made when Task_1 ended is already there
        $atConfirm.GetDataElements('ref-data-as-pdf') | Should -HaveCount 1

        $atConfirm | Save-AltinnReceipt -Path $receipts -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SaveReceipt.ProcessNotEnded,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $err[0].Exception.Message | Should -Match 'at Task_2, a confirmation task'
        $err[0].Exception.Message | Should -Match 'Invoke-AltinnProcessNext -Action confirm'
        Test-Path $receipts | Should -BeFalse

        $entry = Get-AltinnJournal -Path $case.Journal -Key 'k-bekreft'
        $entry.IsDone | Should -BeFalse
        $entry.State | Should -Be 'Failed'
        $entry.Reached | Should -Not -Be 'ReceiptSaved'
        $entry.ReceiptPath | Should -BeNullOrEmpty
        $entry.LastErrorId | Should -Be 'Altinn.SaveReceipt.ProcessNotEnded'
        @(Get-AltinnJournal -Path $case.Journal -State ReceiptSaved) | Should -HaveCount 0

        # confirmed, the same key saves its receipt and is done
        $done = $atConfirm | Invoke-AltinnProcessNext -Action confirm
        $done.Ended | Should -BeTrue
        $file = $done | Save-AltinnReceipt -Path $receipts
        $file.FullName | Should -Exist
        Get-ReceiptText $file.FullName | Should -Match $done.InstanceGuid
        $entry = Get-AltinnJournal -Path $case.Journal -Key 'k-bekreft'
        $entry.IsDone | Should -BeTrue
        $entry.State | Should -Be 'ReceiptSaved'
        $entry.ReceiptPath | Should -Be $file.FullName
    }

    It 'refuses without a journal too, and reads the instance as it is now rather than the object it was given' {
        $case = New-Case 'stale'
        $atConfirm = New-Submitted -App brg/aarsregnskap-bekreft
        $atConfirm | Save-AltinnReceipt -Path $case.Folder -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SaveReceipt.ProcessNotEnded,*'
        Get-ChildItem $case.Folder -Force | Should -BeNullOrEmpty

        # confirmed through another object: the old one (still at Task_2) now gets the receipt
        Get-AltinnInstance -InstanceId $atConfirm.Id -App brg/aarsregnskap-bekreft -Session $script:Session | Invoke-AltinnProcessNext -Action confirm | Out-Null
        $atConfirm.Ended | Should -BeFalse
        $file = $atConfirm | Save-AltinnReceipt -Path $case.Folder
        Get-ReceiptText $file.FullName | Should -Match $atConfirm.InstanceGuid
    }
}

Describe '-Path: a folder unless it names a .pdf file' {
    It '-Path ./receipts, a folder that does not exist, is created and holds each receipt under its own name' {
        $case = New-Case 'folder'
        $done = @(1..3 | ForEach-Object { New-Submitted -Journal $case.Journal -Key "row-$_" })
        Push-Location $case.Folder
        try {
            $files = @($done | Save-AltinnReceipt -Path ./receipts)
        } finally {
            Pop-Location
        }
        $receipts = Join-Path $case.Folder 'receipts'
        Test-Path $receipts -PathType Container | Should -BeTrue
        $files | Should -HaveCount 3
        @(Get-ChildItem $receipts -File) | Should -HaveCount 3
        @($files.FullName | Sort-Object -Unique) | Should -HaveCount 3
        for ($i = 0; $i -lt 3; $i++) {
            $files[$i].DirectoryName | Should -Be $receipts
            $files[$i].Name | Should -Be "$($done[$i].PartyId)-$($done[$i].InstanceGuid)-aarsregnskap.pdf"
            Get-ReceiptText $files[$i].FullName | Should -Match $done[$i].InstanceGuid
            (Get-AltinnJournal -Path $case.Journal -Key "row-$($i + 1)").ReceiptPath | Should -Be $files[$i].FullName
        }
    }

    It 'two receipts to one .pdf file without a journal: the second is FileExists, even with -Force, and the first is intact' {
        $case = New-Case 'one-file'
        $first, $second = @(1..2 | ForEach-Object { New-Submitted })
        $target = Join-Path $case.Folder 'kvittering.pdf'

        $files = @($first, $second | Save-AltinnReceipt -Path $target -ErrorVariable err -ErrorAction SilentlyContinue)
        $files | Should -HaveCount 1
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SaveReceipt.FileExists,*'
        Get-ReceiptText $target | Should -Match $first.InstanceGuid

        # -Force replaces a file from before, never the receipt of another instance saved by the same command
        $target2 = Join-Path $case.Folder 'forced.pdf'
        $files = @($first, $second | Save-AltinnReceipt -Path $target2 -Force -ErrorVariable err2 -ErrorAction SilentlyContinue)
        $files | Should -HaveCount 1
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SaveReceipt.FileExists,*'
        $err2[0].Exception.Message | Should -Match ([regex]::Escape($first.Id))
        Get-ReceiptText $target2 | Should -Match $first.InstanceGuid
        Get-ReceiptText $target2 | Should -Not -Match $second.InstanceGuid
    }

    It 'two keys to one .pdf file with a journal: the second key is FileExists (with -Force too), not done, and the first is intact' {
        $case = New-Case 'one-file-journal'
        $first = New-Submitted -Journal $case.Journal -Key 'a'
        $second = New-Submitted -Journal $case.Journal -Key 'b'
        $target = Join-Path $case.Folder 'kvittering.pdf'
        ($first | Save-AltinnReceipt -Path $target).FullName | Should -Be $target
        $hash = (Get-FileHash $target).Hash

        # separate commands, as a rerun or a second row of a loop would be
        $second | Save-AltinnReceipt -Path $target -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SaveReceipt.FileExists,*'
        $second | Save-AltinnReceipt -Path $target -Force -ErrorVariable forced -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $forced[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SaveReceipt.FileExists,*'
        $forced[0].Exception.Message | Should -Match "key 'a'"

        (Get-FileHash $target).Hash | Should -Be $hash
        Get-ReceiptText $target | Should -Match $first.InstanceGuid
        $a = Get-AltinnJournal -Path $case.Journal -Key 'a'
        $a.IsDone | Should -BeTrue
        $a.ReceiptPath | Should -Be $target
        $b = Get-AltinnJournal -Path $case.Journal -Key 'b'
        $b.IsDone | Should -BeFalse
        $b.ReceiptPath | Should -BeNullOrEmpty
        $b.LastErrorId | Should -Be 'Altinn.SaveReceipt.FileExists'

        # the rerun of key a finds its own file and is still done
        ($first | Save-AltinnReceipt -Path $target).FullName | Should -Be $target
        (Get-FileHash $target).Hash | Should -Be $hash
    }

    It 'a -Path without .pdf that is a file is refused, and a .pdf file in a missing folder is FolderMissing' {
        $case = New-Case 'is-a-file'
        $done = New-Submitted
        $blocker = Join-Path $case.Folder 'receipts'
        Set-Content -Path $blocker -Value 'not a folder'
        $done | Save-AltinnReceipt -Path $blocker -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SaveReceipt.FileExists,*'
        $err[0].Exception.Message | Should -Match 'is a file'
        Get-Content $blocker | Should -Be 'not a folder'

        $done | Save-AltinnReceipt -Path (Join-Path $case.Folder 'missing/kvittering.pdf') -ErrorVariable missing -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SaveReceipt.FolderMissing,*'
        Test-Path (Join-Path $case.Folder 'missing') | Should -BeFalse
    }

    It '-WhatIf creates no folder' {
        $case = New-Case 'whatif'
        $done = New-Submitted
        $done | Save-AltinnReceipt -Path (Join-Path $case.Folder 'receipts') -WhatIf | Should -BeNullOrEmpty
        Get-ChildItem $case.Folder -Force | Should -BeNullOrEmpty
    }
}
