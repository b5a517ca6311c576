BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"
    $mod = $env:MNESIS_TEST_MODULE

    # Starts a per-call write of one row in a runspace of its own and returns once that write is
    # queued at the gate (its -Verbose says so). The shell's output, when it ends: the rows the
    # write reported, what an independent reader (sqlite3) saw right after it returned, the
    # store's Grouped counter, and the error id if it failed.
    function Start-QueuedWrite([string] $Who, [int] $Id = 0, [string] $Query = 'INSERT INTO t(who) VALUES (@who)') {
        $shell = Start-TestShell -Arguments $mod, $db, $Who, $Id, $Query -Script {
            param($mod, $db, $who, $id, $query)
            Import-Module $mod
            $result = @{ Who = $who }
            try {
                $result.Rows = Invoke-MnesisWrite -Path $db -Query $query -Parameters @{ who = $who; id = $id } -Verbose
                $result.SeenAfterReturn = & ($env:MNESIS_TEST_SQLITE3 ?? 'sqlite3') -batch -cmd '.timeout 10000' $db "SELECT count(*) FROM t WHERE who = '$who'"
                $result.Grouped = (Get-MnesisPool)[0].Grouped
            }
            catch { $result.Error = $_.FullyQualifiedErrorId }
            [pscustomobject]$result
        }
        Wait-QueuedCondition -What "the write of '$Who' to queue at the gate" -TimeoutSeconds 20 {
            $shell.Shell.Streams.Verbose | Where-Object Message -Like '*waiting for the write gate*'
        }
        $shell
    }

    # Waits for a shell with a limit (stopping it past the limit), then returns its output.
    function Receive-TestShell($Started, [string] $What, [int] $TimeoutSeconds = 60) {
        Wait-TestShell -Shell $Started -What $What -TimeoutSeconds $TimeoutSeconds
    }

    function Wait-QueuedCondition([string] $What, [int] $TimeoutSeconds, [scriptblock] $Condition) {
        $deadline = [datetime]::UtcNow.AddSeconds($TimeoutSeconds)
        while (-not (& $Condition)) {
            if ([datetime]::UtcNow -gt $deadline) { throw "Waited $TimeoutSeconds s for $What." }
            Start-Sleep -Milliseconds 20
        }
    }
}

Describe 'Group commit of queued per-call writes' {
    BeforeEach {
        $db = Join-Path $TestDrive "group-$([guid]::NewGuid().ToString('N')).db"
        $pool = New-MnesisPool
        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'CREATE TABLE t(id INTEGER PRIMARY KEY, who TEXT)'
        $shells = [System.Collections.Generic.List[object]]::new()
    }
    AfterEach {
        # A shell stuck behind a broken gate is left alone (disposing it would wait forever).
        foreach ($s in $shells) { Remove-TestShell $s }
        Close-MnesisPool -Pool $pool
    }

    It 'commits the writes queued behind a writer together, each returning only after that commit' {
        $holder = Start-TestHeldWrite -Path $db -Sql "INSERT INTO t(who) VALUES ('holder')" -Seconds 2
        $shells.Add($holder)
        $queued = foreach ($who in 'w1', 'w2', 'w3', 'w4') { $s = Start-QueuedWrite -Who $who; $shells.Add($s); $s }
        $null = Receive-TestShell $holder 'the holding write'
        $results = foreach ($s in $queued) { Receive-TestShell $s 'a queued write' }

        foreach ($r in $results) {
            $r.Error | Should -BeNullOrEmpty -Because "$($r.Who) should have committed"
            $r.Rows | Should -Be 1
            $r.SeenAfterReturn | Should -Be 1 -Because "$($r.Who) returned only after its row was committed"
            $r.Grouped | Should -Be 1 -Because "$($r.Who) was committed together with the other queued writes"
        }
        Invoke-Sqlite3 $db 'SELECT count(*) FROM t' | Should -Be 5
    }

    It 'fails only the queued write whose statement fails; its neighbours commit' {
        $holder = Start-TestHeldWrite -Path $db -Sql "INSERT INTO t(id, who) VALUES (100, 'holder')" -Seconds 2
        $shells.Add($holder)
        $insertWithId = 'INSERT INTO t(id, who) VALUES (@id, @who)'
        $a = Start-QueuedWrite -Who 'a' -Id 1 -Query $insertWithId; $shells.Add($a)
        $b = Start-QueuedWrite -Who 'b' -Id 1 -Query $insertWithId; $shells.Add($b)
        $c = Start-QueuedWrite -Who 'c' -Id 3 -Query $insertWithId; $shells.Add($c)
        $null = Receive-TestShell $holder 'the holding write'
        $ra, $rb, $rc = (Receive-TestShell $a 'write a'), (Receive-TestShell $b 'write b'), (Receive-TestShell $c 'write c')

        $rb.Error | Should -BeLike 'MnesisSqlFailed,*'
        $ra.Error | Should -BeNullOrEmpty
        $rc.Error | Should -BeNullOrEmpty
        $ra.Grouped | Should -Be 1
        $rc.Grouped | Should -Be 1
        Invoke-Sqlite3 $db 'SELECT id || ''='' || who FROM t ORDER BY id' | Should -Be @('1=a', '3=c', '100=holder')
    }

    It 'withdraws a queued write stopped with Ctrl+C: it never runs, the others commit' {
        $holder = Start-TestHeldWrite -Path $db -Sql "INSERT INTO t(who) VALUES ('holder')" -Seconds 3
        $shells.Add($holder)
        $first = Start-QueuedWrite -Who 'first'; $shells.Add($first)
        $stopped = Start-QueuedWrite -Who 'stopped'; $shells.Add($stopped)
        $last = Start-QueuedWrite -Who 'last'; $shells.Add($last)

        Stop-TestShell -Shell $stopped -What 'the queued write stopped with Ctrl+C' -TimeoutSeconds 20
        $stopped.Shell.InvocationStateInfo.State | Should -Be 'Stopped'
        $holder.Async.IsCompleted | Should -BeFalse -Because 'the write was withdrawn while the gate was still held'
        $null = Receive-TestShell $holder 'the holding write'
        (Receive-TestShell $first 'the first queued write').Error | Should -BeNullOrEmpty
        (Receive-TestShell $last 'the last queued write').Error | Should -BeNullOrEmpty
        Invoke-Sqlite3 $db 'SELECT who FROM t ORDER BY rowid' | Should -Be @('holder', 'first', 'last')
    }

    It 'never queues a write whose caller fails while being told it waits ($VerbosePreference = Stop)' {
        $holder = Start-TestHeldWrite -Path $db -Sql "INSERT INTO t(who) VALUES ('holder')" -Seconds 2
        $shells.Add($holder)
        $strict = Start-TestShell -Arguments $mod, $db -Script {
            param($mod, $db)
            Import-Module $mod
            $store = Open-MnesisStore -Path $db
            # Through -Store no verbose line comes before the one that says the write waits.
            $VerbosePreference = 'Stop'
            try { $null = Invoke-MnesisWrite -Store $store -Query "INSERT INTO t(who) VALUES ('strict')"; 'written' } catch { "failed: $($_.FullyQualifiedErrorId)" }
        }
        $shells.Add($strict)
        Receive-TestShell $strict 'the write told to stop at its verbose line' 20 | Should -BeLike 'failed: ActionPreferenceStop*'
        $after = Start-QueuedWrite -Who 'after'; $shells.Add($after)
        $null = Receive-TestShell $holder 'the holding write'
        (Receive-TestShell $after 'the write queued after it').Error | Should -BeNullOrEmpty
        Invoke-Sqlite3 $db 'SELECT group_concat(who) FROM (SELECT who FROM t ORDER BY rowid)' | Should -Be 'holder,after'
    }

    It 'runs a -ScriptBlock write queued between per-call writes in its turn' {
        $holder = Start-TestHeldWrite -Path $db -Sql "INSERT INTO t(who) VALUES ('holder')" -Seconds 2
        $shells.Add($holder)
        $before = foreach ($who in 'p1', 'p2') { $s = Start-QueuedWrite -Who $who; $shells.Add($s); $s }
        $block = Start-TestShell -Arguments $mod, $db -Script {
            param($mod, $db)
            Import-Module $mod
            Invoke-MnesisWrite -Path $db -Verbose -ScriptBlock {
                param($Connection, $Transaction)
                $command = $Connection.CreateCommand()
                $command.Transaction = $Transaction
                $command.CommandText = "INSERT INTO t(who) VALUES ('block')"
                $null = $command.ExecuteNonQuery()
            }
        }
        $shells.Add($block)
        Wait-QueuedCondition -What 'the -ScriptBlock write to queue at the gate' -TimeoutSeconds 20 {
            $block.Shell.Streams.Verbose | Where-Object Message -Like '*waiting for the write gate*'
        }
        $after = foreach ($who in 'p3', 'p4') { $s = Start-QueuedWrite -Who $who; $shells.Add($s); $s }

        $null = Receive-TestShell $holder 'the holding write'
        foreach ($s in $before + $after) { (Receive-TestShell $s 'a per-call write').Error | Should -BeNullOrEmpty }
        $null = Receive-TestShell $block 'the -ScriptBlock write'
        $block.Shell.HadErrors | Should -BeFalse
        # Arrival order is commit order: the per-call writes ahead of the block were taken with each
        # other, the block ran alone in its turn, and the ones behind it came after.
        Invoke-Sqlite3 $db 'SELECT who FROM t ORDER BY rowid' | Should -Be @('holder', 'p1', 'p2', 'block', 'p3', 'p4')
    }

    It 'fails only the queued write that leaves a deferred foreign key unresolved' {
        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'CREATE TABLE parent(id INTEGER PRIMARY KEY); INSERT INTO parent VALUES (1); CREATE TABLE child(p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED, who TEXT)'
        $holder = Start-TestHeldWrite -Path $db -Sql "INSERT INTO t(who) VALUES ('holder')" -Seconds 2
        $shells.Add($holder)
        $insertChild = 'INSERT INTO child VALUES (@id, @who)'
        $good = Start-QueuedWrite -Who 'good' -Id 1 -Query $insertChild; $shells.Add($good)
        $orphan = Start-QueuedWrite -Who 'orphan' -Id 99 -Query $insertChild; $shells.Add($orphan)
        $also = Start-QueuedWrite -Who 'also' -Id 1 -Query $insertChild; $shells.Add($also)
        $null = Receive-TestShell $holder 'the holding write'
        $results = foreach ($s in $good, $orphan, $also) { Receive-TestShell $s 'a queued write' }
        ($results | Where-Object Who -EQ 'orphan').Error | Should -BeLike 'MnesisSqlFailed,*'
        $results | Where-Object Who -NE 'orphan' | Where-Object Error | Should -BeNullOrEmpty
        Invoke-Sqlite3 $db 'SELECT group_concat(who) FROM (SELECT who FROM child ORDER BY rowid)' | Should -Be 'good,also'
    }

    It 'ends a write whose own SQL rolls the transaction back with an error, and frees the gate (<Form>)' -ForEach @(
        @{ Form = 'per-call' }, @{ Form = 'pipeline' }
    ) {
        $query = "INSERT INTO t(who) VALUES ('undone'); ROLLBACK"
        $write = if ($Form -eq 'per-call') { { Invoke-MnesisWrite -Pool $pool -Path $db -Query $query } } else { { @{ x = 1 } | Invoke-MnesisWrite -Pool $pool -Path $db -Query $query } }
        $write | Should -Throw -ErrorId 'MnesisSqlFailed,*'
        Invoke-Sqlite3 $db 'SELECT count(*) FROM t' | Should -Be 0
        $next = Start-TestShell -Arguments $mod, $db -Script { param($mod, $db) Import-Module $mod; Invoke-MnesisWrite -Path $db -Query "INSERT INTO t(who) VALUES ('next')" }
        $shells.Add($next)
        Receive-TestShell $next 'a write after the failed one' 20 | Should -Be 1
        Invoke-MnesisWrite -Pool $pool -Path $db -Query "INSERT INTO t(who) VALUES ('same runspace')" | Should -Be 1
    }

    It 'leaves only whole writes when the process is killed while writes are queued' {
        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'CREATE TABLE a(id INTEGER PRIMARY KEY); CREATE TABLE b(id INTEGER PRIMARY KEY)'
        $script = Join-Path $TestDrive 'queued-writers.ps1'
        Set-Content -LiteralPath $script -Value @'
param($Mod, $Db)
1..6 | ForEach-Object -ThrottleLimit 6 -Parallel {
    Import-Module $using:Mod
    $worker = $_
    for ($n = 0; $n -lt 1000000; $n++) {
        $id = $worker * 10000000 + $n
        $null = Invoke-MnesisWrite -Path $using:Db -Query 'INSERT INTO a(id) VALUES (@id); INSERT INTO b(id) VALUES (@id)' -Parameters @{ id = $id }
    }
}
'@
        $pwsh = Get-PwshCommand
        $child = Start-Process $pwsh.FilePath -ArgumentList (@($pwsh.Prefix) + '-NoProfile', '-File', "`"$script`"", "`"$mod`"", "`"$db`"") -PassThru
        try {
            Wait-QueuedCondition -What 'the child to commit 2,000 two-table writes' -TimeoutSeconds 90 { [int](Invoke-Sqlite3 $db 'SELECT count(*) FROM a') -ge 2000 }
            $child.HasExited | Should -BeFalse -Because 'the child must still be writing when it is killed'
        }
        finally {
            # Windows's SIGKILL is TerminateProcess (Process.Kill).
            if ($IsWindows) { $child.Kill() } else { & kill -KILL $child.Id }
            $null = $child.WaitForExit(30000) # killed: exits at once
        }
        Invoke-Sqlite3 $db 'PRAGMA integrity_check' | Should -Be 'ok'
        Invoke-Sqlite3 $db 'SELECT count(*) FROM a' | Should -Be (Invoke-Sqlite3 $db 'SELECT count(*) FROM b')
        Invoke-Sqlite3 $db 'SELECT count(*) FROM a FULL OUTER JOIN b USING (id) WHERE a.id IS NULL OR b.id IS NULL' | Should -Be 0
    }
}
