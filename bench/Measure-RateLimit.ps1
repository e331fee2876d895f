<#
.SYNOPSIS
    A batch under a rate limit: submissions under ForEach-Object -Parallel on one session against a simulator
    that carries out at most -RequestsPerSecond app requests a second and answers the rest 429 with Retry-After.
.DESCRIPTION
    Invoke-Benchmark.ps1 runs it as a phase; it can run alone against a simulator started with
    Start-AltinnSimulator. Returns what it measured: the wall time, the ideal time for the requests carried
    out at that rate (their count / -RequestsPerSecond), their ratio, and the share of requests refused.
    The module must be importable by name (parallel runspaces load it so).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] $Simulator,
    # Connect-Altinn's parameters for a client registered on the simulator
    [Parameter(Mandatory)] [hashtable] $Connect,
    [Parameter(Mandatory)] [string] $Folder,
    [string] $App = 'brg/aarsregnskap',
    [string] $Organization = '950474084',
    [int] $Submissions = 150,
    [int] $Throttle = 16,
    [int] $RequestsPerSecond = 40
)
$ErrorActionPreference = 'Stop'

function Get-AppRequestCount($Counters) {
    # the app's routes only (Maskinporten and the exchange are not limited): "<METHOD> /{org}/{app}/..."
    $sum = 0
    foreach ($property in $Counters.requests.PSObject.Properties) { if ($property.Name -match '^[A-Z]+ /\{org\}/\{app\}/') { $sum += [int]$property.Value } }
    $sum
}

$session = Connect-Altinn @Connect -PassThru
# the limit applies to the app's routes; the session's token is fetched before the clock starts
Invoke-Simulator -Simulator $Simulator -Method PUT -Path '_sim/faults' -Body @{ rules = @(@{ pathPrefix = "/$($App.Split('/')[0])/"; requestsPerSecond = $RequestsPerSecond }) } | Out-Null
try {
    $before = Invoke-Simulator -Simulator $Simulator -Path '_sim/counters'
    $wall = [Diagnostics.Stopwatch]::StartNew()
    $done = @(1..$Submissions | ForEach-Object -ThrottleLimit $Throttle -Parallel {
            New-AltinnInstance -App $using:App -OrganizationNumber $using:Organization -Prefill @{ property1 = 'value1' } -Session $using:session |
                Set-AltinnData -DataType model -Value @{ property1 = 'value4'; property2 = 'value5'; property3 = 'value6' } |
                Invoke-AltinnProcessNext |
                Save-AltinnReceipt -Path $using:Folder
        })
    $wall.Stop()
    $after = Invoke-Simulator -Simulator $Simulator -Path '_sim/counters'
} finally {
    Invoke-Simulator -Simulator $Simulator -Method DELETE -Path '_sim/faults' | Out-Null
    Disconnect-Altinn -Session $session
}
if ($done.Count -ne $Submissions) { throw "Under a limit of $RequestsPerSecond requests a second, $($done.Count) of $Submissions submissions completed." }

$sent = (Get-AppRequestCount $after) - (Get-AppRequestCount $before)
$refused = [int]$after.faultsInjected.'429' - $(if ($before.faultsInjected.'429') { [int]$before.faultsInjected.'429' } else { 0 })
$carried = $sent - $refused
$ideal = $carried / $RequestsPerSecond
[ordered]@{
    submissions       = $Submissions
    throttle          = $Throttle
    requestsPerSecond = $RequestsPerSecond
    requestsSent      = $sent
    requestsRefused   = $refused
    refusedShare      = [Math]::Round($refused / [Math]::Max(1, $sent), 4)
    seconds           = [Math]::Round($wall.Elapsed.TotalSeconds, 3)
    idealSeconds      = [Math]::Round($ideal, 3)
    toIdeal           = [Math]::Round($wall.Elapsed.TotalSeconds / [Math]::Max(0.001, $ideal), 3)
}
