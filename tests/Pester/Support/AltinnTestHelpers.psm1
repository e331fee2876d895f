<#
    Test support for the Pester suite: start and stop the local Altinn simulator, drive its control
    API, and make keys and certificates to register as Maskinporten clients. Every test file imports
    this and the installed AltinnApp module by name.
#>
Set-StrictMode -Version 3.0

$script:RepoRoot = if ($env:ALTINNAPP_REPO_ROOT) { $env:ALTINNAPP_REPO_ROOT } else { (Resolve-Path "$PSScriptRoot/../../..").Path }

function Get-RepoRoot { $script:RepoRoot }

function Get-FreeTcpPort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

# Kill(true) (the whole tree) exists from .NET Core 3.0; Windows PowerShell 5.1 (.NET Framework), which
# the demo also runs on, has only Kill(): enough for the simulator, which is one dotnet process.
function Stop-ProcessTree([Parameter(Mandatory)] [System.Diagnostics.Process] $Process) {
    if ($Process.HasExited) { return }
    if ($PSVersionTable.PSEdition -eq 'Core') { $Process.Kill($true) } else { $Process.Kill() }
}

function Start-AltinnSimulator {
    [CmdletBinding()]
    param([string] $Name = 'sim')
    $dll = if ($env:ALTINNAPP_SIMULATOR_DLL) { $env:ALTINNAPP_SIMULATOR_DLL } else { Join-Path $script:RepoRoot 'out/AltinnApp.Simulator/AltinnApp.Simulator.dll' }
    if (-not (Test-Path $dll)) { throw "The simulator is not built ($dll). Run ./build.ps1 -Task Build." }
    $logDir = Join-Path $script:RepoRoot 'out/logs'
    New-Item -ItemType Directory -Force $logDir | Out-Null
    for ($attempt = 1; $attempt -le 3; $attempt++) {
        $port = Get-FreeTcpPort
        $base = "http://127.0.0.1:$port/"
        $stamp = '{0}-{1}-{2}' -f $Name, $port, [Guid]::NewGuid().ToString('N').Substring(0, 6)
        # the DLL itself, not 'dotnet run': the process we hold is the server, and killing it stops it
        $process = Start-Process -FilePath 'dotnet' -ArgumentList @($dll, '--urls', $base.TrimEnd('/')) -PassThru `
            -RedirectStandardOutput (Join-Path $logDir "$stamp.out.log") -RedirectStandardError (Join-Path $logDir "$stamp.err.log")
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while ([DateTime]::UtcNow -lt $deadline -and -not $process.HasExited) {
            try {
                $health = Invoke-RestMethod -Uri "${base}_sim/health" -TimeoutSec 2
                if ($health.status -eq 'ok') {
                    return [pscustomobject]@{ PSTypeName = 'AltinnTest.Simulator'; BaseUri = $base; Port = $port; Process = $process }
                }
            } catch { Start-Sleep -Milliseconds 100 }
        }
        Stop-ProcessTree $process
    }
    throw "The simulator did not start; see $logDir."
}

function Stop-AltinnSimulator {
    [CmdletBinding()]
    param([Parameter(ValueFromPipeline)] $Simulator)
    process {
        if ($Simulator -and $Simulator.Process -and -not $Simulator.Process.HasExited) {
            Stop-ProcessTree $Simulator.Process
            $Simulator.Process.WaitForExit(10000) | Out-Null
        }
    }
}

function Invoke-Simulator {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Simulator,
        [ValidateSet('GET', 'POST', 'PUT', 'DELETE')] [string] $Method = 'GET',
        [Parameter(Mandatory)] [string] $Path,
        $Body
    )
    $parameters = @{ Method = $Method; Uri = ($Simulator.BaseUri + $Path.TrimStart('/')); TimeoutSec = 30 }
    if ($null -ne $Body) { $parameters.Body = ($Body | ConvertTo-Json -Depth 20 -Compress); $parameters.ContentType = 'application/json' }
    Invoke-RestMethod @parameters
}

function ConvertTo-Base64Url([byte[]] $Bytes) {
    [Convert]::ToBase64String($Bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_')
}

<# An RSA key pair as JWKs: Private (JSON text, what Connect-Altinn -Jwk takes) and Public (hashtable, what gets registered). #>
function New-TestRsaJwk {
    param([string] $KeyId = ('test-' + [Guid]::NewGuid().ToString('N').Substring(0, 8)))
    $rsa = [System.Security.Cryptography.RSA]::Create(2048)
    try {
        $p = $rsa.ExportParameters($true)
        $public = [ordered]@{ kty = 'RSA'; kid = $KeyId; use = 'sig'; alg = 'RS256'; n = ConvertTo-Base64Url $p.Modulus; e = ConvertTo-Base64Url $p.Exponent }
        $private = [ordered]@{}
        foreach ($name in $public.Keys) { $private[$name] = $public[$name] }
        $private.d = ConvertTo-Base64Url $p.D; $private.p = ConvertTo-Base64Url $p.P; $private.q = ConvertTo-Base64Url $p.Q
        $private.dp = ConvertTo-Base64Url $p.DP; $private.dq = ConvertTo-Base64Url $p.DQ; $private.qi = ConvertTo-Base64Url $p.InverseQ
        [pscustomobject]@{
            KeyId   = $KeyId
            Public  = $public
            Private = ($private | ConvertTo-Json -Compress)
            # PEM export exists from .NET 5 only; Windows PowerShell 5.1 gets the JWK forms alone
            Pem     = if ($PSVersionTable.PSEdition -eq 'Core') { $rsa.ExportPkcs8PrivateKeyPem() } else { $null }
            Pkcs1Pem = if ($PSVersionTable.PSEdition -eq 'Core') { $rsa.ExportRSAPrivateKeyPem() } else { $null }
        }
    } finally { $rsa.Dispose() }
}

<# A self-signed RSA certificate with its private key, valid from -NotBefore to -NotAfter. #>
function New-TestCertificate {
    param(
        [string] $Subject = 'CN=AltinnApp test client, O=Test',
        [DateTimeOffset] $NotBefore = [DateTimeOffset]::UtcNow.AddDays(-1),
        [DateTimeOffset] $NotAfter = [DateTimeOffset]::UtcNow.AddDays(30)
    )
    $rsa = [System.Security.Cryptography.RSA]::Create(2048)
    $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new($Subject, $rsa,
        [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
    $request.CreateSelfSigned($NotBefore, $NotAfter)
}

<# Registers a Maskinporten client on the simulator: its keys and the organisations it has a system user for. #>
function Register-TestClient {
    param(
        [Parameter(Mandatory)] $Simulator,
        [string] $ClientId = ('client-' + [Guid]::NewGuid().ToString('N').Substring(0, 8)),
        [object[]] $Jwk = @(),
        [System.Security.Cryptography.X509Certificates.X509Certificate2[]] $Certificate = @(),
        [string[]] $Organization = @('950474084'),
        [string] $ExternalRef,
        [string[]] $Scope = @('altinn:instances.read', 'altinn:instances.write')
    )
    $systemUsers = @($Organization | ForEach-Object { @{ organizationNumber = $_; externalRef = $ExternalRef } })
    $body = @{
        clientId     = $ClientId
        jwks         = @($Jwk | ForEach-Object { if ($_.PSObject.Properties['Public']) { $_.Public } else { $_ } })
        certificates = @($Certificate | ForEach-Object { [Convert]::ToBase64String($_.RawData) })
        scopes       = $Scope
        systemUsers  = $systemUsers
    }
    Invoke-Simulator -Simulator $Simulator -Method POST -Path '_sim/clients' -Body $body | Out-Null
    $ClientId
}

<# The Connect-Altinn address parameters that point the module at the simulator. #>
function Get-SimulatorConnectParameters {
    param([Parameter(Mandatory)] $Simulator)
    @{ MaskinportenUri = $Simulator.BaseUri; PlatformUri = $Simulator.BaseUri; AppBaseUri = $Simulator.BaseUri }
}

<# A client with a fresh JWK, registered and connected; returns the session. #>
function Connect-TestSession {
    param(
        [Parameter(Mandatory)] $Simulator,
        [string] $Organization = '950474084',
        [string] $App,
        [hashtable] $Extra = @{}
    )
    $key = New-TestRsaJwk
    $clientId = Register-TestClient -Simulator $Simulator -Jwk $key -Organization $Organization
    $parameters = Get-SimulatorConnectParameters $Simulator
    $parameters += @{ ClientId = $clientId; Jwk = $key.Private; SystemUserOrganization = $Organization; PassThru = $true; RetryIntervalSec = 0.05 }
    if ($App) { $parameters.App = $App }
    $parameters += $Extra
    Connect-Altinn @parameters
}

function Get-SimulatorCounters([Parameter(Mandatory)] $Simulator) { Invoke-Simulator -Simulator $Simulator -Path '_sim/counters' }

<# Path of the pwsh that runs the tests, for child processes (crash tests, parallel runs). #>
function Get-PwshCommand {
    if ($env:ALTINNAPP_PWSH_DLL) { return @('dotnet', $env:ALTINNAPP_PWSH_DLL) }
    @('dotnet', (Join-Path $PSHOME 'pwsh.dll'))
}

<# The NuGet global packages folder: packages that build/tools.proj downloads for the tests live there. #>
function Get-NuGetPackagesFolder {
    if ($env:ALTINNAPP_NUGET_PACKAGES) { return $env:ALTINNAPP_NUGET_PACKAGES }
    $line = & dotnet nuget locals global-packages --list
    if ($LASTEXITCODE -ne 0) { throw 'dotnet nuget locals failed: is the .NET SDK on PATH?' }
    (($line | Select-Object -First 1) -replace '^global-packages:\s*', '').Trim()
}

<#
Starts a script file in a fresh pwsh (a binary module cannot be unloaded, so anything about what a
session has loaded needs its own process) and returns at once; Wait-ChildPwsh collects the result.
$Environment is set for the child only.
#>
function Start-ChildPwsh {
    param(
        [Parameter(Mandatory)] [string] $File,
        [string[]] $ArgumentList = @(),
        [hashtable] $Environment = @{}
    )
    $pwsh = Get-PwshCommand
    $info = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
    foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $File) + $ArgumentList) { $info.ArgumentList.Add($a) }
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.UseShellExecute = $false
    $info.Environment['NO_COLOR'] = '1'
    foreach ($key in $Environment.Keys) { $info.Environment[$key] = [string]$Environment[$key] }
    $process = [System.Diagnostics.Process]::Start($info)
    [pscustomobject]@{ File = $File; Process = $process; Output = $process.StandardOutput.ReadToEndAsync(); Error = $process.StandardError.ReadToEndAsync() }
}

<# Waits for a Start-ChildPwsh run: its exit code, stdout and stderr. A run that hangs is killed. #>
function Wait-ChildPwsh {
    param([Parameter(Mandatory)] $Run, [int] $TimeoutSec = 180)
    if (-not $Run.Process.WaitForExit($TimeoutSec * 1000)) {
        $Run.Process.Kill($true)
        throw "The child pwsh running $($Run.File) did not finish within $TimeoutSec s."
    }
    [pscustomobject]@{ ExitCode = $Run.Process.ExitCode; Output = $Run.Output.GetAwaiter().GetResult(); Error = $Run.Error.GetAwaiter().GetResult() }
}

function Invoke-ChildPwsh {
    param(
        [Parameter(Mandatory)] [string] $File,
        [string[]] $ArgumentList = @(),
        [hashtable] $Environment = @{}
    )
    Wait-ChildPwsh (Start-ChildPwsh -File $File -ArgumentList $ArgumentList -Environment $Environment)
}

<# The requests the simulator received (method, path, query, contentType, contentDisposition, parts), oldest first. #>
function Get-SimulatorRequests {
    param([Parameter(Mandatory)] $Simulator, [string] $Method, [string] $PathLike)
    # Invoke-RestMethod hands a JSON array over as one object: unroll it into its entries
    $all = Invoke-Simulator -Simulator $Simulator -Path '_sim/requests' | ForEach-Object { $_ }
    $all | Where-Object { (-not $Method -or $_.method -eq $Method) -and (-not $PathLike -or $_.path -like $PathLike) }
}

function Clear-SimulatorRequests([Parameter(Mandatory)] $Simulator) { Invoke-Simulator -Simulator $Simulator -Method DELETE -Path '_sim/requests' | Out-Null }

<# Every instance the simulator holds, as Storage Instance objects. #>
function Get-SimulatorInstances([Parameter(Mandatory)] $Simulator) { Invoke-Simulator -Simulator $Simulator -Path '_sim/instances' | ForEach-Object { $_ } }

<# The requests that change something (POST/PUT/DELETE to an app), for "nothing was sent" checks. #>
function Get-SimulatorWrites {
    param([Parameter(Mandatory)] $Simulator)
    @(Get-SimulatorRequests -Simulator $Simulator | Where-Object { $_.method -in 'POST', 'PUT', 'DELETE' -and $_.path -notlike '/token*' })
}

<#
    Registers an app on the simulator: a form data type 'model' (content types -ModelContentTypes), an
    'attachment' type and the receipt type, with the given limits and process.
#>
function Register-TestApp {
    param(
        [Parameter(Mandatory)] $Simulator,
        [string] $Org = 'ttd',
        [Parameter(Mandatory)] [string] $App,
        [string[]] $ModelContentTypes = @('application/xml'),
        [string[]] $AttachmentContentTypes = @('application/pdf', 'image/png', 'text/plain'),
        [Nullable[int]] $AttachmentMaxSize = 5,
        [int] $AttachmentMaxCount = 3,
        [switch] $NoAttachmentType,
        [switch] $NoReceiptType,
        [bool] $GenerateReceipt = $true,
        [string[]] $RequiredFields = @('property1'),
        [object[]] $Process = @(@{ id = 'Task_1'; type = 'data'; name = 'Utfylling' })
    )
    $types = [Collections.Generic.List[object]]::new()
    if (-not $NoReceiptType) { $types.Add(@{ id = 'ref-data-as-pdf'; allowedContentTypes = @('application/pdf'); maxCount = 0; minCount = 0 }) }
    $types.Add(@{ id = 'model'; allowedContentTypes = $ModelContentTypes; appLogic = @{ autoCreate = $true; classRef = 'Altinn.App.Models.Model' }; taskId = 'Task_1'; maxCount = 1; minCount = 1 })
    if (-not $NoAttachmentType) {
        $types.Add(@{ id = 'attachment'; allowedContentTypes = $AttachmentContentTypes; maxSize = $AttachmentMaxSize; maxCount = $AttachmentMaxCount; minCount = 0; taskId = 'Task_1' })
    }
    $body = @{
        org = $Org; app = $App
        metadata = @{ id = "$Org/$App"; org = $Org; title = @{ nb = $App }; dataTypes = $types.ToArray(); partyTypesAllowed = @{ organisation = $true } }
        process = $Process
        modelFields = @('property1', 'property2', 'property3')
        requiredFields = $RequiredFields
        receiptFileName = "$App.pdf"
        generateReceipt = $GenerateReceipt
    }
    Invoke-Simulator -Simulator $Simulator -Method POST -Path '_sim/apps' -Body $body | Out-Null
    "$Org/$App"
}

<# A file of the given size (zeros unless -Text), in -Folder. #>
function New-TestFile {
    param([Parameter(Mandatory)] [string] $Folder, [Parameter(Mandatory)] [string] $Name, [long] $Size = 1024, [string] $Text)
    New-Item -ItemType Directory -Force $Folder | Out-Null
    $path = Join-Path $Folder $Name
    if ($Text) { [IO.File]::WriteAllText($path, $Text) }
    else {
        $stream = [IO.File]::Create($path)
        try { if ($Size -gt 0) { $stream.SetLength($Size) } } finally { $stream.Dispose() }
    }
    Get-Item -LiteralPath $path
}

<# A minimal valid PDF, for uploads whose content someone may look at. #>
function New-TestPdf {
    param([Parameter(Mandatory)] [string] $Folder, [string] $Name = 'document.pdf')
    New-TestFile -Folder $Folder -Name $Name -Text "%PDF-1.4`n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj`ntrailer<</Root 1 0 R>>`n%%EOF`n"
}

<# Runs a script block in a new runspace of this process and returns its output and every stream, progress included. #>
function Invoke-InRunspace {
    param([Parameter(Mandatory)] [scriptblock] $ScriptBlock, [hashtable] $Arguments = @{})
    $ps = [powershell]::Create()
    try {
        $null = $ps.AddScript('Import-Module AltinnApp').AddStatement()
        $null = $ps.AddScript($ScriptBlock.ToString())
        foreach ($key in $Arguments.Keys) { $null = $ps.AddParameter($key, $Arguments[$key]) }
        $output = @(); $exception = $null
        try { $output = $ps.Invoke() } catch { $exception = $_.Exception.GetBaseException() }
        [pscustomobject]@{ Output = @($output); Errors = @($ps.Streams.Error); Exception = $exception; Progress = @($ps.Streams.Progress); Verbose = @($ps.Streams.Verbose); Warnings = @($ps.Streams.Warning) }
    } finally { $ps.Dispose() }
}

<# Every grant the simulator's Maskinporten received, decoded: header and payload (most recent last). #>
function Get-SimulatorGrants([Parameter(Mandatory)] $Simulator) {
    # Invoke-RestMethod hands a JSON array over as one object: enumerate it, one grant per pipeline item
    foreach ($grant in (Invoke-Simulator -Simulator $Simulator -Path '_sim/grants')) { $grant }
}

<# The payload of a JWT as a hashtable (no signature check): what a test reads from a token the module handed out. #>
function ConvertFrom-TestJwt([Parameter(Mandatory)] [string] $Token) {
    $part = $Token.Split('.')[1].Replace('-', '+').Replace('_', '/')
    $part += '=' * ((4 - $part.Length % 4) % 4)
    [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($part)) | ConvertFrom-Json -AsHashtable
}

<# An unsigned JWT with the given claims: for inputs the module must refuse before sending anything. #>
function New-TestJwt([Parameter(Mandatory)] [hashtable] $Claims) {
    $header = ConvertTo-Base64Url ([Text.Encoding]::UTF8.GetBytes('{"alg":"RS256","typ":"JWT"}'))
    $payload = ConvertTo-Base64Url ([Text.Encoding]::UTF8.GetBytes(($Claims | ConvertTo-Json -Depth 10 -Compress)))
    "$header.$payload." + (ConvertTo-Base64Url ([byte[]](1..32)))
}

<# A certificate as a PFX whose private key can be exported and stored (CurrentUser\My, files). #>
function ConvertTo-ExportableCertificate([Parameter(Mandatory)] [System.Security.Cryptography.X509Certificates.X509Certificate2] $Certificate) {
    $flags = [System.Security.Cryptography.X509Certificates.X509KeyStorageFlags]'Exportable, PersistKeySet'
    [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($Certificate.Export('Pfx'), [string]$null, $flags)
}

Export-ModuleMember -Function *
