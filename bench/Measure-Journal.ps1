<#
.SYNOPSIS
    The journal at scale: -Count journaled submissions in one run (default 10,000) against the local simulator,
    and the reads of a large journal. Invoke-Benchmark.ps1 -Phase Journal10k runs it (not part of the tests).
.DESCRIPTION
    Reports:
      - client time per submission (create with prefill -> set data -> process next -> save receipt, one journal,
        one key each) for the first and the last thousand (a third of -Count when it is smaller); target: last
        within 1.2x of first;
      - working-set growth of this pwsh from the end of the first thousand to the end (after a full GC); target < 100 MiB;
      - in a fresh pwsh: the journal of this run read at start (Get-AltinnJournal -Key of one key), and
        Get-AltinnJournal -State Failed on a synthetic journal of -JournalKeys keys (default 100,000); target < 2 s.
    Expects the module imported and the test helpers loaded by the caller; returns the numbers as one object.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $SimulatorDll,
    [Parameter(Mandatory)] [string] $Work,
    [ValidateRange(10, 1000000)] [int] $Count = 10000,
    [ValidateRange(10, 10000000)] [int] $JournalKeys = 100000
)
$ErrorActionPreference = 'Stop'
$organization = '950474084'
$app = 'brg/aarsregnskap'
$pwshDll = Join-Path $PSHOME 'pwsh.dll'

function Get-WorkingSetMiB {
    [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
    $process = [Diagnostics.Process]::GetCurrentProcess()
    $process.Refresh()
    [Math]::Round($process.WorkingSet64 / 1MB, 1)
}

function Measure-InFreshPwsh([string] $Command) {
    # the module is imported first and not timed: only the command is
    $text = "Import-Module AltinnApp; `$w = [Diagnostics.Stopwatch]::StartNew(); `$n = @($Command).Count; '{0:f1} {1}' -f `$w.Elapsed.TotalMilliseconds, `$n"
    $out = & dotnet $pwshDll -NoProfile -NonInteractive -Command $text
    if ($LASTEXITCODE -ne 0) { throw "The fresh pwsh failed: $out" }
    $parts = ($out | Select-Object -Last 1).Split(' ')
    [pscustomobject]@{ Ms = [double]::Parse($parts[0], [Globalization.CultureInfo]::InvariantCulture); Count = [int]$parts[1] }
}

# a journal as a long batch leaves it: seven records per key, one key in twenty failed at its process move
function New-SyntheticJournal([string] $Path, [int] $Keys) {
    $writer = [IO.StreamWriter]::new($Path, $false, [Text.UTF8Encoding]::new($false))
    try {
        $at = [DateTimeOffset]::new(2026, 1, 1, 0, 0, 0, [TimeSpan]::Zero)
        for ($i = 1; $i -le $Keys; $i++) {
            $key = 'synthetic-{0:d7}' -f $i
            $instance = '500700/' + [Guid]::NewGuid().ToString()
            $t = $at.AddSeconds($i).ToString('o')
            $writer.Write('{"key":"' + $key + '","state":"Creating","at":"' + $t + '","app":"brg/aarsregnskap","partyId":500700,"org":"950474084","owner":"organisation","prefill":"sha256:9a12bae86345075f1695a82209f25d71fd1bef2ad05fd9fd745d8020b699e4f3","content":"sha256:b6f13286d59277c6a8ad39edd9266096a5819c00cf3bf513a59fe2fca8f84feb","pid":4242}' + "`n")
            $writer.Write('{"key":"' + $key + '","state":"Created","at":"' + $t + '","app":"brg/aarsregnskap","partyId":500700,"org":"950474084","instanceId":"' + $instance + '","pid":4242}' + "`n")
            $writer.Write('{"key":"' + $key + '","state":"DataSet","at":"' + $t + '","instanceId":"' + $instance + '","step":"SetData","seq":1,"dataType":"model","hash":"sha256:0f3c","pid":4242}' + "`n")
            $writer.Write('{"key":"' + $key + '","state":"Moving","at":"' + $t + '","instanceId":"' + $instance + '","step":"ProcessNext","seq":2,"task":"Task_1","pid":4242}' + "`n")
            if ($i % 20 -eq 0) {
                $writer.Write('{"key":"' + $key + '","state":"Failed","at":"' + $t + '","step":"ProcessNext","error":"The process could not move on.","errorId":"Altinn.ProcessNext.ValidationFailed","pid":4242}' + "`n")
                continue
            }
            $writer.Write('{"key":"' + $key + '","state":"Submitted","at":"' + $t + '","instanceId":"' + $instance + '","step":"ProcessNext","seq":2,"pid":4242}' + "`n")
            $writer.Write('{"key":"' + $key + '","state":"Submitted","at":"' + $t + '","instanceId":"' + $instance + '","receiptClaim":"/tmp/receipts/' + $key + '.pdf","pid":4242}' + "`n")
            $writer.Write('{"key":"' + $key + '","state":"ReceiptSaved","at":"' + $t + '","instanceId":"' + $instance + '","receipt":"/tmp/receipts/' + $key + '.pdf","pid":4242}' + "`n")
        }
    } finally {
        $writer.Dispose()
    }
}

$sim = Start-AltinnSimulator -Name bench-journal
try {
    $key = New-TestRsaJwk -KeyId 'bench-journal-key'
    $clientId = Register-TestClient -Simulator $sim -ClientId 'bench-journal-client' -Jwk $key -Organization $organization
    $connect = Get-SimulatorConnectParameters $sim
    $session = Connect-Altinn @connect -ClientId $clientId -Jwk $key.Private -SystemUserOrganization $organization -PassThru
    $journal = Join-Path $Work 'run.journal'
    $receipts = New-Item -ItemType Directory (Join-Path $Work 'receipts')

    $window = [Math]::Min(1000, [int][Math]::Floor($Count / 3))
    $times = [double[]]::new($Count)
    $clock = [Diagnostics.Stopwatch]::new()
    $workingSetAfterFirst = $null
    for ($i = 0; $i -lt $Count; $i++) {
        $clock.Restart()
        $file = New-AltinnInstance -App $app -OrganizationNumber $organization -Prefill @{ property1 = 'value1' } -Journal $journal -Key ('row-{0:d7}' -f $i) -Session $session |
            Set-AltinnData -DataType model -Value @{ property1 = 'value4'; property2 = 'value5'; property3 = 'value6' } |
            Invoke-AltinnProcessNext |
            Save-AltinnReceipt -Path $receipts.FullName
        $times[$i] = $clock.Elapsed.TotalMilliseconds
        if (-not $file) { throw "journaled submission $i produced no receipt" }
        if ($i -eq $window - 1) { $workingSetAfterFirst = Get-WorkingSetMiB }
        if (($i + 1) % 1000 -eq 0) { Write-Host ("  {0} journaled submissions" -f ($i + 1)) }
    }
    $workingSetEnd = Get-WorkingSetMiB

    $first = ($times[0..($window - 1)] | Measure-Object -Average).Average
    $last = ($times[($Count - $window)..($Count - 1)] | Measure-Object -Average).Average
    $lines = @([IO.File]::ReadAllLines($journal)).Count

    $startRead = Measure-InFreshPwsh "Get-AltinnJournal -Path '$journal' -Key 'row-0000000'"
    # what a fresh pwsh spends on its first journal read whatever the size (loading and compiling the engine)
    $tiny = Join-Path $Work 'tiny.journal'
    New-SyntheticJournal $tiny 1
    $cold = Measure-InFreshPwsh "Get-AltinnJournal -Path '$tiny' -State Failed"
    $big = Join-Path $Work 'synthetic.journal'
    New-SyntheticJournal $big $JournalKeys
    $failed = Measure-InFreshPwsh "Get-AltinnJournal -Path '$big' -State Failed"

    [pscustomobject]@{
        submissions            = $Count
        window                 = $window
        firstMeanMs            = [Math]::Round($first, 2)
        lastMeanMs             = [Math]::Round($last, 2)
        lastOverFirst          = [Math]::Round($last / $first, 3)
        workingSetAfterFirstMiB = $workingSetAfterFirst
        workingSetEndMiB       = $workingSetEnd
        workingSetGrowthMiB    = [Math]::Round($workingSetEnd - $workingSetAfterFirst, 1)
        journalLines           = $lines
        journalMiB             = [Math]::Round((Get-Item $journal).Length / 1MB, 2)
        readAtStartMs          = $startRead.Ms
        coldStartOneKeyMs      = $cold.Ms
        syntheticKeys          = $JournalKeys
        syntheticMiB           = [Math]::Round((Get-Item $big).Length / 1MB, 1)
        failedQueryMs          = $failed.Ms
        failedFound            = $failed.Count
    }
} finally {
    Stop-AltinnSimulator $sim
}
