#Requires -Modules Pester
# One back-off for the whole session: a 429 with Retry-After met by one runspace holds every runspace that
# shares the session until then, read off when the simulator received each request.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name session-backoff
}

AfterAll {
    Get-AltinnSession | Disconnect-Altinn
    Stop-AltinnSimulator $script:Sim
}

Describe 'A 429 to one runspace' {
    It 'holds both runspaces of ForEach-Object -Parallel sharing the session until its Retry-After has passed' {
        $session = Connect-TestSession -Simulator $script:Sim
        $ids = 1..2 | ForEach-Object { (New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber 950474084 -Prefill @{ property1 = 'a' } -Session $session).Id }
        1..2 | ForEach-Object -Parallel { Import-Module AltinnApp } -ThrottleLimit 2
        $retryAfter = 3
        # every read takes 100 ms at the simulator, so a runspace that does not wait sends several inside the Retry-After
        Invoke-Simulator -Simulator $script:Sim -Method PUT -Path '_sim/faults' -Body @{ rules = @(
                @{ pathPrefix = '/brg/aarsregnskap/instances/'; methods = @('GET'); latencyMs = 100 }
                @{ pathPrefix = '/brg/aarsregnskap/instances/'; methods = @('GET'); rate429 = 1; retryAfterSeconds = $retryAfter; maxFaults = 1 }) } | Out-Null
        Clear-SimulatorRequests $script:Sim
        $start = [DateTime]::UtcNow.AddSeconds(1)

        $results = $ids | ForEach-Object -ThrottleLimit 2 -UseNewRunspace -Parallel {
            Import-Module AltinnApp
            while ([DateTime]::UtcNow -lt $using:start) { Start-Sleep -Milliseconds 10 }
            $id = $_
            $read = foreach ($i in 1..15) { Get-AltinnInstance -App brg/aarsregnskap -InstanceId $id -Session $using:session -ErrorAction Stop }
            [pscustomobject]@{ Id = $id; Reads = @($read).Count }
        }
        Invoke-Simulator -Simulator $script:Sim -Method DELETE -Path '_sim/faults' | Out-Null

        @($results | Where-Object Reads -eq 15) | Should -HaveCount 2 -Because 'both runspaces read every time, after waiting'
        $reads = @(Get-SimulatorRequests -Simulator $script:Sim -Method GET -PathLike '/brg/aarsregnskap/instances/*' |
                ForEach-Object { [pscustomobject]@{ Path = $_.path; Status = [int]$_.status; Received = [DateTimeOffset]$_.received } })
        $refused = @($reads | Where-Object Status -eq 429)
        $refused | Should -HaveCount 1
        $at = $refused[0].Received
        # a read already on its way when the 429 was given may arrive just after it; none may start later, until Retry-After has passed
        $inside = @($reads | Where-Object { $_.Received -gt $at.AddMilliseconds(250) -and $_.Received -lt $at.AddSeconds($retryAfter) })
        $inside | Should -BeNullOrEmpty -Because "the session waits $retryAfter s after the 429 at $($at.ToString('HH:mm:ss.fff')), in every runspace: $(($inside | ForEach-Object { "$($_.Path) at $($_.Received.ToString('HH:mm:ss.fff'))" }) -join ', ')"
        foreach ($id in $ids) {
            @($reads | Where-Object { $_.Path -like "*$id" -and $_.Received -ge $at.AddSeconds($retryAfter) }).Count | Should -BeGreaterThan 10 -Because "runspace reading $id carried on after the wait"
        }
    }
}
