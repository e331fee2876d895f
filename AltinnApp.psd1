@{
    RootModule           = 'AltinnApp.PowerShell.dll'
    # Imported before the root module: sets up where the engine and its dependencies load from (their own
    # AssemblyLoadContext on PowerShell 7) before PowerShell reads the cmdlet assembly.
    NestedModules        = @('Dependencies/AltinnApp.Init.dll')
    # The one version source: build.ps1 reads it and stamps the assemblies with it.
    ModuleVersion        = '0.1.0'
    GUID                 = '6f0d7f64-2b8e-4c55-9a3e-5d1c8f4b2a71'
    Author               = 'AltinnApp contributors'
    CompanyName          = 'AltinnApp'
    Copyright            = '(c) 2026 AltinnApp contributors. MIT License.'
    Description          = 'Submit forms to Altinn 3 apps from PowerShell: Maskinporten system-user login with automatic token renewal, instances, form data, attachments, process and receipts, as a pipeline that survives retries and reruns.'
    PowerShellVersion    = '5.1'
    # Windows PowerShell only: the netstandard2.0 assemblies need .NET Framework 4.7.2 or later
    DotNetFrameworkVersion = '4.7.2'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('AltinnApp.Format.ps1xml')
    TypesToProcess       = @('AltinnApp.Types.ps1xml')
    CmdletsToExport      = @(
        'Connect-Altinn'
        'Disconnect-Altinn'
        'Get-AltinnSession'
        'Get-AltinnAccessToken'
        'New-AltinnSigningKey'
        'Get-AltinnApplication'
        'Get-AltinnParty'
        'New-AltinnInstance'
        'Get-AltinnInstance'
        'Remove-AltinnInstance'
        'Get-AltinnData'
        'Set-AltinnData'
        'New-AltinnFormData'
        'Add-AltinnAttachment'
        'Save-AltinnData'
        'Remove-AltinnData'
        'Invoke-AltinnProcessNext'
        'Submit-AltinnInstance'
        'Test-AltinnInstance'
        'Save-AltinnReceipt'
        'Get-AltinnJournal'
        'Get-AltinnSystem'
        'Register-AltinnSystem'
        'Set-AltinnSystem'
        'New-AltinnSystemUserRequest'
        'Get-AltinnSystemUserRequest'
        'Get-AltinnSystemUser'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Altinn', 'Maskinporten', 'Norway', 'eGovernment', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/altinnapp/AltinnApp'
            LicenseUri   = 'https://github.com/altinnapp/AltinnApp/blob/main/LICENSE'
            ReleaseNotes = @'
0.1.0: the first release. Maskinporten system-user login with token renewal; instances, form data,
attachments, process and receipts as one pipeline; a journal that makes reruns safe; retries only where
repeating is safe; stable ErrorIds; help for every cmdlet and about_AltinnApp; dependencies isolated
from other modules on PowerShell 7. Full list: https://github.com/altinnapp/AltinnApp/blob/main/CHANGELOG.md
'@
        }
    }
}
