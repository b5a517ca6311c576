# Concurrency: runspaces, thread jobs, RunspacePools and processes writing at once; faults while
# writing (Ctrl+C, SIGKILL); waiting for other writers.
BeforeDiscovery {
    . "$PSScriptRoot/Support/Engines.ps1"
}

BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"
    . "$PSScriptRoot/Support/Engines.ps1"
    . "$PSScriptRoot/Support/Fixtures.ps1"
    . "$PSScriptRoot/Support/MixedLoad.ps1"
    $mod = $env:MNESIS_TEST_MODULE
}

# On every engine (Support/Engines.ps1). What only one engine has is in Sqlite.Tests.ps1 or PostgreSql.Tests.ps1.
Describe 'Concurrency on <Engine>' -ForEach (Get-TestEngines) {
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

    Context 'many writers' {
        It 'keeps every row of runspaces, thread jobs and another process writing at once, exactly once' {
            $null = Invoke-MnesisWrite -Pool $pool @name -Query (Get-TestSql $Engine 'CreateRows')
            $text = $target.Text
            $option = if ($Engine -eq 'SQLite') { 'Path' } else { 'ConnectionString' }
            $writer = {
                param($mod, $option, $text, $first)
                Import-Module $mod
                $named = @{ $option = $text }
                for ($n = $first; $n -lt $first + 100; $n++) {
                    if ($n % 2) { $null = Invoke-MnesisWrite @named -Query 'INSERT INTO row(n) VALUES (@n)' -Parameters @{ n = $n } }
                    else { Invoke-MnesisWrite @named -ScriptBlock { $null = Invoke-MnesisWrite @named -Query 'INSERT INTO row(n) VALUES (@n)' -Parameters @{ n = $n } } }
                }
                Close-MnesisPool
            }
            $writerText = $writer.ToString()
            $parallel = 0..3 | ForEach-Object -ThrottleLimit 4 -Parallel {
                & ([scriptblock]::Create($using:writerText)) $using:mod $using:option $using:text ($_ * 1000)
                'done'
            } -AsJob
            $jobs = 4..5 | ForEach-Object { Start-ThreadJob -ScriptBlock $writer -ArgumentList $mod, $option, $text, ($_ * 1000) }
            $script = Join-Path $TestDrive "writer-$([guid]::NewGuid().ToString('N')).ps1"
            Set-Content -LiteralPath $script -Value "param(`$m, `$o, `$t) & ([scriptblock]::Create(@'`n$writer`n'@)) `$m `$o `$t 6000"
            $pwsh = Get-PwshCommand
            $process = Start-Process $pwsh.FilePath -ArgumentList (@($pwsh.Prefix) + '-NoProfile', '-File', "`"$script`"", "`"$mod`"", $option, "`"$text`"") -PassThru -NoNewWindow
            try {
                $process.WaitForExit(120000) | Should -BeTrue -Because 'the writer process must finish within two minutes'
                $process.ExitCode | Should -Be 0
                $null = $jobs + $parallel | Wait-Job -Timeout 120
                foreach ($job in $jobs + $parallel) {
                    $job.State | Should -Be 'Completed' -Because ($job.ChildJobs.Error -join '; ')
                }
            }
            finally {
                if (-not $process.HasExited) { $process.Kill() }
                $jobs + $parallel | Remove-Job -Force
            }
            Get-TestRowCount $target 'row' | Should -Be 700
            Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT count(DISTINCT n) FROM row' -Scalar | Should -Be 700
        }
    }
}

Describe 'Concurrency under load' {
    BeforeEach {
        $pool = New-MnesisPool
        $db = Join-Path $TestDrive "load-$([guid]::NewGuid().ToString('N')).db"
        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER); CREATE TABLE counter(n INTEGER); INSERT INTO counter VALUES (0)'
    }

    AfterEach { Close-MnesisPool -Pool $pool }

    It '8 runspaces x 1,000 read-modify-write transactions end at exactly 8,000' {
        # -Parallel takes no -ErrorAction: the iterations that -TimeoutSeconds stops are errors to count, not to throw.
        $ErrorActionPreference = 'Continue'
        $results = @(1..8 | ForEach-Object -ThrottleLimit 8 -TimeoutSeconds 180 -ErrorVariable stopped -Parallel {
                Import-Module $using:mod
                $me = $_
                try {
                    for ($i = 0; $i -lt 1000; $i++) {
                        Invoke-MnesisWrite -Path $using:db -ScriptBlock {
                            param($Connection)
                            $command = $Connection.CreateCommand()
                            $command.CommandText = 'SELECT n FROM counter'
                            $next = [long]$command.ExecuteScalar() + 1
                            $command.CommandText = 'UPDATE counter SET n = @n'
                            $null = $command.Parameters.AddWithValue('@n', $next)
                            $null = $command.ExecuteNonQuery()
                        }
                    }
                    'finished'
                }
                catch { "runspace ${me}: $($_.Exception.Message)" }
            })
        $ErrorActionPreference = 'Stop'
        $results | Where-Object { $_ -ne 'finished' } | Should -BeNullOrEmpty
        $results | Should -HaveCount 8 -Because "every runspace finishes its 1,000 writes within 180 s (ForEach-Object -Parallel -TimeoutSeconds stops the others: $stopped)"
        Invoke-Sqlite3 $db 'SELECT n FROM counter' | Should -Be 8000
    }

    It 'runspaces, thread jobs, a RunspacePool, 3 pwsh processes and python3 writing at once keep every row exactly once' {
        $load = Join-Path $TestDrive 'mixed.db'
        $result = Invoke-MixedWriterLoad -ModulePath $mod -DatabasePath $load -RowsPerWriter 60
        $result.Failures | Should -BeNullOrEmpty
        $result.Written.Count | Should -Be 12
        foreach ($who in $result.Written.Keys) {
            $result.Stored[$who].Count | Should -Be $result.Written[$who] -Because "$who wrote $($result.Written[$who]) rows"
            $result.Stored[$who].Max | Should -Be $result.Written[$who]
        }
        # Every PowerShell writer did every other row as a read-modify-write of the counter.
        $result.Counter | Should -Be (11 * 30)
        $result.Integrity | Should -Be 'ok'
    }
}

Describe 'Closing a pool during its write on <Engine>' -ForEach (Get-TestEngines) {
    BeforeEach {
        if ($Skip) { Set-ItResult -Skipped -Because $Why; return }
        $target = New-TestTarget $Engine
        $name = $target.Name
        $pool = New-MnesisPool
        $null = Invoke-MnesisWrite -Pool $pool @name -Query (Get-TestSql $Engine 'CreateTv')
    }
    AfterEach {
        if ($Skip) { return }
        Close-MnesisPool -Pool $pool
        Remove-TestTarget $target
    }

    It 'Close-MnesisPool waits for a write in progress through the same pool, and the write commits' {
        $shared = New-MnesisPool
        $null = Open-MnesisStore -Pool $shared @name
        $writer = Start-TestHeldWriteOn -Target $target -Pool $shared -Sql 'INSERT INTO t(v) VALUES (1)' -Seconds 1.5
        try {
            Invoke-TestWithLimit -Arguments $shared -What 'Close-MnesisPool waiting for the write in progress' -Script {
                param($shared)
                Close-MnesisPool -Pool $shared
            }
            # Had Close not waited, it would have closed the connection under the open transaction.
            Get-TestRowCount $target 't' | Should -Be 1 -Because 'Close returns only after the write it waited for committed'
            $null = Wait-TestShell -Shell $writer -What 'the write that Close waited for'
            $writer.Shell.HadErrors | Should -BeFalse
            $shared.Count | Should -Be 0
        }
        finally { Remove-TestShell $writer }
    }
}

Describe 'Faults' {
    BeforeEach {
        $pool = New-MnesisPool
        $db = Join-Path $TestDrive "fault-$([guid]::NewGuid().ToString('N')).db"
        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER)'
    }

    AfterEach { Close-MnesisPool -Pool $pool }

    It 'Ctrl+C during a pipeline bulk write rolls it back and releases the gate' {
        $bulk = Start-TestShell -Arguments $mod, $db -Script {
            param($mod, $db)
            Import-Module $mod
            1..10000000 | ForEach-Object { [pscustomobject]@{ v = $_ } } | Invoke-MnesisWrite -Path $db -Query 'INSERT INTO t(v) VALUES (@v)'
        }
        try {
            Wait-TestWriteLock -Path $db
            Start-Sleep -Milliseconds 200
            Stop-TestShell -Shell $bulk -What 'the pipeline bulk write'
            $bulk.Shell.InvocationStateInfo.State | Should -Be 'Stopped'
            Invoke-Sqlite3 $db 'SELECT count(*) FROM t' | Should -Be 0
            Invoke-TestWithLimit -Arguments $pool, $db -What 'a write after the stopped one (the gate must be free)' -Script {
                param($pool, $db)
                Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t(v) VALUES (1)'
            } | Should -Be 1
        }
        finally { Remove-TestShell $bulk }
    }

    It 'Ctrl+C while waiting for the gate stops the waiter at once and leaves the holder alone' {
        $holder = Start-TestHeldWrite -Path $db -Sql 'INSERT INTO t(v) VALUES (1)' -Seconds 3
        $waiter = $null
        try {
            $waiter = Start-TestShell -Arguments $mod, $db -Script {
                param($mod, $db)
                Import-Module $mod
                Invoke-MnesisWrite -Path $db -Query 'INSERT INTO t(v) VALUES (2)' -Verbose
            }
            $deadline = [datetime]::UtcNow.AddSeconds(10)
            while (-not ($waiter.Shell.Streams.Verbose | Where-Object Message -Like '*waiting for the write gate*') -and [datetime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 20
            }
            $waiter.Shell.Streams.Verbose.Message | Should -Contain "Mnesis: waiting for the write gate of '$db'."
            Stop-TestShell -Shell $waiter -What 'the write waiting at the gate'
            $waiter.Shell.InvocationStateInfo.State | Should -Be 'Stopped'
            $holder.Async.IsCompleted | Should -BeFalse -Because 'the waiter stopped without waiting for the holder'
            $null = Wait-TestShell -Shell $holder -What 'the write holding the gate'
            Invoke-Sqlite3 $db 'SELECT group_concat(v) FROM t' | Should -Be '1'
            Invoke-TestWithLimit -Arguments $pool, $db -What 'a write after the stopped waiter (the gate must be free)' -Script {
                param($pool, $db)
                Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t(v) VALUES (3)'
            } | Should -Be 1
        }
        finally {
            Remove-TestShell $holder
            Remove-TestShell $waiter
        }
    }

    It 'a pwsh writing in batches and killed with SIGKILL keeps exactly its committed batches' {
        $script = Join-Path $TestDrive 'batches.ps1'
        Set-Content -LiteralPath $script -Value @'
Import-Module $args[0]
1..1000000 | ForEach-Object { [pscustomobject]@{ v = $_ } } | Invoke-MnesisWrite -Path $args[1] -Query 'INSERT INTO t(v) VALUES (@v)' -BatchSize 100
'@
        $child = [Diagnostics.Process]::Start((New-PwshStartInfo -ArgumentList '-File', $script, $mod, $db))
        try {
            # Batches keep arriving while the child runs: at least 1,000 rows, and then more.
            Wait-TestCondition -TimeoutSeconds 60 -What 'the child''s first 10 committed batches of 100 rows' -Condition {
                $child.HasExited -or [int](Invoke-Sqlite3 $db 'SELECT count(*) FROM t') -ge 1000
            }
            $seen = [int](Invoke-Sqlite3 $db 'SELECT count(*) FROM t')
            Wait-TestCondition -TimeoutSeconds 30 -What 'another committed batch while the child still writes' -Condition {
                $child.HasExited -or [int](Invoke-Sqlite3 $db 'SELECT count(*) FROM t') -gt $seen
            }
            $child.HasExited | Should -BeFalse -Because 'the child must still be writing (it has 1,000,000 rows to go) when it is killed'
        }
        finally {
            # Windows's SIGKILL is TerminateProcess (Process.Kill), which exits with -1.
            if ($IsWindows) { $child.Kill() } else { & kill -KILL $child.Id }
            Wait-TestProcess -Process $child -What 'the killed batch writer' -TimeoutSeconds 30
        }
        $child.ExitCode | Should -Be $(if ($IsWindows) { -1 } else { 137 }) -Because 'the child died of SIGKILL (128 + 9) or TerminateProcess, not of its own accord'
        $count = [int](Invoke-Sqlite3 $db 'SELECT count(*) FROM t')
        $count | Should -BeGreaterThan $seen
        $count | Should -BeLessThan 1000000 -Because 'the kill came mid-stream'
        $count % 100 | Should -Be 0 -Because 'only whole batches were committed'
        Invoke-Sqlite3 $db 'SELECT min(v), max(v) FROM t' | Should -Be "1|$count"
        Invoke-Sqlite3 $db 'PRAGMA integrity_check' | Should -Be 'ok'
        # Reopening through Mnesis sees the same rows and can write on.
        Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t(v) VALUES (-1)' | Should -Be 1
    }

    It '200 runspaces created and closed around writes leave no descriptor behind and memory flat' -Skip:(-not ($IsWindows -or (Test-Path /proc/self/fd))) {
        $churn = {
            param($count)
            # -Parallel takes no -ErrorAction: the iterations that -TimeoutSeconds stops are errors to count, not to throw.
            $ErrorActionPreference = 'Continue'
            $done = @(1..$count | ForEach-Object -ThrottleLimit 4 -UseNewRunspace -TimeoutSeconds 180 -ErrorVariable stopped -Parallel {
                    Import-Module $using:mod
                    Invoke-MnesisWrite -Path $using:db -Query 'INSERT INTO t(v) VALUES (@v)' -Parameters @{ v = $_ }
                })
            $ErrorActionPreference = 'Stop'
            $done | Should -HaveCount $count -Because "all $count runspaces write within 180 s (the others were stopped: $stopped)"
        }
        & $churn 20
        [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
        $memoryBefore = [GC]::GetTotalMemory($true)
        & $churn 200
        [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
        ([GC]::GetTotalMemory($true) - $memoryBefore) / 1MB | Should -BeLessThan 32
        Invoke-Sqlite3 $db 'SELECT count(*) FROM t' | Should -Be 220
        # While this runspace keeps its connection, SQLite's unix VFS defers closing the descriptor of
        # a closed connection (closing it would drop the POSIX locks of the open one) and reuses it for
        # the next open: bounded by the 4 concurrent runspaces, not growing with the 200 created.
        Get-TestOpenHandleCount -Path $db | Should -BeLessOrEqual (3 + 4)
        # Once the last connection of the process closes, nothing is left: not the file, -wal or -shm.
        Close-MnesisPool -Pool $pool
        Get-TestOpenHandleCount -Path $db | Should -Be 0
    }
}

Describe 'Ctrl+C during a long statement on <Engine>' -ForEach (Get-TestEngines) {
    BeforeEach {
        if ($Skip) { Set-ItResult -Skipped -Because $Why; return }
        $target = New-TestTarget $Engine
        $name = $target.Name
        $setup = New-MnesisPool
        $null = Invoke-MnesisWrite -Pool $setup @name -Query 'CREATE TABLE t(x bigint)'
        Close-MnesisPool -Pool $setup
    }
    AfterEach {
        if ($Skip) { return }
        Remove-TestTarget $target
    }

    It 'stops a <Kind> that would run for minutes, at once, and leaves the database as it was' -ForEach @(
        @{ Kind = 'query'; Script = { param($mod, $name, $sql) Import-Module $mod; Invoke-MnesisQuery @name -Query $sql -Scalar }; Statement = 'EndlessRead' }
        @{ Kind = 'write'; Script = { param($mod, $name, $sql) Import-Module $mod; Invoke-MnesisWrite @name -Query $sql }; Statement = 'EndlessWrite' }
    ) {
        $running = Start-TestShell -Arguments $mod, $name, (Get-TestSql $Engine $Statement) -Script $Script
        try {
            Start-Sleep -Milliseconds 1500
            $running.Async.IsCompleted | Should -BeFalse -Because 'the statement runs for minutes'
            Stop-TestShell -Shell $running -What "the long $Kind (the engine is interrupted, not waited for)" -TimeoutSeconds 10
            $running.Shell.InvocationStateInfo.State | Should -Be 'Stopped'
            Get-TestRowCount $target 't' | Should -Be 0
            if ($Engine -eq 'SQLite') { Test-TestWriteLockHeld -Path $target.Text | Should -BeFalse }
        }
        finally { Remove-TestShell $running }
    }
}

Describe 'The pool' {
    BeforeEach {
        $pool = New-MnesisPool
        $db = Join-Path $TestDrive "pool-$([guid]::NewGuid().ToString('N')).db"
        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'CREATE TABLE t(id INTEGER PRIMARY KEY, who TEXT, n INTEGER); CREATE TABLE counter(n INTEGER); INSERT INTO counter VALUES (0)'
    }

    AfterEach { Close-MnesisPool -Pool $pool }

    Context 'serialized writes across runspaces' {
        It '8 parallel runspaces each committing 250 separate transactions lose no row and raise no error' {
            # -Parallel takes no -ErrorAction: the iterations that -TimeoutSeconds stops are errors to count, not to throw.
            $ErrorActionPreference = 'Continue'
            $results = @(1..8 | ForEach-Object -ThrottleLimit 8 -TimeoutSeconds 120 -ErrorVariable stopped -Parallel {
                    Import-Module $using:mod
                    $worker = $_
                    try {
                        for ($i = 0; $i -lt 250; $i++) {
                            $null = Invoke-MnesisWrite -Path $using:db -Query 'INSERT INTO t(who, n) VALUES (@who, @n)' -Parameters @{ who = "w$worker"; n = $i }
                        }
                        'finished'
                    }
                    catch { "runspace ${worker}: $($_.Exception.Message)" }
                })
            $ErrorActionPreference = 'Stop'
            $results | Where-Object { $_ -ne 'finished' } | Should -BeNullOrEmpty
            $results | Should -HaveCount 8 -Because "every runspace finishes within 120 s (the others were stopped: $stopped)"
            Invoke-Sqlite3 $db 'SELECT count(*), count(DISTINCT who) FROM t' | Should -Be '2000|8'
        }

        It 'thread jobs, a RunspacePool and this runspace writing at once lose no row' {
            $jobs = 1..3 | ForEach-Object {
                Start-ThreadJob -ArgumentList $mod, $db, "job$_" {
                    param($mod, $db, $who)
                    Import-Module $mod
                    1..100 | ForEach-Object { $null = Invoke-MnesisWrite -Path $db -Query 'INSERT INTO t(who) VALUES (@who)' -Parameters @{ who = $who } }
                }
            }
            $runspacePool = [runspacefactory]::CreateRunspacePool(1, 3)
            $runspacePool.Open()
            try {
                $shells = 1..3 | ForEach-Object {
                    $ps = [powershell]::Create()
                    $ps.RunspacePool = $runspacePool
                    $null = $ps.AddScript({
                            param($mod, $db, $who)
                            Import-Module $mod
                            1..100 | ForEach-Object { $null = Invoke-MnesisWrite -Path $db -Query 'INSERT INTO t(who) VALUES (@who)' -Parameters @{ who = $who } }
                        }).AddArgument($mod).AddArgument($db).AddArgument("rsp$_")
                    [pscustomobject]@{ Shell = $ps; Async = $ps.BeginInvoke() }
                }
                1..100 | ForEach-Object { $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t(who) VALUES (''main'')' }
                foreach ($s in $shells) {
                    $null = Wait-TestShell -Shell $s -What 'a RunspacePool writer' -TimeoutSeconds 120
                    $s.Shell.HadErrors | Should -BeFalse
                    $s.Shell.Dispose()
                }
            }
            finally { $runspacePool.Dispose() }
            $null = Wait-TestJob -Job $jobs -What 'the thread job writers' -TimeoutSeconds 120
            Invoke-Sqlite3 $db 'SELECT count(*), count(DISTINCT who) FROM t' | Should -Be '700|7'
        }
    }

    Context 'other processes' {
        It 'waits for another process''s writer (BEGIN IMMEDIATE) instead of failing' {
            $python = Start-ForeignWriter -Path $db -Seconds 1.5
            try {
                Wait-TestWriteLock -Path $db
                Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t(who) VALUES (''mnesis'')' | Should -Be 1
            }
            finally { Wait-TestProcess -Process $python -What 'the python3 writer holding the lock' -TimeoutSeconds 30 }
            $python.ExitCode | Should -Be 0
            Invoke-Sqlite3 $db 'SELECT group_concat(who) FROM (SELECT who FROM t ORDER BY id)' | Should -Be 'python,mnesis'
        }

        It 'fails with MnesisDatabaseBusy after the busy timeout, writes nothing and releases the gate' {
            $short = Open-MnesisStore -Pool $pool -Path (Join-Path $TestDrive 'busy.db') -BusyTimeout 1
            $null = Invoke-MnesisWrite -Store $short -Query 'CREATE TABLE t(id INTEGER PRIMARY KEY, who TEXT)'
            $python = Start-ForeignWriter -Path $short.Path -Seconds 3
            try {
                Wait-TestWriteLock -Path $short.Path
                $err = { Invoke-MnesisWrite -Store $short -Query 'INSERT INTO t(who) VALUES (''late'')' } | Should -Throw -ErrorId 'MnesisDatabaseBusy,*' -PassThru
                $err.CategoryInfo.Category | Should -Be 'ResourceBusy'
                $err.Exception.Message | Should -BeLike "*$($short.Path)*"
            }
            finally { Wait-TestProcess -Process $python -What 'the python3 writer holding the lock' -TimeoutSeconds 30 }
            Invoke-MnesisWrite -Store $short -Query 'INSERT INTO t(who) VALUES (''after'')' | Should -Be 1
            Invoke-Sqlite3 $short.Path 'SELECT group_concat(who) FROM (SELECT who FROM t ORDER BY id)' | Should -Be 'python,after'
        }

        It 'lets a reader in another runspace read while a write transaction is open' {
            $writer = Start-TestHeldWrite -Path $db -Sql 'INSERT INTO t(who) VALUES (''uncommitted'')' -Seconds 2
            try {
                $connection = Get-MnesisConnection -Pool $pool -Path $db
                Invoke-TestScalar $connection 'SELECT count(*) FROM t' | Should -Be 0
                $writer.Async.IsCompleted | Should -BeFalse -Because 'the read returned while the writer still held its transaction'
                $null = Wait-TestShell -Shell $writer -What 'the held write'
                Invoke-TestScalar $connection 'SELECT count(*) FROM t' | Should -Be 1
            }
            finally { Remove-TestShell $writer }
        }
    }
}
