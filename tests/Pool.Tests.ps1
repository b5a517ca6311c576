BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"
    $mod = $env:MNESIS_TEST_MODULE

    # Holds the write lock from a separate python3 process for $Seconds, inserting one row.
    function Start-ForeignWriter([string] $Path, [double] $Seconds) {
        $script = "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30); " +
                  "c.execute('BEGIN IMMEDIATE'); c.execute('INSERT INTO t(who) VALUES (?)', ('python',)); " +
                  "time.sleep(float(sys.argv[2])); c.execute('COMMIT')"
        Start-Process python3 -ArgumentList '-c', "`"$script`"", "`"$Path`"", $Seconds -PassThru
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

    Context 'one connection per runspace' {
        It 'gives every runspace its own connection and closes it when the runspace closes' {
            # -Parallel takes no -ErrorAction: the iterations that -TimeoutSeconds stops are errors to count, not to throw.
            $ErrorActionPreference = 'Continue'
            $connections = @(1..4 | ForEach-Object -ThrottleLimit 4 -UseNewRunspace -TimeoutSeconds 60 -ErrorVariable stopped -Parallel {
                    Import-Module $using:mod
                    $null = Open-MnesisStore -Path $using:db
                    $connection = Get-MnesisConnection -Path $using:db
                    $connection.State.ToString()
                    , $connection
                })
            $ErrorActionPreference = 'Stop'
            $states = $connections | Where-Object { $_ -is [string] }
            $live = $connections | Where-Object { $_ -isnot [string] }
            $states | Should -Be @('Open', 'Open', 'Open', 'Open') -Because "every runspace reports within 60 s (the others were stopped: $stopped)"
            $distinct = [Collections.Generic.HashSet[object]]::new([Collections.Generic.ReferenceEqualityComparer]::Instance)
            foreach ($connection in $live) { $null = $distinct.Add($connection) }
            $distinct.Count | Should -Be 4
            # The runspaces are disposed as ForEach-Object ends; a leaked connection never closes.
            $deadline = [datetime]::UtcNow.AddSeconds(10)
            while (@($live | Where-Object State -NE 'Closed').Count -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            foreach ($connection in $live) { $connection.State | Should -Be 'Closed' }
        }

        It 'closes a thread job''s connections when the job''s runspace ends' {
            $job = Start-ThreadJob -ArgumentList $mod, $db {
                param($mod, $db)
                Import-Module $mod
                $null = Open-MnesisStore -Path $db
                , (Get-MnesisConnection -Path $db)
            }
            $connection = Wait-TestJob -Job $job -What 'a thread job opening a store'
            # ThreadJob reports Completed a moment before it disposes the runspace; a leak never closes.
            $deadline = [datetime]::UtcNow.AddSeconds(10)
            while ($connection.State -ne 'Closed' -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $connection.State | Should -Be 'Closed'
        }

        It 'closes a runspace''s connections on Remove-Module' {
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript({
                        param($mod, $db)
                        Import-Module $mod
                        $null = Open-MnesisStore -Path $db
                        , (Get-MnesisConnection -Path $db)
                    }).AddArgument($mod).AddArgument($db)
                $connection = @(Invoke-TestPowerShell -PowerShell $ps -What 'a runspace opening a store')[0]
                $connection.State | Should -Be 'Open'
                $ps.Commands.Clear()
                $null = $ps.AddScript('Remove-Module Mnesis')
                $null = Invoke-TestPowerShell -PowerShell $ps -What 'Remove-Module Mnesis closing the runspace''s stores'
                $connection.State | Should -Be 'Closed'
            }
            finally { Remove-TestShell $ps }
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
