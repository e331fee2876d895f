<#
    The whole submission flow with -Verbose -Debug under a transcript, with an error forced at every stage
    (connect, create, set data, upload, process next, receipt), the way an ops person debugging a failed
    night would run it. Secrets.Tests.ps1 runs it in a child pwsh and searches everything it leaves for
    secrets. Everything the module writes to any stream is also shown on the host (so the transcript
    holds it) and kept in -Capture, rendered the ways a user would look at it.
#>
param(
    [Parameter(Mandatory)] [string] $Inputs,
    [Parameter(Mandatory)] [string] $Capture,
    [Parameter(Mandatory)] [string] $Work
)
$ErrorActionPreference = 'Continue'
$ProgressPreference = 'SilentlyContinue'
if ($PSVersionTable.PSVersion.Major -ge 7) { $PSStyle.OutputRendering = 'PlainText' }
$in = Get-Content -Raw $Inputs | ConvertFrom-Json
Import-Module $in.Helpers
Import-Module AltinnApp
Start-Transcript -Path (Join-Path $Capture 'transcript.txt') -IncludeInvocationHeader | Out-Null

$sim = [pscustomobject]@{ BaseUri = $in.BaseUri }
$records = [Collections.Generic.List[object]]::new()
$reached = [Collections.Generic.List[string]]::new()
$common = @{ Verbose = $true; Debug = $true }
$connect = @{ MaskinportenUri = $in.BaseUri; PlatformUri = $in.BaseUri; AppBaseUri = $in.BaseUri; ClientId = $in.ClientId
    SystemUserOrganization = '950474084'; MaximumRetryCount = 2; RetryIntervalSec = 0.05 }

$VerbosePreference = 'Continue'
$DebugPreference = 'Continue'
$InformationPreference = 'Continue'

# Shows a record on the host as PowerShell would have shown it in its own stream (VERBOSE:, DEBUG:, WARNING:, the error view).
function Show($Record) {
    switch ($Record) {
        { $_ -is [System.Management.Automation.VerboseRecord] } { Write-Verbose $_.Message; break }
        { $_ -is [System.Management.Automation.DebugRecord] } { Write-Debug $_.Message; break }
        { $_ -is [System.Management.Automation.WarningRecord] } { Write-Warning $_.Message; break }
        { $_ -is [System.Management.Automation.InformationRecord] } { Write-Information $_; break }
        default { $_ | Out-Default }
    }
}

# Runs one step with all six streams merged into the pipeline, keeps each record and shows it on the host.
function Step([string] $Name, [scriptblock] $Body) {
    Write-Host "=== $Name"
    try {
        & $Body *>&1 | ForEach-Object { $records.Add($_); Show $_ }
    } catch {
        $records.Add($_); $_ | Out-Default
    }
}

function Set-Faults([hashtable[]] $Rules) {
    if ($Rules) { Invoke-Simulator -Simulator $sim -Method PUT -Path '_sim/faults' -Body @{ rules = $Rules; seed = 5 } | Out-Null }
    else { Invoke-Simulator -Simulator $sim -Method DELETE -Path '_sim/faults' | Out-Null }
}

function Save-Token([object] $Session) {
    # the exact secret value for the parent to search for: kept out of every stream, outside the scanned folders
    Add-Content -Path $in.TokenFile -Value (Get-AltinnAccessToken -Session $Session -AsPlainText)
}

# ---- connect: a wrong password, keys Maskinporten does not know, then the right key ----
Step 'connect: wrong certificate password' {
    Connect-Altinn @connect @common -CertificatePath $in.PfxPath -CertificatePassword (ConvertTo-SecureString $in.WrongPassword -AsPlainText -Force)
}
Step 'connect: a certificate Maskinporten does not know' {
    Connect-Altinn @connect @common -CertificateBase64 (ConvertTo-SecureString $in.PfxBase64 -AsPlainText -Force) -CertificatePassword (ConvertTo-SecureString $in.PfxPassword -AsPlainText -Force)
}
Step 'connect: a JWK Maskinporten does not know' {
    Connect-Altinn @connect @common -Jwk (ConvertTo-SecureString $in.UnknownJwk -AsPlainText -Force)
}
Step 'connect: a handed-in Maskinporten token that was never exchanged' {
    Connect-Altinn @connect @common -AccessToken $in.RawMaskinportenToken
}
Step 'connect' {
    $script:session = Connect-Altinn @connect @common -PrivateKeyPath $in.PemPath -KeyId $in.KeyId -PassThru
    $script:session
    $script:session | Format-List * -Force
    Get-AltinnSession | ConvertTo-Json -Depth 3 -WarningAction SilentlyContinue
    Get-AltinnAccessToken @common
}
if ($script:session) { $reached.Add('connect'); Save-Token $script:session }

# ---- create: a person the system user may not act for, a busy Altinn, then the journaled instance ----
Step 'create: a person owner' {
    New-AltinnInstance -App brg/aarsregnskap -PersonNumber $in.PersonNumber -Prefill @{ property1 = 'a' } -Session $script:session @common
}
Step 'create: an invalid person number' {
    New-AltinnInstance -App brg/aarsregnskap -PersonNumber $in.InvalidPersonNumber -Session $script:session @common
}
Set-Faults @(@{ pathPrefix = '/brg/aarsregnskap/instances/create'; methods = @('POST'); rate503 = 1 })
Step 'create: Altinn busy' {
    New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'a' } -Journal $in.Journal -Key 'night-1' -Session $script:session @common
}
Set-Faults
Step 'create' {
    $script:instance = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'a' } -Journal $in.Journal -Key 'night-1' -Session $script:session @common
    $script:instance | Format-List * -Force
    $script:instance | ConvertTo-Json -Depth 4 -WarningAction SilentlyContinue
}
if ($script:instance) { $reached.Add('create') }
$instancePath = if ($script:instance) { "/brg/aarsregnskap/instances/$($script:instance.Id)" } else { '/none' }

# ---- set data: bad XML, a busy Altinn, a revoked token, then the data ----
Step 'set data: XML that is not well-formed' {
    $script:instance | Set-AltinnData -DataType model -Value '<model><property1>a</model>' @common
}
Set-Faults @(@{ pathPrefix = "$instancePath/data/"; methods = @('PUT'); rate503 = 1 })
Step 'set data: Altinn busy' {
    $script:instance | Set-AltinnData -DataType model -Value @{ property1 = 'a' } @common
}
Set-Faults
Invoke-Simulator -Simulator $sim -Method POST -Path '_sim/tokens/revoke' | Out-Null
Step 'set data (after the token was revoked)' {
    $script:instance = $script:instance | Set-AltinnData -DataType model -Value @{ property1 = 'a' } @common
    $script:instance
}
if ($script:instance) { $reached.Add('set data'); Save-Token $script:session }

# ---- upload: a file too large, a dropped connection, then the file ----
Step 'upload: a file too large' {
    $script:instance | Add-AltinnAttachment -DataType attachment -Path $in.BigPdf @common
}
Set-Faults @(@{ pathPrefix = "$instancePath/data"; methods = @('POST'); rateDrop = 1 })
Step 'upload: the connection drops' {
    $script:instance | Add-AltinnAttachment -DataType attachment -Path $in.Pdf @common
}
Set-Faults
Step 'upload' {
    $script:instance = $script:instance | Add-AltinnAttachment -DataType attachment -Path $in.Pdf @common
    $script:instance
}
if ($script:instance) { $reached.Add('upload') }

# ---- receipt before the end, process next refused, then submitted ----
Step 'receipt: not submitted yet' {
    $script:instance | Save-AltinnReceipt -Path $in.Receipts @common
}
Step 'process next: a required field is missing' {
    $script:instance | Invoke-AltinnProcessNext @common
}
Step 'process next' {
    $script:instance = $script:instance | Set-AltinnData -DataType model -Value @{ property1 = 'a'; property2 = 'b' } @common | Invoke-AltinnProcessNext @common
    $script:instance
}
if ($script:instance -and $script:instance.Ended) { $reached.Add('process next') }

# ---- receipt: a folder that does not exist, a busy Altinn, then the receipt ----
Step 'receipt: a folder that does not exist' {
    $script:instance | Save-AltinnReceipt -Path (Join-Path $in.Receipts 'missing/receipt.pdf') @common
}
Set-Faults @(@{ pathPrefix = "$instancePath/data/"; methods = @('GET'); rate503 = 1 })
Step 'receipt: Altinn busy' {
    $script:instance | Save-AltinnReceipt -Path $in.Receipts @common
}
Set-Faults
Step 'receipt' {
    $script:receipt = $script:instance | Save-AltinnReceipt -Path $in.Receipts @common
    $script:receipt
    $script:instance | Save-AltinnData -DataType model -Path (Join-Path $Work 'model.xml') @common
}
if ($script:receipt) { $reached.Add('receipt') }

Step 'journal' {
    Get-AltinnJournal -Path $in.Journal @common | Format-List *
}
Step 'disconnect' {
    Disconnect-Altinn @common
}

# everything kept, rendered the ways a user looks at it, and every error record in full
$streams = foreach ($record in $records) {
    '--- {0}' -f $record.GetType().FullName
    ($record | Out-String -Width 4096)
    if ($record -isnot [System.Management.Automation.ErrorRecord] -and $record -isnot [string] -and $record -isnot [System.Security.SecureString]) {
        ($record | Format-List * -Force | Out-String -Width 4096)
    }
}
Set-Content -Path (Join-Path $Capture 'streams.txt') -Value $streams

$errorRecords = @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) + @($Error)
$dump = foreach ($err in $errorRecords) {
    '=== ' + $err.FullyQualifiedErrorId
    'Category: ' + $err.CategoryInfo
    'ErrorDetails: ' + $err.ErrorDetails.Message
    'RecommendedAction: ' + $err.ErrorDetails.RecommendedAction
    'TargetObject: ' + ($err.TargetObject | Out-String -Width 4096)
    'TargetObject as JSON: ' + ($err.TargetObject | ConvertTo-Json -Depth 3 -WarningAction SilentlyContinue)
    for ($e = $err.Exception; $e; $e = $e.InnerException) {
        'Exception: ' + $e.GetType().FullName + ': ' + $e.Message
        if ($e.PSObject.Properties['ValidationIssues']) { 'ValidationIssues: ' + ($e.ValidationIssues | Out-String -Width 4096) }
        if ($e.PSObject.Properties['Body']) { 'Body: ' + ($e.Body | Format-List * | Out-String -Width 4096) }
        foreach ($key in $e.Data.Keys) { "Data[$key]: " + $e.Data[$key] }
        if ($e -is [System.AggregateException]) { foreach ($inner in $e.InnerExceptions) { 'Inner: ' + $inner.ToString() } }
    }
    'Full: ' + $err.Exception.ToString()
    ($err | Format-List * -Force | Out-String -Width 4096)
}
Set-Content -Path (Join-Path $Capture 'errors.txt') -Value $dump

$summary = [ordered]@{
    TempPath = [IO.Path]::GetTempPath()
    Reached  = @($reached)
    ErrorIds = @($errorRecords | ForEach-Object { $_.FullyQualifiedErrorId.Split(',')[0] } | Select-Object -Unique)
    Streams  = [ordered]@{
        Output      = @($records | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] -and $_ -isnot [System.Management.Automation.InformationalRecord] -and $_ -isnot [System.Management.Automation.InformationRecord] }).Count
        Error       = @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count
        Warning     = @($records | Where-Object { $_ -is [System.Management.Automation.WarningRecord] }).Count
        Verbose     = @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count
        Debug       = @($records | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }).Count
        Information = @($records | Where-Object { $_ -is [System.Management.Automation.InformationRecord] }).Count
    }
}
Stop-Transcript | Out-Null
$summary | ConvertTo-Json -Depth 4 | Set-Content -Path (Join-Path $Capture 'summary.json')
