BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"
    $mod = $env:MNESIS_TEST_MODULE
}

Describe 'Invoke-MnesisQuery' {
    BeforeEach {
        $pool = New-MnesisPool
        $db = Join-Path $TestDrive "read-$([guid]::NewGuid().ToString('N')).db"
        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query @'
CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB);
INSERT INTO t VALUES (1, 'one', 1.5, x'0102'), (2, NULL, NULL, NULL), (3, 'three', 3.0, x'');
'@
    }
    AfterEach { Close-MnesisPool -Pool $pool }

    It 'returns one PSCustomObject per row with the columns in select order' {
        $rows = @(Invoke-MnesisQuery -Pool $pool -Path $db -Query 'SELECT score, name, id FROM t ORDER BY id')
        $rows.Count | Should -Be 3
        $rows[0] | Should -BeOfType [pscustomobject]
        $rows[0].PSObject.Properties.Name | Should -Be @('score', 'name', 'id')
        $rows[0].name | Should -Be 'one'
        $rows[0].score | Should -Be 1.5
    }

    It 'turns NULL into $null, not DBNull' {
        $row = Invoke-MnesisQuery -Pool $pool -Path $db -Query 'SELECT name, score, data FROM t WHERE id = 2'
        $row.name | Should -BeNullOrEmpty
        $null -eq $row.name | Should -BeTrue
        $null -eq $row.score | Should -BeTrue
        $row.data -is [DBNull] | Should -BeFalse
        $null -eq $row.data | Should -BeTrue
    }

    It 'keeps both columns when two have the same name' {
        $row = Invoke-MnesisQuery -Pool $pool -Path $db -Query 'SELECT a.name, b.name FROM t a JOIN t b ON b.id = 3 WHERE a.id = 1'
        $row.PSObject.Properties.Name | Should -Be @('name', 'name2')
        $row.name, $row.name2 | Should -Be @('one', 'three')
    }

    It 'streams rows: a query without end stops after the first rows that are asked for' {
        $rows = Invoke-MnesisQuery -Pool $pool -Path $db -Query 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c' |
            Select-Object -First 3
        $rows.x | Should -Be @(1, 2, 3)
    }

    It 'binds -Parameters and returns the first column of the first row with -Scalar' {
        Invoke-MnesisQuery -Pool $pool -Path $db -Query 'SELECT name FROM t WHERE id = @id' -Parameters @{ id = 3 } -Scalar | Should -Be 'three'
        Invoke-MnesisQuery -Pool $pool -Path $db -Query 'SELECT count(*) FROM t WHERE name IS NULL' -Scalar | Should -Be 1
        $null -eq (Invoke-MnesisQuery -Pool $pool -Path $db -Query 'SELECT name FROM t WHERE id = 2' -Scalar) | Should -BeTrue
    }

    It 'reads through -Store, from the pipeline and through the pool''s only store' {
        $store = Open-MnesisStore -Pool $pool -Path $db
        Invoke-MnesisQuery -Store $store -Query 'SELECT count(*) FROM t' -Scalar | Should -Be 3
        $store | Invoke-MnesisQuery -Query 'SELECT count(*) FROM t' -Scalar | Should -Be 3
        Invoke-MnesisQuery -Pool $pool -Query 'SELECT count(*) FROM t' -Scalar | Should -Be 3
    }

    It 'sees the changes of the -ScriptBlock write it runs in' {
        $seen = $null
        try {
            $seen = Invoke-MnesisWrite -Pool $pool -Path $db -ScriptBlock {
                $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t(id, name) VALUES (4, ''four'')'
                Invoke-MnesisQuery -Pool $pool -Path $db -Query 'SELECT count(*) FROM t' -Scalar
                throw 'roll it back'
            }
        }
        catch { $_.Exception.Message | Should -Be 'roll it back' }
        $seen | Should -BeNullOrEmpty -Because 'output is written only after a commit'
        Invoke-MnesisQuery -Pool $pool -Path $db -Query 'SELECT count(*) FROM t' -Scalar | Should -Be 3
        $inside = Invoke-MnesisWrite -Pool $pool -Path $db -ScriptBlock {
            $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t(id, name) VALUES (4, ''four'')'
            Invoke-MnesisQuery -Pool $pool -Path $db -Query 'SELECT count(*) FROM t' -Scalar
        }
        $inside | Should -Be 4
    }

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

    It 'reports invalid SQL with SQLite''s message' {
        $err = { Invoke-MnesisQuery -Pool $pool -Path $db -Query 'SELECT nope FROM t' } | Should -Throw -ErrorId 'MnesisQueryFailed,*' -PassThru
        $err.Exception.Message | Should -BeLike '*no such column: nope*'
        (Get-MnesisPool -Pool $pool).LastError | Should -Be $err.Exception.Message
    }
}
