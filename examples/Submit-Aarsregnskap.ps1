<#
.SYNOPSIS
    Submits one annual account (brg/aarsregnskap) as a system user and saves its receipt.
.DESCRIPTION
    What a scheduled job runs: connect with the Maskinporten client's key, create an instance with a
    prefill, update the form data, move the process on (submit) and save the receipt PDF. Every step
    is one line of the pipeline; an error stops the script with a message that says what to fix.
.EXAMPLE
    ./Submit-Aarsregnskap.ps1 -Environment tt02 -ClientId $id -JwkPath ~/.altinn/client.jwk.json -OrganizationNumber 950474084
#>
[CmdletBinding()]
param(
    [string] $Environment = 'tt02',
    [Parameter(Mandatory)] [string] $ClientId,
    [Parameter(Mandatory)] [string] $JwkPath,
    [Parameter(Mandatory)] [string] $OrganizationNumber,
    [string] $App = 'brg/aarsregnskap',
    [string] $ReceiptFolder = './receipts',
    # Addresses that differ from the environment's (a proxy, or the local simulator the demo uses).
    [hashtable] $ConnectOverrides = @{}
)
$ErrorActionPreference = 'Stop'
Import-Module AltinnApp

Connect-Altinn -Environment $Environment -ClientId $ClientId -JwkPath $JwkPath -SystemUserOrganization $OrganizationNumber @ConnectOverrides

$instance = New-AltinnInstance -App $App -OrganizationNumber $OrganizationNumber -Prefill @{ property1 = 'value1'; property2 = 'value2' } |
    Set-AltinnData -DataType model -Value @{ property1 = 'value4'; property2 = 'value5'; property3 = 'value6' } |
    Invoke-AltinnProcessNext

$receipt = $instance | Save-AltinnReceipt -Path $ReceiptFolder

[pscustomobject]@{
    InstanceId = $instance.Id
    Process    = if ($instance.Ended) { "ended $($instance.Process.Ended.ToString('u'))" } else { "at $($instance.CurrentTask)" }
    Receipt    = $receipt.FullName
    Bytes      = $receipt.Length
}
