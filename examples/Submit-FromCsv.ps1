<#
.SYNOPSIS
    Submits one annual account per row of a CSV file and writes what happened to each row to a result file.
.DESCRIPTION
    What a nightly job runs. The CSV has the columns OrganizationNumber, Property1, Property2 and
    Property3 (and, optionally, Attachment: the path of a file to attach). For each row the script
    creates an instance with the values as prefill, adds the attachment, submits it and saves the
    receipt. A row that fails is written to the result file with its ErrorId and message, and the
    script goes on with the next row; the exit code is the number of failed rows.

    The result file has the columns of the input plus InstanceId, App, Status, Receipt and Error: an
    instance that was created but not submitted (Status 'Created') can be picked up again with
        Import-Csv results.csv | Where-Object Status -eq Created | Invoke-AltinnProcessNext | Save-AltinnReceipt -Path ./receipts
.EXAMPLE
    ./Submit-FromCsv.ps1 -ClientId $id -JwkPath ~/.altinn/client.jwk.json -SystemUserOrganization 950474084 -CsvPath ./rows.csv
#>
[CmdletBinding()]
param(
    [string] $Environment = 'tt02',
    [Parameter(Mandatory)] [string] $ClientId,
    [Parameter(Mandatory)] [string] $JwkPath,
    [Parameter(Mandatory)] [string] $SystemUserOrganization,
    [Parameter(Mandatory)] [string] $CsvPath,
    [string] $App = 'brg/aarsregnskap',
    [string] $ReceiptFolder = './receipts',
    [string] $ResultPath = './results.csv',
    # Addresses that differ from the environment's (a proxy, or the local simulator the tests use).
    [hashtable] $ConnectOverrides = @{}
)
$ErrorActionPreference = 'Stop'
Import-Module AltinnApp

Connect-Altinn -Environment $Environment -ClientId $ClientId -JwkPath $JwkPath -SystemUserOrganization $SystemUserOrganization -App $App @ConnectOverrides

$failed = 0
$results = foreach ($row in Import-Csv -Path $CsvPath) {
    $result = [ordered]@{}
    foreach ($property in $row.PSObject.Properties) { $result[$property.Name] = $property.Value }
    $result.InstanceId = $null; $result.App = $App; $result.Status = 'Failed'; $result.Receipt = $null; $result.Error = $null
    try {
        $prefill = @{ property1 = $row.Property1; property2 = $row.Property2; property3 = $row.Property3 }
        $instance = New-AltinnInstance -OrganizationNumber $row.OrganizationNumber -Prefill $prefill
        $result.InstanceId = $instance.Id
        $result.Status = 'Created'
        if ($row.PSObject.Properties['Attachment'] -and $row.Attachment) {
            $instance = $instance | Add-AltinnAttachment -DataType attachment -Path $row.Attachment
        }
        $receipt = $instance | Invoke-AltinnProcessNext | Save-AltinnReceipt -Path $ReceiptFolder -Force
        $result.Status = 'Submitted'
        $result.Receipt = $receipt.FullName
    } catch {
        $failed++
        $issues = $_.Exception.PSObject.Properties['ValidationIssues']
        $detail = if ($issues -and $issues.Value) { ' (' + (($issues.Value | ForEach-Object { "$($_.Field): $($_.Code)" }) -join '; ') + ')' } else { '' }
        $result.Error = "$($_.FullyQualifiedErrorId.Split(',')[0]): $($_.Exception.Message.Split([Environment]::NewLine)[0])$detail"
        Write-Warning "Row for $($row.OrganizationNumber): $($result.Error)"
    }
    [pscustomobject]$result
}

$results | Export-Csv -Path $ResultPath -NoTypeInformation -Encoding utf8
Write-Host ("{0} row(s): {1} submitted, {2} failed. Results in {3}" -f @($results).Count, @($results | Where-Object Status -eq Submitted).Count, $failed, $ResultPath)
Disconnect-Altinn
exit $failed
