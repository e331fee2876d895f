<#
    A nightly batch as an ops script would write it, journaled: every row is created, filled in, submitted
    and receipted exactly once, however often the script is rerun. The reliability tests run it in a
    child pwsh (and kill it midway).
#>
param(
    [Parameter(Mandatory)] [string] $BaseUri,
    [Parameter(Mandatory)] [string] $ClientId,
    [Parameter(Mandatory)] [string] $JwkPath,
    [Parameter(Mandatory)] [string] $Journal,
    [Parameter(Mandatory)] [string] $Receipts,
    [int] $Count = 20,
    [int] $ThrottleLimit = 1
)
$ErrorActionPreference = 'Stop'
Import-Module AltinnApp
$session = Connect-Altinn -MaskinportenUri $BaseUri -PlatformUri $BaseUri -AppBaseUri $BaseUri -ClientId $ClientId -JwkPath $JwkPath `
    -SystemUserOrganization 950474084 -RetryIntervalSec 0.05 -MaximumRetryCount 8 -PassThru

$rows = 1..$Count | ForEach-Object { [pscustomobject]@{ Key = 'row-{0:d4}' -f $_; Org = '950474084'; Value = "value $_" } }
$submit = {
    param($row, $s, $journalPath, $receiptFolder)
    New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber $row.Org -Journal $journalPath -Key $row.Key -Session $s |
        Set-AltinnData -DataType model -Value @{ property1 = $row.Value; property2 = $row.Key; property3 = 'x' } |
        Invoke-AltinnProcessNext |
        Save-AltinnReceipt -Path $receiptFolder
}
if ($ThrottleLimit -le 1) {
    foreach ($row in $rows) { & $submit $row $session $Journal $Receipts | Out-Null }
} else {
    $text = $submit.ToString()
    $rows | ForEach-Object -ThrottleLimit $ThrottleLimit -Parallel {
        Import-Module AltinnApp
        & ([scriptblock]::Create($using:text)) $_ $using:session $using:Journal $using:Receipts | Out-Null
    }
}
