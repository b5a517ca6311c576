# Loads Mnesis's cmdlets. Mnesis.PowerShell.Loader puts the cmdlet assembly and the data stack it
# ships into Mnesis's own load context on PowerShell 7, so another module's Microsoft.Data.Sqlite,
# SQLitePCLRaw or Npgsql, older or newer, never meets them; on Windows PowerShell 5.1, which has
# no load contexts, it loads the assembly from this folder.
# Every import compiles and binds each expression here, so the work is in C# and no Mnesis type
# is named: a type name PowerShell cannot resolve yet costs a search of every loaded assembly.

$assembly = [System.Reflection.Assembly]::LoadFrom("$PSScriptRoot/Mnesis.PowerShell.Loader.dll").GetType('Mnesis.PowerShell.Loader.MnesisModuleLoader', $true)::Load($PSScriptRoot)
$inner = Microsoft.PowerShell.Core\Import-Module -Assembly $assembly -PassThru
$assembly.GetType('Mnesis.PowerShell.Module.ModuleLifecycle', $true)::Imported($ExecutionContext.SessionState.Module, $inner)
