#Requires -Modules Pester
# A journaled Save-AltinnReceipt trusts a file already at the receipt's path only when it is the receipt: the name
# alone (last year's PDF, a copy put back) is not enough.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name receipt-trust
    $script:Session = Connect-TestSession -Simulator $script:Sim
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-receipt-trust-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null
    function script:New-Submitted([string] $Journal, [string] $Key) {
        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'a'; property2 = 'b' } -Session $script:Session -Journal $Journal -Key $Key |
            Invoke-AltinnProcessNext
    }
}

AfterAll {
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Save-AltinnReceipt with a journal and a file already in place' {
    It 'refuses a file of the receipt''s name that is not the receipt, leaves it alone, and saves once it is moved' {
        $folder = Join-Path $script:Work 'folder'
        $journal = Join-Path $script:Work 'folder.journal'
        $submitted = New-Submitted -Journal $journal -Key 'k1'
        # the receipt's own name, learnt from a save elsewhere without the journal
        $probe = Get-AltinnInstance -App brg/aarsregnskap -InstanceId $submitted.Id -Session $script:Session |
            Save-AltinnReceipt -Path (Join-Path $script:Work 'probe/')
        New-Item -ItemType Directory $folder | Out-Null
        $stale = Join-Path $folder $probe.Name
        Set-Content -LiteralPath $stale -Value "%PDF-1.4 last year's receipt" -NoNewline

        $submitted | Save-AltinnReceipt -Path "$folder/" -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.SaveReceipt.NotThisReceipt*'
        $e[0].Exception.Message | Should -Match 'Move the file away'
        Get-Content -LiteralPath $stale -Raw | Should -Be "%PDF-1.4 last year's receipt"
        (Get-AltinnJournal -Path $journal -Key 'k1').State | Should -Not -Be 'ReceiptSaved'

        Remove-Item -LiteralPath $stale
        $saved = $submitted | Save-AltinnReceipt -Path "$folder/"
        $saved.FullName | Should -Be $stale
        [IO.File]::ReadAllBytes($stale) | Should -Be ([IO.File]::ReadAllBytes($probe.FullName))
        (Get-AltinnJournal -Path $journal -Key 'k1').State | Should -Be 'ReceiptSaved'
    }

    It 'still takes the receipt itself, put in place by a run killed before the journal said so' {
        $folder = Join-Path $script:Work 'rerun'
        $journal = Join-Path $script:Work 'rerun.journal'
        $submitted = New-Submitted -Journal $journal -Key 'k2'
        $probe = Get-AltinnInstance -App brg/aarsregnskap -InstanceId $submitted.Id -Session $script:Session |
            Save-AltinnReceipt -Path (Join-Path $script:Work 'probe2/')
        New-Item -ItemType Directory $folder | Out-Null
        Copy-Item -LiteralPath $probe.FullName -Destination (Join-Path $folder $probe.Name)
        Clear-SimulatorRequests $script:Sim

        $saved = $submitted | Save-AltinnReceipt -Path "$folder/"
        $saved.Name | Should -Be $probe.Name
        @(Get-SimulatorRequests $script:Sim -Method GET | Where-Object path -like '*/data/*') | Should -BeNullOrEmpty
        (Get-AltinnJournal -Path $journal -Key 'k2').State | Should -Be 'ReceiptSaved'
    }
}
