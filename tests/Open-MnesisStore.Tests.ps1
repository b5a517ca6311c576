BeforeDiscovery {
    # strace (Linux) shows which files a process syncs to disk; the durability test needs it.
    $canTrace = $false
    if ($IsLinux -and (Get-Command strace -ErrorAction Ignore)) {
        $null = & strace -f --seccomp-bpf -qq -e trace=fsync,fdatasync -o /dev/null true 2>&1
        $canTrace = $LASTEXITCODE -eq 0
    }
}

BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"

    function Get-Pragma($Connection, [string] $Name) {
        Invoke-TestScalar -Connection $Connection -Sql "PRAGMA $Name"
    }
}

Describe 'Open-MnesisStore' {
    BeforeEach {
        $pool = New-MnesisPool
        $dir = New-TestFolder
        $db = Join-Path $dir 'store.db'
    }
    AfterEach { Close-MnesisPool -Pool $pool }

    Context 'the store and its connection' {
        It 'returns a MnesisStore with the resolved path, WAL mode and the default busy timeout' {
            $store = Open-MnesisStore -Pool $pool -Path $db
            $store | Should -BeOfType ([Mnesis.PowerShell.Pool.MnesisStore])
            $store.Path | Should -BeExactly $db
            $store.WalMode | Should -BeTrue
            $store.BusyTimeout | Should -Be 30
            $store.IsOpen | Should -BeTrue
            [object]::ReferenceEquals($store.Pool, $pool) | Should -BeTrue
            Test-Path -LiteralPath $db -PathType Leaf | Should -BeTrue
        }

        It 'sets busy_timeout, journal_mode, foreign_keys and synchronous on the connection' {
            $null = Open-MnesisStore -Pool $pool -Path $db
            $connection = Get-MnesisConnection -Pool $pool -Path $db
            Get-Pragma $connection 'busy_timeout' | Should -Be 30000
            Get-Pragma $connection 'journal_mode' | Should -BeExactly 'wal'
            Get-Pragma $connection 'foreign_keys' | Should -Be 1
            Get-Pragma $connection 'synchronous' | Should -Be 1 -Because 'synchronous=NORMAL is 1 (FULL would be 2)'
        }

        It 'syncs to disk at checkpoints, not at every commit (synchronous=NORMAL with WAL), as strace sees it' -Skip:(-not $canTrace) {
            $null = Invoke-Sqlite3 $db 'PRAGMA journal_mode=wal; CREATE TABLE t(v)'
            $script = Join-Path $dir 'commits.ps1'
            Set-Content -LiteralPath $script -Value @'
Import-Module $args[0]
$store = Open-MnesisStore -Path $args[1]
for ($i = 0; $i -lt 100; $i++) { $null = Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t VALUES (@i)' -Parameters @{ i = $i } }
Close-MnesisPool
'@
            $trace = Join-Path $dir 'sync.trace'
            $pwsh = Get-PwshCommand
            $info = [Diagnostics.ProcessStartInfo]::new('strace')
            foreach ($a in @('-f', '--seccomp-bpf', '-qq', '-y', '-e', 'trace=fsync,fdatasync', '-o', $trace, $pwsh.FilePath) + @($pwsh.Prefix) + @('-NoProfile', '-NonInteractive', '-File', $script, $env:MNESIS_TEST_MODULE, $db)) {
                $info.ArgumentList.Add($a)
            }
            $info.UseShellExecute = $false
            $child = [Diagnostics.Process]::Start($info)
            Wait-TestProcess -Process $child -What 'a traced pwsh committing 100 writes' -TimeoutSeconds 120
            $child.ExitCode | Should -Be 0
            Invoke-Sqlite3 $db 'SELECT count(*) FROM t' | Should -Be 100

            $syncs = @(Get-Content -LiteralPath $trace | ForEach-Object { if ($_ -match '\b(?:fsync|fdatasync)\(\d+<(.+)>\)') { $Matches[1] } })
            $walSyncs = @($syncs | Where-Object { $_ -eq "$db-wal" }).Count
            $dbSyncs = @($syncs | Where-Object { $_ -eq $db }).Count
            $walSyncs | Should -BeLessThan 10 -Because "100 commits must not each sync the WAL (synchronous=FULL would); saw $walSyncs"
            $dbSyncs | Should -BeGreaterThan 0 -Because 'the checkpoint when the last connection closes syncs the database file (synchronous=OFF would not)'
        }

        It '-BusyTimeout <Seconds> gives busy_timeout <Milliseconds> ms' -ForEach @(
            @{ Seconds = 5; Milliseconds = 5000 }
            @{ Seconds = 0; Milliseconds = 0 }
        ) {
            $store = Open-MnesisStore -Pool $pool -Path $db -BusyTimeout $Seconds
            $store.BusyTimeout | Should -Be $Seconds
            Get-Pragma (Get-MnesisConnection -Pool $pool -Path $db) 'busy_timeout' | Should -Be $Milliseconds
        }

        It 'leaves the file in WAL mode for other readers (sqlite3 sees journal_mode wal after close)' {
            $null = Open-MnesisStore -Pool $pool -Path $db
            Close-MnesisPool -Pool $pool -Path $db
            Invoke-Sqlite3 $db 'PRAGMA journal_mode' | Should -BeExactly 'wal'
        }

        It '-NoWal keeps a new file in the rollback journal mode (delete)' {
            $store = Open-MnesisStore -Pool $pool -Path $db -NoWal
            $store.WalMode | Should -BeFalse
            Get-Pragma (Get-MnesisConnection -Pool $pool -Path $db) 'journal_mode' | Should -BeExactly 'delete'
            Close-MnesisPool -Pool $pool -Path $db
            Invoke-Sqlite3 $db 'PRAGMA journal_mode' | Should -BeExactly 'delete'
        }

        It '-NoWal keeps an existing WAL database in WAL mode and reports it' {
            $null = Invoke-Sqlite3 $db 'PRAGMA journal_mode=wal; CREATE TABLE t(v)'
            $store = Open-MnesisStore -Pool $pool -Path $db -NoWal
            $store.WalMode | Should -BeTrue
            Get-Pragma (Get-MnesisConnection -Pool $pool -Path $db) 'journal_mode' | Should -BeExactly 'wal'
        }

        It 'creates missing parent folders' {
            $deep = Join-Path $dir 'a/b/c/deep.db'
            $store = Open-MnesisStore -Pool $pool -Path $deep
            $store.Path | Should -BeExactly $deep
            Test-Path -LiteralPath $deep -PathType Leaf | Should -BeTrue
        }

        It 'opens a database written by another program and sees its rows' {
            $null = Invoke-Sqlite3 $db "CREATE TABLE t(v TEXT); INSERT INTO t VALUES ('from sqlite3')"
            $null = Open-MnesisStore -Pool $pool -Path $db
            Invoke-TestScalar (Get-MnesisConnection -Pool $pool -Path $db) 'SELECT v FROM t' | Should -BeExactly 'from sqlite3'
        }
    }

    Context 'idempotence' {
        It 'returns the same store object and the same connection on a second open' {
            $first = Open-MnesisStore -Pool $pool -Path $db
            $firstConnection = Get-MnesisConnection -Pool $pool -Path $db
            $second = Open-MnesisStore -Pool $pool -Path $db
            $secondConnection = Get-MnesisConnection -Pool $pool -Path $db
            [object]::ReferenceEquals($first, $second) | Should -BeTrue
            [object]::ReferenceEquals($firstConnection, $secondConnection) | Should -BeTrue
            $pool.Count | Should -Be 1
        }

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

        It 'writes "opened" then "reusing" with the path to the verbose stream' {
            $firstVerbose = @(Open-MnesisStore -Pool $pool -Path $db -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
            $secondVerbose = @(Open-MnesisStore -Pool $pool -Path $db -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
            $firstVerbose.Count | Should -Be 1
            $firstVerbose[0].Message | Should -BeLike "*opened*'$db'*"
            $secondVerbose.Count | Should -Be 1
            $secondVerbose[0].Message | Should -BeLike "*reusing*'$db'*"
        }

        It 'gives two different pools two different connections to the same file' {
            $otherPool = New-MnesisPool
            try {
                $mine = Open-MnesisStore -Pool $pool -Path $db
                $theirs = Open-MnesisStore -Pool $otherPool -Path $db
                [object]::ReferenceEquals($mine, $theirs) | Should -BeFalse
                $mineConnection = Get-MnesisConnection -Pool $pool -Path $db
                $theirConnection = Get-MnesisConnection -Pool $otherPool -Path $db
                [object]::ReferenceEquals($mineConnection, $theirConnection) | Should -BeFalse
                $null = Invoke-MnesisWrite -Store $mine -Query 'CREATE TABLE t(v); INSERT INTO t VALUES (1)'
                Invoke-TestScalar $theirConnection 'SELECT count(*) FROM t' | Should -Be 1
            }
            finally { Close-MnesisPool -Pool $otherPool }
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
            $null = New-Item -ItemType File -Path $db
            $link = Join-Path $dir 'first-link.db'
            $null = New-Item -ItemType SymbolicLink -Path $link -Target $db
            $viaLink = Open-MnesisStore -Pool $pool -Path $link
            $viaTarget = Open-MnesisStore -Pool $pool -Path $db
            [object]::ReferenceEquals($viaLink, $viaTarget) | Should -BeTrue
            $viaLink.Path | Should -BeExactly $db
        }

        It 'reuses the store for a symbolic link created before its target file exists' {
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
