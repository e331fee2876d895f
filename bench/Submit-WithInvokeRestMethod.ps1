<#
.SYNOPSIS
    Submits annual accounts (brg/aarsregnskap) with Invoke-RestMethod only, the way Altinn's app API
    guide describes it: what a user writes without AltinnApp. The benchmark's "script" contender.
.DESCRIPTION
    1. Signs a Maskinporten JWT grant for the system user with the client's private JWK (.NET RSA, RS256),
       posts it to Maskinporten and exchanges the answer for an Altinn token, once; the token is reused
       for every submission.
    2. Per submission: POST instances/create with a prefill, PUT the form data, PUT process/next,
       GET the instance, then GET the ref-data-as-pdf element into a file.

    Every submission writes one object: the instance id, the receipt file and how long each step took.
    No retries, no token renewal, no error mapping: a failed call stops the script.
.EXAMPLE
    ./Submit-WithInvokeRestMethod.ps1 -ClientId $clientId -JwkPath ~/.altinn/client.jwk.json -OrganizationNumber 950474084 -Count 10
#>
[CmdletBinding(DefaultParameterSetName = 'JwkPath')]
param(
    [Parameter(Mandatory)] [string] $ClientId,
    [Parameter(Mandatory, ParameterSetName = 'Jwk')] [string] $Jwk,
    [Parameter(Mandatory, ParameterSetName = 'JwkPath')] [string] $JwkPath,
    [Parameter(Mandatory)] [string] $OrganizationNumber,
    [string] $App = 'brg/aarsregnskap',
    [ValidateRange(1, 100000)] [int] $Count = 1,
    [string] $ReceiptFolder = './receipts',
    [string] $MaskinportenUri = 'https://test.maskinporten.no/',
    [string] $PlatformUri = 'https://platform.tt02.altinn.no/',
    # where the app is served; {org} is replaced by the app's owner
    [string] $AppBaseUri = 'https://{org}.apps.tt02.altinn.no/'
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

function ConvertTo-Base64Url([byte[]] $Bytes) {
    [Convert]::ToBase64String($Bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_')
}

function ConvertFrom-Base64Url([string] $Text) {
    $padded = $Text.Replace('-', '+').Replace('_', '/')
    switch ($padded.Length % 4) { 2 { $padded += '==' } 3 { $padded += '=' } }
    [Convert]::FromBase64String($padded)
}

function New-MaskinportenGrant {
    param($Key, [string] $Audience)
    $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
    $header = [ordered]@{ alg = 'RS256'; kid = $Key.kid; typ = 'JWT' }
    $claims = [ordered]@{
        aud                   = $Audience
        iss                   = $ClientId
        scope                 = 'altinn:instances.read altinn:instances.write'
        iat                   = $now
        exp                   = $now + 60
        jti                   = [Guid]::NewGuid().ToString()
        authorization_details = @(@{
                type           = 'urn:altinn:systemuser'
                systemuser_org = @{ authority = 'iso6523-actorid-upis'; ID = "0192:$OrganizationNumber" }
            })
    }
    $utf8 = [Text.Encoding]::UTF8
    $unsigned = (ConvertTo-Base64Url $utf8.GetBytes(($header | ConvertTo-Json -Compress))) + '.' +
        (ConvertTo-Base64Url $utf8.GetBytes(($claims | ConvertTo-Json -Compress -Depth 5)))
    $rsa = [Security.Cryptography.RSA]::Create()
    try {
        $parameters = [Security.Cryptography.RSAParameters]::new()
        $parameters.Modulus = ConvertFrom-Base64Url $Key.n
        $parameters.Exponent = ConvertFrom-Base64Url $Key.e
        $parameters.D = ConvertFrom-Base64Url $Key.d
        $parameters.P = ConvertFrom-Base64Url $Key.p
        $parameters.Q = ConvertFrom-Base64Url $Key.q
        $parameters.DP = ConvertFrom-Base64Url $Key.dp
        $parameters.DQ = ConvertFrom-Base64Url $Key.dq
        $parameters.InverseQ = ConvertFrom-Base64Url $Key.qi
        $rsa.ImportParameters($parameters)
        $signature = $rsa.SignData($utf8.GetBytes($unsigned), [Security.Cryptography.HashAlgorithmName]::SHA256, [Security.Cryptography.RSASignaturePadding]::Pkcs1)
    } finally { $rsa.Dispose() }
    $unsigned + '.' + (ConvertTo-Base64Url $signature)
}

# --- log in: Maskinporten grant -> Maskinporten token -> Altinn token (reference §2) ---
$keyJson = if ($PSCmdlet.ParameterSetName -eq 'Jwk') { $Jwk } else { Get-Content -Raw -LiteralPath $JwkPath }
$key = $keyJson | ConvertFrom-Json
$maskinporten = $MaskinportenUri.TrimEnd('/') + '/'
$grant = New-MaskinportenGrant -Key $key -Audience $maskinporten
$tokenResponse = Invoke-RestMethod -Method Post -Uri ($maskinporten + 'token') -ContentType 'application/x-www-form-urlencoded' `
    -Body @{ grant_type = 'urn:ietf:params:oauth:grant-type:jwt-bearer'; assertion = $grant }
$altinnToken = Invoke-RestMethod -Uri ($PlatformUri.TrimEnd('/') + '/authentication/api/v1/exchange/maskinporten') `
    -Headers @{ Authorization = "Bearer $($tokenResponse.access_token)" }
$headers = @{ Authorization = "Bearer $($altinnToken.Trim('"'))" }
Remove-Variable grant, tokenResponse, altinnToken, key, keyJson

$org = $App.Split('/')[0]
$appUri = $AppBaseUri.Replace('{org}', $org).TrimEnd('/') + "/$App"
New-Item -ItemType Directory -Force $ReceiptFolder | Out-Null
$clock = [Diagnostics.Stopwatch]::new()

for ($i = 0; $i -lt $Count; $i++) {
    $clock.Restart()

    # 1.1 create with a JSON prefill
    $body = @{ instanceOwner = @{ organisationNumber = $OrganizationNumber }; prefill = @{ property1 = 'value1' } } | ConvertTo-Json
    $instance = Invoke-RestMethod -Method Post -Uri "$appUri/instances/create" -Headers $headers -ContentType 'application/json' -Body $body
    $create = $clock.Elapsed.TotalMilliseconds

    # 2 update the form data
    $model = $instance.data | Where-Object dataType -EQ 'model' | Select-Object -First 1
    $data = @{ property1 = 'value4'; property2 = 'value5'; property3 = 'value6' } | ConvertTo-Json
    $null = Invoke-RestMethod -Method Put -Uri "$appUri/instances/$($instance.id)/data/$($model.id)/type/model?language=nb" -Headers $headers -ContentType 'application/json' -Body $data
    $setData = $clock.Elapsed.TotalMilliseconds

    # 3 move the process on, then read the instance to find the receipt
    $null = Invoke-RestMethod -Method Put -Uri "$appUri/instances/$($instance.id)/process/next" -Headers $headers -ContentType 'application/json'
    $instance = Invoke-RestMethod -Uri "$appUri/instances/$($instance.id)" -Headers $headers
    $processNext = $clock.Elapsed.TotalMilliseconds

    # 4 download the receipt PDF
    $pdf = $instance.data | Where-Object dataType -EQ 'ref-data-as-pdf' | Select-Object -First 1
    $file = Join-Path $ReceiptFolder ($instance.id.Replace('/', '-') + '.pdf')
    Invoke-RestMethod -Uri "$appUri/instances/$($instance.id)/data/$($pdf.id)/type/ref-data-as-pdf?language=nb" -Headers ($headers + @{ Accept = 'application/pdf' }) -OutFile $file
    $receipt = $clock.Elapsed.TotalMilliseconds

    [pscustomobject]@{
        InstanceId    = $instance.id
        Receipt       = $file
        CreateMs      = $create
        SetDataMs     = $setData - $create
        ProcessNextMs = $processNext - $setData
        ReceiptMs     = $receipt - $processNext
        TotalMs       = $receipt
    }
}
