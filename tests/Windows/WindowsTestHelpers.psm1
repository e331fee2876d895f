<#
    Test support for tests/Windows, safe for Windows PowerShell 5.1 as well as PowerShell 7. It re-exports
    the parts of tests/Pester/Support/AltinnTestHelpers.psm1 that run on both (the simulator, keys,
    clients) and replaces the ones that need PowerShell 7:
    - Start-ChildPwsh/Wait-ChildPwsh/Invoke-ChildPwsh use ProcessStartInfo.ArgumentList and Kill($true)
      (.NET Core only) and start pwsh.dll: here Invoke-ChildShell starts the same edition as the caller
      (powershell.exe or pwsh.exe), quoting the arguments itself.
    - ConvertFrom-TestJwt uses ConvertFrom-Json -AsHashtable (7 only): here ConvertFrom-TestJwtPayload
      returns the PSObject ConvertFrom-Json gives on both.
    - New-TestRsaJwk's Pem and Pkcs1Pem are $null on 5.1 (no PEM export in .NET Framework).
    No ternaries, no '??', no '&&', no ForEach-Object -Parallel: the Linux suite parses this file to keep it so.
#>
Set-StrictMode -Version 3.0

Import-Module (Join-Path $PSScriptRoot '..\Pester\Support\AltinnTestHelpers.psm1') -Force -Global `
    -Function Get-RepoRoot, Start-AltinnSimulator, Stop-AltinnSimulator, Invoke-Simulator, New-TestRsaJwk, New-TestCertificate,
    Register-TestClient, Get-SimulatorConnectParameters, Get-SimulatorInstances, Get-SimulatorCounters, Register-TestApp, New-TestPdf

<# The executable of this edition: powershell.exe on 5.1, pwsh on 7. #>
function Get-ShellPath {
    if ($PSVersionTable.PSEdition -eq 'Desktop') { return (Join-Path $PSHOME 'powershell.exe') }
    $exe = Join-Path $PSHOME 'pwsh.exe'
    if (Test-Path $exe) { return $exe }
    Join-Path $PSHOME 'pwsh'
}

<# One command-line argument quoted the way the MSVC runtime (CommandLineToArgvW) reads it back. #>
function ConvertTo-CommandLineArgument([string] $Value) {
    if ($Value.Length -gt 0 -and $Value -notmatch '[\s"]') { return $Value }
    $escaped = [regex]::Replace($Value, '(\\*)"', '$1$1\"')
    $escaped = [regex]::Replace($escaped, '(\\+)$', '$1$1')
    '"' + $escaped + '"'
}

<#
    Runs a script file in a fresh process of the same edition and returns ExitCode, Output and Error. A run
    that hangs is killed (Kill() only: 5.1 has no Kill($true), and the child starts no children of its own
    that outlive it). $Environment is set for the child only.
#>
function Invoke-ChildShell {
    param(
        [Parameter(Mandatory = $true)] [string] $File,
        [string[]] $ArgumentList = @(),
        [hashtable] $Environment = @{},
        [int] $TimeoutSec = 300
    )
    $info = New-Object System.Diagnostics.ProcessStartInfo
    $info.FileName = Get-ShellPath
    $all = @('-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', $File) + $ArgumentList
    $info.Arguments = (@($all | ForEach-Object { ConvertTo-CommandLineArgument $_ }) -join ' ')
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.UseShellExecute = $false
    $info.EnvironmentVariables['NO_COLOR'] = '1'
    foreach ($key in $Environment.Keys) { $info.EnvironmentVariables[$key] = [string]$Environment[$key] }
    $process = [System.Diagnostics.Process]::Start($info)
    $output = $process.StandardOutput.ReadToEndAsync()
    $errors = $process.StandardError.ReadToEndAsync()
    if (-not $process.WaitForExit($TimeoutSec * 1000)) {
        $process.Kill()
        throw "The child process running $File did not finish within $TimeoutSec s."
    }
    New-Object psobject -Property @{ ExitCode = $process.ExitCode; Output = $output.GetAwaiter().GetResult(); Error = $errors.GetAwaiter().GetResult() }
}

<# The last line of a child's output that is JSON, as an object (the child's report). #>
function Get-ChildReport($Run) {
    $line = @($Run.Output -split "`r?`n" | Where-Object { $_.StartsWith('{') }) | Select-Object -Last 1
    if (-not $line) { throw "The child printed no report (exit code $($Run.ExitCode)): $($Run.Error) $($Run.Output)" }
    $line | ConvertFrom-Json
}

<# The payload of a JWT (no signature check), as the PSObject ConvertFrom-Json gives on both editions. #>
function ConvertFrom-TestJwtPayload([Parameter(Mandatory = $true)] [string] $Token) {
    $part = $Token.Split('.')[1].Replace('-', '+').Replace('_', '/')
    $part += '=' * ((4 - $part.Length % 4) % 4)
    [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($part)) | ConvertFrom-Json
}

<#
    A self-signed RSA certificate with its private key in CurrentUser\My, made by Windows PowerShell's own
    New-SelfSignedCertificate (the PKI module), with the key in -Provider: a CNG key storage provider or a
    legacy CryptoAPI CSP. Returns the thumbprint.
#>
function New-StoreCertificate {
    param(
        [Parameter(Mandatory = $true)] [string] $Provider,
        [string] $Subject = ('CN=AltinnApp Windows check ' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    )
    $command = "`$c = New-SelfSignedCertificate -Subject '$Subject' -CertStoreLocation Cert:\CurrentUser\My -Provider '$Provider' " +
        "-KeyAlgorithm RSA -KeyLength 2048 -KeyExportPolicy Exportable -KeyUsage DigitalSignature -HashAlgorithm SHA256 -NotAfter (Get-Date).AddDays(7); `$c.Thumbprint"
    $thumbprint = & (Join-Path $env:SystemRoot 'System32\WindowsPowerShell\v1.0\powershell.exe') -NoProfile -NonInteractive -Command $command
    if ($LASTEXITCODE -ne 0 -or -not $thumbprint) { throw "New-SelfSignedCertificate with '$Provider' failed." }
    "$thumbprint".Trim()
}

Export-ModuleMember -Function Get-ShellPath, ConvertTo-CommandLineArgument, Invoke-ChildShell, Get-ChildReport, ConvertFrom-TestJwtPayload, New-StoreCertificate
