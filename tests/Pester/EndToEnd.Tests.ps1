#Requires -Modules Pester
# The documented flow end to end, through the installed module, against the simulator on 127.0.0.1.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name e2e
    $script:Receipts = Join-Path ([IO.Path]::GetTempPath()) ("altinnapp-e2e-" + [Guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory $script:Receipts | Out-Null
}

AfterAll {
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Receipts -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Submitting an annual account as a system user' {
    It 'connects with a JWK, creates with prefill, sets data, submits and saves a PDF receipt' {
        $session = Connect-TestSession -Simulator $script:Sim
        $session.SystemUserOrganization | Should -Be '950474084'

        $file = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'value1' } -Session $session |
            Set-AltinnData -DataType model -Value @{ property1 = 'value4'; property2 = 'value5'; property3 = 'value6' } |
            Invoke-AltinnProcessNext |
            Save-AltinnReceipt -Path $script:Receipts

        $file | Should -BeOfType [System.IO.FileInfo]
        $file.Length | Should -BeGreaterThan 200
        $bytes = [IO.File]::ReadAllBytes($file.FullName)
        [Text.Encoding]::ASCII.GetString($bytes, 0, 5) | Should -Be '%PDF-'
        [Text.Encoding]::Latin1.GetString($bytes) | Should -Match 'value4'
        Get-ChildItem $script:Receipts -Force -Filter '*.partial' | Should -BeNullOrEmpty

        $instances = @(Invoke-Simulator -Simulator $script:Sim -Path '_sim/instances')
        $submitted = $instances | Where-Object { $file.Name -like "*$($_.id.Split('/')[1])*" }
        $submitted | Should -Not -BeNullOrEmpty
        $submitted.process.ended | Should -Not -BeNullOrEmpty
        $submitted.status.isArchived | Should -BeTrue
    }

    It 'connects with a certificate (x5c) and runs the same pipeline' {
        $certificate = New-TestCertificate
        $clientId = Register-TestClient -Simulator $script:Sim -Certificate $certificate
        $connect = Get-SimulatorConnectParameters $script:Sim
        $session = Connect-Altinn @connect -ClientId $clientId -Certificate $certificate -SystemUserOrganization 950474084 -PassThru
        $session.KeySource | Should -Match 'Certificate'

        $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'a'; property2 = 'b' } -Session $session |
            Invoke-AltinnProcessNext
        $instance.Ended | Should -BeTrue
        $instance.GetDataElements('ref-data-as-pdf') | Should -HaveCount 1
    }

    It 'keeps each instance object on the session it came from' {
        $first = Connect-TestSession -Simulator $script:Sim -Organization 950474084
        $second = Connect-TestSession -Simulator $script:Sim -Organization 310461598
        $a = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Session $first
        $b = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 310461598 -Session $second
        $a.Session.Id | Should -Be $first.Id
        $b.Session.Id | Should -Be $second.Id
        # the current session is the second; the first instance still works through its own
        ($a | Get-AltinnInstance).Owner | Should -Be '950474084'
        ($b | Get-AltinnInstance).Owner | Should -Be '310461598'
    }
}
