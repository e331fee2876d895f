<#
.SYNOPSIS
    The benchmark's module contender: annual accounts (brg/aarsregnskap) submitted with AltinnApp's pipeline, one
    after another, each timed by itself.
.DESCRIPTION
    Per submission: New-AltinnInstance with a prefill | Set-AltinnData | Invoke-AltinnProcessNext | Save-AltinnReceipt,
    timed by a clock around the whole statement, as the floor times its own loop. Writes one object per submission
    with its milliseconds (total).

    -Steps puts a script filter between the stages that marks when each one hands its object on, and adds each
    step's milliseconds (create, setData, processNext, receipt). The marks cost 0.3-0.5 ms a submission (four
    script-function calls) that the floor's compiled laps do not, so the benchmark takes throughput and the whole
    submission's time from batches without them.
.EXAMPLE
    ./Submit-WithModule.ps1 -Session $session -Count 60 -Folder ./receipts -Steps
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] $Session,
    [ValidateRange(1, 100000)] [int] $Count = 1,
    [Parameter(Mandatory)] [string] $Folder,
    [switch] $Steps,
    [string] $App = 'brg/aarsregnskap',
    [string] $OrganizationNumber = '950474084'
)
$ErrorActionPreference = 'Stop'
$clock = [Diagnostics.Stopwatch]::new()
$marks = [double[]]::new(4)
# the streaming pipeline stays one statement: each mark is taken as a stage's object passes
filter Set-StepMark([int] $Index) { $marks[$Index] = $clock.Elapsed.TotalMilliseconds; $_ }

for ($i = 0; $i -lt $Count; $i++) {
    $clock.Restart()
    if ($Steps) {
        $file = New-AltinnInstance -App $App -OrganizationNumber $OrganizationNumber -Prefill @{ property1 = 'value1' } -Session $Session | Set-StepMark 0 |
            Set-AltinnData -DataType model -Value @{ property1 = 'value4'; property2 = 'value5'; property3 = 'value6' } | Set-StepMark 1 |
            Invoke-AltinnProcessNext | Set-StepMark 2 |
            Save-AltinnReceipt -Path $Folder | Set-StepMark 3
        if (-not $file) { throw "module submission $i produced no receipt" }
        [pscustomobject]@{ create = $marks[0]; setData = $marks[1] - $marks[0]; processNext = $marks[2] - $marks[1]; receipt = $marks[3] - $marks[2]; total = $marks[3] }
        continue
    }

    $file = New-AltinnInstance -App $App -OrganizationNumber $OrganizationNumber -Prefill @{ property1 = 'value1' } -Session $Session |
        Set-AltinnData -DataType model -Value @{ property1 = 'value4'; property2 = 'value5'; property3 = 'value6' } |
        Invoke-AltinnProcessNext |
        Save-AltinnReceipt -Path $Folder
    $total = $clock.Elapsed.TotalMilliseconds
    if (-not $file) { throw "module submission $i produced no receipt" }
    [pscustomobject]@{ total = $total }
}
