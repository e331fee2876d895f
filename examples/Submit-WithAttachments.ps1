<#
.SYNOPSIS
    Submits an annual account in one multipart request: the form as XML plus every file of a folder as
    attachments, then checks it, submits it and saves the receipt.
.DESCRIPTION
    The form data comes from an XML file (the app's data model) and the attachments from a folder.
    Before anything is sent the module checks the app's rules (content types, sizes, how many files),
    so a wrong file fails the run without creating an instance. The app's validation is run before
    the submission: its issues are printed and the instance is left for a person to look at.
.EXAMPLE
    ./Submit-WithAttachments.ps1 -ClientId $id -JwkPath ~/.altinn/client.jwk.json -OrganizationNumber 950474084 -ModelPath ./aarsregnskap.xml -AttachmentFolder ./vedlegg
#>
[CmdletBinding()]
param(
    [string] $Environment = 'tt02',
    [Parameter(Mandatory)] [string] $ClientId,
    [Parameter(Mandatory)] [string] $JwkPath,
    [Parameter(Mandatory)] [string] $OrganizationNumber,
    [Parameter(Mandatory)] [string] $ModelPath,
    [Parameter(Mandatory)] [string] $AttachmentFolder,
    [string] $App = 'brg/aarsregnskap',
    [string] $ReceiptFolder = './receipts',
    [hashtable] $ConnectOverrides = @{}
)
$ErrorActionPreference = 'Stop'
Import-Module AltinnApp

Connect-Altinn -Environment $Environment -ClientId $ClientId -JwkPath $JwkPath -SystemUserOrganization $OrganizationNumber @ConnectOverrides

$files = @(Get-ChildItem -Path $AttachmentFolder -File)
$instance = New-AltinnInstance -App $App -OrganizationNumber $OrganizationNumber `
    -Data @{ model = Get-Item -LiteralPath $ModelPath } -Attachment @{ attachment = $files } `
    -DueBefore (Get-Date).Date.AddDays(30)
Write-Host "Created $($instance.Id) with $($files.Count) attachment(s)."

$issues = @($instance | Test-AltinnInstance | Where-Object Severity -eq 'Error')
if ($issues) {
    $issues | Format-Table Field, Code, Description -AutoSize | Out-Host
    throw "Instance $($instance.Id) does not pass the app's validation; it was not submitted."
}

$submitted = $instance | Invoke-AltinnProcessNext
$receipt = $submitted | Save-AltinnReceipt -Path $ReceiptFolder

[pscustomobject]@{
    InstanceId  = $submitted.Id
    Attachments = ($submitted.GetDataElements('attachment').Filename -join ', ')
    Ended       = $submitted.Process.Ended
    Receipt     = $receipt.FullName
}
Disconnect-Altinn
