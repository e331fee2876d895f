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
    error) counts too: the result file lists each key with its state, whether it is filed, its
    instance, receipt and error, and the exit code is 0 only when every row is filed as given (its
    key has its receipt, and nothing of the row was refused), 1 otherwise (never a count, which a
    scheduler reads modulo 256). Two rows with one key are one submission: the second is refused
    when it brings other values.

    Correct the rows that failed and run the script again with the same journal: rows that are done
    are not filed again, and the others carry on from where they stopped, with the corrected values
    (form data is applied while the instance is unsubmitted; a submitted row is never changed).
.EXAMPLE
    ./Submit-FromCsv.ps1 -ClientId $id -JwkPath ~/.altinn/client.jwk.json -SystemUserOrganization 950474084 -CsvPath ./rows.csv -Period 2026
.EXAMPLE
    ./Submit-FromCsv.ps1 -ClientId $id -JwkPath ~/.altinn/vendor.jwk.json -SystemUserOrganization 950474084 -SystemUserExternalRef kunde-17 -CsvPath ./rows.csv -Period 2026

    As the system user a vendor's onboarding made with the external reference kunde-17.
#>
[CmdletBinding()]
param(
    [string] $Environment = 'tt02',
    [Parameter(Mandatory)] [string] $ClientId,
    [Parameter(Mandatory)] [string] $JwkPath,
    [Parameter(Mandatory)] [string] $SystemUserOrganization,
    # the system user's external reference, when it was made with one (as a vendor's onboarding does)
    [string] $SystemUserExternalRef,
    [Parameter(Mandatory)] [string] $CsvPath,
    [string] $Period = ((Get-Date).Year - 1),
    [string] $App = 'brg/aarsregnskap',
    [string] $JournalPath = './submissions.journal',
    [string] $ReceiptFolder = './receipts',
    [string] $ResultPath = './results.csv',
    # ';' for a CSV that Excel saved with Norwegian settings
    [string] $Delimiter = ',',
    # Addresses that differ from the environment's (a proxy, or the local simulator the tests use).
    [hashtable] $ConnectOverrides = @{}
)
Import-Module AltinnApp -ErrorAction Stop

# without a session no row can be filed: stop at once (the exit code is 1)
$connect = @{}
if ($SystemUserExternalRef) { $connect.SystemUserExternalRef = $SystemUserExternalRef }
Connect-Altinn -Environment $Environment -ClientId $ClientId -JwkPath $JwkPath -SystemUserOrganization $SystemUserOrganization -App $App @connect @ConnectOverrides -ErrorAction Stop

# -Encoding UTF8: Windows PowerShell 5.1 reads a file without a byte order mark as ANSI, and Norwegian letters would arrive garbled
$rows = @(Import-Csv -Path $CsvPath -Delimiter $Delimiter -Encoding UTF8 -ErrorAction Stop)
# a key names the submission (organisation, period, form), the same on every run: never a row number
$keys = @(foreach ($row in $rows) {
    $rowPeriod = if ($row.PSObject.Properties['Period'] -and $row.Period) { $row.Period } else { $Period }
    '{0}-{1}-{2}' -f $row.OrganizationNumber, $rowPeriod, ($App -replace '/', '.')
})

$rowErrors = @{}   # row number -> the error that ended the row in this run
for ($i = 0; $i -lt $rows.Count; $i++) {
    $row = $rows[$i]
    $key = $keys[$i]
    try {
        # each row in a scope of its own: its first error ends the row (the journal records it), nothing of it is
        # left for the next row (an instance variable reused by mistake would file a file into another row's form),
        # and the loop goes on with the next row
        & {
            $ErrorActionPreference = 'Stop'
            $instance = New-AltinnInstance -OrganizationNumber $row.OrganizationNumber -Journal $JournalPath -Key $key |
                Set-AltinnData -DataType model -Value @{ property1 = $row.Property1; property2 = $row.Property2; property3 = $row.Property3 } -Strict
            if ($row.PSObject.Properties['Attachment'] -and $row.Attachment) {
                $instance = $instance | Add-AltinnAttachment -DataType attachment -Path $row.Attachment
            }
            $instance | Submit-AltinnInstance | Save-AltinnReceipt -Path $ReceiptFolder | Out-Null
        }
    } catch {
        $rowErrors[$i] = $_
        Write-Warning ('Row {0} ({1}): {2}: {3}' -f ($i + 1), $key, $_.FullyQualifiedErrorId.Split(',')[0], $_.Exception.Message)
    }
}

# every row's key, from the journal: done, failed (and why), or never started
# a row counts as filed only when its key has its receipt and nothing of the row was refused in this run (values
# brought for a key that was filed before are refused, and the key stays filed with what it was filed with)
$entries = @{}
foreach ($entry in Get-AltinnJournal -Path $JournalPath -Key $keys) { $entries[$entry.Key] = $entry }
$results = for ($i = 0; $i -lt $rows.Count; $i++) {
    $entry = $entries[$keys[$i]]
    $refused = $rowErrors[$i]
    [pscustomobject]@{
        Row         = $i + 1
        Key         = $keys[$i]
        State       = $entry.State
        Filed       = $entry.State -eq 'ReceiptSaved' -and -not $refused
        InstanceId  = $entry.InstanceId
        ReceiptPath = $entry.ReceiptPath
        ErrorId     = if ($refused) { $refused.FullyQualifiedErrorId.Split(',')[0] } else { $entry.LastErrorId }
        Error       = if ($refused) { $refused.Exception.Message } else { $entry.LastError }
    }
}
$results | Export-Csv -Path $ResultPath -NoTypeInformation -Encoding utf8
$notDone = @($results | Where-Object { -not $_.Filed })
Write-Host ('{0} row(s): {1} filed, {2} not. Results in {3}' -f $rows.Count, ($rows.Count - $notDone.Count), $notDone.Count, $ResultPath)
Disconnect-Altinn
exit ([int]($notDone.Count -gt 0))
