BeforeDiscovery {
    # Whether the module ships ReadyToRun code for this runtime and platform (decides a Skip).
    . "$PSScriptRoot/Support/CompiledCode.ps1"
    $ShipsCompiledCode = Test-Path -LiteralPath (Get-CompiledCodeFolder $env:MNESIS_TEST_MODULE)
}

BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"
    $mod = $env:MNESIS_TEST_MODULE
    # The cmdlet assembly the loader loads: the compiled copy where the module ships one for this
    # runtime and platform, else the IL beside the manifest.
    . "$PSScriptRoot/Support/CompiledCode.ps1"
    $CompiledFolder = Get-CompiledCodeFolder $mod
    $LoadedModuleDll = Join-Path $(if (Test-Path -LiteralPath $CompiledFolder) { $CompiledFolder } else { $mod }) 'Mnesis.PowerShell.dll'

    # The x64 native SQLite of this platform, where NuGet's packages (and the module) keep it.
    $nativeInPackage = if ($IsWindows) { 'runtimes/win-x64/native/e_sqlite3.dll' } else { 'runtimes/linux-x64/native/libe_sqlite3.so' }

    # Another module's SQLite stack, as NuGet ships it (restored by the build as PackageDownloads):
    # its managed assemblies and its native e_sqlite3 side by side in one folder, loaded with
    # Add-Type the way a module without isolation loads them.
    $stacks = @{
        Older = @{ Sqlite = '6.0.7'; Raw = '2.0.6'; Native = '2.0.6'; Lib = 'netstandard2.0'; Batteries = 'sqlitepclraw.bundle_e_sqlite3/2.0.6/lib/netstandard2.0' }
        Newer = @{ Sqlite = '11.0.0'; Raw = '3.0.5'; Native = '3.53.3'; Lib = 'net8.0'; Batteries = 'sqlitepclraw.config.e_sqlite3/3.0.5/lib/net8.0' }
    }
    function New-OtherModuleFolder([string] $Stack) {
        $s = $stacks[$Stack]
        $packages = Get-TestNuGetRoot
        $folder = Join-Path $TestDrive "other-$Stack"
        $null = New-Item -ItemType Directory -Force $folder
        $sqliteLib = if ($Stack -eq 'Older') { 'netstandard2.0' } else { 'net10.0' }
        Copy-Item (Join-Path $packages "microsoft.data.sqlite.core/$($s.Sqlite)/lib/$sqliteLib/Microsoft.Data.Sqlite.dll") $folder
        Copy-Item (Join-Path $packages "sqlitepclraw.core/$($s.Raw)/lib/netstandard2.0/SQLitePCLRaw.core.dll") $folder
        Copy-Item (Join-Path $packages "sqlitepclraw.provider.e_sqlite3/$($s.Raw)/lib/$($s.Lib)/SQLitePCLRaw.provider.e_sqlite3.dll") $folder
        Copy-Item (Join-Path $packages "$($s.Batteries)/SQLitePCLRaw.batteries_v2.dll") $folder
        Copy-Item (Join-Path $packages "sqlitepclraw.lib.e_sqlite3/$($s.Native)/$nativeInPackage") $folder
        $folder
    }

    # Runs, in a fresh pwsh, the steps named in $Order ('other', 'mnesis') and returns what each
    # reported as a hashtable of key=value lines, plus the exit code and the whole output.
    function Invoke-Coexistence([string] $OtherFolder, [string[]] $Order) {
        $script = Join-Path $TestDrive "coexist-$([guid]::NewGuid().ToString('N')).ps1"
        Set-Content -LiteralPath $script -Value @'
param($Mod, $Other, $Db, [string] $Order)
$ErrorActionPreference = 'Stop'
function Use-Other {
    foreach ($name in 'SQLitePCLRaw.core', 'SQLitePCLRaw.provider.e_sqlite3', 'SQLitePCLRaw.batteries_v2', 'Microsoft.Data.Sqlite') {
        Add-Type -LiteralPath (Join-Path $Other "$name.dll")
    }
    [SQLitePCL.Batteries_V2]::Init()
    $c = [Microsoft.Data.Sqlite.SqliteConnection]::new('Data Source=:memory:')
    $c.Open()
    $command = $c.CreateCommand()
    $command.CommandText = 'SELECT sqlite_source_id()'
    "other.sqlite=$($command.ExecuteScalar())"
    "other.mds=$($c.GetType().Assembly.GetName().Version)"
    $c.Dispose()
}
function Use-Mnesis {
    Import-Module $Mod
    $null = Invoke-MnesisWrite -Path $Db -Query 'CREATE TABLE IF NOT EXISTS t(v)'
    $null = Invoke-MnesisWrite -Path $Db -Query 'INSERT INTO t VALUES (@v)' -Parameters @{ v = 'mnesis' }
    $c = Get-MnesisConnection -Path $Db
    "mnesis.sqlite=$(Invoke-MnesisQuery -Path $Db -Query 'SELECT sqlite_source_id()' -Scalar)"
    "mnesis.mds=$($c.GetType().Assembly.GetName().Version)"
    "mnesis.raw=$($c.Handle.GetType().Assembly.GetName().Version)"
    "mnesis.isdb=$($c -is [System.Data.Common.DbConnection])"
}
foreach ($step in $Order -split ',') { if ($step -eq 'other') { Use-Other } else { Use-Mnesis } }
# Which native SQLite files the process mapped, and where Mnesis's assemblies live.
$natives = if ($IsWindows) { [Diagnostics.Process]::GetCurrentProcess().Modules | Where-Object ModuleName -Like '*e_sqlite3*' | ForEach-Object FileName }
else { Get-Content /proc/self/maps | Where-Object { $_ -like '*e_sqlite3*' } | ForEach-Object { $_ -replace '^[^/]*', '' } }
"natives=" + (($natives | Sort-Object -Unique) -join '|')
$default = [System.Runtime.Loader.AssemblyLoadContext]::Default.Assemblies | Where-Object { $_.Location -and $_.Location.StartsWith($Mod) }
"default=" + (($default | ForEach-Object { $_.GetName().Name } | Sort-Object) -join ',')
$own = [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object { $_.GetType().FullName -eq 'Mnesis.PowerShell.Loader.MnesisLoadContext' }
"own=" + (($own.Assemblies | ForEach-Object { $_.Location.Substring($Mod.Length + 1) } | Sort-Object) -join ',')
"contexts=" + @([System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object { $_.GetType().FullName -eq 'Mnesis.PowerShell.Loader.MnesisLoadContext' }).Count
Close-MnesisPool
'@
        $db = Join-Path $TestDrive "coexist-$([guid]::NewGuid().ToString('N')).db"
        $output = Invoke-Pwsh -ArgumentList '-File', $script, $mod, $OtherFolder, $db, ($Order -join ',') 2>&1
        $result = @{ ExitCode = $LASTEXITCODE; Text = $output -join "`n" }
        foreach ($line in $output) { if ("$line" -match '^([\w.]+)=(.*)$') { $result[$Matches[1]] = $Matches[2] } }
        $result
    }

    $mnesisSqliteVersion = (Get-Item (Join-Path $mod 'Microsoft.Data.Sqlite.dll')).VersionInfo.FileVersion
    $mnesisNative = Join-Path $mod $nativeInPackage
}

Describe 'Coexisting with another module''s SQLite stack in one session' -Skip:(-not ($IsLinux -or $IsWindows) -or [Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture -ne 'X64') {
    Context 'an older stack (Microsoft.Data.Sqlite 6.0.7, SQLitePCLRaw 2.0.6)' {
        BeforeAll { $older = New-OtherModuleFolder Older }

        It 'loaded first: Mnesis still imports, writes and uses its own stack' {
            $r = Invoke-Coexistence $older 'other', 'mnesis'
            $r.ExitCode | Should -Be 0 -Because $r.Text
            $r['other.mds'] | Should -BeLike '6.0.7*'
            $r['mnesis.mds'] | Should -Not -BeLike '6.0.7*'
            $r['mnesis.raw'] | Should -Not -BeLike '2.0.6*'
            $r['natives'] -split '\|' | Should -Contain $mnesisNative
            $r['natives'] -split '\|' | Should -Contain (Join-Path $older (Split-Path -Leaf $nativeInPackage))
            $r['mnesis.sqlite'] | Should -Not -Be $r['other.sqlite'] -Because 'each uses its own native SQLite'
        }

        It 'loaded after Mnesis: the other module still loads and uses its own stack' {
            $r = Invoke-Coexistence $older 'mnesis', 'other'
            $r.ExitCode | Should -Be 0 -Because $r.Text
            $r['other.mds'] | Should -BeLike '6.0.7*'
            $r['mnesis.isdb'] | Should -Be 'True'
            $r['mnesis.sqlite'] | Should -Not -Be $r['other.sqlite']
        }
    }

    Context 'a newer stack (Microsoft.Data.Sqlite 11.0.0, SQLitePCLRaw 3.0.5)' {
        BeforeAll { $newer = New-OtherModuleFolder Newer }

        It 'loaded first: Mnesis uses its own assemblies and native library, not the newer ones' {
            $r = Invoke-Coexistence $newer 'other', 'mnesis'
            $r.ExitCode | Should -Be 0 -Because $r.Text
            $r['other.mds'] | Should -BeLike '11.0.0*'
            $r['mnesis.mds'] | Should -Not -BeLike '11.0.0*'
            $r['mnesis.raw'] | Should -Not -BeLike '3.0.5*'
            $r['natives'] -split '\|' | Should -Contain $mnesisNative
        }

        It 'loaded after Mnesis: both work' {
            $r = Invoke-Coexistence $newer 'mnesis', 'other'
            $r.ExitCode | Should -Be 0 -Because $r.Text
            $r['other.mds'] | Should -BeLike '11.0.0*'
            $r['mnesis.isdb'] | Should -Be 'True'
        }
    }

    Context 'Mnesis''s own assemblies' {
        BeforeAll { $alone = Invoke-Coexistence (New-OtherModuleFolder Older) 'mnesis' }

        It 'puts nothing but its loader into PowerShell''s default load context' {
            $alone.ExitCode | Should -Be 0 -Because $alone.Text
            $alone['default'] | Should -Be 'Mnesis.PowerShell.Loader'
        }

        It 'makes one load context in the process' {
            $alone['contexts'] | Should -Be 1
        }

        It 'loads the ReadyToRun copies the module ships for this platform, and the IL copies of the rest' -Skip:(-not $ShipsCompiledCode) {
            $compiled = Get-ChildItem -LiteralPath $CompiledFolder -Filter *.dll | ForEach-Object { $_.FullName.Substring($mod.Length + 1) }
            $compiled | Should -HaveCount 4
            $alone['own'] -split ',' | Should -Be ($compiled | Sort-Object)
        }
    }

    Context 'a module folder without ReadyToRun code' {
        It 'imports and writes on the IL copies beside the manifest, also under a folder named r2r' {
            # r2r/out/Mnesis: the IL copy's grandparent is named like the compiled copies' folder.
            $copy = Join-Path (New-TestFolder) 'r2r/out/Mnesis'
            $null = New-Item -ItemType Directory -Force (Split-Path $copy)
            Copy-Item -Recurse $mod $copy
            Remove-Item -LiteralPath (Join-Path $copy 'r2r') -Recurse
            $db = Join-Path (New-TestFolder) 'il.db'
            $output = Invoke-Pwsh -ArgumentList '-NoProfile', '-Command', "Import-Module '$copy'; Invoke-MnesisWrite -Path '$db' -Query 'CREATE TABLE t(v); INSERT INTO t VALUES (1)'; (Get-Command Invoke-MnesisWrite).DLL" 2>&1
            $output | Should -Be @('1', (Join-Path $copy 'Mnesis.PowerShell.dll')) -Because ($output -join "`n")
        }
    }

    Context 'a failed import' {
        It 'leaves nothing behind: the next import of a good folder writes, and Remove-Module closes its stores' {
            $broken = Join-Path (New-TestFolder) 'Mnesis'
            Copy-Item -Recurse $mod $broken
            Remove-Item -LiteralPath (Join-Path $broken 'Mnesis.PowerShell.dll')
            Remove-Item -LiteralPath (Join-Path $broken 'r2r') -Recurse -ErrorAction Ignore
            $db = Join-Path (New-TestFolder) 'after.db'
            $script = Join-Path $TestDrive 'failed-import.ps1'
            Set-Content -LiteralPath $script -Value @'
param($Broken, $Mod, $Db)
try { Import-Module $Broken -ErrorAction Stop; 'broken=imported' } catch { 'broken=failed' }
Import-Module $Mod -ErrorAction Stop
"rows=$(Invoke-MnesisWrite -Path $Db -Query 'CREATE TABLE t(v); INSERT INTO t VALUES (1)')"
$connection = Get-MnesisConnection -Path $Db
try { Remove-Module Mnesis -ErrorAction Stop; 'removed=True' } catch { "removed=$($_.Exception.Message)" }
"closed=$($connection.State -eq 'Closed')"
'@
            $output = Invoke-Pwsh -ArgumentList '-File', $script, $broken, $mod, $db 2>&1
            $output | Should -Contain 'broken=failed' -Because ($output -join "`n")
            $output | Should -Contain 'rows=1'
            $output | Should -Contain 'removed=True'
            $output | Should -Contain 'closed=True'
        }
    }

    Context 'importing again' {
        BeforeAll {
            $script = Join-Path $TestDrive 'reimport.ps1'
            Set-Content -LiteralPath $script -Value @'
param($Mod, $Folder)
$ErrorActionPreference = 'Stop'
$db = Join-Path $Folder 'reimport.db'
function Test-Cmdlets([string] $When) {
    $names = (Get-Command -Module Mnesis -CommandType Cmdlet).Name | Sort-Object
    "$When.cmdlets=$($names -join ',')"
    "$When.rows=$(Invoke-MnesisWrite -Path $db -Query 'INSERT INTO t VALUES (@w)' -Parameters @{ w = $When })"
}
Import-Module $Mod
$null = Invoke-MnesisWrite -Path $db -Query 'CREATE TABLE t(w)'
$first = Get-MnesisConnection -Path $db
Test-Cmdlets 'first'
Import-Module $Mod -Force
"force.closedOld=$($first.State -eq 'Closed')"
Test-Cmdlets 'force'
$forced = Get-MnesisConnection -Path $db
Remove-Module Mnesis
"remove.closed=$($forced.State -eq 'Closed')"
"remove.gone=$(-not (Get-Command Invoke-MnesisWrite -ErrorAction Ignore))"
Import-Module $Mod
Test-Cmdlets 'again'
$parallel = 1..3 | ForEach-Object -ThrottleLimit 3 -TimeoutSeconds 60 -Parallel {
    Import-Module $using:Mod
    "{0}:{1}:{2}" -f @(Get-Command -Module Mnesis -CommandType Cmdlet).Count, (Invoke-MnesisWrite -Path $using:db -Query 'INSERT INTO t VALUES (''parallel'')'), [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext((Get-MnesisConnection -Path $using:db).GetType().Assembly).GetType().FullName
}
"parallel=$(($parallel | Sort-Object) -join '|')"
"contexts=" + @([System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object { $_.GetType().FullName -eq 'Mnesis.PowerShell.Loader.MnesisLoadContext' }).Count
Close-MnesisPool
"stored=$(Invoke-MnesisQuery -Path $db -Query 'SELECT count(*) FROM t' -Scalar)"
Close-MnesisPool
'@
            $output = Invoke-Pwsh -ArgumentList '-File', $script, $mod, (New-TestFolder) 2>&1
            $exitCode = $LASTEXITCODE
            $text = $output -join "`n"
            $lines = @{}
            foreach ($line in $output) { if ("$line" -match '^([\w.]+)=(.*)$') { $lines[$Matches[1]] = $Matches[2] } }
            $expected = (Import-PowerShellDataFile (Join-Path $mod 'Mnesis.psd1')).CmdletsToExport | Sort-Object
        }

        It 'runs without error' {
            $exitCode | Should -Be 0 -Because $text
        }

        It 'exports every cmdlet, and writes, after <_>' -ForEach 'first', 'force', 'again' {
            $lines["$_.cmdlets"] | Should -Be ($expected -join ',') -Because $text
            $lines["$_.rows"] | Should -Be 1
        }

        It 'closes the runspace''s stores on Import-Module -Force and on Remove-Module, also after a re-import' {
            $lines['force.closedOld'] | Should -Be 'True'
            $lines['remove.closed'] | Should -Be 'True'
            $lines['remove.gone'] | Should -Be 'True'
        }

        It 'imports in ForEach-Object -Parallel runspaces into the same single context' {
            $lines['parallel'] -split '\|' | Should -HaveCount 3
            $lines['parallel'] -split '\|' | ForEach-Object { $_ | Should -Be "$($expected.Count):1:Mnesis.PowerShell.Loader.MnesisLoadContext" }
            $lines['contexts'] | Should -Be 1
            $lines['stored'] | Should -Be 6
        }
    }

    Context 'a second copy of Mnesis in the same process' {
        BeforeAll {
            $copy = Join-Path (New-TestFolder) 'Mnesis'
            Copy-Item -Recurse $mod $copy
            # Another version: a copy whose cmdlet assembly says 9.9.9.0.
            $otherVersion = Join-Path (New-TestFolder) 'Mnesis'
            Copy-Item -Recurse $mod $otherVersion
            Remove-Item -LiteralPath (Join-Path $otherVersion 'Mnesis.PowerShell.dll')
            Add-Type -TypeDefinition '[assembly: System.Reflection.AssemblyVersion("9.9.9.0")] public class MnesisOtherVersion { }' -OutputAssembly (Join-Path $otherVersion 'Mnesis.PowerShell.dll')
            $script = Join-Path $TestDrive 'copies.ps1'
            Set-Content -LiteralPath $script -Value @'
param($Mod, $Copy, $OtherVersion, $Db)
Import-Module $Mod
$null = Invoke-MnesisWrite -Path $Db -Query 'CREATE TABLE t(x)'
Import-Module $Copy
"sameSession.modules=$(@(Get-Module Mnesis).Count)"
"sameSession.rows=$(Invoke-MnesisWrite -Path $Db -Query 'INSERT INTO t VALUES (1)')"
"sameSession.from=$((Get-Command Invoke-MnesisWrite).DLL)"
$shell = [powershell]::Create()
$null = $shell.AddScript('param($c, $db) Import-Module $c; "otherRunspace.from=$((Get-Command Invoke-MnesisWrite).DLL)"; "otherRunspace.rows=$(Invoke-MnesisWrite -Path $db -Query ''INSERT INTO t VALUES (2)'')"; Close-MnesisPool').AddArgument($Copy).AddArgument($Db)
$shell.Invoke()
$shell.Dispose()
try { Import-Module $OtherVersion -ErrorAction Stop; 'otherVersion=imported' }
catch {
    "otherVersion.id=$($_.FullyQualifiedErrorId)"
    "otherVersion.message=$($_.Exception.Message -replace '\s+', ' ')"
}
"otherVersion.rows=$(Invoke-MnesisWrite -Path $Db -Query 'INSERT INTO t VALUES (3)')"
"contexts=" + @([System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object { $_.GetType().FullName -eq 'Mnesis.PowerShell.Loader.MnesisLoadContext' }).Count
"stored=$(Invoke-MnesisQuery -Path $Db -Query 'SELECT group_concat(x) FROM t' -Scalar)"
Close-MnesisPool
'@
            $output = Invoke-Pwsh -ArgumentList '-File', $script, $mod, $copy, $otherVersion, (Join-Path (New-TestFolder) 'c.db') 2>&1
            $lines = @{}
            foreach ($line in $output) { if ("$line" -match '^([\w.]+)=(.*)$') { $lines[$Matches[1]] = $Matches[2] } }
        }

        It 'of the same version runs on the first copy''s assembly, in the same session and in another runspace: one load context, one write gate per file' {
            $lines['sameSession.modules'] | Should -Be 2 -Because ($output -join "`n")
            $lines['sameSession.rows'] | Should -Be 1
            $lines['sameSession.from'] | Should -Be $LoadedModuleDll
            $lines['otherRunspace.from'] | Should -Be $LoadedModuleDll
            $lines['otherRunspace.rows'] | Should -Be 1
            $lines['contexts'] | Should -Be 1
        }

        It 'of another version is refused with a message naming both versions and folders, and the first copy keeps working' {
            $lines['otherVersion.id'] | Should -Be 'InvalidOperationException' -Because ($output -join "`n")
            $lines['otherVersion.message'] | Should -BeLike "*Mnesis 9.9.9.0 from '$otherVersion' cannot be imported: this process already uses Mnesis 0.1.0.0 from '$mod'*new PowerShell process*"
            $lines['otherVersion.rows'] | Should -Be 1
            $lines['stored'] | Should -Be '1,2,3'
        }
    }
}

Describe 'The module folder' {
    It 'holds only assemblies that are isolated, Windows PowerShell 5.1 shims, or the loader' {
        $lists = (Import-PowerShellDataFile (Join-Path $mod 'Mnesis.psd1')).PrivateData.Mnesis
        $known = @($lists.IsolatedAssemblies) + @($lists.WindowsPowerShellShims) + 'Mnesis.PowerShell.Loader'
        $dlls = Get-ChildItem -LiteralPath $mod -Filter *.dll -Recurse | Where-Object { $_.FullName -notlike '*runtimes*' -and $_.FullName -notlike '*r2r*' }
        $dlls | Should -Not -BeNullOrEmpty
        foreach ($dll in $dlls) {
            $dll.Directory.FullName | Should -Be (Resolve-Path $mod).ProviderPath -Because "$($dll.Name) must sit beside the module for the load context to find it"
            $known | Should -Contain $dll.BaseName -Because "$($dll.Name) is shipped"
        }
    }

    It 'holds ReadyToRun copies only of isolated assemblies it ships, each with the IL copy''s identity' {
        $isolated = (Import-PowerShellDataFile (Join-Path $mod 'Mnesis.psd1')).PrivateData.Mnesis.IsolatedAssemblies
        $compiled = Get-ChildItem -LiteralPath (Join-Path $mod 'r2r') -Filter *.dll -Recurse
        $compiled | Should -Not -BeNullOrEmpty
        foreach ($dll in $compiled) {
            $isolated | Should -Contain $dll.BaseName
            [Reflection.AssemblyName]::GetAssemblyName($dll.FullName).FullName | Should -Be ([Reflection.AssemblyName]::GetAssemblyName((Join-Path $mod $dll.Name)).FullName)
        }
    }

    It 'gives the loader the manifest''s list of isolated assemblies' {
        $lists = (Import-PowerShellDataFile (Join-Path $mod 'Mnesis.psd1')).PrivateData.Mnesis
        Get-Content -LiteralPath (Join-Path $mod 'IsolatedAssemblies.txt') | Should -Be $lists.IsolatedAssemblies
    }
}
