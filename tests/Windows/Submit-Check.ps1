<#
    One submission in a fresh process, run by Windows.Tests.ps1: connect to the simulator with the key
    source given, create, set the form data, submit, save the receipt; print one JSON line saying what
    happened. Windows PowerShell 5.1-safe.
#>
param(
    [Parameter(Mandatory = $true)] [string] $Simulator,
    [Parameter(Mandatory = $true)] [string] $ClientId,
    [Parameter(Mandatory = $true)] [ValidateSet('JwkPath', 'CertificatePath', 'Certificate', 'CertificateThumbprint')] [string] $KeySource,
    [Parameter(Mandatory = $true)] [string] $Key,
    [string] $Password,
    [Parameter(Mandatory = $true)] [string] $Receipts,
    # modules imported before AltinnApp, and after its submission (comma-separated)
    [string] $Before = '',
    [string] $After = '',
    [string] $Culture = ''
)
$ErrorActionPreference = 'Stop'
$report = [ordered]@{ Edition = $PSVersionTable.PSEdition; Submitted = $false }
try {
    if ($Culture) {
        # the engine works on pool threads as well: set the default for new threads too
        $info = [Globalization.CultureInfo]::GetCultureInfo($Culture)
        [Globalization.CultureInfo]::DefaultThreadCurrentCulture = $info
        [Globalization.CultureInfo]::DefaultThreadCurrentUICulture = $info
        [Threading.Thread]::CurrentThread.CurrentCulture = $info
        [Threading.Thread]::CurrentThread.CurrentUICulture = $info
    }
    foreach ($name in @($Before -split ',' | Where-Object { $_ })) { Import-Module $name }
    $module = Import-Module AltinnApp -PassThru
    $report.ModuleBase = $module.ModuleBase
    $report.Engine = [AltinnApp.Core.AltinnException].Assembly.Location
    $connect = @{
        Environment = 'tt02'; ClientId = $ClientId; SystemUserOrganization = '950474084'
        MaskinportenUri = $Simulator; PlatformUri = $Simulator; AppBaseUri = $Simulator
    }
    switch ($KeySource) {
        'JwkPath' { $connect.JwkPath = $Key }
        'CertificatePath' {
            $connect.CertificatePath = $Key
            $connect.CertificatePassword = ConvertTo-SecureString $Password -AsPlainText -Force
        }
        'Certificate' { $connect.Certificate = Get-Item "Cert:\CurrentUser\My\$Key" }
        'CertificateThumbprint' { $connect.CertificateThumbprint = $Key }
    }
    Connect-Altinn @connect
    $instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 12345.5 } -DueBefore (Get-Date).Date.AddDays(30) |
        Set-AltinnData -DataType model -Value @{ property1 = 'value4'; property2 = 'value5'; property3 = 'value6' } |
        Submit-AltinnInstance
    $receipt = $instance | Save-AltinnReceipt -Path $Receipts
    $report.Submitted = [bool]$instance.Ended
    $report.InstanceId = $instance.Id
    $report.Receipt = $receipt.FullName
    $report.ReceiptBytes = $receipt.Length
    foreach ($name in @($After -split ',' | Where-Object { $_ })) { Import-Module $name }
    # each other module does something of its own with its identity libraries loaded beside ours
    if (Get-Command Get-AzContext -ErrorAction SilentlyContinue) { $null = Get-AzContext; $report.AzAccounts = 'ok' }
    if (Get-Command Get-MgContext -ErrorAction SilentlyContinue) { $null = Get-MgContext; $report.Graph = 'ok' }
    Disconnect-Altinn
} catch {
    $report.ErrorId = $_.FullyQualifiedErrorId
    $report.Message = $_.Exception.Message
}
$report.Loaded = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { -not $_.IsDynamic -and $_.Location -like '*AltinnApp*' } | ForEach-Object { $_.Location })
New-Object psobject -Property $report | ConvertTo-Json -Compress -Depth 4
