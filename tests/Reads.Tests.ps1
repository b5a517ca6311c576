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
        $err.Exception.Message | Should -Not -BeLike '*single quotes*' -Because 'only a double-quoted word gets the hint about string literals'
    }

    # PSSQLite's and dbatools' -As: scripts that index .Rows or call .Select() keep working.
    It 'returns the DataRows of a DataTable with -As DataRow' {
        $rows = @(Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT id, name, score FROM t ORDER BY id' -As DataRow)
        $rows.Count | Should -Be 3
        $rows[0] | Should -BeOfType [System.Data.DataRow]
        $rows[0].name | Should -Be 'one'
        $rows[0]['score'] | Should -Be 1.5
        $rows[1].name | Should -Be ([DBNull]::Value) -Because 'a DataRow holds NULL as DBNull, as other modules'' DataRows do'
        @($rows[0].Table.Select("name = 'three'")).Count | Should -Be 1
        $rows[0].Table.Rows.Count | Should -Be 3
    }

    It 'returns one DataTable with -As DataTable, whose .Rows and .Select() work' {
        $table = Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT id, name, score FROM t ORDER BY id' -As DataTable
        $table | Should -HaveCount 3 -Because 'PowerShell enumerates a DataTable''s rows'
        $table.GetType() | Should -Be ([System.Data.DataTable])
        $table.Rows.Count | Should -Be 3
        $table.Columns.ColumnName | Should -Be @('id', 'name', 'score')
        $table.Columns['id'].DataType | Should -Be ([long])
        $table.Columns['score'].DataType | Should -Be ([double])
        @($table.Select('id > 1')).Count | Should -Be 2
        @($table.Select("name LIKE 't*'"))[0].id | Should -Be 3
    }

    It 'returns a DataTable per result set, and an empty one for no rows' {
        $tables = @(Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT id FROM t WHERE id < 0; SELECT name FROM t WHERE id = 1' -As DataTable)
        $tables | Should -HaveCount 2 -Because 'each result set is one object down the pipeline'
        $tables[0].Rows.Count | Should -Be 0
        $tables[0].Columns[0].ColumnName | Should -Be 'id'
        $tables[1].Rows[0].name | Should -Be 'one'
        (Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT id FROM t ORDER BY id; SELECT name FROM t WHERE id = 1' -As DataRow) |
            ForEach-Object { $_.Table.Columns[0].ColumnName } | Should -Be @('id', 'id', 'id', 'name')
    }

    It '-As SingleValue is -Scalar, and -As PSObject is the default' {
        Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT name FROM t WHERE id = @id' -Parameters @{ id = 3 } -As SingleValue | Should -Be 'three'
        Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT count(*) FROM t' -As SingleValue -Scalar | Should -Be 3
        $rows = @(Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT id, name FROM t ORDER BY id' -As PSObject)
        $rows[0] | Should -BeOfType [pscustomobject]
        $rows[0].PSObject.Properties.Name | Should -Be @('id', 'name')
    }
}

# A column's declared type gives the .NET type of its values on SQLite, as PostgreSQL's column
# types do: what a script writes as [datetime], [bool], [guid] or [decimal] reads back equal, and
# the same script sees the same types on both engines.
Describe 'Declared column types on <Engine>' -ForEach (Get-TestEngines) {
    BeforeEach {
        if ($Skip) { Set-ItResult -Skipped -Because $Why; return }
        $target = New-TestTarget $Engine
        $name = $target.Name
        $pool = New-MnesisPool
        $create = if ($Engine -eq 'SQLite') {
            'CREATE TABLE typed(id INTEGER PRIMARY KEY, at DATETIME, day DATE, stamp TIMESTAMP(6), ok BOOLEAN, flag BOOL, uid GUID, uid2 UNIQUEIDENTIFIER, price DECIMAL(10, 2), amount NUMERIC, cash MONEY)'
        }
        else {
            'CREATE TABLE typed(id bigint PRIMARY KEY, at timestamp, day date, stamp timestamp(6), ok boolean, flag boolean, uid uuid, uid2 uuid, price decimal(10, 2), amount numeric, cash numeric)'
        }
        $null = Invoke-MnesisWrite -Pool $pool @name -Query $create
        $written = @{
            id = 1; at = [datetime]::new(2026, 11, 25, 8, 30, 15, 123); day = [datetime]::new(2026, 2, 28); stamp = [datetime]::new(1999, 12, 31, 23, 59, 59)
            ok = $true; flag = $false; uid = [guid]::NewGuid(); uid2 = [guid]::NewGuid(); price = 19.99d; amount = 1.10d; cash = -1234567.5d
        }
        $null = Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO typed VALUES (@id, @at, @day, @stamp, @ok, @flag, @uid, @uid2, @price, @amount, @cash)' -Parameters $written
    }
    AfterEach {
        if ($Skip) { return }
        Close-MnesisPool -Pool $pool
        Remove-TestTarget $target
    }

    It 'reads back what a script wrote, equal and as [datetime], [bool], [guid] and [decimal]' {
        $row = Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT * FROM typed'
        $expected = [ordered]@{
            at = [datetime]; day = [datetime]; stamp = [datetime]; ok = [bool]; flag = [bool]
            uid = [guid]; uid2 = [guid]; price = [decimal]; amount = [decimal]; cash = [decimal]
        }
        foreach ($column in $expected.Keys) {
            $row.$column | Should -BeOfType $expected[$column] -Because "$column is declared so"
            $row.$column | Should -Be $written[$column] -Because "$column reads back as written"
        }
        $row.id | Should -BeOfType [long]
    }

    It 'gives the same types with -Scalar, -As DataRow and -As DataTable, and in comparisons' {
        Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT at FROM typed' -Scalar | Should -BeOfType [datetime]
        Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT ok FROM typed' -As SingleValue | Should -BeOfType [bool]
        $row = Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT at, ok, uid, price FROM typed' -As DataRow
        $row.at | Should -BeOfType [datetime]
        $row.uid | Should -Be $written.uid
        $table = Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT at, ok, uid, price FROM typed' -As DataTable
        $table.Columns.DataType | Should -Be @([datetime], [bool], [guid], [decimal])
        # The comparison that silently compared strings before: it now compares dates.
        @(Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT at FROM typed' | Where-Object { $_.at -lt [datetime]'2027-01-01' }).Count | Should -Be 1
        @(Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT at FROM typed' | Where-Object { $_.at -gt [datetime]'2026-12-01' }).Count | Should -Be 0
    }

    It 'reads $null as $null in every declared type' {
        $null = Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO typed(id) VALUES (2)'
        $row = Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT at, ok, uid, price FROM typed WHERE id = 2'
        foreach ($column in 'at', 'ok', 'uid', 'price') { $null -eq $row.$column | Should -BeTrue -Because "$column is NULL" }
    }
}

# What other tools stored (the sqlite3 shell here, as System.Data.SQLite, python or SQLite's own
# date functions would): every spelling of the declared types, every common way of storing the
# values, and values that do not parse, which come back as stored.
Describe 'Declared column types on SQLite files' {
    BeforeAll {
        $pool = New-MnesisPool
        $db = Join-Path (New-TestFolder) 'foreign.db'
        $null = Invoke-Sqlite3 $db @'
CREATE TABLE v(n INTEGER PRIMARY KEY, a datetime, b DateTime(3), c "TIMESTAMP", d timestamp with time zone, e Date,
    f bool, g BOOLEAN, h guid, i UniqueIdentifier, j decimal(18, 4), k NUMERIC, l money, m TEXT, o);
INSERT INTO v VALUES (1, '2024-01-02 03:04:05', '2024-01-02 03:04:05.123', '2024-01-02T03:04:05Z', '2024-01-02 05:04:05+02:00', '2024-01-02',
    0, 1, '6f9619ff-8b86-d011-b42d-00c04fc964ff', x'ff19966f868b11d0b42d00c04fc964ff', '12.3456', 3, 0.5, '2024-01-02', '2024-01-02');
INSERT INTO v VALUES (2, 'not a date', 1700000000, 2460311.5, '', '2024-13-45',
    2, 'yes', 'not a guid', x'0102', 'abc', 'twelve', x'00', 'x', 1);
INSERT INTO v VALUES (3, CURRENT_TIMESTAMP, NULL, NULL, NULL, date('2024-02-29'), 'true', 'False', NULL, NULL, NULL, NULL, NULL, NULL, NULL);
'@
    }
    AfterAll { Close-MnesisPool -Pool $pool }

    It 'reads every spelling of the declared types, any case, with or without precision' {
        $row = Invoke-MnesisQuery -Pool $pool -Path $db -Query 'SELECT * FROM v WHERE n = 1'
        $utc = [datetime]::new(2024, 1, 2, 3, 4, 5, [DateTimeKind]::Utc)
        $row.a | Should -Be ([datetime]::new(2024, 1, 2, 3, 4, 5))
        $row.b | Should -Be ([datetime]::new(2024, 1, 2, 3, 4, 5, 123))
        $row.c | Should -Be $utc
        $row.c.Kind | Should -Be 'Utc'
        $row.d | Should -Be $utc -Because 'a stored offset names an instant, given as UTC as PostgreSQL gives timestamptz'
        $row.d.Kind | Should -Be 'Utc'
        $row.e | Should -Be ([datetime]::new(2024, 1, 2))
        $row.f | Should -BeExactly $false
        $row.g | Should -BeExactly $true
        $row.h | Should -Be ([guid]'6f9619ff-8b86-d011-b42d-00c04fc964ff')
        $row.i | Should -Be ([guid]'6f9619ff-8b86-d011-b42d-00c04fc964ff') -Because 'System.Data.SQLite stores a GUID as its 16 bytes'
        $row.j | Should -BeOfType [decimal]
        $row.j | Should -Be 12.3456d
        $row.k | Should -Be 3d
        $row.k | Should -BeOfType [decimal]
        $row.l | Should -Be 0.5d
        $row.m | Should -BeExactly '2024-01-02' -Because 'a TEXT column keeps its text'
        $row.o | Should -BeExactly '2024-01-02' -Because 'a column without a declared type keeps its storage class'
    }

    It 'gives a value that does not parse as its declared type back as stored, without an error' {
        $row = Invoke-MnesisQuery -Pool $pool -Path $db -Query 'SELECT * FROM v WHERE n = 2' -ErrorAction Stop
        $row.a | Should -BeExactly 'not a date'
        $row.b | Should -BeExactly 1700000000 -Because 'a number in a date column may be Unix time or a Julian day: it stays a number'
        $row.b | Should -BeOfType [long]
        $row.c | Should -BeExactly 2460311.5
        $row.d | Should -BeExactly ''
        $row.e | Should -BeExactly '2024-13-45'
        $row.f | Should -BeExactly 2 -Because 'only 0 and 1 are booleans'
        $row.g | Should -BeExactly 'yes'
        $row.h | Should -BeExactly 'not a guid'
        $row.i | Should -Be ([byte[]](1, 2))
        $row.j | Should -BeExactly 'abc'
        $row.k | Should -BeExactly 'twelve'
        $row.l | Should -Be ([byte[]]@(0))
        $row.m | Should -BeExactly 'x'
        $row.o | Should -BeExactly 1
        $table = Invoke-MnesisQuery -Pool $pool -Path $db -Query 'SELECT a, f FROM v ORDER BY n' -As DataTable
        $table.Columns.DataType | Should -Be @([object], [object]) -Because 'a column whose values differ in type holds them as they are'
        $table.Rows[1].a | Should -BeExactly 'not a date'
    }

    It 'reads SQLite''s own dates and text booleans' {
        $row = Invoke-MnesisQuery -Pool $pool -Path $db -Query 'SELECT a, e, f, g FROM v WHERE n = 3'
        $row.a | Should -BeOfType [datetime]
        ([datetime]::UtcNow - $row.a).TotalMinutes | Should -BeLessThan 60
        $row.e | Should -Be ([datetime]::new(2024, 2, 29))
        $row.f | Should -BeExactly $true
        $row.g | Should -BeExactly $false
    }

    It 'keeps the storage class of expressions, which have no declared type' {
        $row = Invoke-MnesisQuery -Pool $pool -Path $db -Query "SELECT a || '' AS text, date(a) AS day, f + 0 AS number, a AS renamed FROM v WHERE n = 1"
        $row.text | Should -BeExactly '2024-01-02 03:04:05'
        $row.day | Should -BeExactly '2024-01-02'
        $row.number | Should -BeExactly 0
        $row.renamed | Should -BeOfType [datetime] -Because 'a renamed column keeps its declared type'
        Invoke-MnesisQuery -Pool $pool -Path $db -Query "SELECT date('2024-01-02')" -Scalar | Should -BeExactly '2024-01-02'
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
