@{
    RootModule           = 'Mnesis.psm1'
    ModuleVersion        = '0.1.0'
    CompatiblePSEditions = @('Desktop', 'Core')
    GUID                 = '5f0c3c52-8a4e-4d0b-9d7e-2f1c6b7a9e41'
    Author               = 'Mnesis for PowerShell'
    CompanyName          = 'Mnesis for PowerShell'
    Copyright            = '(c) Mnesis for PowerShell. All rights reserved.'
    Description          = 'Shared database stores for PowerShell sessions, runspaces and runbooks: one pooled connection per database, writes serialized per SQLite file across the process, and the same cmdlets on PostgreSQL (PowerShell 7.4+). Open-MnesisStore, Get-MnesisConnection, Invoke-MnesisWrite, Invoke-MnesisQuery, Close-MnesisPool, New-MnesisPool, Get-MnesisPool.'
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
        # The assemblies the loader loads into Mnesis's private load context on PowerShell 7, from
        # this folder or not at all (SQLitePCLRaw.batteries_v2 is not shipped: listing it keeps
        # Microsoft.Data.Sqlite from initialising another module's copy). Anything else resolves
        # in PowerShell's default context. The build writes the list to IsolatedAssemblies.txt for
        # the loader. A test keeps every DLL of the folder either listed here, a Windows
        # PowerShell 5.1 shim, or the loader.
        Mnesis = @{
            IsolatedAssemblies = @(
                'Mnesis.PowerShell'
                'Microsoft.Data.Sqlite'
                'SQLitePCLRaw.core'
                'SQLitePCLRaw.provider.e_sqlite3'
                'SQLitePCLRaw.batteries_v2'
                'Mnesis.PowerShell.PostgreSql'
                'Npgsql'
                'Microsoft.Extensions.Logging.Abstractions'
                'Microsoft.Extensions.DependencyInjection.Abstractions'
            )
            # Needed only by Windows PowerShell 5.1 (.NET Framework); PowerShell 7 has them built in.
            WindowsPowerShellShims = @(
                'System.Buffers'
                'System.Memory'
                'System.Numerics.Vectors'
                'System.Runtime.CompilerServices.Unsafe'
            )
        }
        PSData = @{
            Tags         = @('SQLite', 'PostgreSQL', 'Database', 'Pool', 'Concurrency', 'Runspace', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            ReleaseNotes = 'First release: Open-MnesisStore, Get-MnesisConnection, Invoke-MnesisWrite, Invoke-MnesisQuery, Close-MnesisPool, New-MnesisPool and Get-MnesisPool, on SQLite and PostgreSQL.'
        }
    }
}
