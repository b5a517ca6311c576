@{
    RootModule           = 'Mnesis.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    CompatiblePSEditions = @('Desktop', 'Core')
    GUID                 = '5f0c3c52-8a4e-4d0b-9d7e-2f1c6b7a9e41'
    Author               = 'Mnesis for PowerShell'
    CompanyName          = 'Mnesis for PowerShell'
    Copyright            = '(c) Mnesis for PowerShell. All rights reserved.'
    Description          = 'One shared SQLite connection per database file and serialized writes for PowerShell sessions, runspaces and runbooks.'
    PowerShellVersion    = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    CmdletsToExport      = @(
        'Open-MnesisStore'
        'Get-MnesisConnection'
        'Invoke-MnesisWrite'
        'Invoke-MnesisQuery'
        'Close-MnesisPool'
        'New-MnesisPool'
        'Get-MnesisPool'
    )
    FormatsToProcess     = @('Mnesis.format.ps1xml')
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('SQLite', 'Database', 'Pool', 'Concurrency', 'Runspace', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            ReleaseNotes = 'First release: Open-MnesisStore, Get-MnesisConnection, Invoke-MnesisWrite, Close-MnesisPool, New-MnesisPool.'
        }
    }
}
