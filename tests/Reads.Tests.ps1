# Reads and types: Invoke-MnesisQuery's rows, -Scalar, streaming, refusing writes; values both ways.
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
Describe 'Reads on <Engine>' -ForEach (Get-TestEngines) {
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

    Context 'reads' {
        It 'refuses a statement that writes, runs nothing, and points to Invoke-MnesisWrite' {
            { Invoke-MnesisQuery -Pool $pool @name -Query 'INSERT INTO item(name) VALUES (''sneaky'')' } | Should -Throw -ErrorId 'MnesisQueryWrites,*'
            Get-TestRowCount $target 'item' | Should -Be 0
        }

        It 'runs once per piped object and streams every row' {
            $null = Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO item(name, qty) VALUES (''a'', 1), (''b'', 2), (''c'', 3)'
            $rows = 3, 1 | ForEach-Object { @{ qty = $_ } } | Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT name FROM item WHERE qty = @qty'
            $rows.name | Should -Be @('c', 'a')
        }
    }

    Context 'writes' {
        It 'round-trips strings, numbers, booleans, dates, GUIDs, bytes and $null' {
            $null = Invoke-MnesisWrite -Pool $pool @name -Query 'DROP TABLE item'
            $types = if ($Engine -eq 'SQLite') { 's TEXT, i INTEGER, d REAL, b INTEGER, t TEXT, g TEXT, y BLOB, n TEXT' } else { 's text, i bigint, d double precision, b boolean, t timestamptz, g uuid, y bytea, n text' }
            $null = Invoke-MnesisWrite -Pool $pool @name -Query "CREATE TABLE v($types)"
            $when = [datetime]::new(2026, 11, 25, 8, 30, 15, [DateTimeKind]::Utc)
            $guid = [guid]::NewGuid()
            $values = @{ s = "it's ""quoted"" @x :y `$z"; i = [long]::MaxValue; d = 0.25; b = $true; t = $when; g = $guid; y = [byte[]](0, 1, 254, 255); n = $null }
            $null = Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO v VALUES (@s, @i, @d, @b, @t, @g, @y, @n)' -Parameters $values
            $row = Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT * FROM v'
            $row.s | Should -BeExactly $values.s
            $row.i | Should -Be ([long]::MaxValue)
            $row.d | Should -Be 0.25
            [bool]$row.b | Should -BeTrue
            [datetime]$row.t | Should -Be $when
            [guid]"$($row.g)" | Should -Be $guid
            $row.y | Should -Be ([byte[]](0, 1, 254, 255))
            $row.n | Should -BeNullOrEmpty
            $row.PSObject.Properties.Name | Should -Be @('s', 'i', 'd', 'b', 't', 'g', 'y', 'n')
        }
    }
}

Describe 'Invoke-MnesisQuery on <Engine>' -ForEach (Get-TestEngines) {
    BeforeEach {
        if ($Skip) { Set-ItResult -Skipped -Because $Why; return }
        $target = New-TestTarget $Engine
        $name = $target.Name
        $pool = New-MnesisPool
        $null = Invoke-MnesisWrite -Pool $pool @name -Query (Get-TestSql $Engine 'CreateRead')
    }
    AfterEach {
        if ($Skip) { return }
        Close-MnesisPool -Pool $pool
        Remove-TestTarget $target
    }

    It 'stops a query past -CommandTimeout within seconds; the store reads and writes on' {
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        { Invoke-MnesisQuery -Pool $pool @name -Query (Get-TestSql $Engine 'EndlessRead') -CommandTimeout 1 } | Should -Throw -ErrorId 'MnesisCommandTimeout,*'
        # Generous: the limit is 1 s; machines are noisy.
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
        Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT count(*) FROM t' -Scalar | Should -Be 3
        Invoke-MnesisWrite -Pool $pool @name -Query 'DELETE FROM t WHERE id = 3' | Should -Be 1
    }

    It 'takes any -CommandTimeout up to [int]::MaxValue seconds' {
        Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT count(*) FROM t' -CommandTimeout ([int]::MaxValue) -Scalar | Should -Be 3
        Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT count(*) FROM t' -CommandTimeout 0 -Scalar | Should -Be 3
    }

    It 'does not count the time downstream commands take against -CommandTimeout' {
        $rows = @(Invoke-MnesisQuery -Pool $pool @name -Query (Get-TestSql $Engine 'Series200') -CommandTimeout 1 |
                ForEach-Object { if ($_.x -eq 1) { Start-Sleep -Milliseconds 1600 }; $_ })
        $rows.Count | Should -Be 200
    }

    It 'returns one PSCustomObject per row with the columns in select order' {
        $rows = @(Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT score, name, id FROM t ORDER BY id')
        $rows.Count | Should -Be 3
        $rows[0] | Should -BeOfType [pscustomobject]
        $rows[0].PSObject.Properties.Name | Should -Be @('score', 'name', 'id')
        $rows[0].name | Should -Be 'one'
        $rows[0].score | Should -Be 1.5
    }

    It 'turns NULL into $null, not DBNull' {
        $row = Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT name, score, data FROM t WHERE id = 2'
        $row.name | Should -BeNullOrEmpty
        $null -eq $row.name | Should -BeTrue
        $null -eq $row.score | Should -BeTrue
        $row.data -is [DBNull] | Should -BeFalse
        $null -eq $row.data | Should -BeTrue
    }

    It 'keeps both columns when two have the same name' {
        $row = Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT a.name, b.name FROM t a JOIN t b ON b.id = 3 WHERE a.id = 1'
        $row.PSObject.Properties.Name | Should -Be @('name', 'name2')
        $row.name, $row.name2 | Should -Be @('one', 'three')
    }

    It 'streams rows: a query without end stops after the first rows that are asked for' {
        # In a runspace with a limit: a reader that drained the endless rest would never return.
        $rows = Invoke-TestWithLimit -Arguments $pool, $name -What 'the first 3 rows of a query without end' -TimeoutSeconds 60 -Script {
            param($pool, $name)
            Invoke-MnesisQuery -Pool $pool @name -Query 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c' | Select-Object -First 3
        }
        $rows.x | Should -Be @(1, 2, 3)
        Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT count(*) FROM t' -Scalar | Should -Be 3 -Because 'the store still reads after the query was stopped'
    }

    It 'binds -Parameters and returns the first column of the first row with -Scalar' {
        Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT name FROM t WHERE id = @id' -Parameters @{ id = 3 } -Scalar | Should -Be 'three'
        Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT count(*) FROM t WHERE name IS NULL' -Scalar | Should -Be 1
        $null -eq (Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT name FROM t WHERE id = 2' -Scalar) | Should -BeTrue
    }

    It 'reads through -Store, from the pipeline and through the pool''s only store' {
        $store = Open-MnesisStore -Pool $pool @name
        Invoke-MnesisQuery -Store $store -Query 'SELECT count(*) FROM t' -Scalar | Should -Be 3
        $store | Invoke-MnesisQuery -Query 'SELECT count(*) FROM t' -Scalar | Should -Be 3
        Invoke-MnesisQuery -Pool $pool -Query 'SELECT count(*) FROM t' -Scalar | Should -Be 3
    }

    It 'sees the changes of the -ScriptBlock write it runs in' {
        $seen = $null
        try {
            $seen = Invoke-MnesisWrite -Pool $pool @name -ScriptBlock {
                $null = Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t(id, name) VALUES (4, ''four'')'
                Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT count(*) FROM t' -Scalar
                throw 'roll it back'
            }
        }
        catch { $_.Exception.Message | Should -Be 'roll it back' }
        $seen | Should -BeNullOrEmpty -Because 'output is written only after a commit'
        Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT count(*) FROM t' -Scalar | Should -Be 3
        $inside = Invoke-MnesisWrite -Pool $pool @name -ScriptBlock {
            $null = Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t(id, name) VALUES (4, ''four'')'
            Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT count(*) FROM t' -Scalar
        }
        $inside | Should -Be 4
    }

    It 'reports invalid SQL with the engine''s message' {
        $err = { Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT nope FROM t' } | Should -Throw -ErrorId 'MnesisQueryFailed,*' -PassThru
        $err.Exception.Message | Should -BeLike $(if ($Engine -eq 'SQLite') { '*no such column: nope*' } else { '*column "nope" does not exist*' })
        (Get-MnesisPool -Pool $pool).LastError | Should -Be $err.Exception.Message
    }
}

Describe 'Invoke-MnesisQuery on SQLite files' {
    BeforeEach {
        $pool = New-MnesisPool
        $db = Join-Path $TestDrive "read-$([guid]::NewGuid().ToString('N')).db"
        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query (Get-TestSql 'SQLite' 'CreateRead')
    }
    AfterEach { Close-MnesisPool -Pool $pool }

    It 'does not take the write gate: it reads while another runspace holds a write transaction' {
        $writer = Start-TestHeldWrite -Path $db -Sql 'DELETE FROM t' -Seconds 2
        try {
            Invoke-MnesisQuery -Pool $pool -Path $db -Query 'SELECT count(*) FROM t' -Scalar | Should -Be 3
            $writer.Async.IsCompleted | Should -BeFalse -Because 'the read returned while the write was still open'
            $null = Wait-TestShell -Shell $writer -What 'the held write'
            Invoke-MnesisQuery -Pool $pool -Path $db -Query 'SELECT count(*) FROM t' -Scalar | Should -Be 0
        }
        finally { Remove-TestShell $writer }
    }

    It 'refuses a file that does not exist without creating it' {
        $missing = Join-Path $TestDrive 'missing/never.db'
        { Invoke-MnesisQuery -Pool $pool -Path $missing -Query 'SELECT 1' } | Should -Throw -ErrorId 'MnesisPathNotFound,*'
        Test-Path (Join-Path $TestDrive 'missing') | Should -BeFalse
    }
}

Describe 'Values written' {
    BeforeEach {
        $pool = New-MnesisPool
        $db = Join-Path $TestDrive "write-$([guid]::NewGuid().ToString('N')).db"
        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)'
    }

    AfterEach { Close-MnesisPool -Pool $pool }

    Context '-Query with -Parameters' {
        It 'stores $null as NULL and keeps byte arrays, dates and booleans' {
            $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'CREATE TABLE v(n, blob, d, flag)'
            $bytes = [byte[]](0, 1, 254, 255)
            $date = [datetime]::new(2026, 11, 25, 8, 30, 0)
            $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO v VALUES (@n, @blob, @d, @flag)' -Parameters @{ n = $null; blob = $bytes; d = $date; flag = $true }
            Invoke-Sqlite3 $db 'SELECT typeof(n), hex(blob), d, flag FROM v' | Should -Be "null|0001FEFF|$($date.ToString('yyyy-MM-dd HH:mm:ss'))|1"
        }
    }
}

Describe 'Reads that do not write on <Engine>' -ForEach (Get-TestEngines) {
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

    It 'refuses a statement that writes before running anything: <_>' -ForEach @(
        'INSERT INTO t VALUES (2)', 'SELECT 1; DELETE FROM t', 'CREATE TABLE u(x int)', 'BEGIN', 'COMMIT; INSERT INTO t VALUES (2)',
        'ROLLBACK; INSERT INTO t VALUES (2)', 'end; INSERT INTO t VALUES (2)'
    ) {
        $null = Invoke-MnesisWrite -Pool $pool @name -Query "$(Get-TestSql $Engine 'CreateTv'); INSERT INTO t VALUES (1)"
        $shown = (Open-MnesisStore -Pool $pool @name).Target
        $err = { Invoke-MnesisQuery -Pool $pool @name -Query $_ } | Should -Throw -ErrorId 'MnesisQueryWrites,*' -PassThru
        $err.Exception.Message | Should -BeLike "*$shown*Invoke-MnesisWrite*"
        (Get-TestColumn $target 'SELECT v FROM t') -join ',' | Should -Be '1'
        if ($Engine -eq 'SQLite') { Invoke-Sqlite3 $target.Text 'PRAGMA journal_mode' | Should -Be 'wal' }
        Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT count(*) FROM t' -Scalar | Should -Be 1
    }

    It 'streams the rows of one query per piped object, bound by property name' {
        $null = Invoke-MnesisWrite -Pool $pool @name -Query 'CREATE TABLE host(name text, os text); INSERT INTO host VALUES (''a'', ''x''), (''b'', ''y''), (''c'', ''x'')'
        $rows = 'c', 'a', 'zz' | ForEach-Object { [pscustomobject]@{ name = $_ } } |
            Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT name, os FROM host WHERE name = @name'
        ($rows | ForEach-Object { "$($_.name)=$($_.os)" }) | Should -Be @('c=x', 'a=x')
    }
}

Describe 'Reads that do not write, on SQLite files' {
    BeforeEach {
        $pool = New-MnesisPool
        $folder = New-TestFolder
        $db = Join-Path $folder 'reads.db'
    }

    AfterEach { Close-MnesisPool -Pool $pool }

    It 'refuses a statement that writes before running anything: <_>' -ForEach @(
        'PRAGMA journal_mode=DELETE', 'PRAGMA foreign_keys = OFF', "ATTACH ':memory:' AS other"
    ) {
        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'CREATE TABLE t(v); INSERT INTO t VALUES (1)'
        $err = { Invoke-MnesisQuery -Pool $pool -Path $db -Query $_ } | Should -Throw -ErrorId 'MnesisQueryWrites,*' -PassThru
        $err.Exception.Message | Should -BeLike "*$db*Invoke-MnesisWrite*"
        Invoke-Sqlite3 $db 'SELECT group_concat(v) FROM t' | Should -Be '1'
        Invoke-Sqlite3 $db 'PRAGMA journal_mode' | Should -Be 'wal'
        Invoke-MnesisQuery -Pool $pool -Path $db -Query 'SELECT count(*) FROM t' -Scalar | Should -Be 1
    }
}
