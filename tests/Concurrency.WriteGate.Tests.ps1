BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"
    $mod = $env:MNESIS_TEST_MODULE

    # In another runspace (with its own default pool), an Invoke-MnesisWrite -ScriptBlock that runs
    # $Sql through the connection, sets $Inside, and keeps its transaction open until $Release is
    # set (or $HoldSeconds pass). The caller waits on $Inside, then looks at the database from outside.
    function Start-HeldScriptBlockWrite {
        param(
            [Parameter(Mandatory)] [string] $Path,
            [string] $Sql,
            [Parameter(Mandatory)] [Threading.ManualResetEventSlim] $Inside,
            [Parameter(Mandatory)] [Threading.ManualResetEventSlim] $Release,
            [double] $HoldSeconds = 60
        )
        Start-TestShell -Arguments $mod, $Path, $Sql, $Inside, $Release, $HoldSeconds -Script {
            param($mod, $db, $sql, $inside, $release, $hold)
            Import-Module $mod
            Invoke-MnesisWrite -Path $db -ScriptBlock {
                param($Connection)
                if ($sql) {
                    $command = $Connection.CreateCommand()
                    $command.CommandText = $sql
                    $null = $command.ExecuteScalar()
                    $command.Dispose()
                }
                $inside.Set()
                $null = $release.Wait([timespan]::FromSeconds($hold))
            }
            Close-MnesisPool
        }
    }

    # A python3 process that takes the write lock (BEGIN IMMEDIATE), runs $Sql, prints 'locked' to
    # $Flag's -out file and commits once the file $Flag exists (or after $HoldSeconds).
    function Start-ForeignLockHolder {
        param(
            [Parameter(Mandatory)] [string] $Path,
            [Parameter(Mandatory)] [string] $Sql,
            [Parameter(Mandatory)] [string] $Flag,
            [double] $HoldSeconds = 60
        )
        $script = @'
import os, sqlite3, sys, time
db, sql, flag, hold = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
c = sqlite3.connect(db, isolation_level=None, timeout=60)
c.execute('BEGIN IMMEDIATE')
c.execute(sql)
open(flag + '-out', 'w').write('locked')
deadline = time.time() + hold
while not os.path.exists(flag) and time.time() < deadline:
    time.sleep(0.02)
c.execute('COMMIT')
'@
        if ($IsWindows) { return Start-ForeignLockHolderSqlite3 @PSBoundParameters }
        $file = Join-Path $TestDrive "holder-$([guid]::NewGuid().ToString('N')).py"
        Set-Content -LiteralPath $file -Value $script
        $info = [Diagnostics.ProcessStartInfo]::new('python3')
        foreach ($a in $file, $Path, $Sql, $Flag, $HoldSeconds) { $info.ArgumentList.Add([string]$a) }
        $info.UseShellExecute = $false
        $process = [Diagnostics.Process]::Start($info)
        Wait-TestCondition -What 'the python3 lock holder to take the lock' -TimeoutSeconds 30 -Condition { $process.HasExited -or (Test-Path -LiteralPath "$Flag-out") }
        if ($process.HasExited) { throw "The python3 lock holder exited early with code $($process.ExitCode)." }
        $process
    }

    # The same on the Windows run, which has no python3: the sqlite3 shell (its stand-in there) takes
    # the statements from its input and says 'locked' once they ran; a thread job commits once $Flag
    # exists (or after $HoldSeconds).
    function Start-ForeignLockHolderSqlite3([string] $Path, [string] $Sql, [string] $Flag, [double] $HoldSeconds = 60) {
        $info = [Diagnostics.ProcessStartInfo]::new($env:MNESIS_TEST_SQLITE3)
        foreach ($a in '-batch', $Path) { $info.ArgumentList.Add($a) }
        $info.UseShellExecute = $false
        $info.RedirectStandardInput = $true
        $info.RedirectStandardOutput = $true
        $process = [Diagnostics.Process]::Start($info)
        $process.StandardInput.WriteLine('.timeout 60000')
        $process.StandardInput.WriteLine("BEGIN IMMEDIATE; $Sql; SELECT 'locked';")
        $process.StandardInput.Flush()
        $said = $process.StandardOutput.ReadLineAsync()
        if (-not $said.Wait(30000) -or $said.Result -ne 'locked') {
            Stop-ProcessTree -Process $process
            throw "The sqlite3 lock holder did not take the lock within 30 s (it said '$(if ($said.IsCompleted) { $said.Result })')."
        }
        $null = Start-ThreadJob -ArgumentList $process, $Flag, $HoldSeconds -ScriptBlock {
            param($process, $flag, $hold)
            $deadline = [datetime]::UtcNow.AddSeconds($hold)
            while (-not (Test-Path -LiteralPath $flag) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            $process.StandardInput.WriteLine('COMMIT;')
            $process.StandardInput.Close()
        }
        $process
    }
}

Describe 'The write gate' {
    BeforeEach {
        $pool = New-MnesisPool
        $dir = New-TestFolder
        $db = Join-Path $dir 'gate.db'
        $null = Invoke-Sqlite3 $db 'PRAGMA journal_mode=wal; CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)'
        $inside = [Threading.ManualResetEventSlim]::new($false)
        $release = [Threading.ManualResetEventSlim]::new($false)
    }
    AfterEach {
        $release.Set()
        Close-MnesisPool -Pool $pool
    }

    It 'makes a write of another runspace wait for the gate even with -BusyTimeout 0, and counts the wait in GateWait' {
        $holder = Start-HeldScriptBlockWrite -Path $db -Sql "INSERT INTO t(v) VALUES ('holder')" -Inside $inside -Release $release
        $waiter = $null
        try {
            $inside.Wait([timespan]::FromSeconds(30)) | Should -BeTrue -Because 'the holder began its write'
            # BusyTimeout 0: without the gate, SQLite's lock would make this write fail at once.
            $store = Open-MnesisStore -Pool $pool -Path $db -BusyTimeout 0
            $store.GateWait | Should -Be ([timespan]::Zero)
            $waiter = Start-TestShell -Arguments $mod, $store -Script {
                param($mod, $store)
                Import-Module $mod
                Invoke-MnesisWrite -Store $store -Query "INSERT INTO t(v) VALUES ('waiter')" -Verbose
            }
            Wait-TestCondition -What 'the waiter to report that it waits for the gate, or to end' -Condition {
                $waiter.Async.IsCompleted -or ($waiter.Shell.Streams.Verbose | Where-Object Message -Like '*waiting for the write gate*')
            }
            $waiter.Async.IsCompleted | Should -BeFalse -Because 'the write waits at the gate while the holder''s transaction is open'
            $waiter.Shell.Streams.Verbose.Message | Should -Contain "Mnesis: waiting for the write gate of '$db'."
            $release.Set()
            $null = Wait-TestShell -Shell $holder -What 'the holder to commit'
            Wait-TestShell -Shell $waiter -What 'the waiter to write after the holder' | Should -Be 1
            $waiter.Shell.Streams.Error | Should -BeNullOrEmpty
            $store.GateWait | Should -BeGreaterThan ([timespan]::Zero) -Because 'the time queued at the gate is recorded'
            (Get-MnesisPool -Pool $pool).GateWait | Should -Be $store.GateWait
            $store.Writes | Should -Be 1
            Invoke-Sqlite3 $db 'SELECT group_concat(v) FROM (SELECT v FROM t ORDER BY id)' | Should -Be 'holder,waiter'
        }
        finally {
            $release.Set()
            Remove-TestShell $holder
            Remove-TestShell $waiter
        }
    }

    It 'lets nested writes join their -ScriptBlock write while other runspaces write the same file and another one' {
        $other = Join-Path $dir 'other.db'
        $null = Invoke-Sqlite3 $other 'PRAGMA journal_mode=wal; CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)'
        # One runspace nests writes in its transactions, one queues for the same file's gate, two
        # keep the gate of another file busy. A nested write that mistook the gate for another
        # thread's would wait for itself.
        # -Parallel takes no -ErrorAction: the iterations that -TimeoutSeconds stops are errors to count, not to throw.
        $ErrorActionPreference = 'Continue'
        $results = @(1..4 | ForEach-Object -ThrottleLimit 4 -TimeoutSeconds 60 -ErrorVariable stopped -Parallel {
                Import-Module $using:mod
                $me = $_
                try {
                    if ($me -eq 1) {
                        for ($i = 0; $i -lt 200; $i++) {
                            $null = Invoke-MnesisWrite -Path $using:db -ScriptBlock {
                                $null = Invoke-MnesisWrite -Path $using:db -Query 'INSERT INTO t(v) VALUES (@v)' -Parameters @{ v = "nested $i" }
                            }
                        }
                    }
                    elseif ($me -eq 2) {
                        for ($i = 0; $i -lt 200; $i++) {
                            $null = Invoke-MnesisWrite -Path $using:db -Query 'INSERT INTO t(v) VALUES (@v)' -Parameters @{ v = "plain $i" }
                        }
                    }
                    else {
                        for ($i = 0; $i -lt 400; $i++) {
                            $null = Invoke-MnesisWrite -Path $using:other -Query 'INSERT INTO t(v) VALUES (@v)' -Parameters @{ v = "other $i" }
                        }
                    }
                    "runspace $me finished"
                }
                catch { "runspace $me failed: $($_.Exception.Message)" }
            })
        $ErrorActionPreference = 'Stop'
        $results | Where-Object { $_ -notlike '*finished' } | Should -BeNullOrEmpty
        $results | Should -HaveCount 4 -Because "no runspace may wait for itself: all finish within 60 s (the others were stopped: $stopped)"
        Invoke-Sqlite3 $db 'SELECT count(*) FROM t' | Should -Be 400
        Invoke-Sqlite3 $other 'SELECT count(*) FROM t' | Should -Be 800
    }
}

Describe 'Write transactions begin IMMEDIATE' {
    BeforeEach {
        $dir = New-TestFolder
        $db = Join-Path $dir 'immediate.db'
        $null = Invoke-Sqlite3 $db 'PRAGMA journal_mode=wal; CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE counter(n INTEGER); INSERT INTO counter VALUES (0)'
        $inside = [Threading.ManualResetEventSlim]::new($false)
        $release = [Threading.ManualResetEventSlim]::new($false)
    }
    AfterEach { $release.Set() }

    It 'holds the database''s write lock from the start of a -ScriptBlock write <Case>' -ForEach @(
        @{ Case = 'that only reads'; Sql = 'SELECT count(*) FROM t' }
        @{ Case = 'that does nothing'; Sql = $null }
    ) {
        $writer = Start-HeldScriptBlockWrite -Path $db -Sql $Sql -Inside $inside -Release $release
        try {
            $inside.Wait([timespan]::FromSeconds(30)) | Should -BeTrue -Because 'the write began'
            # Another connection (the sqlite3 shell) cannot take the write lock: BEGIN IMMEDIATE took it.
            Test-TestWriteLockHeld -Path $db | Should -BeTrue
            $release.Set()
            $null = Wait-TestShell -Shell $writer -What 'the -ScriptBlock write to commit'
            Test-TestWriteLockHeld -Path $db | Should -BeFalse -Because 'the commit released the lock'
        }
        finally {
            $release.Set()
            Remove-TestShell $writer
        }
    }

    It 'makes another process''s writer wait for a read-modify-write instead of losing one of the two updates' {
        # The read-modify-write: read n, let another process try to write, then write n + 1.
        $rmw = Start-TestShell -Arguments $mod, $db, $inside, $release -Script {
            param($mod, $db, $inside, $release)
            Import-Module $mod
            Invoke-MnesisWrite -Path $db -ScriptBlock {
                param($Connection)
                $command = $Connection.CreateCommand()
                $command.CommandText = 'SELECT n FROM counter'
                $n = [long]$command.ExecuteScalar()
                $inside.Set()
                $null = $release.Wait([timespan]::FromSeconds(60))
                $command.CommandText = "UPDATE counter SET n = $($n + 1)"
                $null = $command.ExecuteNonQuery()
            }
            Close-MnesisPool
        }
        $python = $null
        try {
            $inside.Wait([timespan]::FromSeconds(30)) | Should -BeTrue -Because 'the read-modify-write read the counter'
            $script = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60); c.execute('BEGIN IMMEDIATE'); c.execute('UPDATE counter SET n = n + 100'); c.execute('COMMIT')"
            # The Windows run has no python3: the sqlite3 shell (its stand-in there) runs the same transaction.
            $info = [Diagnostics.ProcessStartInfo]::new($(if ($IsWindows) { $env:MNESIS_TEST_SQLITE3 } else { 'python3' }))
            $arguments = if ($IsWindows) { '-batch', $db, '.timeout 60000', 'BEGIN IMMEDIATE; UPDATE counter SET n = n + 100; COMMIT;' } else { '-c', $script, $db }
            foreach ($a in $arguments) { $info.ArgumentList.Add($a) }
            $info.UseShellExecute = $false
            $python = [Diagnostics.Process]::Start($info)
            # Give the other process time to try; it must not get the lock while the write is open.
            $python.WaitForExit(2000) | Should -BeFalse -Because 'the other process waits for the write lock that BEGIN IMMEDIATE holds'
            $release.Set()
            $null = Wait-TestShell -Shell $rmw -What 'the read-modify-write to commit'
            Wait-TestProcess -Process $python -What 'the python3 writer after the commit' -TimeoutSeconds 60
            $python.ExitCode | Should -Be 0
            Invoke-Sqlite3 $db 'SELECT n FROM counter' | Should -Be 101 -Because 'both updates count: 0 + 1, then + 100'
        }
        finally {
            $release.Set()
            Remove-TestShell $rmw
            if ($python -and -not $python.HasExited) { Stop-ProcessTree -Process $python }
        }
    }
}

Describe 'The busy timeout, against a writer in another process' {
    BeforeEach {
        $dir = New-TestFolder
        $db = Join-Path $dir 'busy.db'
        $null = Invoke-Sqlite3 $db 'PRAGMA journal_mode=wal; CREATE TABLE t(id INTEGER PRIMARY KEY, who TEXT)'
        $shortPool = New-MnesisPool
        $longPool = New-MnesisPool
        $short = Open-MnesisStore -Pool $shortPool -Path $db -BusyTimeout 2
        $long = Open-MnesisStore -Pool $longPool -Path $db -BusyTimeout 30
        $flag = Join-Path $dir 'release'
    }
    AfterEach {
        Close-MnesisPool -Pool $shortPool
        Close-MnesisPool -Pool $longPool
    }

    It 'fails after about -BusyTimeout while the other process still holds the lock, and a longer timeout outwaits it' {
        $holder = Start-ForeignLockHolder -Path $db -Sql "INSERT INTO t(who) VALUES ('python')" -Flag $flag
        $waiter = $null
        try {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $err = {
                # The limit is a bound on the wait, far above 2 s: a store that ignored -BusyTimeout would wait it out.
                Invoke-TestWithLimit -Arguments $short -What 'a write with -BusyTimeout 2 to a locked database to give up' -TimeoutSeconds 20 -Script {
                    param($store)
                    Invoke-MnesisWrite -Store $store -Query "INSERT INTO t(who) VALUES ('short')"
                }
            } | Should -Throw -ErrorId 'MnesisDatabaseBusy,*' -PassThru
            $clock.Stop()
            $err.CategoryInfo.Category | Should -Be 'ResourceBusy'
            $err.Exception.Message | Should -BeLike "*$db*(2 s)*"
            $clock.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 1.8 -Because 'the write waited for the lock for its busy timeout before giving up'
            $holder.HasExited | Should -BeFalse -Because 'it gave up while the other process still held the lock, instead of waiting it out'
            Test-TestWriteLockHeld -Path $db | Should -BeTrue

            # The same lock, a store with a 30 s busy timeout: still waiting after the 2 s one gave up.
            $waiter = Start-TestShell -Arguments $mod, $long -Script {
                param($mod, $store)
                Import-Module $mod
                Invoke-MnesisWrite -Store $store -Query "INSERT INTO t(who) VALUES ('long')"
            }
            Start-Sleep -Seconds 3
            $waiter.Async.IsCompleted | Should -BeFalse -Because 'a 30 s busy timeout outlasts the 2 s one'
            Set-Content -LiteralPath $flag -Value 'go'
            Wait-TestShell -Shell $waiter -What 'the write with -BusyTimeout 30 after the other process committed' | Should -Be 1
            Wait-TestProcess -Process $holder -What 'the python3 lock holder'
            Invoke-Sqlite3 $db 'SELECT group_concat(who) FROM (SELECT who FROM t ORDER BY id)' | Should -Be 'python,long' -Because 'the failed write wrote nothing'
        }
        finally {
            Set-Content -LiteralPath $flag -Value 'go'
            Remove-TestShell $waiter
            if (-not $holder.HasExited) { Stop-ProcessTree -Process $holder }
        }
    }
}
