#Requires -Modules Pester
# The README's powershell blocks run as written, each in a fresh pwsh against the simulator: Connect-Altinn is
# replaced by one that logs in to the simulator with a registered test client (whatever -ClientId and key path the
# block gives), ~ is a folder of the test's own, and the files a block reads are put in place first.
# A block whose first line is a comment starting '# not run in tests:' is only parsed (see CONTRIBUTING.md, Help).

BeforeDiscovery {
    $repoRoot = if ($env:ALTINNAPP_REPO_ROOT) { $env:ALTINNAPP_REPO_ROOT } else { (Resolve-Path "$PSScriptRoot/../..").Path }

    Import-Module "$PSScriptRoot/Support/DocExamples.psm1" -Force
    $script:Blocks = @(Get-PowerShellBlock (Join-Path $repoRoot 'README.md'))
    # the help pages' examples, each named by its page
    $script:PageBlocks = @(Get-ChildItem (Join-Path $repoRoot 'docs/cmdlets') -Filter *.md | Sort-Object Name | ForEach-Object {
            $page = $_.Name
            foreach ($block in Get-PowerShellBlock $_.FullName) { $block.Page = $page; $block }
        })
}

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module "$PSScriptRoot/Support/DocExamples.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Blocks = @(Get-PowerShellBlock (Join-Path (Get-RepoRoot) 'README.md'))
    $script:PageBlocks = @(Get-ChildItem (Join-Path (Get-RepoRoot) 'docs/cmdlets') -Filter *.md | ForEach-Object { Get-PowerShellBlock $_.FullName })
    $script:Sim = Start-AltinnSimulator -Name doc-examples
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-doc-ex-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null
    $key = New-TestRsaJwk
    $script:JwkPath = Join-Path $script:Work 'client.jwk.json'
    Set-Content -Path $script:JwkPath -Value $key.Private -NoNewline
    $script:ClientId = Register-TestClient -Simulator $script:Sim -Jwk $key -Organization '950474084'
    # a second system user, for the examples with two organisations side by side
    $script:OtherClientId = Register-TestClient -Simulator $script:Sim -Jwk $key -Organization '310461598'
    # the child finds the installed module although its home is another
    $script:ModulePath = Split-Path (Split-Path (Get-Module AltinnApp).ModuleBase)

    $script:Prelude = @'
$ErrorActionPreference = 'Continue'
$clientId = 'the-client-id-the-example-names'
function Connect-Altinn {
    [CmdletBinding()]
    param([string] $Environment = 'tt02', [string] $ClientId, [string] $JwkPath, [string] $SystemUserOrganization, [switch] $PassThru)
    $sim = $env:ALTINNAPP_DOC_SIM
    AltinnApp\Connect-Altinn -Environment $Environment -ClientId $env:ALTINNAPP_DOC_CLIENT -JwkPath $env:ALTINNAPP_DOC_JWK -SystemUserOrganization $SystemUserOrganization `
        -PassThru:$PassThru -MaskinportenUri $sim -PlatformUri $sim -AppBaseUri $sim
}
'@

    # a help page's example continues a session at a prompt: Connect-Altinn takes any of its parameters, and the
    # names the pages use stand for an instance, its id and sessions made first
    $script:PagePrelude = @'
$ErrorActionPreference = 'Continue'
function Connect-Altinn {
    [CmdletBinding()]
    param([string] $Environment = 'tt02', [string] $SystemUserOrganization = '950474084', [string] $App, [switch] $PassThru,
        [Parameter(ValueFromRemainingArguments)] $Rest)
    $sim = $env:ALTINNAPP_DOC_SIM
    $more = @{}; if ($App) { $more.App = $App }
    $client = if ($SystemUserOrganization -eq '310461598') { $env:ALTINNAPP_DOC_CLIENT2 } else { $SystemUserOrganization = '950474084'; $env:ALTINNAPP_DOC_CLIENT }
    AltinnApp\Connect-Altinn -Environment $Environment -ClientId $client -JwkPath $env:ALTINNAPP_DOC_JWK -SystemUserOrganization $SystemUserOrganization `
        -PassThru:$PassThru -MaskinportenUri $sim -PlatformUri $sim -AppBaseUri $sim @more
}
$acme = Connect-Altinn -PassThru
$beta = $acme
# journaled, so the journal the pages read exists
$instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Journal ./aarsregnskap.journal -Key 'example-instance' |
    Set-AltinnData -DataType model -Value @{ property1 = 'a1'; property2 = 'a2' } |
    Add-AltinnAttachment -DataType attachment -Path ./balanse.pdf
$id = $instance.Id
# the instances the CSV examples read: the one above
@([pscustomobject]@{ InstanceId = $id; App = 'brg/aarsregnskap' }) | Export-Csv ./ready.csv -NoTypeInformation
Copy-Item ./ready.csv ./submitted.csv
'@

    # Runs one block as a script in a fresh pwsh, in a working folder of its own: exit code, output, errors.
    function Invoke-Block([string] $Code, [int] $Line, [string] $Prelude = $script:Prelude, [string] $Name = "line-$Line") {
        $dir = Join-Path $script:Work $Name
        $home_ = Join-Path $dir 'home'
        New-Item -ItemType Directory -Force $home_ | Out-Null
        # the system user files for its own organisation: one row, one key
        @([pscustomobject]@{ OrgNumber = '950474084'; Value = 'a1'; Other = 'a2' }) | Export-Csv -Path (Join-Path $dir 'accounts.csv') -NoTypeInformation
        # what the help pages' examples read: one row of their CSV files, small attachments
        New-TestPdf -Folder $dir -Name 'balanse.pdf' | Out-Null
        Set-Content -LiteralPath (Join-Path $dir 'Noter 2025.txt') -Value 'noter'
        New-Item -ItemType Directory -Force (Join-Path $dir 'outbox/950474084'), (Join-Path $dir 'vedlegg') | Out-Null
        New-TestPdf -Folder (Join-Path $dir 'outbox/950474084') -Name 'scan-1.pdf' | Out-Null
        New-TestPdf -Folder (Join-Path $dir 'vedlegg') -Name 'vedlegg-1.pdf' | Out-Null
        @([pscustomobject]@{ Org = '950474084'; OrgNumber = '950474084'; Value = 'a1'; Other = 'a2'; Balance = (Join-Path $dir 'balanse.pdf'); Notes = (Join-Path $dir 'Noter 2025.txt')
                Title = 'Årsregnskap 2025'; Status = 'Godkjent'; Id = "row-$Line" }) |
            Export-Csv -Path (Join-Path $dir 'rows.csv') -NoTypeInformation
        @([pscustomobject]@{ OrganizationNumber = '950474084' }) | Export-Csv -Path (Join-Path $dir 'owners.csv') -NoTypeInformation
        Set-Content -LiteralPath (Join-Path $dir 'noter.txt') -Value 'noter'
        Set-Content -LiteralPath (Join-Path $dir 'aarsregnskap.xml') -Value '<model><property1>a1</property1><property2>a2</property2></model>'
        New-Item -ItemType Directory -Force (Join-Path $dir 'receipts') | Out-Null
        $file = Join-Path $dir 'example.ps1'
        # a script's [CmdletBinding()] param(...) must stay first: the prelude goes after it, and a mandatory
        # -Period (the nightly job) gets a value
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $null, [ref] $null)
        $head = ''; $body = $Code; $arguments = @()
        if ($ast.ParamBlock) {
            $end = $ast.ParamBlock.Extent.EndOffset
            $head = $Code.Substring(0, $end) + "`n"
            $body = $Code.Substring($end)
            if ($ast.ParamBlock.Parameters.Name.VariablePath.UserPath -contains 'Period') { $arguments = @('-Period', '2025') }
        }
        Set-Content -LiteralPath $file -Value ($head + "Set-Location -LiteralPath '$dir'`n" + $Prelude + "`n" + $body) -Encoding utf8
        $run = Invoke-ChildPwsh -File $file -ArgumentList $arguments -Environment @{
            HOME = $home_; USERPROFILE = $home_
            PSModulePath = "$script:ModulePath$([IO.Path]::PathSeparator)$env:PSModulePath"
            ALTINNAPP_DOC_SIM = $script:Sim.BaseUri; ALTINNAPP_DOC_CLIENT = $script:ClientId; ALTINNAPP_DOC_JWK = $script:JwkPath
            ALTINNAPP_DOC_CLIENT2 = $script:OtherClientId
            ALTINN_CLIENT_ID = $script:ClientId
        }
        $run | Add-Member -NotePropertyName Folder -NotePropertyValue $dir -PassThru
    }
}

AfterAll {
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'README.md' {
    It 'has powershell examples to run' {
        @($script:Blocks | Where-Object { $_.Runs }).Count | Should -BeGreaterThan 3
    }

    It 'the block at line <Line> parses' -ForEach $script:Blocks {
        $tokens = $null; $errors = $null
        $null = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $tokens, [ref] $errors)
        @($errors).Count | Should -Be 0 -Because ($errors | Out-String)
    }

    It 'the block at line <Line> runs against the simulator without an error' -ForEach @($script:Blocks | Where-Object { $_.Runs }) {
        $run = Invoke-Block -Code $Code -Line $Line
        $run.Error | Should -BeNullOrEmpty -Because "README.md line $Line must run as written; its output was:`n$($run.Output)"
        $run.ExitCode | Should -Be 0 -Because "README.md line $Line must run as written; its output was:`n$($run.Output)"
    }
}

Describe 'The help pages' {
    It 'have powershell examples to run' {
        @($script:PageBlocks | Where-Object { $_.Runs }).Count | Should -BeGreaterThan 20
    }

    It '<Page> line <Line> parses' -ForEach $script:PageBlocks {
        $tokens = $null; $errors = $null
        $null = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $tokens, [ref] $errors)
        @($errors).Count | Should -Be 0 -Because ($errors | Out-String)
    }

    It '<Page> line <Line> runs against the simulator without an error' -ForEach @($script:PageBlocks | Where-Object { $_.Runs }) {
        # a prompt's "PS> " is not part of the command
        $code = ($Code -split "`n" | ForEach-Object { $_ -replace '^PS> ?', '' }) -join "`n"
        $run = Invoke-Block -Code $code -Line $Line -Prelude $script:PagePrelude -Name ("{0}-{1}" -f [IO.Path]::GetFileNameWithoutExtension($Page), $Line)
        $run.Error | Should -BeNullOrEmpty -Because "$Page line $Line must run as written; its output was:`n$($run.Output)"
        $run.ExitCode | Should -Be 0 -Because "$Page line $Line must run as written; its output was:`n$($run.Output)"
    }
}

Describe 'What the README examples leave behind' {
    It 'the quick start saves a receipt, and the nightly job files every row and says so in its journal' {
        $quick = $script:Blocks | Where-Object { $_.Runs -and $_.Code -match 'Save-AltinnReceipt -Path ./receipts\s*$' } | Select-Object -First 1
        $quick | Should -Not -BeNullOrEmpty
        $run = Invoke-Block -Code $quick.Code -Line 0
        @(Get-ChildItem (Join-Path $run.Folder 'receipts') -Filter *.pdf).Count | Should -Be 1

        $nightly = $script:Blocks | Where-Object { $_.Runs -and $_.Code -match 'accounts\.journal' } | Select-Object -First 1
        $nightly | Should -Not -BeNullOrEmpty
        $run = Invoke-Block -Code $nightly.Code -Line 1
        $run.ExitCode | Should -Be 0 -Because $run.Output
        @(Get-ChildItem (Join-Path $run.Folder 'receipts') -Filter *.pdf).Count | Should -Be 1
        @(Get-AltinnJournal (Join-Path $run.Folder 'accounts.journal')).State | Should -Be @('ReceiptSaved')
    }
}
