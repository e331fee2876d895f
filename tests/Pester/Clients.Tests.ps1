#Requires -Modules Pester
# An accounting firm's system user for client relationships (agent) files for its clients: one session, a journal key
# per client, in parallel. A client never delegated, and one whose delegation is removed while the batch runs, fail
# alone with an error naming them; every other client gets one instance and one receipt, exactly once.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/AltinnTestHelpers.psm1" -Force
    Import-Module AltinnApp -Force
    $script:Sim = Start-AltinnSimulator -Name clients
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('altinnapp-clients-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null

    $script:Firm = '313725138'
    $script:Package = 'urn:altinn:accesspackage:regnskapsforer-med-signeringsrettighet'

    # organisation numbers with a valid check digit (mod 11, weights 3 2 7 6 5 4 3 2), none of them built in
    function script:New-OrgNumbers([int] $Count) {
        $weights = 3, 2, 7, 6, 5, 4, 3, 2
        $found = [System.Collections.Generic.List[string]]::new()
        for ($base = 81000000; $found.Count -lt $Count; $base++) {
            $digits = "$base".ToCharArray() | ForEach-Object { [int]"$_" }
            $sum = 0; for ($i = 0; $i -lt 8; $i++) { $sum += $digits[$i] * $weights[$i] }
            $check = 11 - ($sum % 11)
            if ($check -eq 11) { $check = 0 }
            if ($check -eq 10) { continue }
            $found.Add("$base$check")
        }
        $found
    }

    $numbers = @(New-OrgNumbers 21)
    $script:Clients = $numbers[0..19]
    $script:NotDelegated = $numbers[20]
    $script:Revoked = $script:Clients[19]
    for ($i = 0; $i -lt $numbers.Count; $i++) {
        Invoke-Simulator -Simulator $script:Sim -Method POST -Path '_sim/parties' -Body @{ organizationNumber = $numbers[$i]; partyId = 610000 + $i; name = "KLIENT $($numbers[$i]) AS" } | Out-Null
    }

    $script:Key = New-TestRsaJwk
    $clientId = 'firm-' + [Guid]::NewGuid().ToString('N').Substring(0, 8)
    $registered = Invoke-Simulator -Simulator $script:Sim -Method POST -Path '_sim/clients' -Body @{
        clientId    = $clientId
        jwks        = @($script:Key.Public)
        scopes      = @('altinn:instances.read', 'altinn:instances.write')
        systemUsers = @(@{
                organizationNumber = $script:Firm
                kind               = 'agent'
                clients            = @($script:Clients | ForEach-Object { @{ organizationNumber = $_; accessPackages = @($script:Package) } })
            })
    }
    $script:SystemUserId = $registered.systemUsers[0].systemUserId
    $parameters = Get-SimulatorConnectParameters $script:Sim
    $script:Session = Connect-Altinn @parameters -ClientId $clientId -Jwk $script:Key.Private -SystemUserOrganization $script:Firm -RetryIntervalSec 0.05 -PassThru

    # the night's batch as a firm writes it: one row per client, each row on its own, the result of each as an object
    $script:Batch = {
        param($Rows, $Session, $Journal, $Receipts, $RevokeAt, $RevokeUri)
        $Rows | ForEach-Object -ThrottleLimit 4 -Parallel {
            Import-Module AltinnApp
            $row = $_
            # the firm's administrator removes a client in Altinn while the night runs: rows start in order, so every
            # row after this one meets the change
            if ($row.Client -eq $using:RevokeAt -and $using:RevokeUri) { Invoke-RestMethod -Method DELETE -Uri $using:RevokeUri | Out-Null }
            try {
                $receipt = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber $row.Client -Journal $using:Journal -Key "$($row.Client)-2025-aarsregnskap" -Session $using:Session -ErrorAction Stop |
                    Set-AltinnData -DataType model -Value @{ property1 = $row.Value; property2 = $row.Client } -ErrorAction Stop |
                    Submit-AltinnInstance -ErrorAction Stop |
                    Save-AltinnReceipt -Path $using:Receipts -ErrorAction Stop
                [pscustomobject]@{ Client = $row.Client; Receipt = $receipt.FullName; ErrorId = $null; Message = $null }
            } catch {
                [pscustomobject]@{ Client = $row.Client; Receipt = $null; ErrorId = $_.FullyQualifiedErrorId; Message = $_.Exception.Message }
            }
        }
    }
}

AfterAll {
    Stop-AltinnSimulator $script:Sim
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'One agent session files for 20 clients in parallel with a journal' {
    BeforeAll {
        # the never-delegated client among the first rows, the client that is removed last
        $order = @($script:Clients[0..5]) + $script:NotDelegated + @($script:Clients[6..19])
        $script:Csv = Join-Path $script:Work 'clients.csv'
        $order | ForEach-Object { [pscustomobject]@{ Client = $_; Value = "accounts of $_" } } | Export-Csv $script:Csv -NoTypeInformation
        $script:Journal = Join-Path $script:Work 'clients.journal'
        $script:Receipts = Join-Path $script:Work 'receipts'
        New-Item -ItemType Directory $script:Receipts | Out-Null
        $revokeUri = "$($script:Sim.BaseUri)_sim/systemusers/$($script:SystemUserId)/clients/$($script:Revoked)"
        $script:Results = @(& $script:Batch (Import-Csv $script:Csv) $script:Session $script:Journal $script:Receipts $script:Clients[9] $revokeUri)
        $script:Instances = @(Get-SimulatorInstances $script:Sim)
    }

    It 'gives every client still delegated one instance and one receipt' {
        $filed = @($script:Clients | Where-Object { $_ -ne $script:Revoked })
        $filed | Should -HaveCount 19
        foreach ($client in $filed) {
            $result = $script:Results | Where-Object Client -eq $client
            $result.ErrorId | Should -BeNullOrEmpty -Because "$client was delegated: $($result.Message)"
            Test-Path $result.Receipt | Should -BeTrue
            $mine = @($script:Instances | Where-Object { $_.instanceOwner.organisationNumber -eq $client })
            $mine | Should -HaveCount 1 -Because "one instance for $client"
            $mine[0].status.isArchived | Should -BeTrue
        }
        @(Get-ChildItem $script:Receipts -File) | Should -HaveCount 19
    }

    It 'creates nothing for a client that was never delegated, and says so naming it, the system user and the firm' {
        @($script:Instances | Where-Object { $_.instanceOwner.organisationNumber -eq $script:NotDelegated }) | Should -HaveCount 0
        $result = $script:Results | Where-Object Client -eq $script:NotDelegated
        $result.ErrorId | Should -BeLike 'Altinn.NewInstance.Forbidden*'
        $result.Message | Should -Match "for organisation $($script:NotDelegated)"
        $result.Message | Should -Match ([regex]::Escape("$($script:NotDelegated) is not a client of system user $($script:SystemUserId) of $($script:Firm)"))
        $result.Message | Should -Match 'access package'
    }

    It 'gives the client removed while the batch ran its own error, as an agent''s, and the rest went on' {
        @($script:Instances | Where-Object { $_.instanceOwner.organisationNumber -eq $script:Revoked }) | Should -HaveCount 0
        $result = $script:Results | Where-Object Client -eq $script:Revoked
        $result.ErrorId | Should -BeLike 'Altinn.NewInstance.Forbidden*'
        $result.Message | Should -Match ([regex]::Escape("$($script:Revoked) is not a client of system user $($script:SystemUserId) of $($script:Firm)"))
        # by then the session had filed for clients: it is an agent, so no "own organisation only" advice
        $result.Message | Should -Not -Match 'alone'
        $result.Message | Should -Not -Match 'Connect-Altinn'
        @($script:Results | Where-Object ErrorId) | Should -HaveCount 2
    }

    It 'journals every client under its own key, the refused ones with their error' {
        $entries = @(Get-AltinnJournal $script:Journal)
        @($entries | Where-Object State -eq ReceiptSaved) | Should -HaveCount 19
        ($entries | Where-Object Key -eq "$($script:Revoked)-2025-aarsregnskap").LastErrorId | Should -BeLike 'Altinn.NewInstance.Forbidden*'
    }

    It 'files nothing twice when the batch runs again' {
        $before = @(Get-SimulatorInstances $script:Sim).Count
        $again = @(& $script:Batch (Import-Csv $script:Csv) $script:Session $script:Journal $script:Receipts $null $null)
        @(Get-SimulatorInstances $script:Sim) | Should -HaveCount $before
        @($again | Where-Object ErrorId) | Should -HaveCount 2
    }
}

Describe 'What the session can see of its clients' {
    It 'Get-AltinnParty lists the party the app sees an agent session as: the firm, never its clients' {
        foreach ($filter in $false, $true) {
            $parties = @(Get-AltinnParty -App brg/aarsregnskap -AllowedToInstantiate:$filter -Session $script:Session)
            $parties | Should -HaveCount 1
            $parties[0].OrgNumber | Should -Be $script:Firm
            $parties[0].PartyId | Should -Be 500702
        }
        $query = (Get-SimulatorRequests $script:Sim | Where-Object path -like '*/api/v1/parties' | Select-Object -Last 1).query
        $query | Should -Match 'allowedToInstantiateFilter=true'
    }

    It 'lists no active instances for a party the system user may not see, and those of a client it files for' {
        $notDelegatedParty = 610000 + 20
        @(Get-AltinnInstance -App brg/aarsregnskap -Active -PartyId $notDelegatedParty -Session $script:Session) | Should -HaveCount 0
        $client = New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber $script:Clients[0] -Session $script:Session
        (@(Get-AltinnInstance -App brg/aarsregnskap -Active -PartyId $client.PartyId -Session $script:Session)).Id | Should -Contain $client.Id
    }

    It 'refuses a client without the access package the app needs, naming it' {
        $payroll = $script:Clients[1]
        Invoke-Simulator -Simulator $script:Sim -Method PUT -Path "_sim/systemusers/$($script:SystemUserId)/clients/$payroll" `
            -Body @{ accessPackages = @('urn:altinn:accesspackage:regnskapsforer-lonn') } | Out-Null
        New-AltinnInstance -App brg/aarsregnskap -OrganizationNumber $payroll -Session $script:Session -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Altinn.NewInstance.Forbidden*'
        $err[0].TargetObject | Should -Be $payroll
        $err[0].Exception.Message | Should -Match "lacks the access package brg/aarsregnskap requires for $payroll"
    }
}
