# What only Windows does with paths, file locks and native libraries. Every test here is
# Windows-only and skipped, by name, elsewhere; build.ps1's Test task runs them under Wine on Linux.
BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"
    $mod = $env:MNESIS_TEST_MODULE
}

Describe 'Windows paths (Windows-only: skipped on Linux and macOS)' -Skip:(-not $IsWindows) {
    BeforeEach {
        $pool = New-MnesisPool
        $dir = New-TestFolder
    }
    AfterEach { Close-MnesisPool -Pool $pool }

    It 'reaches one store from C:\Data\Inv.db, c:/data/INV.DB and a relative spelling' {
        # A folder of its own at the root of the drive, as C:\Data would be.
        $root = Join-Path ([IO.Path]::GetPathRoot($dir)) "MnesisData-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $null = New-Item -ItemType Directory $root
        try {
            $upper = Join-Path $root 'Inv.db'
            $lower = $upper.ToLowerInvariant() -replace '\\', '/'
            $first = Open-MnesisStore -Pool $pool -Path $upper
            $null = Invoke-MnesisWrite -Pool $pool -Path $lower -Query 'CREATE TABLE t(v); INSERT INTO t VALUES (1)'
            Push-Location $root
            try { $relative = Open-MnesisStore -Pool $pool -Path '.\INV.db' }
            finally { Pop-Location }
            $pool.Count | Should -Be 1 -Because "'$upper', '$lower' and '.\INV.db' from '$root' name one file"
            $relative | Should -Be $first
            Open-MnesisStore -Pool $pool -Path $lower | Should -Be $first
            Invoke-MnesisQuery -Pool $pool -Path $upper.ToUpperInvariant() -Query 'SELECT count(*) FROM t' -Scalar | Should -Be 1
            @(Get-ChildItem -LiteralPath $root -Filter '*.db').Name | Should -BeExactly 'Inv.db' -Because 'the file keeps the spelling it was created with'
        }
        finally {
            Close-MnesisPool -Pool $pool
            Remove-Item -LiteralPath $root -Recurse -Force
        }
    }

    It 'names the store by its full Windows path, with the drive letter and backslashes' {
        Push-Location $dir
        try { $store = Open-MnesisStore -Pool $pool -Path './sub/x.db' -Force }
        finally { Pop-Location }
        $store.Path | Should -BeExactly (Join-Path $dir 'sub\x.db')
        $store.Path | Should -Match '^[A-Za-z]:\\'
        $store.Path | Should -Not -Match '/'
    }

    It 'reaches one store through -LiteralPath with the \\?\ prefix and without it' {
        $db = Join-Path $dir 'prefixed.db'
        $plain = Open-MnesisStore -Pool $pool -Path $db
        $null = Invoke-MnesisWrite -Pool $pool -LiteralPath "\\?\$db" -Query 'CREATE TABLE t(v); INSERT INTO t VALUES (1)'
        $pool.Count | Should -Be 1
        Open-MnesisStore -Pool $pool -LiteralPath "\\?\$db" | Should -Be $plain
        Invoke-Sqlite3 $db 'SELECT count(*) FROM t' | Should -Be 1
    }

    It 'takes the ? of \\?\ in -Path as a wildcard, as PowerShell''s own cmdlets do, and points to -LiteralPath' {
        $db = Join-Path $dir 'wild.db'
        $err = { Open-MnesisStore -Pool $pool -Path "\\?\$db" -ErrorAction Stop } | Should -Throw -ErrorId 'MnesisPathNotFound,*' -PassThru
        $err.Exception.Message | Should -BeLike '*-LiteralPath*'
        Test-Path -Path "\\?\$db" | Should -BeFalse -Because 'Test-Path -Path finds nothing there either'
        $pool.Count | Should -Be 0
        Test-Path -LiteralPath $db | Should -BeFalse
    }

    It 'writes and reads a database whose path is longer than 260 characters, with and without \\?\' {
        $deep = $dir
        while ($deep.Length -lt 300) { $deep = Join-Path $deep ('d' * 40) }
        $db = Join-Path $deep 'long.db'
        $db.Length | Should -BeGreaterThan 260
        $store = Open-MnesisStore -Pool $pool -Path $db -Force
        $null = Invoke-MnesisWrite -Store $store -Query 'CREATE TABLE t(v); INSERT INTO t VALUES (42)'
        Invoke-MnesisQuery -Pool $pool -LiteralPath "\\?\$db" -Query 'SELECT v FROM t' -Scalar | Should -Be 42
        $pool.Count | Should -Be 1
        Close-MnesisPool -Pool $pool
        Test-Path -LiteralPath $db | Should -BeTrue
        Invoke-Sqlite3 $db 'SELECT v FROM t' | Should -Be 42
    }

    It 'resolves a PSDrive to the file it names, one store with the FileSystem path' {
        $drive = New-PSDrive -Name "MnesisW$([guid]::NewGuid().ToString('N').Substring(0, 6))" -PSProvider FileSystem -Root $dir
        try {
            $throughDrive = Open-MnesisStore -Pool $pool -Path "$($drive.Name):\inv.db"
            $throughDrive.Path | Should -BeExactly (Join-Path $dir 'inv.db')
            Open-MnesisStore -Pool $pool -Path (Join-Path $dir 'INV.DB') | Should -Be $throughDrive
            Push-Location "$($drive.Name):\"
            try { Open-MnesisStore -Pool $pool -Path 'inv.db' | Should -Be $throughDrive }
            finally { Pop-Location }
        }
        finally { Remove-PSDrive -Name $drive.Name }
    }

    It 'refuses the file name <Name>, which Windows does not allow, and creates nothing' -ForEach @(
        @{ Name = 'a?b.db' }, @{ Name = 'a<b.db' }, @{ Name = 'a|b.db' }
    ) {
        $before = Get-TestTreeSnapshot $dir
        { Open-MnesisStore -Pool $pool -LiteralPath (Join-Path $dir $Name) -ErrorAction Stop } | Should -Throw -ErrorId 'Mnesis*'
        $pool.Count | Should -Be 0
        Get-TestTreeSnapshot $dir | Should -Be $before
    }
}

Describe 'Windows file locks (Windows-only: skipped on Linux and macOS)' -Skip:(-not $IsWindows) {
    BeforeEach {
        $pool = New-MnesisPool
        $db = Join-Path (New-TestFolder) 'locked.db'
        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'CREATE TABLE t(v); INSERT INTO t VALUES (1)'
    }
    AfterEach { Close-MnesisPool -Pool $pool }

    It 'keeps <Suffix> from being deleted or renamed while the store is open' -ForEach @(
        @{ Suffix = 'the database' ; Extension = '' }, @{ Suffix = 'its -wal' ; Extension = '-wal' }, @{ Suffix = 'its -shm' ; Extension = '-shm' }
    ) {
        $file = "$db$Extension"
        Test-Path -LiteralPath $file | Should -BeTrue -Because 'a WAL store keeps its -wal and -shm while open'
        { Remove-Item -LiteralPath $file -ErrorAction Stop } | Should -Throw
        { Rename-Item -LiteralPath $file -NewName 'moved.db' -ErrorAction Stop } | Should -Throw
        $err = { [IO.File]::Delete($file) } | Should -Throw -PassThru
        $err.Exception.InnerException | Should -BeOfType ([IO.IOException]) -Because 'Windows refuses to delete a file open without FILE_SHARE_DELETE'
        Test-Path -LiteralPath $file | Should -BeTrue
        Invoke-MnesisQuery -Pool $pool -Path $db -Query 'SELECT count(*) FROM t' -Scalar | Should -Be 1
    }

    It 'lets the file be renamed and deleted right after Close-MnesisPool, its -wal and -shm gone' {
        Close-MnesisPool -Pool $pool -Path $db
        Test-Path -LiteralPath "$db-wal" | Should -BeFalse
        Test-Path -LiteralPath "$db-shm" | Should -BeFalse
        Rename-Item -LiteralPath $db -NewName 'moved.db'
        $moved = Join-Path (Split-Path $db) 'moved.db'
        Invoke-Sqlite3 $moved 'SELECT count(*) FROM t' | Should -Be 1 -Because 'the WAL was checkpointed into the file'
        Remove-Item -LiteralPath $moved
        Test-Path -LiteralPath $moved | Should -BeFalse
    }

    It 'lets the file be deleted after its runspace closed, without Close-MnesisPool' {
        $other = Join-Path (Split-Path $db) 'runspace.db'
        $null = Invoke-TestWithLimit -Arguments $other -What 'a runspace writing a file' -Script {
            param($path)
            Invoke-MnesisWrite -Path $path -Query 'CREATE TABLE t(v); INSERT INTO t VALUES (1)'
        }
        Remove-Item -LiteralPath $other
        Test-Path -LiteralPath $other | Should -BeFalse
    }
}

Describe 'Windows native SQLite (Windows-only: skipped on Linux and macOS)' -Skip:(-not $IsWindows) {
    BeforeAll {
        # Another e_sqlite3.dll, older than the module's: loadable, so a loader that took it would work, just on the wrong SQLite.
        $foreign = Join-Path (Get-TestNuGetRoot) 'sqlitepclraw.lib.e_sqlite3/2.0.6/runtimes/win-x64/native/e_sqlite3.dll'
        $own = Join-Path $mod 'runtimes\win-x64\native\e_sqlite3.dll'
        # In a fresh host: the SQLite version a write ran on, then each e_sqlite3 the process loaded.
        $probe = Join-Path $TestDrive 'probe.ps1'
        Set-Content -LiteralPath $probe -Value @'
param($Module)
$ErrorActionPreference = 'Stop'
Import-Module $Module
$db = Join-Path ([IO.Path]::GetTempPath()) "probe-$([guid]::NewGuid().ToString('N')).db"
$null = Invoke-MnesisWrite -Path $db -Query 'CREATE TABLE t(v)'
Invoke-MnesisQuery -Path $db -Query 'SELECT sqlite_version()' -Scalar
[Diagnostics.Process]::GetCurrentProcess().Modules | Where-Object ModuleName -EQ 'e_sqlite3.dll' | ForEach-Object FileName
Close-MnesisPool
Remove-Item -LiteralPath $db
'@
        function Invoke-Probe([string] $Folder) {
            Push-Location $Folder
            try { Invoke-Pwsh -ArgumentList '-File', $probe, $mod -What 'a fresh host importing the module' }
            finally { Pop-Location }
        }
        $expectedVersion = Invoke-MnesisQuery -Path ':memory:' -Query 'SELECT sqlite_version()' -Scalar
        Close-MnesisPool -Path ':memory:'
    }

    It 'has another e_sqlite3.dll to offer (SQLitePCLRaw.lib.e_sqlite3 2.0.6 from NuGet)' {
        Test-Path -LiteralPath $foreign | Should -BeTrue
    }

    It 'loads its own e_sqlite3.dll although another one sits in the current folder' {
        $folder = New-TestFolder
        Copy-Item -LiteralPath $foreign -Destination $folder
        $output = @(Invoke-Probe $folder)
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        $output[0] | Should -Be $expectedVersion
        @($output | Select-Object -Skip 1) | Should -Be @($own) -Because 'the process loaded only the module''s own copy'
    }

    It 'loads its own e_sqlite3.dll although another one is in a folder on PATH' {
        $folder = New-TestFolder
        Copy-Item -LiteralPath $foreign -Destination $folder
        $saved = $env:PATH
        $env:PATH = "$folder;$saved"
        try { $output = @(Invoke-Probe (New-TestFolder)) }
        finally { $env:PATH = $saved }
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        $output[0] | Should -Be $expectedVersion
        @($output | Select-Object -Skip 1) | Should -Be @($own) -Because 'the process loaded only the module''s own copy'
    }
}

Describe 'Windows PowerShell features (Windows-only: skipped on Linux and macOS)' -Skip:(-not $IsWindows) {
    It 'lets ForEach-Object -Parallel writers share one file' {
        $db = Join-Path (New-TestFolder) 'parallel.db'
        $null = Invoke-MnesisWrite -Path $db -Query 'CREATE TABLE t(who INTEGER, n INTEGER)'
        $ErrorActionPreference = 'Continue'
        $results = @(1..4 | ForEach-Object -ThrottleLimit 4 -TimeoutSeconds 180 -Parallel {
                Import-Module $using:mod
                foreach ($n in 1..50) { $null = Invoke-MnesisWrite -Path $using:db -Query 'INSERT INTO t VALUES (@who, @n)' -Parameters @{ who = $_; n = $n } }
                'done'
            })
        $ErrorActionPreference = 'Stop'
        $results | Should -Be @('done', 'done', 'done', 'done')
        Invoke-Sqlite3 $db 'SELECT count(*), count(DISTINCT who) FROM t' | Should -Be '200|4'
        Close-MnesisPool -Path $db
    }

    It 'shows the help of every cmdlet, with examples, and about_Mnesis' {
        $cmdlets = @(Get-Command -Module Mnesis -CommandType Cmdlet)
        $cmdlets.Count | Should -BeGreaterThan 5
        foreach ($cmdlet in $cmdlets) {
            $help = Get-Help $cmdlet.Name -Full
            $help.Synopsis | Should -Not -BeNullOrEmpty -Because "$($cmdlet.Name) has help"
            @($help.Examples.Example).Count | Should -BeGreaterThan 0 -Because "$($cmdlet.Name) has examples"
        }
        Get-Help about_Mnesis | Out-String | Should -BeLike '*Mnesis*'
    }

    It 'runs the example runbook' {
        $work = New-TestFolder
        $output = Invoke-Pwsh -ArgumentList '-File', (Join-Path $PSScriptRoot '../examples/ServiceInventory.ps1'), '-ModulePath', $mod -What 'the example runbook'
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
    }
}
