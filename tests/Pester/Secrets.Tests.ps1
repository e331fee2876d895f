#Requires -Modules Pester
# A whole run with -Verbose -Debug under a transcript, an error forced at every stage, in a child pwsh:
# no access token, grant, private key material, password or person number appears in the transcript, any
# of the six streams, any error record, the journal, or any file the run wrote (its folder and its temp folder).

BeforeDiscovery {
    $script:Places = @(
        @{ Place = 'transcript'; Files = @('transcript') }
        @{ Place = 'six streams, as the host showed them and as objects'; Files = @('streams', 'stdout', 'stderr') }
        @{ Place = 'error records (message, ErrorDetails, TargetObject, every inner exception)'; Files = @('errors') }
        @{ Place = 'journal'; Files = @('journal') }
        @{ Place = 'files the run wrote'; Files = @('work') }
        @{ Place = 'temp folder of the run'; Files = @('temp') }
    )
}

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name secrets
    $root = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-secrets-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    # inputs hold the secrets the run is given (key files, passwords); the rest is searched for them
    $inputs = New-Item -ItemType Directory (Join-Path $root 'inputs')
    $capture = New-Item -ItemType Directory (Join-Path $root 'capture')
    $work = New-Item -ItemType Directory (Join-Path $root 'work')
    $temp = New-Item -ItemType Directory (Join-Path $root 'temp')
    $receipts = New-Item -ItemType Directory (Join-Path $work 'receipts')
    $script:Root = $root

    $registered = New-TestRsaJwk
    $unknown = New-TestRsaJwk
    $clientId = Register-TestClient -Simulator $script:Sim -Jwk $registered
    $pemPath = Join-Path $inputs 'client.pem'
    Set-Content -Path $pemPath -Value $registered.Pem -NoNewline
    $certificate = New-TestCertificate -Subject 'CN=Unregistered vendor, O=Test'
    $pfxPassword = 'Pfx-' + [Guid]::NewGuid().ToString('N')
    $wrongPassword = 'Wrong-' + [Guid]::NewGuid().ToString('N')
    $pfxBytes = $certificate.Export('Pfx', $pfxPassword)
    $pfxPath = Join-Path $inputs 'vendor.pfx'
    [IO.File]::WriteAllBytes($pfxPath, $pfxBytes)
    $pfxBase64 = [Convert]::ToBase64String($pfxBytes)
    $rawMaskinporten = New-TestJwt @{ iss = $script:Sim.BaseUri; client_amr = 'private_key_jwt'; client_id = $clientId; exp = [DateTimeOffset]::UtcNow.AddMinutes(2).ToUnixTimeSeconds() }
    $tokenFile = Join-Path $inputs 'tokens.txt'
    $journal = Join-Path $work 'night.journal'
    $person = '08089403198'       # a valid national identity number (the simulator's person party)
    $invalidPerson = '08089403197' # the same with a wrong control digit

    $in = [ordered]@{
        Helpers = (Join-Path $PSScriptRoot 'Support/AltinnTestHelpers.psm1'); BaseUri = $script:Sim.BaseUri; ClientId = $clientId
        PemPath = $pemPath; KeyId = $registered.KeyId; UnknownJwk = $unknown.Private
        PfxPath = $pfxPath; PfxPassword = $pfxPassword; WrongPassword = $wrongPassword; PfxBase64 = $pfxBase64
        RawMaskinportenToken = $rawMaskinporten; PersonNumber = $person; InvalidPersonNumber = $invalidPerson
        TokenFile = $tokenFile; Journal = $journal; Receipts = $receipts.FullName
        Pdf = (New-TestPdf -Folder $inputs -Name 'annual-report.pdf').FullName
        BigPdf = (New-TestFile -Folder $inputs -Name 'scan.pdf' -Size (6MB)).FullName
    }
    $inputsFile = Join-Path $inputs 'inputs.json'
    $in | ConvertTo-Json | Set-Content $inputsFile

    # the run, in a child pwsh whose temp folder is its own
    $pwsh = Get-PwshCommand
    $arguments = @($pwsh[1..($pwsh.Count - 1)]) + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'Support/Invoke-SecretsFlow.ps1'),
        '-Inputs', $inputsFile, '-Capture', $capture.FullName, '-Work', $work.FullName)
    $savedTemp = $env:TMPDIR
    $env:TMPDIR = $temp.FullName
    try {
        $child = Start-Process -FilePath $pwsh[0] -ArgumentList $arguments -PassThru `
            -RedirectStandardOutput (Join-Path $capture 'stdout.txt') -RedirectStandardError (Join-Path $capture 'stderr.txt')
    } finally {
        $env:TMPDIR = $savedTemp
    }
    if (-not $child.WaitForExit(240000)) { $child.Kill($true); throw 'the secrets run did not finish within 4 minutes' }
    $script:ExitCode = $child.ExitCode
    $summaryPath = Join-Path $capture 'summary.json'
    if (-not (Test-Path $summaryPath)) { throw "the secrets run ended without a summary: $(Get-Content -Raw (Join-Path $capture 'stderr.txt'))" }
    $script:Summary = Get-Content -Raw $summaryPath | ConvertFrom-Json

    # ---- the secrets, by name; the values never go into a test message ----
    $secrets = [ordered]@{}
    $tokens = @(Get-Content $tokenFile | Where-Object { $_ })
    $i = 0
    foreach ($token in $tokens) {
        $i++
        $parts = $token.Split('.')
        $secrets["Altinn token $i"] = $token
        $secrets["Altinn token $i payload"] = $parts[1]
        $secrets["Altinn token $i signature"] = $parts[2]
    }
    $secrets['handed-in Maskinporten token'] = $rawMaskinporten
    $script:Grants = @(Get-SimulatorGrants $script:Sim)
    foreach ($grant in $script:Grants) { $secrets["grant jti $($grant.payload.jti)"] = [string]$grant.payload.jti }
    foreach ($key in @(@{ Name = 'registered key'; Jwk = $registered.Private }, @{ Name = 'unknown JWK'; Jwk = $unknown.Private })) {
        $jwk = $key.Jwk | ConvertFrom-Json
        foreach ($field in 'd', 'p', 'q', 'dp', 'dq', 'qi') { $secrets["$($key.Name) '$field'"] = $jwk.$field }
    }
    $pemLines = @($registered.Pem -split '\r?\n' | Where-Object { $_ -and $_ -notmatch '^-----' })
    for ($n = 0; $n -lt $pemLines.Count; $n++) { if ($pemLines[$n].Length -ge 16) { $secrets["PEM body line $($n + 1)"] = $pemLines[$n] } }
    $certificateKey = [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($certificate).ExportParameters($true)
    $secrets['certificate key D (base64)'] = [Convert]::ToBase64String($certificateKey.D).Substring(0, 40)
    $secrets['certificate key D (base64url)'] = (ConvertTo-Base64Url $certificateKey.D).Substring(0, 40)
    $secrets['PFX base64 (start)'] = $pfxBase64.Substring(0, 48)
    $secrets['PFX base64 (middle)'] = $pfxBase64.Substring([int]($pfxBase64.Length / 2), 48)
    $secrets['PFX base64 (end)'] = $pfxBase64.Substring($pfxBase64.Length - 48)
    $secrets['certificate password'] = $pfxPassword
    $secrets['wrong certificate password'] = $wrongPassword
    $secrets['person number'] = $person
    $secrets['invalid person number'] = $invalidPerson
    $script:Secrets = $secrets
    $script:TokenCount = $tokens.Count

    # ---- where to look ----
    function script:Get-TextFiles([string] $Folder) {
        Get-ChildItem -LiteralPath $Folder -Recurse -Force -File -ErrorAction SilentlyContinue | Where-Object { $_.Length -lt 64MB }
    }
    $script:Targets = @{
        transcript = @(Get-Item (Join-Path $capture 'transcript.txt'))
        streams    = @(Get-Item (Join-Path $capture 'streams.txt'))
        stdout     = @(Get-Item (Join-Path $capture 'stdout.txt'))
        stderr     = @(Get-Item (Join-Path $capture 'stderr.txt'))
        errors     = @(Get-Item (Join-Path $capture 'errors.txt'))
        journal    = @(Get-Item $journal)
        work       = @(Get-TextFiles $work)
        temp       = @(Get-TextFiles $temp)
    }

    # the names of the secrets found in a file, read as UTF-8 and as UTF-16 (a Windows PowerShell transcript)
    function script:Find-Secrets([IO.FileInfo] $File) {
        $bytes = [IO.File]::ReadAllBytes($File.FullName)
        $texts = @([Text.Encoding]::UTF8.GetString($bytes), [Text.Encoding]::Unicode.GetString($bytes))
        foreach ($name in $script:Secrets.Keys) {
            $value = $script:Secrets[$name]
            if ($texts | Where-Object { $_.Contains($value) }) { "$name in $($File.Name)" }
        }
        foreach ($text in $texts) {
            if ($text -match 'eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.') { "a JWT (token or grant) in $($File.Name)" }
            if ($text -match '-----BEGIN [A-Z ]*PRIVATE KEY-----') { "a PEM private key in $($File.Name)" }
            if ($text -match 'assertion=(?!\[redacted\])[A-Za-z0-9]') { "a grant assertion in $($File.Name)" }
        }
    }
}

AfterAll {
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Root -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Secrets through a whole run with -Verbose -Debug and an error at every stage' {
    It 'forced an error at every stage, and still carried the submission to its receipt' {
        $script:ExitCode | Should -Be 0
        $script:Summary.Reached | Should -Be @('connect', 'create', 'set data', 'upload', 'process next', 'receipt')
        $expected = @(
            'Altinn.Certificate.CannotOpen', 'Altinn.Maskinporten.KeyNotAccepted', 'Altinn.AccessToken.NotExchanged'  # connect
            'Altinn.NewInstance.Forbidden', 'Altinn.InvalidPersonNumber', 'Altinn.NewInstance.ServiceUnavailable'      # create
            'Altinn.SetData.InvalidXml', 'Altinn.SetData.ServiceUnavailable'                                            # set data
            'Altinn.AddAttachment.TooLarge', 'Altinn.AddAttachment.ConnectionFailed'                                    # upload
            'Altinn.ProcessNext.ValidationFailed'                                                                       # process next
            'Altinn.SaveReceipt.ProcessNotEnded', 'Altinn.SaveReceipt.FolderMissing', 'Altinn.SaveReceipt.ServiceUnavailable' # receipt
        )
        foreach ($id in $expected) { $script:Summary.ErrorIds | Should -Contain $id }
        @(Get-ChildItem (Join-Path $script:Root 'work/receipts') -Filter *.pdf) | Should -HaveCount 1
        (Get-AltinnJournal -Path (Join-Path $script:Root 'work/night.journal')).State | Should -Be 'ReceiptSaved'
    }

    It 'captured every stream the module writes to, and looked for real secrets' {
        $script:Summary.Streams.Output | Should -BeGreaterThan 5
        $script:Summary.Streams.Error | Should -BeGreaterOrEqual 14
        $script:Summary.Streams.Verbose | Should -BeGreaterThan 20
        $script:Summary.Streams.Debug | Should -BeGreaterThan 20 -Because '-Debug shows the requests and the token renewals'
        $script:TokenCount | Should -BeGreaterOrEqual 2 -Because 'a token before and after the revocation'
        $script:Tokens = Get-Content (Join-Path $script:Root 'inputs/tokens.txt')
        $script:Tokens[0] | Should -Not -Be $script:Tokens[1] -Because 'the revoked token was renewed'
        @($script:Grants).Count | Should -BeGreaterOrEqual 3 -Because 'grants were signed with every key Maskinporten saw'
        $script:Secrets.Count | Should -BeGreaterThan 30
        $script:Summary.TempPath.TrimEnd('/', '\') | Should -Be (Join-Path $script:Root 'temp') -Because 'the temp folder searched is the one the run used'
        Get-Content -Raw (Join-Path $script:Root 'capture/transcript.txt') | Should -Match 'DEBUG: '
        Get-Content -Raw (Join-Path $script:Root 'capture/transcript.txt') | Should -Match 'VERBOSE: '
    }

    It 'masks the person number where it names the owner' {
        $errors = Get-Content -Raw (Join-Path $script:Root 'capture/errors.txt')
        $errors | Should -Match 'person 080894\*{5}' -Because 'the refused create names the owner, masked'
        $errors | Should -Match "-PersonNumber '080894\*{5}'" -Because 'the invalid number is named, masked'
    }

    It 'no secret in the <Place>' -ForEach $script:Places {
        $files = @($Files | ForEach-Object { $script:Targets[$_] } | Where-Object { $_ })
        if ($Place -ne 'temp folder of the run') { $files | Should -Not -BeNullOrEmpty -Because "the $Place must have been written to be searched" }
        $found = @(foreach ($file in $files) { Find-Secrets $file })
        $found | Should -BeNullOrEmpty
    }
}
