<#
.SYNOPSIS
    Asks every customer of a CSV file for a system user of the vendor's system, and lists who is ready and who must still approve.
.DESCRIPTION
    What a vendor of accounting software runs instead of sending each customer through the portal by hand.
    It connects as the vendor itself (Connect-Altinn -Vendor: the vendor's own Maskinporten client, with the
    scopes altinn:authentication/systemregister.write, altinn:authentication/systemuser.request.write and
    altinn:authentication/systemuser.request.read), registers the system when Altinn's system register does not
    have it yet, then, for each row of the CSV (columns OrganizationNumber and, optionally, ExternalRef):

    - a customer that already has a system user of the system is Ready;
    - otherwise a system user request is made (standard, with -Right; or with -Agent, an agent system user
      with -AccessPackage), or the open one Altinn holds for the same reference is read again.

    The result file has one row per customer: its status (Ready, New, Accepted, Rejected, Denied, Timedout or
    Failed), the request's id and the ConfirmUrl to send the customer. Run it again later (or with -WaitSec)
    to see who has approved: nothing is asked twice. A customer who rejected (Rejected, Denied) is not asked
    again by its ConfirmUrl nor by a rerun with the same reference: give its row a new ExternalRef. Exits 0
    when every customer is Ready or Accepted, else 1.
.EXAMPLE
    ./Onboard-Customers.ps1 -ClientId $id -JwkPath ~/.altinn/vendor.jwk.json -SystemId 991825827_regnskap -CustomersCsv ./customers.csv -Right app_brg_aarsregnskap
.EXAMPLE
    ./Onboard-Customers.ps1 -ClientId $id -JwkPath ~/.altinn/vendor.jwk.json -SystemId 991825827_regnskap -CustomersCsv ./firms.csv -Agent -AccessPackage urn:altinn:accesspackage:regnskapsforer-med-signeringsrettighet -WaitSec 600
#>
[CmdletBinding()]
param(
    [string] $Environment = 'tt02',
    [Parameter(Mandatory)] [string] $ClientId,
    [Parameter(Mandatory)] [string] $JwkPath,
    [Parameter(Mandatory)] [string] $SystemId,
    [Parameter(Mandatory)] [string] $CustomersCsv,
    [string] $SystemName = 'Regnskap',
    [string[]] $Right = @(),
    [string[]] $AccessPackage = @(),
    [switch] $Agent,
    [string] $RedirectUrl,
    [string] $ResultPath = './onboarding.csv',
    # wait this long for each open request to be answered (0: do not wait)
    [int] $WaitSec = 0,
    # Addresses that differ from the environment's (a proxy, or the local simulator the tests use).
    [hashtable] $ConnectOverrides = @{}
)

$ErrorActionPreference = 'Stop'
Import-Module AltinnApp

$connect = @{ ClientId = $ClientId; JwkPath = $JwkPath; Vendor = $true; PassThru = $true }
if ($ConnectOverrides.Count -eq 0) { $connect.Environment = $Environment }
$vendor = Connect-Altinn @connect @ConnectOverrides

# the system, registered once; a later run finds it
$system = Get-AltinnSystem -Session $vendor | Where-Object SystemId -eq $SystemId
if (-not $system) {
    $register = @{ SystemId = $SystemId; Name = $SystemName; Right = $Right; AccessPackage = $AccessPackage; Session = $vendor }
    if ($RedirectUrl) { $register.AllowedRedirectUrl = $RedirectUrl }
    $system = Register-AltinnSystem @register
    Write-Verbose "Registered $($system.SystemId) in Altinn's system register."
}

$ready = @{}
foreach ($user in Get-AltinnSystemUser -SystemId $SystemId -Session $vendor) {
    $ready["$($user.CustomerOrganization)|$($user.ExternalRef)"] = $user
}

$results = foreach ($row in Import-Csv $CustomersCsv) {
    $organization = "$($row.OrganizationNumber)".Trim()
    $reference = if ($row.PSObject.Properties['ExternalRef'] -and $row.ExternalRef) { $row.ExternalRef.Trim() } else { $organization }
    $result = [ordered]@{ OrganizationNumber = $organization; ExternalRef = $reference; Status = $null; RequestId = $null; ConfirmUrl = $null; Error = $null }
    try {
        if ($ready.ContainsKey("$organization|$reference")) {
            $result.Status = 'Ready'
        } else {
            $ask = @{ SystemId = $SystemId; CustomerOrganization = $organization; ExternalRef = $reference; Session = $vendor; ErrorAction = 'Stop' }
            if ($Agent) { $ask.Agent = $true; $ask.AccessPackage = $AccessPackage } else { $ask.Right = $Right; if ($AccessPackage) { $ask.AccessPackage = $AccessPackage } }
            if ($RedirectUrl) { $ask.RedirectUrl = $RedirectUrl }
            $request = New-AltinnSystemUserRequest @ask
            if ($WaitSec -gt 0 -and -not $request.IsFinal) {
                # still unanswered after -WaitSec: the row keeps its open request, with the reason
                $answered = $request | Get-AltinnSystemUserRequest -Wait -Timeout $WaitSec -Session $vendor -ErrorAction SilentlyContinue -ErrorVariable waitError
                if ($answered) { $request = $answered } else { $result.Error = "$($waitError[0])" }
            }
            $result.Status = $request.Status
            $result.RequestId = $request.RequestId
            $result.ConfirmUrl = $request.ConfirmUrl
        }
    } catch {
        $result.Status = 'Failed'
        $result.Error = "$($_.FullyQualifiedErrorId.Split(',')[0]): $($_.Exception.Message)"
    }
    [pscustomobject]$result
}

$results | Export-Csv -Path $ResultPath -NoTypeInformation
$results
$waiting = @($results | Where-Object Status -notin 'Ready', 'Accepted')
# a customer who rejected is answered with the same rejected request for that reference: only a new one asks again
$refused = @($waiting | Where-Object Status -in 'Rejected', 'Denied')
$open = @($waiting | Where-Object Status -notin 'Rejected', 'Denied', 'Failed')
$failed = @($waiting | Where-Object Status -eq 'Failed')
if ($open.Count -gt 0) { Write-Warning "$($open.Count) customer(s) have not answered: send each the ConfirmUrl in $ResultPath." }
if ($refused.Count -gt 0) { Write-Warning "$($refused.Count) customer(s) rejected the request (Rejected or Denied in $ResultPath): the ConfirmUrl asks nothing any more; to ask again, give the row a new ExternalRef in $CustomersCsv and run this again." }
if ($failed.Count -gt 0) { Write-Warning "$($failed.Count) row(s) failed: correct the rows marked Failed in $ResultPath (the Error column says what was wrong)." }
if ($waiting.Count -gt 0) { exit 1 }
exit 0
