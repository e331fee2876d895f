<#
.SYNOPSIS
    Submits one annual account per row of a CSV file, exactly once, and exits 0 only when every row is filed.
.DESCRIPTION
    What a nightly job runs. The CSV has the columns OrganizationNumber, Property1, Property2 and
    Property3 (and, optionally, Attachment: the path of a file to attach, and Period, when a row is for
    another period than -Period). For each row the script
    creates an instance, sets the form data, adds the attachment, submits it (through every task of
    the app) and saves the receipt, each step recorded in a journal under the row's key
    ("<organisation>-<period>-<app>").

    A row that fails is reported and the script goes on with the next. At the end the journal is
    asked about every row's key, so a row that never reached the journal (a bad column, a script
    error) counts too: the result file lists each key with its state, instance, receipt and error,
    and the exit code is 0 only when every key has its receipt saved, 1 otherwise (never a count,
    which a scheduler reads modulo 256).

    Correct the rows that failed and run the script again with the same journal: rows that are done
    are not filed again, and the others carry on from where they stopped, with the corrected values
    (form data is applied while the instance is unsubmitted; a submitted row is never changed).
.EXAMPLE
    ./Submit-FromCsv.ps1 -ClientId $id -JwkPath ~/.altinn/client.jwk.json -SystemUserOrganization 950474084 -CsvPath ./rows.csv -Period 2026
#>
[CmdletBinding()]
param(
    [string] $Environment = 'tt02',
    [Parameter(Mandatory)] [string] $ClientId,
    [Parameter(Mandatory)] [string] $JwkPath,
    [Parameter(Mandatory)] [string] $SystemUserOrganization,
    [Parameter(Mandatory)] [string] $CsvPath,
    [string] $Period = ((Get-Date).Year - 1),
    [string] $App = 'brg/aarsregnskap',
    [string] $JournalPath = './submissions.journal',
    [string] $ReceiptFolder = './receipts',
    [string] $ResultPath = './results.csv',
    # Addresses that differ from the environment's (a proxy, or the local simulator the tests use).
    [hashtable] $ConnectOverrides = @{}
)
# a row's failure is reported and the loop goes on with the next row (Stop would end the night at the first bad row)
$ErrorActionPreference = 'Continue'
Import-Module AltinnApp -ErrorAction Stop

# without a session no row can be filed: stop at once (the exit code is 1)
Connect-Altinn -Environment $Environment -ClientId $ClientId -JwkPath $JwkPath -SystemUserOrganization $SystemUserOrganization -App $App @ConnectOverrides -ErrorAction Stop

$rows = @(Import-Csv -Path $CsvPath -ErrorAction Stop)
# a key names the submission (organisation, period, form), the same on every run: never a row number
$keys = @(foreach ($row in $rows) {
    $rowPeriod = if ($row.PSObject.Properties['Period'] -and $row.Period) { $row.Period } else { $Period }
    '{0}-{1}-{2}' -f $row.OrganizationNumber, $rowPeriod, ($App -replace '/', '.')
})

for ($i = 0; $i -lt $rows.Count; $i++) {
    $row = $rows[$i]
    # each row's failure is an error record on the error stream, and the loop goes on with the next row
    $instance = New-AltinnInstance -OrganizationNumber $row.OrganizationNumber -Journal $JournalPath -Key $keys[$i] |
        Set-AltinnData -DataType model -Value @{ property1 = $row.Property1; property2 = $row.Property2; property3 = $row.Property3 }
    if ($instance -and $row.PSObject.Properties['Attachment'] -and $row.Attachment) {
        $instance = $instance | Add-AltinnAttachment -DataType attachment -Path $row.Attachment
    }
    $instance | Submit-AltinnInstance | Save-AltinnReceipt -Path $ReceiptFolder | Out-Null
}

# every row's key, from the journal: done, failed (and why), or never started
$results = Get-AltinnJournal -Path $JournalPath -Key $keys | Select-Object Key, State, InstanceId, ReceiptPath, LastErrorId, LastError
$results | Export-Csv -Path $ResultPath -NoTypeInformation -Encoding utf8
$notDone = @($results | Where-Object State -ne 'ReceiptSaved')
Write-Host ('{0} row(s): {1} filed, {2} not. Results in {3}' -f $rows.Count, ($results.Count - $notDone.Count), $notDone.Count, $ResultPath)
Disconnect-Altinn
exit ([int]($notDone.Count -gt 0))
