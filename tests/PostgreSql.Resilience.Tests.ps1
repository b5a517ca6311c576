# PostgreSQL servers that restart, go away, end sessions and fail over, under open stores. Each
# block starts servers of its own (the shared test server is never restarted) and removes them.
# The Windows run under Wine drives the same Linux servers (PostgresServer.ps1 starts their tools).
BeforeDiscovery {
    . "$PSScriptRoot/Support/PostgresServer.ps1"
    $script:noServerControl = -not (($IsLinux -or $UnderWine) -and (Find-PostgresBin))
}

BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"
    . "$PSScriptRoot/Support/Engines.ps1"
    . "$PSScriptRoot/Support/PostgresServer.ps1"

    # The FullyQualifiedErrorId a call failed with, or 'ok'.
    function Get-CallOutcome([scriptblock] $Call) {
        try { $null = & $Call; 'ok' }
        catch { $_.FullyQualifiedErrorId }
    }

    function Get-Count($Server, [string] $Sql) { [long](Invoke-TestPostgresSql $Server $Sql | Select-Object -Last 1) }
}

Describe 'A PostgreSQL store whose server restarts or goes away' -Skip:$noServerControl {
    BeforeAll {
        $server = Start-TestPostgres
        # A short connection timeout: calls give up on an unreachable server after it.
        $cs = "$((Get-TestPostgresLogin $server).ConnectionString);Timeout=3"
        Invoke-TestPostgresSql $server 'CREATE TABLE t (id int)'
    }

    AfterAll {
        Close-MnesisPool -Confirm:$false -ErrorAction Ignore
        Stop-TestPostgres $server
    }

    BeforeEach {
        Close-MnesisPool -Confirm:$false -ErrorAction Ignore
        Invoke-TestPostgresSql $server 'DELETE FROM t'
        $store = Open-MnesisStore -ConnectionString $cs
        Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t VALUES (@id)' -Parameters @{ id = 1 } | Should -Be 1
    }

    It 'after a <Mode> restart the first read succeeds, then the first write, without Close-MnesisPool' -ForEach @(@{ Mode = 'fast' }, @{ Mode = 'immediate' }) {
        Invoke-TestPostgresControl $server Restart -Mode $Mode

        Invoke-MnesisQuery -Store $store -Query 'SELECT count(*) FROM t' -Scalar | Should -Be 1
        Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t VALUES (@id)' -Parameters @{ id = 2 } | Should -Be 1
        Get-Count $server 'SELECT count(*) FROM t' | Should -Be 2
        $store.Reconnects | Should -Be 1
        $store.IsUsable | Should -BeTrue
    }

    It 'after a <Mode> restart the first call, a write, succeeds and is written once' -ForEach @(@{ Mode = 'fast' }, @{ Mode = 'immediate' }) {
        Invoke-TestPostgresControl $server Restart -Mode $Mode

        Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t VALUES (@id)' -Parameters @{ id = 2 } | Should -Be 1
        Get-Count $server 'SELECT count(*) FROM t WHERE id = 2' | Should -Be 1
        $store.Reconnects | Should -Be 1
    }

    It 'after an immediate restart the first call succeeds whatever it is: <Call>' -ForEach @(
        @{ Call = 'a read of rows'; Run = { @(Invoke-MnesisQuery -Store $store -Query 'SELECT id FROM t').Count | Should -Be 1 } }
        @{ Call = 'a read with piped parameters'; Run = { @([pscustomobject]@{ id = 1 } | Invoke-MnesisQuery -Store $store -Query 'SELECT id FROM t WHERE id = @id').Count | Should -Be 1 } }
        @{ Call = 'an -InputObject write'; Run = { Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t VALUES (@id)' -InputObject @(@{ id = 2 }, @{ id = 3 }) | Should -Be 2 } }
        @{ Call = 'a pipeline write'; Run = { 2..3 | ForEach-Object { @{ id = $_ } } | Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t VALUES (@id)' | Should -Be 2 } }
        @{ Call = 'a -ScriptBlock write'; Run = { Invoke-MnesisWrite -Store $store -ScriptBlock { $null = Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t VALUES (2)'; Invoke-MnesisQuery -Store $store -Query 'SELECT count(*) FROM t' -Scalar } | Should -Be 2 } }
        @{ Call = 'Close-MnesisPool'; Run = { Close-MnesisPool -Confirm:$false -ErrorAction Stop; @(Get-MnesisPool).Count | Should -Be 0 } }
    ) {
        Invoke-TestPostgresControl $server Restart -Mode immediate

        $errors = @()
        try { & $Run } catch { $errors += $_ }
        $errors | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" } | Should -BeNullOrEmpty
    }

    It 'after a restart Get-MnesisConnection hands out an open connection' {
        Invoke-TestPostgresControl $server Restart -Mode fast

        $connection = Get-MnesisConnection -Store $store
        $connection.State | Should -Be 'Open'
        Invoke-TestScalar -Connection $connection -Sql 'SELECT count(*) FROM t' | Should -Be 1
    }

    It 'while the server is down each call fails within the connection timeout with MnesisServerUnreachable, and Get-MnesisPool says so; the first call after the start succeeds' {
        Invoke-TestPostgresControl $server Stop -Mode fast
        try {
            $outcomes = foreach ($call in 1..4) {
                $clock = [Diagnostics.Stopwatch]::StartNew()
                if ($call % 2) { Get-CallOutcome { Invoke-MnesisQuery -Store $store -Query 'SELECT count(*) FROM t' -Scalar } }
                else { Get-CallOutcome { Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t VALUES (@id)' -Parameters @{ id = 9 } } }
                # Never hangs: the connection timeout is 3 s (a generous bound for a loaded machine).
                $clock.Elapsed.TotalSeconds | Should -BeLessThan 20
            }
            $outcomes.Count | Should -Be 4
            $outcomes | ForEach-Object { $_ | Should -BeLike 'MnesisServerUnreachable,*' }
            $pooled = Get-MnesisPool | Where-Object Target -EQ $store.Target
            $pooled.IsUsable | Should -BeFalse
            $pooled.LastError | Should -Match 'could not be reached'
        }
        finally {
            Invoke-TestPostgresControl $server Start
        }

        Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t VALUES (@id)' -Parameters @{ id = 3 } | Should -Be 1
        $store.IsUsable | Should -BeTrue
        Get-Count $server 'SELECT count(*) FROM t' | Should -Be 2
    }

    It 'a backend terminated in the middle of a -ScriptBlock fails it with MnesisConnectionLost and commits none of it' {
        $outcome = Get-CallOutcome {
            Invoke-MnesisWrite -Store $store -ScriptBlock {
                $null = Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t VALUES (10)'
                $backend = Invoke-MnesisQuery -Store $store -Query 'SELECT pg_backend_pid()' -Scalar
                $null = Invoke-TestPostgresSql $server "SELECT pg_terminate_backend($backend)"
                $null = Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t VALUES (11)'
            }
        }

        $outcome | Should -BeLike 'MnesisConnectionLost,*'
        Get-Count $server 'SELECT count(*) FROM t WHERE id >= 10' | Should -Be 0
        Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t VALUES (@id)' -Parameters @{ id = 4 } | Should -Be 1
        Get-Count $server 'SELECT count(*) FROM t' | Should -Be 2
    }

    It 'a -ScriptBlock that catches the failure of its terminated backend still fails with MnesisConnectionLost' {
        $outcome = Get-CallOutcome {
            Invoke-MnesisWrite -Store $store -ScriptBlock {
                param($Connection)
                $null = Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t VALUES (10)'
                $null = Invoke-TestPostgresSql $server "SELECT pg_terminate_backend($($Connection.ProcessID))"
                try { $null = Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t VALUES (11)' } catch { }
            }
        }

        $outcome | Should -BeLike 'MnesisConnectionLost,*'
        Get-Count $server 'SELECT count(*) FROM t WHERE id >= 10' | Should -Be 0
        Invoke-MnesisQuery -Store $store -Query 'SELECT count(*) FROM t' -Scalar | Should -Be 1
    }

    It 'a pipeline write whose backend is terminated fails with MnesisConnectionLost; its rows are rolled back and the store works on' {
        $backend = Invoke-MnesisQuery -Store $store -Query 'SELECT pg_backend_pid()' -Scalar
        $outcome = Get-CallOutcome {
            1..2000 | ForEach-Object {
                if ($_ -eq 1000) { $null = Invoke-TestPostgresSql $server "SELECT pg_terminate_backend($backend)" }
                [pscustomobject]@{ id = 100 + $_ }
            } | Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t VALUES (@id)'
        }

        $outcome | Should -BeLike 'MnesisConnectionLost,*'
        Get-Count $server 'SELECT count(*) FROM t' | Should -Be 1
        Invoke-MnesisQuery -Store $store -Query 'SELECT count(*) FROM t' -Scalar | Should -Be 1
    }

    It 'a read that already output rows when its backend is terminated fails with MnesisConnectionLost instead of running again' {
        $backend = Invoke-MnesisQuery -Store $store -Query 'SELECT pg_backend_pid()' -Scalar
        $rows = [Collections.Generic.List[object]]::new()
        $outcome = Get-CallOutcome {
            Invoke-MnesisQuery -Store $store -Query 'SELECT g, pg_sleep(CASE WHEN g > 100 THEN 0.01 ELSE 0 END) FROM generate_series(1, 100000) g' |
                ForEach-Object { $rows.Add($_); if ($rows.Count -eq 80) { $null = Invoke-TestPostgresSql $server "SELECT pg_terminate_backend($backend)" } }
        }

        $outcome | Should -BeLike 'MnesisConnectionLost,*'
        $rows.Count | Should -BeLessThan 100000
        Invoke-MnesisQuery -Store $store -Query 'SELECT count(*) FROM t' -Scalar | Should -Be 1
    }
}

Describe 'A PostgreSQL write whose answer is lost' -Skip:$noServerControl {
    BeforeAll {
        $server = Start-TestPostgres
        $proxyPort = Get-FreeTcpPort
        # The proxy reads its arming file as a Linux path; this process names it its own way.
        $armFile = ConvertTo-LocalPath "$($server.Folder)/cut-armed"
        $proxyLog = "$($server.Folder)/proxy.out"
        $proxyScript = ConvertTo-LinuxPath (Join-Path $PSScriptRoot 'Support/CuttingProxy.py')
        $proxy = Start-LinuxBackground 'python3' @($proxyScript, $proxyPort, $server.Port, 'COMMIT', "$($server.Folder)/cut-armed") $proxyLog
        $deadline = [datetime]::UtcNow.AddSeconds(20)
        while (-not (Select-String -LiteralPath (ConvertTo-LocalPath $proxyLog) -Pattern listening -Quiet -ErrorAction Ignore) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        $login = Get-TestPostgresLogin $server
        $cs = "Host=127.0.0.1;Port=$proxyPort;Username=$($login.User);Password=$($login.Password);Database=postgres;Timeout=3"
        Invoke-TestPostgresSql $server 'CREATE TABLE t (id int)'
    }

    AfterAll {
        Close-MnesisPool -Confirm:$false -ErrorAction Ignore
        Stop-LinuxProcess $proxy
        Stop-TestPostgres $server
    }

    It 'a COMMIT whose answer never came fails with MnesisWriteOutcomeUnknown, is not run again, and the store works on' {
        $store = Open-MnesisStore -ConnectionString $cs
        $null = New-Item -ItemType File $armFile

        $failure = $null
        try { Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t VALUES (@id)' -InputObject @(@{ id = 1 }, @{ id = 2 }) }
        catch { $failure = $_ }

        $failure.FullyQualifiedErrorId | Should -BeLike 'MnesisWriteOutcomeUnknown,*'
        $failure.CategoryInfo.Category | Should -Be 'ConnectionError'
        $failure.Exception.Message | Should -Match 'may or may not have been committed'
        Test-Path $armFile | Should -BeFalse -Because 'the proxy cut the COMMIT'
        # The server got the COMMIT: the rows are there once, or not at all; never twice.
        Get-Count $server 'SELECT count(*) FROM t' | Should -BeIn @(0, 2)
        $before = Get-Count $server 'SELECT count(*) FROM t'
        Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t VALUES (@id)' -Parameters @{ id = 3 } | Should -Be 1
        Get-Count $server 'SELECT count(*) FROM t' | Should -Be ($before + 1)
        $store.Reconnects | Should -Be 1
    }

    It 'a single statement after the connection sat idle, cut after it went out, is run again on a new connection and written once' {
        $store = Open-MnesisStore -ConnectionString $cs
        Invoke-TestPostgresSql $server 'DELETE FROM t'
        $reconnects = $store.Reconnects
        Start-Sleep -Milliseconds 500
        Set-Content -LiteralPath $armFile -Value 'INSERT INTO t VALUES ($1)' -NoNewline

        Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t VALUES (@id)' -Parameters @{ id = 5 } | Should -Be 1

        Test-Path $armFile | Should -BeFalse -Because 'the proxy cut the INSERT'
        Get-Count $server 'SELECT count(*) FROM t WHERE id = 5' | Should -Be 1
        $store.Reconnects | Should -Be ($reconnects + 1)
    }

    It 'a -ScriptBlock write whose COMMIT answer never came fails with MnesisWriteOutcomeUnknown' {
        $store = Open-MnesisStore -ConnectionString $cs
        Invoke-TestPostgresSql $server 'DELETE FROM t'
        $null = New-Item -ItemType File $armFile

        $outcome = Get-CallOutcome { Invoke-MnesisWrite -Store $store -ScriptBlock { $null = Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t VALUES (7)' } }

        $outcome | Should -BeLike 'MnesisWriteOutcomeUnknown,*'
        Get-Count $server 'SELECT count(*) FROM t' | Should -BeIn @(0, 1)
    }
}

Describe 'PostgreSQL stores on a primary and a streaming standby' -Skip:$noServerControl {
    BeforeAll {
        $primary = Start-TestPostgres
        $standby = $null
        try {
            $standby = Start-TestPostgresStandby $primary
            $deadline = [datetime]::UtcNow.AddSeconds(30)
            while ((Get-Count $primary "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") -lt 1 -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
            # Synchronous: a commit the primary reports is on the standby too, so none is lost in the failover.
            Invoke-TestPostgresSql $primary "ALTER SYSTEM SET synchronous_standby_names = '*'"
            $null = Invoke-TestPostgresSql $primary 'SELECT pg_reload_conf()'
            Invoke-TestPostgresSql $primary 'CREATE TABLE failover (rs int, seq int, PRIMARY KEY (rs, seq))'
        }
        catch {
            Stop-TestPostgres $standby
            Stop-TestPostgres $primary
            throw
        }
        $login = Get-TestPostgresLogin $primary
        $user = $login.User
        $password = $login.Password
        # The standby first: writes must still find the primary.
        $hosts = "127.0.0.1:$($standby.Port),127.0.0.1:$($primary.Port)"
        $cs = "Host=$hosts;Username=$user;Password=$password;Database=postgres;Timeout=3"
    }

    AfterAll {
        Close-MnesisPool -Confirm:$false -ErrorAction Ignore
        Stop-TestPostgres $standby
        Stop-TestPostgres $primary
    }

    It 'every spelling of one host set is one store, whose target shows all hosts' {
        $a = Open-MnesisStore -ConnectionString $cs
        $b = Open-MnesisStore -ConnectionString "postgresql://${user}:$password@127.0.0.1:$($primary.Port),127.0.0.1:$($standby.Port)/postgres?connect_timeout=3"
        [object]::ReferenceEquals($a, $b) | Should -BeTrue
        $a.Target | Should -BeLike "*127.0.0.1:$($primary.Port)*"
        $a.Target | Should -BeLike "*127.0.0.1:$($standby.Port)*"
        @(Get-MnesisPool | Where-Object Engine -EQ 'PostgreSQL').Count | Should -Be 1
        Close-MnesisPool -Confirm:$false
    }

    It 'writes and the reads of a writing store go to the primary, whatever the order of the hosts' {
        $store = Open-MnesisStore -ConnectionString $cs
        Invoke-MnesisQuery -Store $store -Query 'SELECT pg_is_in_recovery()' -Scalar | Should -BeFalse
        Invoke-MnesisWrite -Store $store -Query 'INSERT INTO failover VALUES (0, @seq)' -Parameters @{ seq = 1 } | Should -Be 1
        Close-MnesisPool -Confirm:$false
    }

    It 'a read-only store goes where target_session_attrs=<Attributes> says' -ForEach @(
        @{ Attributes = 'standby'; InRecovery = $true }
        @{ Attributes = 'prefer-standby'; InRecovery = $true }
        @{ Attributes = 'primary'; InRecovery = $false }
    ) {
        $uri = "postgresql://${user}:$password@127.0.0.1:$($primary.Port),127.0.0.1:$($standby.Port)/postgres?target_session_attrs=$Attributes"
        $store = Open-MnesisStore -ConnectionString $uri -ReadOnly
        Invoke-MnesisQuery -Store $store -Query 'SELECT pg_is_in_recovery()' -Scalar | Should -Be $InRecovery
        Close-MnesisPool -Confirm:$false
    }

    It 'a store that writes with target_session_attrs=<Attributes> reads on the standby, writes on the primary, and reads inside its writes where it writes' -ForEach @(
        @{ Attributes = 'standby' }
        @{ Attributes = 'prefer-standby' }
    ) {
        $uri = "postgresql://${user}:$password@127.0.0.1:$($primary.Port),127.0.0.1:$($standby.Port)/postgres?target_session_attrs=$Attributes"
        $store = Open-MnesisStore -ConnectionString $uri
        Invoke-MnesisQuery -Store $store -Query 'SELECT pg_is_in_recovery()' -Scalar | Should -BeTrue
        Invoke-MnesisWrite -Store $store -Query 'INSERT INTO failover VALUES (0, @seq)' -Parameters @{ seq = 10 + $Attributes.Length } | Should -Be 1
        Invoke-MnesisWrite -Store $store -ScriptBlock { Invoke-MnesisQuery -Store $store -Query 'SELECT pg_is_in_recovery()' -Scalar } | Should -BeFalse
        Close-MnesisPool -Confirm:$false
    }

    It 'an unknown target session attribute is refused with MnesisConnectionStringInvalid' {
        { Open-MnesisStore -ConnectionString "$cs;Target Session Attributes=fastest" } | Should -Throw -ErrorId 'MnesisConnectionStringInvalid*'
        @(Get-MnesisPool | Where-Object Engine -EQ 'PostgreSQL').Count | Should -Be 0
    }

    It 'writers in several runspaces resume on the promoted standby within 30 s; every write reported done is there, every failed one is absent or outcome-unknown' {
        $mod = $env:MNESIS_TEST_MODULE
        $log = [Collections.Concurrent.ConcurrentQueue[object]]::new()
        $control = [hashtable]::Synchronized(@{ Stop = $false })
        $writers = foreach ($rs in 1..3) {
            $shell = [powershell]::Create()
            $null = $shell.AddScript({
                    param($mod, $cs, $rs, $log, $control)
                    Import-Module $mod
                    $seq = 0
                    while (-not $control.Stop) {
                        $seq++
                        $started = [datetime]::UtcNow
                        try {
                            $null = Invoke-MnesisWrite -ConnectionString $cs -Query 'INSERT INTO failover (rs, seq) VALUES (@rs, @seq)' -Parameters @{ rs = $rs; seq = $seq } -ErrorAction Stop
                            $outcome = 'ok'
                        }
                        catch { $outcome = $_.FullyQualifiedErrorId.Split(',')[0] }
                        $log.Enqueue([pscustomobject]@{ Rs = $rs; Seq = $seq; Outcome = $outcome; Started = $started; At = [datetime]::UtcNow })
                        Start-Sleep -Milliseconds 20
                    }
                }).AddArgument($mod).AddArgument($cs).AddArgument($rs).AddArgument($log).AddArgument($control)
            [pscustomobject]@{ Shell = $shell; Handle = $shell.BeginInvoke() }
        }
        try {
            Start-Sleep -Seconds 2
            Invoke-TestPostgresControl $primary Stop -Mode immediate
            $stoppedAt = [datetime]::UtcNow
            Start-Sleep -Seconds 1
            Invoke-TestPostgresControl $standby Promote
            $promotedAt = [datetime]::UtcNow
            # Until every writer has written on the new primary, or long past the 30 s allowed.
            $deadline = $promotedAt.AddSeconds(45)
            while ([datetime]::UtcNow -lt $deadline) {
                $resumed = @($log.ToArray() | Where-Object { $_.Outcome -eq 'ok' -and $_.At -gt $promotedAt } | Select-Object -ExpandProperty Rs -Unique)
                if ($resumed.Count -eq 3) { break }
                Start-Sleep -Milliseconds 200
            }
            Start-Sleep -Milliseconds 500
        }
        finally {
            $control.Stop = $true
            foreach ($writer in $writers) {
                $null = $writer.Handle.AsyncWaitHandle.WaitOne(60000)
                $writer.Shell.Dispose()
            }
        }

        $entries = @($log.ToArray())
        $written = @(Invoke-TestPostgresSql $standby 'SELECT rs || $$/$$ || seq FROM failover WHERE rs > 0')
        $done = @($entries | Where-Object Outcome -EQ 'ok' | ForEach-Object { "$($_.Rs)/$($_.Seq)" })
        $unknown = @($entries | Where-Object Outcome -EQ 'MnesisWriteOutcomeUnknown' | ForEach-Object { "$($_.Rs)/$($_.Seq)" })
        $failed = @($entries | Where-Object { $_.Outcome -notin 'ok', 'MnesisWriteOutcomeUnknown' })

        # Writes before the failover, and writes begun before the promotion that ended after it (they
        # waited for a server that accepts writes: run again on the new primary, or failed).
        @($entries | Where-Object { $_.Outcome -eq 'ok' -and $_.At -lt $stoppedAt }).Count | Should -BeGreaterThan 0
        @($entries | Where-Object { $_.Started -lt $promotedAt -and $_.At -gt $promotedAt }).Count | Should -BeGreaterThan 0
        @($failed.Outcome | Sort-Object -Unique | Where-Object { $_ -notin 'MnesisServerUnreachable', 'MnesisConnectionLost' }) | Should -BeNullOrEmpty
        # Every write reported done is on the new primary; every failed one is not; the rows there are exactly those.
        @($done | Where-Object { $_ -notin $written }).Count | Should -Be 0
        @($failed | ForEach-Object { "$($_.Rs)/$($_.Seq)" } | Where-Object { $_ -in $written }).Count | Should -Be 0
        @($written | Where-Object { $_ -notin $done -and $_ -notin $unknown }).Count | Should -Be 0
        foreach ($rs in 1..3) {
            $first = $entries | Where-Object { $_.Rs -eq $rs -and $_.Outcome -eq 'ok' -and $_.At -gt $promotedAt } | Select-Object -First 1
            $first | Should -Not -BeNullOrEmpty -Because "writer $rs resumes on the new primary"
            ($first.At - $promotedAt).TotalSeconds | Should -BeLessThan 30
        }
    }
}
