<#
.SYNOPSIS
    The benchmark's large-transfer part: registers an app whose attachment may be large, writes a file of
    -SizeMiB, and has a fresh pwsh (bench/Measure-Transfer.Child.ps1) upload it with Add-AltinnAttachment
    and download it with Save-AltinnData while its working set is watched, from inside and from outside.
    Returns the measurements as an ordered dictionary; Invoke-Benchmark.ps1 calls it.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] $Simulator,
    [ValidateRange(1, 4096)] [int] $SizeMiB = 512,
    [Parameter(Mandatory)] [string] $WorkFolder
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

# an app like brg/aarsregnskap whose attachment type takes the file (maxSize is in MB, reference §6.2)
$metadata = Invoke-RestMethod -Uri "$($Simulator.BaseUri)brg/aarsregnskap/api/v1/applicationmetadata"
$metadata.id = 'bench/transfer'
$metadata.org = 'bench'
$attachment = $metadata.dataTypes | Where-Object id -EQ 'attachment'
$attachment.maxSize = $SizeMiB + 64
$attachment.allowedContentTypes = @('application/pdf')
$attachment.maxCount = 1
$definition = @{
    org = 'bench'; app = 'transfer'; metadata = $metadata
    process = @(@{ id = 'Task_1'; type = 'data'; name = 'Utfylling' })
    modelFields = @('property1', 'property2', 'property3'); requiredFields = @('property1'); receiptFileName = 'transfer.pdf'; generateReceipt = $true
}
Invoke-RestMethod -Method Post -Uri "$($Simulator.BaseUri)_sim/apps" -ContentType 'application/json' -Body ($definition | ConvertTo-Json -Depth 20) | Out-Null

# the payload: incompressible bytes, written in 1 MiB blocks
$payload = Join-Path $WorkFolder 'scanned-annual-report.pdf'
$block = [byte[]]::new(1MB)
[Random]::new(7).NextBytes($block)
$stream = [IO.File]::Create($payload)
try { for ($i = 0; $i -lt $SizeMiB; $i++) { $block[0] = [byte]($i % 256); $stream.Write($block, 0, $block.Length) } } finally { $stream.Dispose() }

$resultPath = Join-Path $WorkFolder 'transfer-result.json'
$download = Join-Path $WorkFolder 'download'
New-Item -ItemType Directory $download | Out-Null
$startInfo = [Diagnostics.ProcessStartInfo]::new('dotnet')
foreach ($argument in @((Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'Measure-Transfer.Child.ps1'),
        '-ModulePath', $ModulePath, '-BaseUri', $Simulator.BaseUri, '-Payload', $payload, '-DownloadFolder', $download, '-ResultPath', $resultPath)) {
    $startInfo.ArgumentList.Add($argument)
}
$startInfo.UseShellExecute = $false
$child = [Diagnostics.Process]::Start($startInfo)
# from outside: the child's working set every 20 ms over its whole life
$outsidePeak = 0L
try {
    while (-not $child.WaitForExit(20)) {
        $child.Refresh()
        try { $outsidePeak = [Math]::Max($outsidePeak, $child.WorkingSet64) } catch [InvalidOperationException] { }
    }
    $child.WaitForExit()
} finally {
    if (-not $child.HasExited) { $child.Kill($true) }
}
if ($child.ExitCode -ne 0 -or -not (Test-Path $resultPath)) { throw "The transfer run failed (exit code $($child.ExitCode))." }
$inside = Get-Content -Raw $resultPath | ConvertFrom-Json

$downloaded = Get-ChildItem -LiteralPath $download -File
if (@($downloaded).Count -ne 1 -or $downloaded.Length -ne (Get-Item $payload).Length) { throw "The download is not the file that was uploaded." }
$a = [IO.File]::OpenRead($payload); $b = [IO.File]::OpenRead($downloaded.FullName)
try {
    $same = [Linq.Enumerable]::SequenceEqual([Security.Cryptography.SHA256]::HashData($a), [Security.Cryptography.SHA256]::HashData($b))
} finally { $a.Dispose(); $b.Dispose() }
if (-not $same) { throw 'The downloaded file differs from the uploaded one.' }
Remove-Item $payload, $downloaded.FullName -Force

$mib = 1MB
[ordered]@{
    sizeMiB      = $SizeMiB
    measured     = $true
    reason       = $null
    upload       = [ordered]@{ seconds = $inside.upload.seconds; mibPerSecond = [Math]::Round($SizeMiB / $inside.upload.seconds, 1); baselineMiB = [Math]::Round($inside.upload.baseline / $mib, 1); peakMiB = [Math]::Round($inside.upload.peak / $mib, 1); growthMiB = [Math]::Round(($inside.upload.peak - $inside.upload.baseline) / $mib, 1) }
    download     = [ordered]@{ seconds = $inside.download.seconds; mibPerSecond = [Math]::Round($SizeMiB / $inside.download.seconds, 1); baselineMiB = [Math]::Round($inside.download.baseline / $mib, 1); peakMiB = [Math]::Round($inside.download.peak / $mib, 1); growthMiB = [Math]::Round(($inside.download.peak - $inside.download.baseline) / $mib, 1) }
    growthMiB    = [Math]::Round(([Math]::Max($inside.upload.peak - $inside.upload.baseline, $inside.download.peak - $inside.download.baseline)) / $mib, 1)
    method       = $inside.method
    outsidePeakMiB = [Math]::Round($outsidePeak / $mib, 1)
    sameContent  = $same
}
