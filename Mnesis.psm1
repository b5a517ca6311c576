# Loads Mnesis's cmdlets. On PowerShell 7 the cmdlet assembly and the data stack it ships go into
# Mnesis's own load context (src/Loader), so another module's Microsoft.Data.Sqlite, SQLitePCLRaw
# or Npgsql, older or newer, never meets them. Windows PowerShell 5.1 has no load contexts: there
# the assembly loads directly and resolves its dependencies from this folder.
# Only Microsoft.PowerShell.Core cmdlets and .NET calls here: each other module autoloaded would
# add to every import.

$folder = [System.IO.Path]::GetFullPath($PSScriptRoot)
if ($PSVersionTable.PSEdition -eq 'Desktop') {
    $assembly = [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($folder, 'Mnesis.PowerShell.dll'))
    $otherFolders = @()
}
else {
    if ($PSVersionTable.PSVersion -lt [version]'7.4') {
        # Said here, not in the module's message table: that assembly cannot be loaded on this version.
        throw "Mnesis needs PowerShell 7.4 or later (or Windows PowerShell 5.1); this is PowerShell $($PSVersionTable.PSVersion)."
    }

    # Returns the loader already loaded, from this folder or another Mnesis's: one serves all.
    $null = [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($folder, 'Mnesis.PowerShell.Loader.dll'))

    $isolated = [string[]]$ExecutionContext.SessionState.Module.PrivateData.Mnesis.IsolatedAssemblies
    $assembly = [Mnesis.PowerShell.Loader.MnesisLoadContext]::LoadModule($folder, 'Mnesis.PowerShell', $isolated)
    $otherFolders = [Mnesis.PowerShell.Loader.MnesisLoadContext]::LoadedFolders.Where({ $_ -ne $folder })
}

$lifecycle = $assembly.GetType('Mnesis.PowerShell.Module.ModuleLifecycle', $true)

if ($otherFolders) {
    # Two copies' cmdlets share names but not types, so one session can hold only one of them.
    $imported = (Microsoft.PowerShell.Core\Get-Module -Name Mnesis).Where({ $_.ModuleBase -ne $folder -and $_.ModuleBase -ne $PSScriptRoot }, 'First')
    if ($imported) { throw $lifecycle::OtherCopyImportedError($imported[0].ModuleBase, $folder) }
    Microsoft.PowerShell.Utility\Write-Warning ($lifecycle::OtherCopiesWarning([string[]]$otherFolders))
}

$inner = Microsoft.PowerShell.Core\Import-Module -Assembly $assembly -PassThru

# Closing this runspace's stores on Remove-Module is done here rather than by an
# IModuleAssemblyCleanup, which a re-imported (cached) binary module never runs. The block runs in
# this module's scope, where $lifecycle is.
$ExecutionContext.SessionState.Module.OnRemove = { $lifecycle::OnRemove() }

$lifecycle::ExportCmdlets($ExecutionContext.SessionState.Module, $inner)
