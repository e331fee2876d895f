#Requires -Modules Pester
# Tokens over time: renewal by itself mid-batch (one fetch per token lifetime, counted on the
# simulator), the 401 path, one fetch for many runspaces, sessions side by side, proxy and timeout.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name auth-renewal
    $script:Connect = Get-SimulatorConnectParameters $script:Sim

    function Set-TokenLifetime($Simulator, [int] $Seconds) {
        Invoke-Simulator -Simulator $Simulator -Method PUT -Path '_sim/settings' -Body @{ altinnTokenLifetimeSeconds = $Seconds } | Out-Null
    }

    function Get-Count($Simulator, [string] $Key) { [int](Get-SimulatorCounters $Simulator).requests.$Key }

    $script:ActiveRoute = 'GET /{org}/{app}/instances/{instanceOwnerPartyId}/active'
}

AfterAll {
    Get-AltinnSession | Disconnect-Altinn
    Stop-AltinnSimulator $script:Sim
}

Describe 'Token renewal in a long batch' {
    AfterEach { Set-TokenLifetime $script:Sim 1800 }

    It 'renews the token by itself: every call succeeds, about one token per token lifetime' {
        $lifetime = 6
        Set-TokenLifetime $script:Sim $lifetime
        $session = Connect-TestSession -Simulator $script:Sim
        Invoke-Simulator -Simulator $script:Sim -Method DELETE -Path '_sim/counters' | Out-Null

        $watch = [Diagnostics.Stopwatch]::StartNew()
        $calls = 0; $failures = 0; $staleUses = 0
        while ($watch.Elapsed.TotalSeconds -lt 15) {
            try { Get-AltinnInstance -Active -PartyId 500700 -ForApp brg/aarsregnskap -Session $session -ErrorAction Stop | Out-Null } catch { $failures++ }
            $calls++
            if ($session.TokenExpiresOn -le [DateTimeOffset]::UtcNow) { $staleUses++ }
            Start-Sleep -Milliseconds 250
        }
        $elapsed = $watch.Elapsed.TotalSeconds

        $failures | Should -Be 0
        $staleUses | Should -Be 0 -Because 'the token in use never reaches its expiry'
        $counters = Get-SimulatorCounters $script:Sim
        $counters.requests.$script:ActiveRoute | Should -Be $calls -Because 'no call was refused and repeated'
        $fetched = $counters.altinnTokensIssued
        $counters.requests.'POST /token' | Should -Be $fetched
        # renewed when a quarter of the lifetime is left: about one token per 0.75 lifetimes, never one per call
        $fetched | Should -BeGreaterOrEqual ([Math]::Floor($elapsed / $lifetime))
        $fetched | Should -BeLessOrEqual ([Math]::Ceiling($elapsed / ($lifetime * 0.75)) + 1)
        $calls | Should -BeGreaterThan (3 * $fetched)
    }

    It 'renews once for 8 runspaces of ForEach-Object -Parallel sharing one session' {
        Set-TokenLifetime $script:Sim 10
        $session = Connect-TestSession -Simulator $script:Sim
        # warm the module up in parallel runspaces so they are ready together later
        1..8 | ForEach-Object -Parallel { Import-Module AltinnApp } -ThrottleLimit 8
        # wait until the token is inside its renewal margin (the last quarter), but not yet expired
        $renewFrom = $session.TokenExpiresOn.AddSeconds(-2)
        while ([DateTimeOffset]::UtcNow -lt $renewFrom) { Start-Sleep -Milliseconds 100 }
        $before = Get-SimulatorCounters $script:Sim
        $start = [DateTime]::UtcNow.AddSeconds(1)

        # -UseNewRunspace: on a loaded machine a pooled runspace can be handed a second item before the eighth has started
        $results = 1..8 | ForEach-Object -ThrottleLimit 8 -UseNewRunspace -Parallel {
            Import-Module AltinnApp
            while ([DateTime]::UtcNow -lt $using:start) { Start-Sleep -Milliseconds 10 }
            $active = Get-AltinnInstance -Active -PartyId 500700 -ForApp brg/aarsregnskap -Session $using:session -ErrorAction Stop
            [pscustomobject]@{ Runspace = [runspace]::DefaultRunspace.Id; Ok = $true; Count = @($active).Count }
        }

        @($results) | Should -HaveCount 8
        @($results.Runspace | Select-Object -Unique) | Should -HaveCount 8
        $after = Get-SimulatorCounters $script:Sim
        ($after.altinnTokensIssued - $before.altinnTokensIssued) | Should -Be 1
        ($after.requests.'POST /token' - $before.requests.'POST /token') | Should -Be 1
        ($after.requests.$script:ActiveRoute - $before.requests.$script:ActiveRoute) | Should -Be 8
        $session.TokenFetchCount | Should -Be 2
    }
}

Describe 'A 401 from an app' {
    It 'renews the token once and repeats the request once, when the server no longer accepts the old token' {
        $session = Connect-TestSession -Simulator $script:Sim
        $oldToken = Get-AltinnAccessToken -Session $session -AsPlainText
        # as after a revocation or a key rotation at Altinn: tokens issued so far are refused with 401
        Invoke-Simulator -Simulator $script:Sim -Method POST -Path '_sim/tokens/revoke' | Out-Null
        Invoke-Simulator -Simulator $script:Sim -Method DELETE -Path '_sim/requests' | Out-Null
        $before = Get-SimulatorCounters $script:Sim

        $log = Get-AltinnInstance -Active -PartyId 500700 -ForApp brg/aarsregnskap -Session $session -ErrorAction Stop -Verbose 4>&1
        ($log | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" | Should -Match '401 Unauthorized; renewing the Altinn token and repeating the request once'

        $after = Get-SimulatorCounters $script:Sim
        ($after.requests.$script:ActiveRoute - $before.requests.$script:ActiveRoute) | Should -Be 2 -Because 'the refused request and its one repetition'
        ($after.requests.'POST /token' - $before.requests.'POST /token') | Should -Be 1
        ($after.altinnTokensIssued - $before.altinnTokensIssued) | Should -Be 1
        $statuses = @(Invoke-Simulator -Simulator $script:Sim -Path '_sim/requests' | ForEach-Object { $_ } | Where-Object path -like '*/active' | ForEach-Object status)
        $statuses | Should -Be @(401, 200)
        Get-AltinnAccessToken -Session $session -AsPlainText | Should -Not -Be $oldToken
    }

    It 'stops after one renewal when the app refuses the new token too' {
        # tokens from one simulator, apps on another whose key never accepts them
        $apps = Start-AltinnSimulator -Name auth-401-apps
        try {
            $key = New-TestRsaJwk
            $client = Register-TestClient -Simulator $script:Sim -Jwk $key
            $session = Connect-Altinn -MaskinportenUri $script:Sim.BaseUri -PlatformUri $script:Sim.BaseUri -AppBaseUri $apps.BaseUri -ClientId $client -Jwk $key.Private -SystemUserOrganization 950474084 -PassThru
            $before = (Get-SimulatorCounters $script:Sim).altinnTokensIssued

            $err = { Get-AltinnInstance -Active -PartyId 500700 -ForApp brg/aarsregnskap -Session $session -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -Match '^Altinn\.[A-Za-z]+\.Unauthorized,'
            $err.Exception.Message | Should -Match '401.*even after renewing'
            (Get-SimulatorCounters $apps).requests.$script:ActiveRoute | Should -Be 2
            (Get-SimulatorCounters $script:Sim).altinnTokensIssued | Should -Be ($before + 1)
        } finally {
            Stop-AltinnSimulator $apps
        }
    }
}

Describe 'Sessions side by side' {
    It 'keeps two system-user organisations apart in one script' {
        $first = Connect-TestSession -Simulator $script:Sim -Organization 950474084
        $second = Connect-TestSession -Simulator $script:Sim -Organization 310461598
        (Get-AltinnSession).Id | Should -Be $second.Id

        (ConvertFrom-TestJwt (Get-AltinnAccessToken -Session $first -AsPlainText)).authorization_details.systemuser_org.ID | Should -Be '0192:950474084'
        (ConvertFrom-TestJwt (Get-AltinnAccessToken -AsPlainText)).authorization_details.systemuser_org.ID | Should -Be '0192:310461598'

        $a = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Session $first
        $b = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 310461598
        $a.Session.Id | Should -Be $first.Id
        $b.Session.Id | Should -Be $second.Id

        Disconnect-Altinn -Session $first
        $first.IsDisconnected | Should -BeTrue
        (Get-AltinnSession).Id | Should -Be $second.Id
        ($b | Get-AltinnInstance).Owner | Should -Be '310461598'
        $err = { $a | Get-AltinnInstance } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Session.Disconnected,*'
    }

    It 'keeps the current session per runspace' {
        $session = Connect-TestSession -Simulator $script:Sim
        $seen = 1..2 | ForEach-Object -Parallel {
            Import-Module AltinnApp
            $own = Get-AltinnSession
            $notConnected = try { Get-AltinnAccessToken; 'no error' } catch { $_.FullyQualifiedErrorId }
            $withSession = (Get-AltinnAccessToken -Session $using:session -AsPlainText).Length -gt 0
            [pscustomobject]@{ Own = $own; NotConnected = $notConnected; WithSession = $withSession }
        }
        $seen.Own | Should -BeNullOrEmpty
        $seen.NotConnected | ForEach-Object { $_ | Should -BeLike 'Altinn.Session.NotConnected,*' }
        $seen.WithSession | Should -Be @($true, $true)
        (Get-AltinnSession).Id | Should -Be $session.Id
    }
}

Describe 'Network settings' {
    It 'keeps requests to this machine away from -Proxy, so the proxy never sees their tokens' {
        # a small forward proxy: asks for Basic credentials (407), then relays each request and records it
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $seen = [System.Collections.Concurrent.ConcurrentQueue[string]]::new()
        $proxyJob = Start-ThreadJob -ArgumentList $listener, $seen {
            param($listener, $seen)
            $http = [System.Net.Http.HttpClient]::new()
            while ($true) {
                try { $client = $listener.AcceptTcpClient() } catch { break }
                try {
                    $client.ReceiveTimeout = 5000
                    $stream = $client.GetStream()
                    # the head byte by byte: a buffered reader would swallow the start of the body
                    $headBytes = [Collections.Generic.List[byte]]::new()
                    while ($headBytes.Count -lt 4 -or [Text.Encoding]::ASCII.GetString($headBytes.GetRange($headBytes.Count - 4, 4).ToArray()) -ne "`r`n`r`n") {
                        $b = $stream.ReadByte(); if ($b -lt 0) { break }; $headBytes.Add([byte]$b)
                    }
                    $head = @([Text.Encoding]::ASCII.GetString($headBytes.ToArray()).Split("`r`n") | Where-Object { $_ })
                    if ($head.Count -eq 0) { continue }
                    $method, $target, $null = $head[0].Split(' ')
                    $headers = @{}
                    foreach ($h in $head | Select-Object -Skip 1) { $i = $h.IndexOf(':'); $headers[$h.Substring(0, $i).Trim()] = $h.Substring($i + 1).Trim() }
                    $body = [byte[]]::new([int]($headers['Content-Length'] ?? 0))
                    for ($read = 0; $read -lt $body.Length) { $n = $stream.Read($body, $read, $body.Length - $read); if ($n -le 0) { break }; $read += $n }
                    if (-not $headers['Proxy-Authorization']) {
                        $answer = "HTTP/1.1 407 Proxy Authentication Required`r`nProxy-Authenticate: Basic realm=`"test`"`r`nContent-Length: 0`r`nConnection: close`r`n`r`n"
                        $bytes = [Text.Encoding]::ASCII.GetBytes($answer); $stream.Write($bytes, 0, $bytes.Length)
                        continue
                    }
                    $credential = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($headers['Proxy-Authorization'].Substring(6)))
                    $seen.Enqueue("$method $target as $credential")
                    $request = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::new($method), $target)
                    if ($body.Length) {
                        $request.Content = [System.Net.Http.ByteArrayContent]::new($body)
                        if ($headers['Content-Type']) { $request.Content.Headers.TryAddWithoutValidation('Content-Type', $headers['Content-Type']) | Out-Null }
                    }
                    if ($headers['Authorization']) { $request.Headers.TryAddWithoutValidation('Authorization', $headers['Authorization']) | Out-Null }
                    $response = $http.SendAsync($request).GetAwaiter().GetResult()
                    $content = $response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult()
                    $type = if ($response.Content.Headers.ContentType) { "Content-Type: $($response.Content.Headers.ContentType)`r`n" } else { '' }
                    $answer = "HTTP/1.1 $([int]$response.StatusCode) $($response.ReasonPhrase)`r`n${type}Content-Length: $($content.Length)`r`nConnection: close`r`n`r`n"
                    $bytes = [Text.Encoding]::ASCII.GetBytes($answer); $stream.Write($bytes, 0, $bytes.Length); $stream.Write($content, 0, $content.Length)
                } finally { $client.Dispose() }
            }
        }
        try {
            $proxy = "http://127.0.0.1:$($listener.LocalEndpoint.Port)"
            $key = New-TestRsaJwk
            $client = Register-TestClient -Simulator $script:Sim -Jwk $key
            $credential = [pscredential]::new('proxy-user', (ConvertTo-SecureString 'proxy-pass' -AsPlainText -Force))
            $session = Connect-Altinn @script:Connect -ClientId $client -Jwk $key.Private -SystemUserOrganization 950474084 -Proxy $proxy -ProxyCredential $credential -TimeoutSec 10 -MaximumRetryCount 0 -PassThru
            Get-AltinnInstance -Active -PartyId 500700 -ForApp brg/aarsregnskap -Session $session -ErrorAction Stop | Out-Null

            # the simulator is on 127.0.0.1: the token, the exchange and the app request all went direct
            # (the proxy for any other host, with its credentials, is covered by TransportHardeningTests)
            @($seen.ToArray()) | Should -BeNullOrEmpty
        } finally {
            $listener.Stop()
            $proxyJob | Stop-Job -PassThru | Remove-Job -Force
        }
    }

    It 'refuses proxy settings that contradict each other' {
        $err = { Connect-Altinn @script:Connect -ClientId c -Jwk (New-TestRsaJwk).Private -SystemUserOrganization 950474084 -ProxyCredential ([pscredential]::new('u', (ConvertTo-SecureString 'p' -AsPlainText -Force))) } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Connect.ProxyCredentialWithoutProxy,*'
        $err = { Connect-Altinn @script:Connect -ClientId c -Jwk (New-TestRsaJwk).Private -SystemUserOrganization 950474084 -NoProxy -Proxy http://127.0.0.1:1 } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Connect.ProxyConflict,*'
    }

    It 'gives up after -TimeoutSec with a clear error' {
        Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/faults' -Body @{ rules = @(@{ pathPrefix = '/token'; latencyMs = 4000 }); seed = 1 } | Out-Null
        try {
            $key = New-TestRsaJwk
            $client = Register-TestClient -Simulator $script:Sim -Jwk $key
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $err = { Connect-Altinn @script:Connect -ClientId $client -Jwk $key.Private -SystemUserOrganization 950474084 -TimeoutSec 1 -MaximumRetryCount 0 } | Should -Throw -PassThru
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 3.5
            $err.FullyQualifiedErrorId | Should -BeLike 'Altinn.Maskinporten.Timeout,*'
            $err.CategoryInfo.Category | Should -Be 'OperationTimeout'
            $err.Exception.Message | Should -Match 'did not answer within 1 s.*-TimeoutSec'
        } finally {
            Invoke-Simulator -Simulator $script:Sim -Method DELETE -Path '_sim/faults' | Out-Null
        }
    }
}
