# The pool and store identity: one store per database and pool, whatever the spelling of its name;
# pools and their default per runspace.
BeforeDiscovery {
    . "$PSScriptRoot/Support/Engines.ps1"
}

BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"
    . "$PSScriptRoot/Support/Engines.ps1"
    . "$PSScriptRoot/Support/Fixtures.ps1"
    $mod = $env:MNESIS_TEST_MODULE
}

# On every engine (Support/Engines.ps1). What only one engine has is in Sqlite.Tests.ps1 or PostgreSql.Tests.ps1.
Describe 'Store identity on <Engine>' -ForEach (Get-TestEngines) {
    BeforeAll {
        if ($Skip) { Write-Host "Skipping the $Engine behaviour suite: $Why." }
    }

    BeforeEach {
        if ($Skip) { Set-ItResult -Skipped -Because $Why; return }
        $target = New-TestTarget $Engine
        $name = $target.Name
        $pool = New-MnesisPool
        $null = Invoke-MnesisWrite -Pool $pool @name -Query (Get-TestSql $Engine 'CreateItems')
    }

    AfterEach {
        if ($Skip) { return }
        Close-MnesisPool -Pool $pool
        Remove-TestTarget $target
    }

    Context 'opening' {
        It 'opens one store per database, named the engine''s way, and reuses it' {
            $store = Open-MnesisStore -Pool $pool @name
            $store.Engine | Should -Be $Engine
            $store.IsOpen | Should -BeTrue
            [object]::ReferenceEquals($store, (Open-MnesisStore -Pool $pool @name)) | Should -BeTrue
            @(Get-MnesisPool -Pool $pool).Count | Should -Be 1
            $connection = Get-MnesisConnection -Pool $pool @name
            $connection | Should -BeOfType ([System.Data.Common.DbConnection])
            $connection.State | Should -Be 'Open'
        }
    }
}

Describe 'Open-MnesisStore on <Engine>' -ForEach (Get-TestEngines) {
    BeforeEach {
        if ($Skip) { Set-ItResult -Skipped -Because $Why; return }
        $target = New-TestTarget $Engine
        $name = $target.Name
        $pool = New-MnesisPool
    }
    AfterEach {
        if ($Skip) { return }
        Close-MnesisPool -Pool $pool
        Remove-TestTarget $target
    }

    Context 'idempotence' {
        It 'returns the same store object and the same connection on a second open' {
            $first = Open-MnesisStore -Pool $pool @name
            $firstConnection = Get-MnesisConnection -Pool $pool @name
            $second = Open-MnesisStore -Pool $pool @name
            $secondConnection = Get-MnesisConnection -Pool $pool @name
            [object]::ReferenceEquals($first, $second) | Should -BeTrue
            [object]::ReferenceEquals($firstConnection, $secondConnection) | Should -BeTrue
            $pool.Count | Should -Be 1
        }

        It 'writes "opened" then "reusing" with the path to the verbose stream' {
            $firstVerbose = @(Open-MnesisStore -Pool $pool @name -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
            $secondVerbose = @(Open-MnesisStore -Pool $pool @name -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
            $shown = (Open-MnesisStore -Pool $pool @name).Target
            $firstVerbose.Count | Should -Be 1
            $firstVerbose[0].Message | Should -BeLike "*opened*'$shown'*"
            $secondVerbose.Count | Should -Be 1
            $secondVerbose[0].Message | Should -BeLike "*reusing*'$shown'*"
        }

        It 'gives two different pools two different connections to the same file' {
            $otherPool = New-MnesisPool
            try {
                $mine = Open-MnesisStore -Pool $pool @name
                $theirs = Open-MnesisStore -Pool $otherPool @name
                [object]::ReferenceEquals($mine, $theirs) | Should -BeFalse
                $mineConnection = Get-MnesisConnection -Pool $pool @name
                $theirConnection = Get-MnesisConnection -Pool $otherPool @name
                [object]::ReferenceEquals($mineConnection, $theirConnection) | Should -BeFalse
                $null = Invoke-MnesisWrite -Store $mine -Query 'CREATE TABLE t(v text); INSERT INTO t VALUES (''1'')'
                Invoke-TestScalar $theirConnection 'SELECT count(*) FROM t' | Should -Be 1
            }
            finally { Close-MnesisPool -Pool $otherPool }
        }
    }
}

Describe 'Open-MnesisStore' {
    BeforeEach {
        $pool = New-MnesisPool
        $dir = New-TestFolder
        $db = Join-Path $dir 'store.db'
    }

    AfterEach { Close-MnesisPool -Pool $pool }

    Context 'idempotence' {

        It 'warns when a second open asks for other options, and the first options stand' {
            $first = Open-MnesisStore -Pool $pool -Path $db -BusyTimeout 7
            $again = Open-MnesisStore -Pool $pool -Path $db -BusyTimeout 7 -WarningVariable sameWarning -WarningAction SilentlyContinue
            $other = Open-MnesisStore -Pool $pool -Path $db -BusyTimeout 60 -WarningVariable busyWarning -WarningAction SilentlyContinue
            $noWal = Open-MnesisStore -Pool $pool -Path $db -NoWal -WarningVariable walWarning -WarningAction SilentlyContinue

            $sameWarning | Should -BeNullOrEmpty -Because 'the same options were asked for again'
            @($busyWarning).Count | Should -Be 1
            "$busyWarning" | Should -BeLike "*$db*first options stand*"
            @($walWarning).Count | Should -Be 1
            [object]::ReferenceEquals($first, $again) | Should -BeTrue
            [object]::ReferenceEquals($first, $other) | Should -BeTrue
            [object]::ReferenceEquals($first, $noWal) | Should -BeTrue
            $other.BusyTimeout | Should -Be 7
            $noWal.WalMode | Should -BeTrue
            Get-Pragma (Get-MnesisConnection -Pool $pool -Path $db) 'busy_timeout' | Should -Be 7000
        }

        It 'does not warn on a second open without explicit options' {
            $null = Open-MnesisStore -Pool $pool -Path $db -BusyTimeout 3 -NoWal
            $null = Open-MnesisStore -Pool $pool -Path $db -WarningVariable warnings -WarningAction SilentlyContinue
            $warnings | Should -BeNullOrEmpty
        }
    }

    Context 'every spelling of one file is one store' {
        It 'reuses the store for the <Spelling>' -ForEach @(
            @{ Spelling = 'relative path from the PowerShell location'; Make = { param($folder) './store.db' } }
            @{ Spelling = 'TestDrive: drive path'; Make = { param($folder) "TestDrive:\$(Split-Path $folder -Leaf)\store.db" } }
            @{ Spelling = 'provider-qualified path'; Make = { param($folder) "Microsoft.PowerShell.Core\FileSystem::$folder/store.db" } }
            @{ Spelling = 'sub/../ path'; Make = { param($folder) $null = New-Item -ItemType Directory (Join-Path $folder 'sub'); Join-Path $folder 'sub/../store.db' } }
            @{ Spelling = 'symbolic link to the file'; Make = { param($folder) (New-Item -ItemType SymbolicLink -Path (Join-Path $folder 'link.db') -Target (Join-Path $folder 'store.db')).FullName } }
            @{ Spelling = 'symbolically linked parent folder'; Make = { param($folder) $link = New-Item -ItemType SymbolicLink -Path (Join-Path $TestDrive "linkdir-$([guid]::NewGuid().ToString('N'))") -Target $folder; Join-Path $link.FullName 'store.db' } }
        ) {
            if ($IsWindows -and $Spelling -like 'symbolic*') { Set-ItResult -Skipped -Because 'the module resolves symbolic links on Linux and macOS only (README, How it behaves)' }
            $first = Open-MnesisStore -Pool $pool -Path $db
            Push-Location -LiteralPath $dir
            try {
                $spelling = & $Make $dir
                $second = Open-MnesisStore -Pool $pool -Path $spelling
            }
            finally { Pop-Location }
            $spelling | Should -Not -BeExactly $db
            [object]::ReferenceEquals($first, $second) | Should -BeTrue
            $second.Path | Should -BeExactly $db
            $pool.Count | Should -Be 1
        }

        It 'reuses the store for a symbolic link opened first, and names the target' {
            if ($IsWindows) { Set-ItResult -Skipped -Because 'the module resolves symbolic links on Linux and macOS only (README, How it behaves)' }
            $null = New-Item -ItemType File -Path $db
            $link = Join-Path $dir 'first-link.db'
            $null = New-Item -ItemType SymbolicLink -Path $link -Target $db
            $viaLink = Open-MnesisStore -Pool $pool -Path $link
            $viaTarget = Open-MnesisStore -Pool $pool -Path $db
            [object]::ReferenceEquals($viaLink, $viaTarget) | Should -BeTrue
            $viaLink.Path | Should -BeExactly $db
        }

        It 'reuses the store for a symbolic link created before its target file exists' {
            if ($IsWindows) { Set-ItResult -Skipped -Because 'the module resolves symbolic links on Linux and macOS only (README, How it behaves)' }
            $link = Join-Path $dir 'early-link.db'
            $null = New-Item -ItemType SymbolicLink -Path $link -Target $db
            $viaLink = Open-MnesisStore -Pool $pool -Path $link
            Test-Path -LiteralPath $db -PathType Leaf | Should -BeTrue -Because 'SQLite created the target through the link'
            $viaTarget = Open-MnesisStore -Pool $pool -Path $db
            $viaLink.Path | Should -BeExactly $db
            [object]::ReferenceEquals($viaLink, $viaTarget) | Should -BeTrue
            $pool.Count | Should -Be 1 -Because 'one file has one connection per pool'
            Close-MnesisPool -Pool $pool -Path $link
            $viaLink.IsOpen | Should -BeFalse -Because 'closing by the link closes the store opened by the link'
        }

        It 'expands ~ to the home folder' {
            $name = "mnesis-test-$([guid]::NewGuid().ToString('N')).db"
            $inHome = Join-Path $HOME $name
            try {
                $viaTilde = Open-MnesisStore -Pool $pool -Path "~/$name"
                $viaTilde.Path | Should -BeExactly ([IO.Path]::GetFullPath($inHome))
                Test-Path -LiteralPath $inHome | Should -BeTrue
                [object]::ReferenceEquals($viaTilde, (Open-MnesisStore -Pool $pool -Path $inHome)) | Should -BeTrue
            }
            finally {
                Close-MnesisPool -Pool $pool -LiteralPath $inHome
                Remove-Item -LiteralPath $inHome, "$inHome-wal", "$inHome-shm" -ErrorAction SilentlyContinue
            }
        }

        It 'resolves a relative path against the PowerShell location, not the process working folder' {
            $name = "relative-$([guid]::NewGuid().ToString('N')).db"
            $processFolder = [Environment]::CurrentDirectory
            $processFolder | Should -Not -Be $dir
            Push-Location -LiteralPath $dir
            try { $store = Open-MnesisStore -Pool $pool -Path $name }
            finally { Pop-Location }
            $store.Path | Should -BeExactly (Join-Path $dir $name)
            Test-Path -LiteralPath (Join-Path $dir $name) | Should -BeTrue
            Test-Path -LiteralPath (Join-Path $processFolder $name) | Should -BeFalse
        }
    }

    Context 'paths that are not plain file names on this platform' {
        It 'never puts a store in the process''s working folder for a UNC-style path on Linux' -Skip:(-not $IsLinux) {
            $processFolder = New-TestFolder
            $saved = [Environment]::CurrentDirectory
            [Environment]::CurrentDirectory = $processFolder
            Push-Location -LiteralPath $dir
            try { $result = try { Open-MnesisStore -Pool $pool -Path '\\server\share\x.db' -ErrorAction Stop } catch { $_ } }
            finally {
                Pop-Location
                [Environment]::CurrentDirectory = $saved
            }
            Get-ChildItem -LiteralPath $processFolder -Force | Should -BeNullOrEmpty -Because 'relative paths resolve against the PowerShell location, never the process working folder'
            $result | Should -BeOfType ([Management.Automation.ErrorRecord])
            $result.FullyQualifiedErrorId | Should -BeLike 'MnesisPathInvalid,*'
            $result.Exception.Message | Should -BeLike '*\\server\share\x.db*UNC*'
        }
    }

    Context 'input forms' {
        It 'opens each path string from the pipeline' {
            $paths = 'one.db', 'two.db', 'three.db' | ForEach-Object { Join-Path $dir $_ }
            $stores = @($paths | Open-MnesisStore -Pool $pool)
            $stores.Count | Should -Be 3
            $stores.Path | Should -Be $paths
            $pool.Count | Should -Be 3
        }

        It 'opens FileInfo objects from Get-Item and Get-ChildItem' {
            $paths = 'a.db', 'b.db' | ForEach-Object { Join-Path $dir $_ }
            $null = New-Item -ItemType File -Path $paths
            $first = Get-Item -LiteralPath $paths[0] | Open-MnesisStore -Pool $pool
            $first.Path | Should -BeExactly $paths[0]
            $all = @(Get-ChildItem -LiteralPath $dir -Filter '*.db' | Sort-Object Name | Open-MnesisStore -Pool $pool)
            $all.Path | Should -Be $paths
            [object]::ReferenceEquals($first, $all[0]) | Should -BeTrue
        }

        It 'opens the file named exactly <Name> through -LiteralPath' -ForEach @(
            @{ Name = 'in [brackets].db' }
            @{ Name = 'star*and?question.db' }
            @{ Name = '  spaces ünïcødé 日本語 ✓.db' }
        ) {
            if ($IsWindows -and $Name -match '[*?]') { Set-ItResult -Skipped -Because '* and ? are not legal in Windows file names (Windows.Tests.ps1 checks they are refused)' }
            $target = Join-Path $dir $Name
            $store = Open-MnesisStore -Pool $pool -LiteralPath $target
            $store.Path | Should -BeExactly $target
            Test-Path -LiteralPath $target -PathType Leaf | Should -BeTrue
            @(Get-ChildItem -LiteralPath $dir -Force -Name | Where-Object { $_ -notlike '*-wal' -and $_ -notlike '*-shm' }) | Should -BeExactly @($Name)
            [object]::ReferenceEquals($store, (Open-MnesisStore -Pool $pool -LiteralPath $target)) | Should -BeTrue
            $null = Invoke-MnesisWrite -Store $store -Query 'CREATE TABLE t(v); INSERT INTO t VALUES (1)'
            Invoke-Sqlite3 $target 'SELECT count(*) FROM t' | Should -Be 1
        }

        It 'opens every existing file a wildcard -Path matches, and only those' {
            $null = New-Item -ItemType File -Path (Join-Path $dir 'log-1.db'), (Join-Path $dir 'log-2.db'), (Join-Path $dir 'other.db')
            $stores = @(Open-MnesisStore -Pool $pool -Path (Join-Path $dir 'log-?.db'))
            $stores.Count | Should -Be 2
            ($stores.Path | Sort-Object) | Should -Be @((Join-Path $dir 'log-1.db'), (Join-Path $dir 'log-2.db'))
            $pool.Count | Should -Be 2
            { Get-MnesisConnection -Pool $pool -Path (Join-Path $dir 'other.db') -ErrorAction Stop } | Should -Throw -ErrorId 'MnesisStoreNotOpen,*'
        }

        It 'opens the files a wildcard -Path matches even when it also matches a directory' {
            $files = 'w1.db', 'w2.db' | ForEach-Object { Join-Path $dir $_ }
            $null = New-Item -ItemType File -Path $files
            $folder = New-Item -ItemType Directory -Path (Join-Path $dir 'w3.db')
            $stores = @(Open-MnesisStore -Pool $pool -Path (Join-Path $dir 'w*.db') -ErrorAction SilentlyContinue -ErrorVariable err)
            ($stores.Path | Sort-Object) | Should -Be $files -Because 'an error for one path must not stop the others of the call'
            foreach ($record in $err) {
                $record.FullyQualifiedErrorId | Should -BeLike 'MnesisPathIsDirectory,*'
                $record.Exception.Message | Should -BeLike "*$($folder.FullName)*"
            }
        }
    }
}

# A connection string or URI given to -Path (issue 22): refused or read, never a new file named after it.
Describe 'A connection string given to -Path' {
    BeforeEach {
        $pool = New-MnesisPool
        $dir = New-TestFolder
        Push-Location -LiteralPath $dir
    }

    AfterEach {
        Pop-Location
        Close-MnesisPool -Pool $pool
    }

    It 'is refused with <Keyword> named, pointing to -ConnectionString, and nothing is created: <Value>' -ForEach @(
        @{ Value = 'Host=localhost;Database=inventory;Username=app;Password=s3cret'; Keyword = 'Host=' }
        @{ Value = 'Server=db01'; Keyword = 'Server=' }
        @{ Value = '  host = db01 ; port=5433'; Keyword = 'host=' }
        @{ Value = 'Database=inventory;Host=db01'; Keyword = 'Database=' }
        @{ Value = 'postgres://app:s3cret@db01/inventory'; Keyword = 'postgres://' }
        @{ Value = 'POSTGRESQL://db01:5432/inventory'; Keyword = 'postgresql://' }
    ) {
        foreach ($call in { Open-MnesisStore -Pool $pool -Path $Value -ErrorAction Stop },
            { Invoke-MnesisWrite -Pool $pool -Path $Value -Query 'CREATE TABLE t(v)' },
            { Invoke-MnesisWrite -Pool $pool -DataSource $Value -Query 'CREATE TABLE t(v)' },
            { Invoke-MnesisQuery -Pool $pool -Path $Value -Query 'SELECT 1' }) {
            $record = $call | Should -Throw -ErrorId 'MnesisPathIsConnectionString,*' -PassThru
            $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $record.Exception.Message | Should -BeLike "*'Path'*'$Keyword'*-ConnectionString*-LiteralPath*"
            $record.Exception.Message | Should -Not -BeLike '*s3cret*' -Because 'a connection string may hold a password'
        }
        @(Get-ChildItem -LiteralPath $dir -Force) | Should -BeNullOrEmpty -Because 'nothing is created for a connection string'
        $pool.Count | Should -Be 0
    }

    It 'takes the file that a SQLite connection string names, relative to the PowerShell location: <Value>' -ForEach @(
        @{ Value = 'Data Source=inventory.db;Version=3;'; File = 'inventory.db' }
        @{ Value = 'data source = "my inventory.db"'; File = 'my inventory.db' }
        @{ Value = 'DataSource=inv[1].db'; File = 'inv[1].db' }
        @{ Value = 'Filename=./inventory.db'; File = 'inventory.db' }
    ) {
        $store = Open-MnesisStore -Pool $pool -DataSource $Value
        $store.Path | Should -BeExactly (Join-Path $dir $File)
        Invoke-MnesisWrite -Pool $pool -Path $Value -Query 'CREATE TABLE t(v); INSERT INTO t VALUES (1)' | Should -Be 1
        $pool.Count | Should -Be 1 -Because 'the connection string and the file name one store'
        Close-MnesisPool -Pool $pool
        Invoke-Sqlite3 (Join-Path $dir $File) 'SELECT count(*) FROM t' | Should -Be 1
        @(Get-ChildItem -LiteralPath $dir -Name) | Should -BeExactly @($File)
    }

    It 'refuses a SQLite connection string with options -Path does not take, naming them, and creates nothing' {
        $record = { Open-MnesisStore -Pool $pool -Path 'Data Source=inventory.db;Read Only=True;Password=s3cret' -ErrorAction Stop } |
            Should -Throw -ErrorId 'MnesisPathConnectionStringOptions,*' -PassThru
        $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $record.Exception.Message | Should -BeLike "*'Path'*'read only'*'password'*-ReadOnly*"
        $record.Exception.Message | Should -Not -BeLike '*s3cret*'
        @(Get-ChildItem -LiteralPath $dir -Force) | Should -BeNullOrEmpty
    }

    It 'opens an ordinary file name with = in it as a file: <Name>' -ForEach @(
        @{ Name = 'a=b.db' }
        @{ Name = 'size=large;v2.db' }
        @{ Name = 'hostname=db01.db' }
    ) {
        $store = Open-MnesisStore -Pool $pool -Path $Name
        $store.Path | Should -BeExactly (Join-Path $dir $Name)
        $null = Invoke-MnesisWrite -Store $store -Query 'CREATE TABLE t(v)'
        Close-MnesisPool -Pool $pool
        Invoke-Sqlite3 (Join-Path $dir $Name) 'SELECT count(*) FROM sqlite_master' | Should -Be 1
    }

    It 'opens an existing file whose name looks like a connection string as that file, and -LiteralPath creates one' {
        $existing = Join-Path $dir 'Host=db01.db'
        $null = Invoke-Sqlite3 $existing 'CREATE TABLE t(v); INSERT INTO t VALUES (7);'
        Invoke-MnesisQuery -Pool $pool -Path 'Host=db01.db' -Query 'SELECT v FROM t' -Scalar | Should -Be 7
        $store = Open-MnesisStore -Pool $pool -LiteralPath 'Server=new;x.db'
        $store.Path | Should -BeExactly (Join-Path $dir 'Server=new;x.db')
        Test-Path -LiteralPath (Join-Path $dir 'Server=new;x.db') -PathType Leaf | Should -BeTrue
    }
}

Describe 'Invoke-MnesisWrite' {
    BeforeEach {
        $pool = New-MnesisPool
        $db = Join-Path $TestDrive "write-$([guid]::NewGuid().ToString('N')).db"
        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)'
    }

    AfterEach { Close-MnesisPool -Pool $pool }

    # A store found again from how its path was spelled must be the file that spelling names now.
    Context 'a path spelled the same way again' {
        BeforeEach {
            $one = New-TestFolder
            $two = New-TestFolder
            $drive = "mnesis$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        }

        AfterEach { Remove-PSDrive -Name $drive -ErrorAction SilentlyContinue }

        It 'writes to the file under the new root when a drive is made again with another root' {
            $null = New-PSDrive -Name $drive -PSProvider FileSystem -Root $one
            Invoke-MnesisWrite -Pool $pool -Path "${drive}:/same.db" -Query 'CREATE TABLE t(v); INSERT INTO t VALUES (1)' | Should -Be 1
            Remove-PSDrive -Name $drive
            $null = New-PSDrive -Name $drive -PSProvider FileSystem -Root $two
            Invoke-MnesisWrite -Pool $pool -Path "${drive}:/same.db" -Query 'CREATE TABLE t(v); INSERT INTO t VALUES (2)' | Should -Be 1
            Close-MnesisPool -Pool $pool
            Invoke-Sqlite3 (Join-Path $one 'same.db') 'SELECT group_concat(v) FROM t' | Should -Be '1'
            Invoke-Sqlite3 (Join-Path $two 'same.db') 'SELECT group_concat(v) FROM t' | Should -Be '2'
        }

        It 'writes under the drive''s own location for a drive-relative path after that location moved' {
            $null = New-Item -ItemType Directory -Path (Join-Path $one 'a'), (Join-Path $one 'b')
            $null = New-PSDrive -Name $drive -PSProvider FileSystem -Root $one
            foreach ($sub in 'a', 'b') {
                Push-Location "${drive}:/$sub"
                Pop-Location
                Push-Location -LiteralPath $TestDrive
                try { $null = Invoke-MnesisWrite -Pool $pool -Path "${drive}:rel.db" -Query 'CREATE TABLE IF NOT EXISTS t(v); INSERT INTO t VALUES (@v)' -Parameters @{ v = $sub } }
                finally { Pop-Location }
            }
            Close-MnesisPool -Pool $pool
            Invoke-Sqlite3 (Join-Path $one 'a/rel.db') 'SELECT group_concat(v) FROM t' | Should -Be 'a'
            Invoke-Sqlite3 (Join-Path $one 'b/rel.db') 'SELECT group_concat(v) FROM t' | Should -Be 'b'
        }

        It 'writes to the file under the new location when the same relative path is used elsewhere' {
            foreach ($folder in $one, $two, $one) {
                Push-Location -LiteralPath $folder
                try { $null = Invoke-MnesisWrite -Pool $pool -Path 'rel.db' -Query 'CREATE TABLE IF NOT EXISTS t(v); INSERT INTO t VALUES (@v)' -Parameters @{ v = $folder } }
                finally { Pop-Location }
            }
            Close-MnesisPool -Pool $pool
            Invoke-Sqlite3 (Join-Path $one 'rel.db') 'SELECT count(*) FROM t' | Should -Be '2'
            Invoke-Sqlite3 (Join-Path $two 'rel.db') 'SELECT count(*) FROM t' | Should -Be '1'
        }

        It 'writes to the file under the new root when the current drive is made again with another root' {
            $null = New-PSDrive -Name $drive -PSProvider FileSystem -Root $one
            Push-Location "${drive}:/"
            try {
                $null = Invoke-MnesisWrite -Pool $pool -Path 'rel.db' -Query 'CREATE TABLE t(v); INSERT INTO t VALUES (1)'
                Set-Location -LiteralPath $TestDrive
                Remove-PSDrive -Name $drive
                $null = New-PSDrive -Name $drive -PSProvider FileSystem -Root $two
                Set-Location "${drive}:/"
                $null = Invoke-MnesisWrite -Pool $pool -Path 'rel.db' -Query 'CREATE TABLE t(v); INSERT INTO t VALUES (2)'
            }
            finally { Pop-Location }
            Close-MnesisPool -Pool $pool
            Invoke-Sqlite3 (Join-Path $one 'rel.db') 'SELECT group_concat(v) FROM t' | Should -Be '1'
            Invoke-Sqlite3 (Join-Path $two 'rel.db') 'SELECT group_concat(v) FROM t' | Should -Be '2'
        }

        It 'writes under the new home for a provider-qualified ~ path after the provider''s home changed' {
            $fileSystem = Get-PSProvider FileSystem
            $savedHome = $fileSystem.Home
            try {
                foreach ($folder in $one, $two) {
                    $fileSystem.Home = $folder
                    $null = Invoke-MnesisWrite -Pool $pool -Path 'FileSystem::~/home.db' -Query 'CREATE TABLE IF NOT EXISTS t(v); INSERT INTO t VALUES (@v)' -Parameters @{ v = $folder }
                }
            }
            finally { $fileSystem.Home = $savedHome }
            Close-MnesisPool -Pool $pool
            Invoke-Sqlite3 (Join-Path $one 'home.db') 'SELECT count(*) FROM t' | Should -Be '1'
            Invoke-Sqlite3 (Join-Path $two 'home.db') 'SELECT count(*) FROM t' | Should -Be '1'
        }

        It 'opens the file again after its store was closed, instead of using the closed store' {
            $path = Join-Path $one 'closed.db'
            $first = Open-MnesisStore -Pool $pool -Path $path
            $null = Invoke-MnesisWrite -Pool $pool -Path $path -Query 'CREATE TABLE t(v); INSERT INTO t VALUES (1)'
            Close-MnesisPool -Pool $pool -Path $path
            $first.IsOpen | Should -BeFalse
            Invoke-MnesisWrite -Pool $pool -Path $path -Query 'INSERT INTO t VALUES (2)' | Should -Be 1
            $second = Open-MnesisStore -Pool $pool -Path $path
            [object]::ReferenceEquals($first, $second) | Should -BeFalse
            $second.IsOpen | Should -BeTrue
            Close-MnesisPool -Pool $pool
            Invoke-Sqlite3 $path 'SELECT group_concat(v) FROM t' | Should -Be '1,2'
        }
    }
}

Describe 'Get-MnesisConnection on <Engine>' -ForEach (Get-TestEngines) {
    BeforeEach {
        if ($Skip) { Set-ItResult -Skipped -Because $Why; return }
        $pool = New-MnesisPool
        $targets = @(New-TestTarget $Engine; New-TestTarget $Engine; New-TestTarget $Engine)
        $databases = @($targets | ForEach-Object { Get-TestDatabaseName $_ })
        $stores = @($targets | ForEach-Object { $n = $_.Name; Open-MnesisStore -Pool $pool @n })
    }
    AfterEach {
        if ($Skip) { return }
        Close-MnesisPool -Pool $pool
        $targets | ForEach-Object { Remove-TestTarget $_ }
    }

    It 'returns the store''s connection for -Store and for stores from the pipeline' {
        $byStore = Get-MnesisConnection -Store $stores[2]
        Get-TestConnectionDatabase $byStore $Engine | Should -BeExactly $databases[2]
        $third = $targets[2].Name
        [object]::ReferenceEquals($byStore, (Get-MnesisConnection -Pool $pool @third)) | Should -BeTrue

        $piped = @($stores[0], $stores[2] | Get-MnesisConnection)
        $piped.Count | Should -Be 2
        $piped | ForEach-Object { $_.State | Should -Be 'Open' }
        @($piped | ForEach-Object { Get-TestConnectionDatabase $_ $Engine }) | Should -Be @($databases[0], $databases[2])
    }

    It 'returns every connection of the pool when no path is given' {
        $all = @(Get-MnesisConnection -Pool $pool)
        $all.Count | Should -Be $pool.Count
        $all.Count | Should -Be 3
        @($all | ForEach-Object { Get-TestConnectionDatabase $_ $Engine } | Sort-Object) | Should -Be @($databases | Sort-Object)
        $fourth = New-TestTarget $Engine
        try {
            $n = $fourth.Name
            $null = Open-MnesisStore -Pool $pool @n
            @(Get-MnesisConnection -Pool $pool).Count | Should -Be 4
            Close-MnesisPool -Pool $pool @n
        }
        finally { Remove-TestTarget $fourth }
    }

    It 'does not find a path that is open only in another pool' {
        $otherPool = New-MnesisPool
        $elsewhere = New-TestTarget $Engine
        try {
            $n = $elsewhere.Name
            $null = Open-MnesisStore -Pool $otherPool @n
            Get-MnesisConnection -Pool $pool @n -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'MnesisStoreNotOpen,*'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            @(Get-MnesisConnection -Pool $pool) | Should -HaveCount 3
            (Get-MnesisConnection -Pool $otherPool @n).State | Should -Be 'Open'

            # The same database open in both pools: two different connections.
            $first = $targets[0].Name
            $null = Open-MnesisStore -Pool $otherPool @first
            [object]::ReferenceEquals((Get-MnesisConnection -Pool $pool @first), (Get-MnesisConnection -Pool $otherPool @first)) | Should -BeFalse
        }
        finally {
            Close-MnesisPool -Pool $otherPool
            Remove-TestTarget $elsewhere
        }
    }
}

Describe 'Get-MnesisConnection' {
    BeforeEach {
        $pool = New-MnesisPool
        $dir = New-TestFolder
        $paths = 'a.db', 'b.db', 'c.db' | ForEach-Object { Join-Path $dir $_ }
        $stores = @($paths | Open-MnesisStore -Pool $pool)
    }

    AfterEach { Close-MnesisPool -Pool $pool }

    It 'returns the open SqliteConnection of the store for a path' {
        $connection = Get-MnesisConnection -Pool $pool -Path $paths[1]
        @($connection).Count | Should -Be 1
        # The type lives in Mnesis's private load context, where type literals do not resolve.
        $connection.GetType().FullName | Should -Be 'Microsoft.Data.Sqlite.SqliteConnection'
        $connection | Should -BeOfType ([System.Data.Common.DbConnection])
        $connection.State | Should -Be 'Open'
        Get-MainFile $connection | Should -BeExactly $paths[1]
        [object]::ReferenceEquals($connection, (Get-MnesisConnection -Pool $pool -Path $paths[1])) | Should -BeTrue
    }

    It 'finds the connection under another spelling of the path (-LiteralPath, relative)' {
        $byPath = Get-MnesisConnection -Pool $pool -Path $paths[0]
        $byLiteral = Get-MnesisConnection -Pool $pool -LiteralPath $paths[0]
        Push-Location -LiteralPath $dir
        try { $byRelative = Get-MnesisConnection -Pool $pool -Path 'a.db' }
        finally { Pop-Location }
        [object]::ReferenceEquals($byPath, $byLiteral) | Should -BeTrue
        [object]::ReferenceEquals($byPath, $byRelative) | Should -BeTrue
    }

    It 'returns nothing and raises no error for an empty pool without a path' {
        $empty = New-MnesisPool
        @(Get-MnesisConnection -Pool $empty -ErrorVariable err) | Should -HaveCount 0
        $err | Should -HaveCount 0
    }

    It 'reports a never-opened path as a non-terminating ObjectNotFound error, creates no file, and still returns the others' {
        $missing = Join-Path $dir 'never.db'
        $before = Get-TestTreeSnapshot -Path $dir | Where-Object { $_ -notmatch '-(wal|shm)$' }
        $result = @(Get-MnesisConnection -Pool $pool -Path $paths[0], $missing, $paths[2] -ErrorAction SilentlyContinue -ErrorVariable err)
        $result.Count | Should -Be 2
        @($result | ForEach-Object { Get-MainFile $_ }) | Should -Be @($paths[0], $paths[2])
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'MnesisStoreNotOpen,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].Exception.Message | Should -BeLike "*'$missing'*"
        $err[0].TargetObject | Should -BeExactly $missing
        Test-Path -Path "$missing*" | Should -BeFalse
        Get-TestTreeSnapshot -Path $dir | Where-Object { $_ -notmatch '-(wal|shm)$' } | Should -Be $before
        $pool.Count | Should -Be 3
    }

    It 'does not open an existing database that was never opened in the pool' {
        $existing = Join-Path $dir 'existing.db'
        $null = Invoke-Sqlite3 $existing 'CREATE TABLE t(v)'
        Get-MnesisConnection -Pool $pool -Path $existing -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'MnesisStoreNotOpen,*'
        $pool.Count | Should -Be 3
    }
}

Describe 'New-MnesisPool on <Engine>' -ForEach (Get-TestEngines) {
    BeforeEach {
        if ($Skip) { Set-ItResult -Skipped -Because $Why; return }
        $target = New-TestTarget $Engine
        $name = $target.Name
    }
    AfterEach {
        if ($Skip) { return }
        Remove-TestTarget $target
    }

    It 'keeps pools isolated: a store opened in one is not visible in the other' {
        $first = New-MnesisPool
        $second = New-MnesisPool
        try {
            $store = Open-MnesisStore -Pool $first @name
            $first.Count | Should -Be 1
            $second.Count | Should -Be 0
            Get-MnesisConnection -Pool $second @name -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'MnesisStoreNotOpen,*'
            @(Get-MnesisConnection -Pool $second) | Should -HaveCount 0
            [object]::ReferenceEquals($store.Pool, $first) | Should -BeTrue

            Close-MnesisPool -Pool $second
            $store.IsOpen | Should -BeTrue -Because 'closing one pool leaves the other alone'
        }
        finally {
            Close-MnesisPool -Pool $first
            Close-MnesisPool -Pool $second
        }
    }

    Context 'the default pool' {
        AfterEach { if (-not $Skip) { Close-MnesisPool @name } }

        It 'is shared by calls without -Pool in one runspace' {
            $first = Open-MnesisStore @name
            $second = Open-MnesisStore @name
            [object]::ReferenceEquals($first, $second) | Should -BeTrue
            $first.Pool.IsDefault | Should -BeTrue
            $first.Pool.Id | Should -Be $second.Pool.Id
            [object]::ReferenceEquals((Get-MnesisConnection @name), (Get-MnesisConnection -Store $first)) | Should -BeTrue
            $null = Invoke-MnesisWrite @name -Query 'CREATE TABLE t(v text); INSERT INTO t VALUES (''1'')'
            $first.Writes | Should -Be 1 -Because 'the write without -Pool went through the same default store'
        }

        It 'is not a pool made by New-MnesisPool' {
            $pool = New-MnesisPool
            try {
                $default = Open-MnesisStore @name
                $default.Pool.Id | Should -Not -Be $pool.Id
                Get-MnesisConnection -Pool $pool @name -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
                $err[0].FullyQualifiedErrorId | Should -BeLike 'MnesisStoreNotOpen,*'
            }
            finally { Close-MnesisPool -Pool $pool }
        }

        It 'is a different pool in another runspace, with its own connection to the same file' {
            $mine = Open-MnesisStore @name
            $myConnection = Get-MnesisConnection @name
            $shell = New-OtherRunspaceShell
            try {
                $script = { param($name) $store = Open-MnesisStore @name; $store; , (Get-MnesisConnection @name) }
                $first = Invoke-InShell $shell $script $name
                $again = Invoke-InShell $shell $script $name
                $theirs = $first[0]
                $theirConnection = $first[1]

                $theirs.Pool.IsDefault | Should -BeTrue
                $theirs.Pool.Id | Should -Not -Be $mine.Pool.Id
                [object]::ReferenceEquals($theirs, $mine) | Should -BeFalse
                [object]::ReferenceEquals($theirConnection, $myConnection) | Should -BeFalse
                $theirConnection.State | Should -Be 'Open'
                $again[0].Pool.Id | Should -Be $theirs.Pool.Id -Because 'the other runspace also keeps one default pool across calls'
                [object]::ReferenceEquals($again[0], $theirs) | Should -BeTrue
            }
            finally { Remove-TestShell $shell }
            $theirConnection.State | Should -Be 'Closed' -Because 'the other runspace''s pool closed with it'
            $myConnection.State | Should -Be 'Open'
            $mine.IsOpen | Should -BeTrue
        }

        It 'is a different pool in a thread job' {
            $mine = Open-MnesisStore @name
            $job = Start-ThreadJob -ArgumentList $mod, $name {
                param($mod, $name)
                Import-Module $mod
                $store = Open-MnesisStore @name
                [pscustomobject]@{ Id = $store.Pool.Id; IsDefault = $store.Pool.IsDefault }
            }
            $theirs = Wait-TestJob -Job $job -What 'a thread job opening a store' -TimeoutSeconds 30
            $theirs.IsDefault | Should -BeTrue
            $theirs.Id | Should -Not -BeNullOrEmpty
            $theirs.Id | Should -Not -Be $mine.Pool.Id
        }
    }
}

Describe 'New-MnesisPool' {
    BeforeEach {
        $dir = New-TestFolder
        $db = Join-Path $dir 'pool.db'
    }

    It 'returns a new, empty MnesisPool that is not the default pool' {
        $pool = New-MnesisPool
        $pool | Should -BeOfType ([Mnesis.PowerShell.Pool.MnesisPool])
        $pool.IsDefault | Should -BeFalse
        $pool.Count | Should -Be 0
        $pool.Stores | Should -HaveCount 0
        $pool.Id | Should -Not -Be ([guid]::Empty)
    }

    It 'gives a different pool with a different Id on every call' {
        $pools = 1..3 | ForEach-Object { New-MnesisPool }
        @($pools.Id | Sort-Object -Unique) | Should -HaveCount 3
        [object]::ReferenceEquals($pools[0], $pools[1]) | Should -BeFalse
    }

}

Describe 'The pool' {
    BeforeEach {
        $pool = New-MnesisPool
        $db = Join-Path $TestDrive "pool-$([guid]::NewGuid().ToString('N')).db"
        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'CREATE TABLE t(id INTEGER PRIMARY KEY, who TEXT, n INTEGER); CREATE TABLE counter(n INTEGER); INSERT INTO counter VALUES (0)'
    }

    AfterEach { Close-MnesisPool -Pool $pool }

    Context 'keys' {
        It 'treats names that differ only in case as <expected> on this platform' -ForEach @(
            @{ expected = $(if ($IsWindows -or $IsMacOS) { 'one file' } else { 'two files' }) }
        ) {
            $lower = Open-MnesisStore -Pool $pool -Path (Join-Path $TestDrive 'case.db')
            $upper = Open-MnesisStore -Pool $pool -Path (Join-Path $TestDrive 'CASE.db')
            [object]::ReferenceEquals($lower, $upper) | Should -Be ($expected -eq 'one file')
        }
    }
}
