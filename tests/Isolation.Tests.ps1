BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"
    $mod = $env:MNESIS_TEST_MODULE

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
        Copy-Item (Join-Path $packages "sqlitepclraw.lib.e_sqlite3/$($s.Native)/runtimes/linux-x64/native/libe_sqlite3.so") $folder
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
"natives=" + ((Get-Content /proc/self/maps | Where-Object { $_ -like '*e_sqlite3*' } | ForEach-Object { $_ -replace '^[^/]*', '' } | Sort-Object -Unique) -join '|')
$default = [System.Runtime.Loader.AssemblyLoadContext]::Default.Assemblies | Where-Object { $_.Location -and $_.Location.StartsWith($Mod) }
"default=" + (($default | ForEach-Object { $_.GetName().Name } | Sort-Object) -join ',')
"contexts=" + @([System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object { $_.Name -like 'Mnesis*' }).Count
Close-MnesisPool
'@
        $db = Join-Path $TestDrive "coexist-$([guid]::NewGuid().ToString('N')).db"
        $output = Invoke-Pwsh -ArgumentList '-File', $script, $mod, $OtherFolder, $db, ($Order -join ',') 2>&1
        $result = @{ ExitCode = $LASTEXITCODE; Text = $output -join "`n" }
        foreach ($line in $output) { if ("$line" -match '^([\w.]+)=(.*)$') { $result[$Matches[1]] = $Matches[2] } }
        $result
    }

    $mnesisSqliteVersion = (Get-Item (Join-Path $mod 'Microsoft.Data.Sqlite.dll')).VersionInfo.FileVersion
    $mnesisNative = Join-Path $mod 'runtimes/linux-x64/native/libe_sqlite3.so'
}

Describe 'Coexisting with another module''s SQLite stack in one session' -Skip:(-not $IsLinux -or [Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture -ne 'X64') {
    Context 'an older stack (Microsoft.Data.Sqlite 6.0.7, SQLitePCLRaw 2.0.6)' {
        BeforeAll { $older = New-OtherModuleFolder Older }

        It 'loaded first: Mnesis still imports, writes and uses its own stack' {
            $r = Invoke-Coexistence $older 'other', 'mnesis'
            $r.ExitCode | Should -Be 0 -Because $r.Text
            $r['other.mds'] | Should -BeLike '6.0.7*'
            $r['mnesis.mds'] | Should -Not -BeLike '6.0.7*'
            $r['mnesis.raw'] | Should -Not -BeLike '2.0.6*'
            $r['natives'] -split '\|' | Should -Contain $mnesisNative
            $r['natives'] -split '\|' | Should -Contain (Join-Path $older 'libe_sqlite3.so')
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
    "{0}:{1}:{2}" -f @(Get-Command -Module Mnesis -CommandType Cmdlet).Count, (Invoke-MnesisWrite -Path $using:db -Query 'INSERT INTO t VALUES (''parallel'')'), [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext((Get-MnesisConnection -Path $using:db).GetType().Assembly).Name
}
"parallel=$(($parallel | Sort-Object) -join '|')"
"contexts=" + @([System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object { $_.Name -like 'Mnesis*' }).Count
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
            $lines['parallel'] -split '\|' | ForEach-Object { $_ | Should -BeLike "$($expected.Count):1:Mnesis*" }
            $lines['contexts'] | Should -Be 1
            $lines['stored'] | Should -Be 6
        }
    }

    Context 'a second copy of Mnesis in the same process' {
        BeforeAll {
            $copy = Join-Path (New-TestFolder) 'Mnesis'
            Copy-Item -Recurse $mod $copy
            $script = Join-Path $TestDrive 'copies.ps1'
            Set-Content -LiteralPath $script -Value @'
param($Mod, $Copy, $Db)
Import-Module $Mod
try { Import-Module $Copy -ErrorAction Stop; 'sameSession=imported' }
catch { "sameSession=$($_.FullyQualifiedErrorId)"; "sameSession.message=$($_.Exception.Message)" }
"sameSession.rows=$(Invoke-MnesisWrite -Path $Db -Query 'CREATE TABLE t(x)')"
"sameSession.from=$((Get-Command Invoke-MnesisWrite).DLL)"
$shell = [powershell]::Create()
$null = $shell.AddScript('param($c) Import-Module $c 3>&1 | ForEach-Object { "otherRunspace.warning=$_" }; "otherRunspace.from=$((Get-Command Invoke-MnesisWrite).DLL)"').AddArgument($Copy)
$shell.Invoke()
$shell.Dispose()
Close-MnesisPool
'@
            $output = Invoke-Pwsh -ArgumentList '-File', $script, $mod, $copy, (Join-Path (New-TestFolder) 'c.db') 2>&1
            $lines = @{}
            foreach ($line in $output) { if ("$line" -match '^([\w.]+)=(.*)$') { $lines[$Matches[1]] = $Matches[2] } }
        }

        It 'is refused in the same session with a clear error, and the first copy keeps working' {
            $lines['sameSession'] | Should -Be 'MnesisOtherCopyImported,Microsoft.PowerShell.Commands.ImportModuleCommand' -Because ($output -join "`n")
            $lines['sameSession.message'] | Should -BeLike "*'$mod'*Remove-Module Mnesis*"
            $lines['sameSession.rows'] | Should -Be 0
            $lines['sameSession.from'] | Should -Be (Join-Path $mod 'Mnesis.PowerShell.dll')
        }

        It 'imports in another runspace with a warning that the copies do not share write gates' {
            $lines['otherRunspace.warning'] | Should -BeLike "Another copy of Mnesis is loaded in this process from '$mod'*write gates*" -Because ($output -join "`n")
            $lines['otherRunspace.from'] | Should -Be (Join-Path $copy 'Mnesis.PowerShell.dll')
        }
    }
}

Describe 'The module folder' {
    It 'holds only assemblies that are isolated, Windows PowerShell 5.1 shims, or the loader' {
        $lists = (Import-PowerShellDataFile (Join-Path $mod 'Mnesis.psd1')).PrivateData.Mnesis
        $known = @($lists.IsolatedAssemblies) + @($lists.WindowsPowerShellShims) + 'Mnesis.PowerShell.Loader'
        $dlls = Get-ChildItem -LiteralPath $mod -Filter *.dll -Recurse | Where-Object { $_.FullName -notlike '*runtimes*' }
        $dlls | Should -Not -BeNullOrEmpty
        foreach ($dll in $dlls) {
            $dll.Directory.FullName | Should -Be (Resolve-Path $mod).ProviderPath -Because "$($dll.Name) must sit beside the module for the load context to find it"
            $known | Should -Contain $dll.BaseName -Because "$($dll.Name) is shipped"
        }
    }
}
