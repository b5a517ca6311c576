# What only the SQLite engine has: pragmas, WAL and the rollback journal, maintenance statements,
# file locks and read-only files, in-memory databases, the native library.
BeforeDiscovery {
    . "$PSScriptRoot/Support/Engines.ps1"

    # strace (Linux) shows which files a process syncs to disk; the durability test needs it.
    $canTrace = $false
    if ($IsLinux -and (Get-Command strace -ErrorAction Ignore)) {
        $null = & strace -f --seccomp-bpf -qq -e trace=fsync,fdatasync -o /dev/null true 2>&1
        $canTrace = $LASTEXITCODE -eq 0
    }
}

BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"
    . "$PSScriptRoot/Support/Engines.ps1"
    . "$PSScriptRoot/Support/Fixtures.ps1"
    $mod = $env:MNESIS_TEST_MODULE
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

        It 'syncs to disk at checkpoints, not at every commit (synchronous=NORMAL with WAL), as strace sees it' -Skip:(-not $canTrace -and -not $IsWindows) {
            if ($IsWindows) { Set-ItResult -Skipped -Because 'strace is Linux-only: nothing here watches a Windows process''s flushes' }
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

        It 'creates missing parent folders with -Force' {
            $deep = Join-Path $dir 'a/b/c/deep.db'
            $store = Open-MnesisStore -Pool $pool -Path $deep -Force
            $store.Path | Should -BeExactly $deep
            Test-Path -LiteralPath $deep -PathType Leaf | Should -BeTrue
            $other = Join-Path $dir 'x/y/other.db'
            Invoke-MnesisWrite -Pool $pool -Path $other -Force -Query 'CREATE TABLE t(v); INSERT INTO t VALUES (1)' | Should -Be 1
            Invoke-Sqlite3 $other 'SELECT count(*) FROM t' | Should -Be 1
        }

        It 'refuses a new database in a missing folder without -Force, naming the highest missing folder; nothing is created' {
            Push-Location -LiteralPath $dir
            try {
                $before = Get-TestTreeSnapshot -Path $dir
                foreach ($call in { Open-MnesisStore -Pool $pool -Path './dta/inventory.db' -ErrorAction Stop },
                    { Open-MnesisStore -Pool $pool -LiteralPath './dta/more/inventory.db' -ErrorAction Stop },
                    { Invoke-MnesisWrite -Pool $pool -Path './dta/inventory.db' -Query 'CREATE TABLE t(v)' },
                    { Invoke-MnesisWrite -Pool $pool -LiteralPath './dta/inventory.db' -ScriptBlock { } }) {
                    $record = $call | Should -Throw -ErrorId 'MnesisFolderNotFound,*' -PassThru
                    $record.CategoryInfo.Category | Should -Be 'ObjectNotFound'
                    $record.Exception.Message | Should -BeLike "*'$(Join-Path $dir 'dta')'*inventory.db*-Force*"
                    $record.TargetObject | Should -BeExactly (Join-Path $dir 'dta')
                }
                Get-TestTreeSnapshot -Path $dir | Should -Be $before -Because 'a missing folder is reported, never created'
                $pool.Count | Should -Be 0
            }
            finally { Pop-Location }
        }

        It 'opens an existing file without -Force, and -Force changes nothing for it' {
            $null = Invoke-Sqlite3 $db 'CREATE TABLE t(v)'
            $store = Open-MnesisStore -Pool $pool -Path $db -Force
            $store.Path | Should -BeExactly $db
            [object]::ReferenceEquals($store, (Open-MnesisStore -Pool $pool -Path $db)) | Should -BeTrue
        }

        It 'opens a database written by another program and sees its rows' {
            $null = Invoke-Sqlite3 $db "CREATE TABLE t(v TEXT); INSERT INTO t VALUES ('from sqlite3')"
            $null = Open-MnesisStore -Pool $pool -Path $db
            Invoke-TestScalar (Get-MnesisConnection -Pool $pool -Path $db) 'SELECT v FROM t' | Should -BeExactly 'from sqlite3'
        }
    }
}

Describe 'Close-MnesisPool' {
    BeforeEach {
        $pool = New-MnesisPool
        $dir = New-TestFolder
        $one = Join-Path $dir 'one.db'
        $two = Join-Path $dir 'two.db'
        $storeOne = Open-MnesisStore -Pool $pool -Path $one
        $storeTwo = Open-MnesisStore -Pool $pool -Path $two
        $connectionOne = Get-MnesisConnection -Pool $pool -Path $one
        $connectionTwo = Get-MnesisConnection -Pool $pool -Path $two
    }

    AfterEach { Close-MnesisPool -Pool $pool }

    It 'releases the file: no descriptor left, -wal and -shm gone, and the file can be deleted' -Skip:(-not ($IsWindows -or (Test-Path /proc/self/fd))) {
        $null = Invoke-MnesisWrite -Store $storeOne -Query 'CREATE TABLE t(v); INSERT INTO t VALUES (1)'
        Get-TestOpenHandleCount -Path $one | Should -BeGreaterThan 0 -Because 'the open store holds the file'
        Test-Path -LiteralPath "$one-wal" | Should -BeTrue -Because 'a WAL store has its -wal file while open'

        Close-MnesisPool -Pool $pool -Path $one
        Get-TestOpenHandleCount -Path $one | Should -Be 0
        Test-Path -LiteralPath "$one-wal" | Should -BeFalse
        Test-Path -LiteralPath "$one-shm" | Should -BeFalse
        Invoke-Sqlite3 $one 'SELECT count(*) FROM t' | Should -Be 1 -Because 'the WAL was checkpointed into the file'
        Remove-Item -LiteralPath $one
        Test-Path -LiteralPath $one | Should -BeFalse
    }
}

# What runbooks bring that the first version of the module got wrong; each was seen failing before.
Describe 'Maintenance statements through Invoke-MnesisWrite' {
    BeforeEach {
        $pool = New-MnesisPool
        $db = Join-Path (New-TestFolder) 'maint.db'
        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'CREATE TABLE parent(id INTEGER PRIMARY KEY); CREATE TABLE child(p REFERENCES parent(id)); CREATE TABLE t(v)'
    }

    AfterEach { Close-MnesisPool -Pool $pool }

    It 'runs VACUUM under the gate outside a transaction, and it shrinks the file' {
        $null = 1..2000 | ForEach-Object { @{ v = 'x' * 200 } } | Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t VALUES (@v)'
        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'DELETE FROM t'
        $before = Invoke-MnesisQuery -Pool $pool -Path $db -Query 'PRAGMA page_count' -Scalar
        Invoke-MnesisWrite -Pool $pool -Path $db -Query 'VACUUM' | Should -Be 0
        Invoke-MnesisQuery -Pool $pool -Path $db -Query 'PRAGMA page_count' -Scalar | Should -BeLessThan $before
    }

    It 'changes the journal mode, and the store shows it' {
        # The pragma returns the mode now in force, which a write outputs as any statement's rows.
        (Invoke-MnesisWrite -Pool $pool -Path $db -Query 'PRAGMA journal_mode=DELETE').journal_mode | Should -Be 'delete'
        (Open-MnesisStore -Pool $pool -Path $db).WalMode | Should -BeFalse
        Close-MnesisPool -Pool $pool
        Invoke-Sqlite3 $db 'PRAGMA journal_mode' | Should -Be 'delete'
    }

    It 'shows the busy timeout a PRAGMA busy_timeout set, and waits only that long for another process''s lock' {
        $busy = Join-Path (New-TestFolder) 'busy.db'
        $store = Open-MnesisStore -Pool $pool -Path $busy
        $null = Invoke-MnesisWrite -Store $store -Query 'CREATE TABLE t(id INTEGER PRIMARY KEY, who TEXT)'
        $store.BusyTimeout | Should -Be 30
        $null = Invoke-MnesisWrite -Store $store -Query 'PRAGMA busy_timeout = 1500'
        $store.BusyTimeout | Should -Be 2 -Because 'Get-MnesisPool shows whole seconds, rounded up'
        $null = Invoke-MnesisWrite -Store $store -Query 'PRAGMA busy_timeout = 1000'
        (Get-MnesisPool -Pool $pool | Where-Object Path -EQ $busy).BusyTimeout | Should -Be 1
        (Get-MnesisPool -Pool $pool | Where-Object Path -EQ $busy | Format-Table | Out-String -Width 200) | Should -Match 'True\s+1\s+\d+\s+0\s'
        Get-Pragma (Get-MnesisConnection -Store $store) 'busy_timeout' | Should -Be 1000

        # In force: the write gives up after about 1 s, not the 30 s of the open, and says 1 s.
        $python = Start-ForeignWriter -Path $busy -Seconds 20
        try {
            Wait-TestWriteLock -Path $busy
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $err = { Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t(who) VALUES (''late'')' } | Should -Throw -ErrorId 'MnesisDatabaseBusy,*' -PassThru
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 15 -Because 'the busy timeout in force is 1 s'
            $err.Exception.Message | Should -BeLike '*(1 s)*'
        }
        finally { Wait-TestProcess -Process $python -What 'the python3 writer holding the lock' -TimeoutSeconds 60 }
    }

    It 'turns foreign keys off for real on the store''s connection' {
        { Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO child VALUES (42)' } | Should -Throw -ErrorId 'MnesisSqlFailed,*'
        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'PRAGMA foreign_keys=OFF'
        Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO child VALUES (42)' | Should -Be 1
    }

    It 'refuses a maintenance statement inside a -ScriptBlock write, and the block''s write rolls back' {
        {
            Invoke-MnesisWrite -Pool $pool -Path $db -ScriptBlock {
                $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t VALUES (1)'
                $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'PRAGMA journal_mode=DELETE'
            }
        } | Should -Throw -ErrorId 'MnesisMaintenanceInTransaction,*'
        Invoke-Sqlite3 $db 'SELECT count(*) FROM t' | Should -Be 0
        Invoke-Sqlite3 $db 'PRAGMA journal_mode' | Should -Be 'wal'
    }
}

Describe 'The journal mode of reads' {
    BeforeEach {
        $pool = New-MnesisPool
        $folder = New-TestFolder
        $db = Join-Path $folder 'reads.db'
    }

    AfterEach { Close-MnesisPool -Pool $pool }

    It 'leaves a database another tool keeps in rollback-journal mode byte-identical' {
        $null = Invoke-Sqlite3 $db 'PRAGMA journal_mode=DELETE; CREATE TABLE t(v); INSERT INTO t VALUES (7);'
        $hash = Get-TestFileHash -Path $db
        Invoke-MnesisQuery -Pool $pool -Path $db -Query 'SELECT v FROM t' -Scalar | Should -Be 7
        (Get-MnesisPool -Pool $pool).WalMode | Should -BeFalse
        Close-MnesisPool -Pool $pool
        Get-TestFileHash -Path $db | Should -Be $hash
        Invoke-Sqlite3 $db 'PRAGMA journal_mode' | Should -Be 'delete'
        Get-ChildItem -LiteralPath $folder -Name | Should -Be 'reads.db'
    }

    It 'switches a store that a read opened to WAL at its first write' {
        $null = Invoke-Sqlite3 $db 'PRAGMA journal_mode=DELETE; CREATE TABLE t(v);'
        $null = Invoke-MnesisQuery -Pool $pool -Path $db -Query 'SELECT count(*) FROM t' -Scalar
        Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t VALUES (1)' | Should -Be 1
        (Get-MnesisPool -Pool $pool).WalMode | Should -BeTrue
        Invoke-Sqlite3 $db 'PRAGMA journal_mode' | Should -Be 'wal'
    }
}

Describe 'Read-only databases (chattr +i as root on Linux; skipped elsewhere: Wine as root enforces no read-only attribute)' -Skip:(-not $IsLinux -or (& id -u) -ne '0' -or -not (Get-Command chattr -ErrorAction Ignore)) {
    BeforeAll {
        # Root ignores permission bits; the immutable attribute stands for read-only media.
        $folder = New-TestFolder
        $db = Join-Path $folder 'vendor.db'
        $null = Invoke-Sqlite3 $db 'CREATE TABLE item(name); INSERT INTO item VALUES (''bolt''), (''nut'');'
        & chmod 444 $db
        & chattr +i $db
        $hash = Get-TestFileHash -Path $db
    }

    AfterAll { & chattr -i $db }

    BeforeEach { $pool = New-MnesisPool }

    AfterEach { Close-MnesisPool -Pool $pool }

    It 'is read by Invoke-MnesisQuery without -ReadOnly' {
        Invoke-MnesisQuery -Pool $pool -Path $db -Query 'SELECT count(*) FROM item' -Scalar | Should -Be 2
        (Get-MnesisPool -Pool $pool).IsReadOnly | Should -BeTrue
    }

    It 'opens with -ReadOnly; reads work, writes fail clearly, the file is byte-identical' {
        $store = Open-MnesisStore -Pool $pool -Path $db -ReadOnly
        $store.IsReadOnly | Should -BeTrue
        Invoke-MnesisQuery -Store $store -Query 'SELECT group_concat(name) FROM item' -Scalar | Should -Be 'bolt,nut'
        $err = { Invoke-MnesisWrite -Store $store -Query 'DELETE FROM item' } | Should -Throw -ErrorId 'MnesisStoreReadOnly,*' -PassThru
        $err.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $err.Exception.Message | Should -BeLike "*$db*"
        Close-MnesisPool -Pool $pool
        Get-TestFileHash -Path $db | Should -Be $hash
        Get-ChildItem -LiteralPath $folder -Name | Should -Be 'vendor.db'
    }

    It 'still refuses to open it for writing, naming the file' {
        { Open-MnesisStore -Pool $pool -Path $db -ErrorAction Stop } | Should -Throw -ErrorId 'MnesisDatabaseReadOnly,*'
    }
}

Describe 'In-memory stores' {
    BeforeEach {
        $pool = New-MnesisPool
        $folder = New-TestFolder
        Push-Location -LiteralPath $folder
    }

    AfterEach {
        Close-MnesisPool -Pool $pool
        Pop-Location
    }

    It 'keeps '':memory:'' in memory, private to its pool, with no stray files' {
        $null = Invoke-MnesisWrite -Pool $pool -Path ':memory:' -Query 'CREATE TABLE m(x); INSERT INTO m VALUES (1)'
        Invoke-MnesisQuery -Pool $pool -Path ':memory:' -Query 'SELECT count(*) FROM m' -Scalar | Should -Be 1
        $other = New-MnesisPool
        try { { Invoke-MnesisQuery -Pool $other -Path ':memory:' -Query 'SELECT count(*) FROM m' } | Should -Throw -ErrorId 'MnesisQueryFailed,*' }
        finally { Close-MnesisPool -Pool $other }
        Get-ChildItem -LiteralPath $folder -Force | Should -BeNullOrEmpty
    }

    It 'shares '':memory:name'' with every runspace of the process until its last store closes' {
        $name = ":memory:shared$([guid]::NewGuid().ToString('N'))"
        $null = Invoke-MnesisWrite -Pool $pool -Path $name -Query 'CREATE TABLE m(x)'
        $counts = 1..4 | ForEach-Object -ThrottleLimit 4 -TimeoutSeconds 60 -Parallel {
            Import-Module $using:mod
            $null = Invoke-MnesisWrite -Path $using:name -Query 'INSERT INTO m VALUES (@x)' -Parameters @{ x = $_ }
            'ok'
        }
        @($counts).Count | Should -Be 4 -Because 'every parallel writer must finish within the limit'
        Invoke-MnesisQuery -Pool $pool -Path $name -Query 'SELECT count(*) FROM m' -Scalar | Should -Be 4
        Close-MnesisPool -Pool $pool
        { Invoke-MnesisQuery -Pool $pool -Path $name -Query 'SELECT count(*) FROM m' } | Should -Throw -ErrorId 'MnesisQueryFailed,*'
        Get-ChildItem -LiteralPath $folder -Force | Should -BeNullOrEmpty
    }
}

Describe 'The Mnesis module' {
    Context 'a module folder without a usable native SQLite' {
        It 'imports, then refuses to open with <Id> (<Category>) naming the file, and creates nothing (<Case>)' -ForEach @(
            @{ Case = 'runtimes/*/native files removed'; Id = 'MnesisNativeLibraryMissing'; Category = 'NotInstalled'
                Break = { param($file) Remove-Item -LiteralPath $file.FullName } }
            @{ Case = 'runtimes/*/native files that are not libraries'; Id = 'MnesisNativeLibraryLoadFailed'; Category = 'ResourceUnavailable'
                Break = { param($file) [IO.File]::WriteAllBytes($file.FullName, [Text.Encoding]::ASCII.GetBytes('not a shared library')) } }
        ) {
            $copy = Join-Path (New-TestFolder) 'Mnesis'
            Copy-Item -Recurse $mod $copy
            $natives = @(Get-ChildItem -LiteralPath (Join-Path $copy 'runtimes') -Recurse -File)
            $natives.Count | Should -BeGreaterThan 0
            foreach ($file in $natives) { & $Break $file }
            $work = New-TestFolder
            $script = Join-Path $work 'child.ps1'
            Set-Content -LiteralPath $script -Value @'
$module, $db = $args
Import-Module $module -ErrorAction Stop
'imported=True'
foreach ($call in { Open-MnesisStore -Path $db -ErrorAction Stop }, { Invoke-MnesisWrite -Path $db -Query 'CREATE TABLE t(v)' }) {
    try { $null = & $call; 'id=none' }
    catch { "id=$($_.FullyQualifiedErrorId)"; "category=$($_.CategoryInfo.Category)"; "message=$($_.Exception.Message)" }
}
'@
            $db = Join-Path $work 'new/x.db'
            $before = Get-TestTreeSnapshot -Path $work
            $output = Invoke-Pwsh -ArgumentList '-File', $script, $copy, $db -What "a pwsh importing a module with $Case" -TimeoutSeconds 60
            $text = $output -join "`n"
            $output | Should -Contain 'imported=True' -Because "an import never fails on the native library: $text"
            @($output | Where-Object { $_ -like 'id=*' }) | Should -Be @("id=$Id,Mnesis.PowerShell.Cmdlets.OpenMnesisStoreCommand", "id=$Id,Mnesis.PowerShell.Cmdlets.InvokeMnesisWriteCommand") -Because $text
            @($output | Where-Object { $_ -like 'category=*' }) | Should -Be @("category=$Category", "category=$Category")
            foreach ($message in $output | Where-Object { $_ -like 'message=*' }) {
                $message | Should -BeLike "*$((Resolve-Path $copy).ProviderPath)*runtimes*" -Because 'the message names the library file it looked for'
            }
            Get-TestTreeSnapshot -Path $work | Should -Be $before -Because 'no folder or database was created'
        }
    }
}
