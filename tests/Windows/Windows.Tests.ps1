#Requires -Modules Pester
<#
    What only Windows can show, in the edition that runs this file (the CI matrix runs it in pwsh and in
    powershell.exe): the installed module imports, submits against the simulator with every Windows key
    source, makes a key as a standard user in a scheduled task, lives beside Az.Accounts and
    Microsoft.Graph.Authentication, takes a long path and a Norwegian culture. Invoke-WindowsChecks.ps1 runs it.
    Windows PowerShell 5.1-safe: the Linux suite (WindowsScripts.Tests.ps1) parses it for 7-only syntax.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'WindowsTestHelpers.psm1') -Force
    $script:Sim = Start-AltinnSimulator -Name windows
    $script:Work = Join-Path $TestDrive 'work'
    New-Item -ItemType Directory -Force $script:Work | Out-Null
    $script:SubmitScript = Join-Path $PSScriptRoot 'Submit-Check.ps1'

    function Invoke-Submission {
        param([string] $ClientId, [string] $KeySource, [string] $Key, [string] $Password = '', [string] $Receipts = '',
            [string] $Before = '', [string] $After = '', [string] $Culture = '')
        if (-not $Receipts) { $Receipts = Join-Path $script:Work ('receipts-' + [Guid]::NewGuid().ToString('N').Substring(0, 8)) }
        $arguments = @('-Simulator', $script:Sim.BaseUri, '-ClientId', $ClientId, '-KeySource', $KeySource, '-Key', $Key, '-Receipts', $Receipts)
        if ($Password) { $arguments += @('-Password', $Password) }
        if ($Before) { $arguments += @('-Before', $Before) }
        if ($After) { $arguments += @('-After', $After) }
        if ($Culture) { $arguments += @('-Culture', $Culture) }
        Get-ChildReport (Invoke-ChildShell -File $script:SubmitScript -ArgumentList $arguments)
    }

    function New-JwkClient {
        $key = New-TestRsaJwk
        $path = Join-Path $script:Work ($key.KeyId + '.jwk.json')
        # as a 5.1 user writes it: Out-File is UTF-16 there (UTF-8 on 7)
        $key.Private | Out-File -FilePath $path
        New-Object psobject -Property @{ ClientId = (Register-TestClient -Simulator $script:Sim -Jwk $key); Path = $path; Key = $key }
    }

    $script:CngThumbprint = New-StoreCertificate -Provider 'Microsoft Software Key Storage Provider'
    $script:CspThumbprint = New-StoreCertificate -Provider 'Microsoft Enhanced RSA and AES Cryptographic Provider'
    $script:CngClient = Register-TestClient -Simulator $script:Sim -Certificate @(Get-Item "Cert:\CurrentUser\My\$script:CngThumbprint")
    $script:CspClient = Register-TestClient -Simulator $script:Sim -Certificate @(Get-Item "Cert:\CurrentUser\My\$script:CspThumbprint")
}

AfterAll {
    foreach ($thumbprint in @($script:CngThumbprint, $script:CspThumbprint)) {
        if ($thumbprint) { Remove-Item "Cert:\CurrentUser\My\$thumbprint" -DeleteKey -ErrorAction SilentlyContinue }
    }
    Stop-AltinnSimulator $script:Sim
}

Describe 'Import in this edition' {
    It 'loads the engine built for this runtime, from the installed module' {
        $jwk = New-JwkClient
        $report = Invoke-Submission -ClientId $jwk.ClientId -KeySource JwkPath -Key $jwk.Path
        $report.Edition | Should -Be $PSVersionTable.PSEdition
        if ($PSVersionTable.PSEdition -eq 'Desktop') {
            $report.Engine | Should -BeLike '*\Dependencies\Desktop\AltinnApp.Core.dll'
            # the netstandard placeholder that throws on .NET Framework must never load
            @($report.Loaded | Where-Object { $_ -like '*System.Security.Cryptography.Cng.dll' }) | Should -BeNullOrEmpty
        } else {
            $report.Engine | Should -BeLike '*\Dependencies\AltinnApp.Core.dll'
        }
    }
}

Describe 'A submission with each key source' {
    It 'a JWK file as <Writer> writes it' -ForEach @(
        @{ Writer = 'Out-File' }
        @{ Writer = 'Set-Content -Encoding UTF8' }
    ) {
        $jwk = New-JwkClient
        if ($Writer -ne 'Out-File') { Set-Content -Path $jwk.Path -Value $jwk.Key.Private -Encoding UTF8 }
        $report = Invoke-Submission -ClientId $jwk.ClientId -KeySource JwkPath -Key $jwk.Path
        $report.ErrorId | Should -BeNullOrEmpty -Because "$($report.Message)"
        $report.Submitted | Should -BeTrue
        $report.ReceiptBytes | Should -BeGreaterThan 0
    }

    It 'a PFX file with a password' {
        $pfx = Join-Path $script:Work 'client.pfx'
        $password = 'Pfx-' + [Guid]::NewGuid().ToString('N')
        $certificate = Get-Item "Cert:\CurrentUser\My\$script:CngThumbprint"
        [IO.File]::WriteAllBytes($pfx, $certificate.Export([Security.Cryptography.X509Certificates.X509ContentType]::Pfx, $password))
        $report = Invoke-Submission -ClientId $script:CngClient -KeySource CertificatePath -Key $pfx -Password $password
        $report.ErrorId | Should -BeNullOrEmpty -Because "$($report.Message)"
        $report.Submitted | Should -BeTrue
    }

    It 'a certificate object whose key is in <Store>' -ForEach @(
        @{ Store = 'a CNG key storage provider'; Kind = 'Cng' }
        @{ Store = 'a legacy CryptoAPI CSP'; Kind = 'Csp' }
    ) {
        $thumbprint = if ($Kind -eq 'Cng') { $script:CngThumbprint } else { $script:CspThumbprint }
        $client = if ($Kind -eq 'Cng') { $script:CngClient } else { $script:CspClient }
        $report = Invoke-Submission -ClientId $client -KeySource Certificate -Key $thumbprint
        $report.ErrorId | Should -BeNullOrEmpty -Because "$($report.Message)"
        $report.Submitted | Should -BeTrue
    }

    It 'a store thumbprint whose key is in <Store>' -ForEach @(
        @{ Store = 'a CNG key storage provider'; Kind = 'Cng' }
        @{ Store = 'a legacy CryptoAPI CSP'; Kind = 'Csp' }
    ) {
        $thumbprint = if ($Kind -eq 'Cng') { $script:CngThumbprint } else { $script:CspThumbprint }
        $client = if ($Kind -eq 'Cng') { $script:CngClient } else { $script:CspClient }
        $report = Invoke-Submission -ClientId $client -KeySource CertificateThumbprint -Key $thumbprint
        $report.ErrorId | Should -BeNullOrEmpty -Because "$($report.Message)"
        $report.Submitted | Should -BeTrue
    }
}

Describe 'Beside Az.Accounts and Microsoft.Graph.Authentication' {
    It 'submits with them imported <When> AltinnApp, and they still work' -ForEach @(
        @{ When = 'before' }
        @{ When = 'after' }
    ) {
        foreach ($name in 'Az.Accounts', 'Microsoft.Graph.Authentication') {
            Get-Module -ListAvailable $name | Should -Not -BeNullOrEmpty -Because "the workflow installs $name (Install-Module $name -Scope CurrentUser)"
        }
        $jwk = New-JwkClient
        $others = 'Az.Accounts,Microsoft.Graph.Authentication'
        if ($When -eq 'before') { $report = Invoke-Submission -ClientId $jwk.ClientId -KeySource JwkPath -Key $jwk.Path -Before $others }
        else { $report = Invoke-Submission -ClientId $jwk.ClientId -KeySource JwkPath -Key $jwk.Path -After $others }
        $report.ErrorId | Should -BeNullOrEmpty -Because "$($report.Message)"
        $report.Submitted | Should -BeTrue
        $report.AzAccounts | Should -Be 'ok'
        $report.Graph | Should -Be 'ok'
    }
}

Describe 'Paths and cultures' {
    It 'saves a receipt into a folder whose path is longer than 260 characters, or says why not' {
        $long = $script:Work
        foreach ($part in ('a' * 90), ('b' * 90), ('c' * 90)) { $long = Join-Path $long $part }
        $long.Length | Should -BeGreaterThan 260
        $jwk = New-JwkClient
        $report = Invoke-Submission -ClientId $jwk.ClientId -KeySource JwkPath -Key $jwk.Path -Receipts $long
        if ($report.ErrorId) {
            # Windows without long paths enabled: a clear error of the module's own, never a raw .NET one
            $report.ErrorId | Should -BeLike 'Altinn.*'
            $report.Message | Should -Match ([regex]::Escape('aaaaaaaaaa'))
        } else {
            $report.Submitted | Should -BeTrue
            $report.Receipt.Length | Should -BeGreaterThan 260
        }
    }

    It 'submits under nb-NO (decimal comma, Norwegian dates)' {
        $jwk = New-JwkClient
        $report = Invoke-Submission -ClientId $jwk.ClientId -KeySource JwkPath -Key $jwk.Path -Culture 'nb-NO'
        $report.ErrorId | Should -BeNullOrEmpty -Because "$($report.Message)"
        $report.Submitted | Should -BeTrue
    }
}

Describe 'New-AltinnSigningKey as a standard user in a scheduled task' {
    It 'writes a key the user can use and other users cannot read' {
        $principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
        $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator) | Should -BeTrue -Because 'making a user and a task needs an administrator (the CI runner is one)'

        $user = 'altchk' + [Guid]::NewGuid().ToString('N').Substring(0, 8)
        $password = 'Aa1!' + [Guid]::NewGuid().ToString('N')
        $folder = Join-Path $env:SystemDrive ('AltinnAppCheck-' + $user)
        $task = 'AltinnApp check ' + $user
        try {
            & net.exe user $user $password /add /y | Out-Null
            $LASTEXITCODE | Should -Be 0
            New-Item -ItemType Directory -Force $folder | Out-Null
            & icacls.exe $folder /grant "${user}:(OI)(CI)M" | Out-Null
            # the module where the user's task finds it: the task's account has no CurrentUser scope of ours
            $installed = (Get-Module -ListAvailable AltinnApp | Select-Object -First 1).ModuleBase
            Copy-Item $installed (Join-Path $folder 'AltinnApp') -Recurse
            $keyPath = Join-Path $folder 'key.jwk.json'
            $resultPath = Join-Path $folder 'result.json'
            $script = Join-Path $folder 'make-key.ps1'
            Set-Content -Path $script -Encoding UTF8 -Value @"
`$ErrorActionPreference = 'Stop'
try {
    Import-Module '$folder\AltinnApp\AltinnApp.psd1'
    `$key = New-AltinnSigningKey -Path '$keyPath'
    @{ User = [Environment]::UserName; KeyId = `$key.KeyId; Path = `$key.Path } | ConvertTo-Json -Compress | Set-Content -Path '$resultPath' -Encoding UTF8
} catch {
    @{ User = [Environment]::UserName; ErrorId = `$_.FullyQualifiedErrorId; Message = `$_.Exception.Message } | ConvertTo-Json -Compress | Set-Content -Path '$resultPath' -Encoding UTF8
}
"@
            $run = '"' + (Get-ShellPath) + '" -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "' + $script + '"'
            & schtasks.exe /Create /TN $task /TR $run /SC ONCE /ST 23:59 /RU $user /RP $password /RL LIMITED /F | Out-Null
            $LASTEXITCODE | Should -Be 0
            & schtasks.exe /Run /TN $task | Out-Null
            $deadline = [DateTime]::UtcNow.AddMinutes(3)
            while (-not (Test-Path $resultPath) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Seconds 2 }
            Test-Path $resultPath | Should -BeTrue -Because 'the task ran and wrote its result'
            $result = Get-Content -Raw -Encoding UTF8 $resultPath | ConvertFrom-Json
            $result.PSObject.Properties['ErrorId'] | Should -BeNullOrEmpty -Because "$($result.PSObject.Properties['Message'])"
            $result.User | Should -Be $user
            $readers = @((Get-Acl $keyPath).Access | ForEach-Object { $_.IdentityReference.Value })
            $readers | Where-Object { $_ -match '\\Users$|^Everyone$|Authenticated Users' } | Should -BeNullOrEmpty
            $readers | Where-Object { $_ -like "*\$user" } | Should -Not -BeNullOrEmpty
        } finally {
            & schtasks.exe /Delete /TN $task /F 2>$null | Out-Null
            & net.exe user $user /delete 2>$null | Out-Null
            Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
}
