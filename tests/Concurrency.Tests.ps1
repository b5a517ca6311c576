BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"
    . "$PSScriptRoot/Support/MixedLoad.ps1"
    $mod = $env:MNESIS_TEST_MODULE
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

    It 'Close-MnesisPool waits for a write in progress through the same pool, and the write commits' {
        $shared = New-MnesisPool
        $null = Open-MnesisStore -Pool $shared -Path $db
        $writer = Start-TestShell -Arguments $mod, $db, $shared -Script {
            param($mod, $db, $shared)
            Import-Module $mod
            Invoke-MnesisWrite -Pool $shared -Path $db -ScriptBlock {
                param($Connection)
                $command = $Connection.CreateCommand()
                $command.CommandText = 'INSERT INTO t(v) VALUES (1)'
                $null = $command.ExecuteNonQuery()
                Start-Sleep -Milliseconds 1500
            }
        }
        try {
            Wait-TestWriteLock -Path $db
            Invoke-TestWithLimit -Arguments $shared -What 'Close-MnesisPool waiting for the write in progress' -Script {
                param($shared)
                Close-MnesisPool -Pool $shared
            }
            # Had Close not waited, it would have closed the connection under the open transaction.
            Invoke-Sqlite3 $db 'SELECT count(*) FROM t' | Should -Be 1 -Because 'Close returns only after the write it waited for committed'
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

    It 'a pwsh writing in batches and killed with SIGKILL keeps exactly its committed batches' -Skip:$IsWindows {
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
            & kill -KILL $child.Id
            Wait-TestProcess -Process $child -What 'the killed batch writer' -TimeoutSeconds 30
        }
        $child.ExitCode | Should -Be 137 -Because 'the child died of SIGKILL (128 + 9), not of its own accord'
        $count = [int](Invoke-Sqlite3 $db 'SELECT count(*) FROM t')
        $count | Should -BeGreaterThan $seen
        $count | Should -BeLessThan 1000000 -Because 'the kill came mid-stream'
        $count % 100 | Should -Be 0 -Because 'only whole batches were committed'
        Invoke-Sqlite3 $db 'SELECT min(v), max(v) FROM t' | Should -Be "1|$count"
        Invoke-Sqlite3 $db 'PRAGMA integrity_check' | Should -Be 'ok'
        # Reopening through Mnesis sees the same rows and can write on.
        Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t(v) VALUES (-1)' | Should -Be 1
    }

    It '200 runspaces created and closed around writes leave no descriptor behind and memory flat' -Skip:(-not (Test-Path /proc/self/fd)) {
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
