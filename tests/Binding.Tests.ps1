# Parameters: named parameters in the three spellings, from -Parameters, pipeline rows and
# dictionaries; values that look like SQL; literals, identifiers and comments that look like parameters.
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
Describe 'Binding on <Engine>' -ForEach (Get-TestEngines) {
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

    Context 'writes' {
        It 'binds parameters by name and commits before returning' {
            Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO item(name, qty) VALUES (@name, @qty)' -Parameters @{ name = 'bolt'; qty = 5 } | Should -Be 1
            Get-TestRowCount $target 'item' | Should -Be 1 -Because 'an independent connection sees the row as soon as the call returns'
            $row = Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT name, qty FROM item WHERE name = :name' -Parameters @{ name = 'bolt' }
            $row.name | Should -Be 'bolt'
            $row.qty | Should -Be 5
        }

        It 'lets a row''s own properties win over -Parameters defaults' {
            [pscustomobject]@{ name = 'row' } | Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO item(name, qty) VALUES (@name, @qty)' -Parameters @{ name = 'default'; qty = 9 } | Should -Be 1
            $row = Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT name, qty FROM item'
            $row.name | Should -Be 'row'
            $row.qty | Should -Be 9
        }

        It 'stores a value that looks like SQL injection verbatim' {
            $evil = "x'); DROP TABLE item; --"
            $null = Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO item(name) VALUES (@n)' -Parameters @{ n = $evil }
            Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT name FROM item' -Scalar | Should -BeExactly $evil
        }
    }
}

Describe 'Invoke-MnesisWrite on <Engine>' -ForEach (Get-TestEngines) {
    BeforeEach {
        if ($Skip) { Set-ItResult -Skipped -Because $Why; return }
        $target = New-TestTarget $Engine
        $name = $target.Name
        $pool = New-MnesisPool
        $null = Invoke-MnesisWrite -Pool $pool @name -Query (Get-TestSql $Engine 'CreateT')
    }
    AfterEach {
        if ($Skip) { return }
        Close-MnesisPool -Pool $pool
        Remove-TestTarget $target
    }

    Context '-Query with -Parameters' {
        It 'binds @name, $name and :name by name and outputs the rows changed' {
            $query = 'INSERT INTO t(a, b) VALUES (@a, $b); INSERT INTO t(a, b) VALUES (:c, @b)'
            Invoke-MnesisWrite -Pool $pool @name -Query $query -Parameters @{ a = 1; b = 'one'; c = 2 } | Should -Be 2
            Get-TestColumn $target "SELECT a || '=' || b FROM t ORDER BY a" | Should -Be @('1=one', '2=one')
        }

        It 'matches parameter names regardless of case, also in case-sensitive dictionaries' {
            $values = [Collections.Generic.Dictionary[string, object]]::new()
            $values['A'] = 7
            $values['B'] = 'seven'
            Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (@a, @b)' -Parameters $values | Should -Be 1
            Get-TestColumn $target "SELECT a || '=' || b FROM t" | Should -Be '7=seven'
        }

        It 'stores values that look like SQL injection verbatim' {
            $evil = "x'); DROP TABLE t; --"
            $null = Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (1, @b)' -Parameters @{ b = $evil }
            Get-TestColumn $target 'SELECT b FROM t' | Should -BeExactly $evil
            Get-TestRowCount $target 't' | Should -Be 1 -Because 'the table is still there'
        }
    }
}

Describe 'Awkward column names on <Engine>' -ForEach (Get-TestEngines) {
    BeforeEach {
        if ($Skip) { Set-ItResult -Skipped -Because $Why; return }
        $target = New-TestTarget $Engine
        $name = $target.Name
        $pool = New-MnesisPool
        $null = Invoke-MnesisWrite -Pool $pool @name -Query 'CREATE TABLE host(name text, os text)'
    }
    AfterEach {
        if ($Skip) { return }
        Close-MnesisPool -Pool $pool
        Remove-TestTarget $target
    }

    It 'binds Import-Csv columns whose names hold spaces and dashes as @Host_Name and @os_version' {
        $csv = Join-Path (New-TestFolder) 'hosts.csv'
        Set-Content -LiteralPath $csv -Value "Host Name,os-version`nweb01,linux`ndb01,bsd"
        Import-Csv $csv | Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO host VALUES (@Host_Name, @os_version)' | Should -Be 2
        Get-TestColumn $target 'SELECT name || ''/'' || os FROM host ORDER BY name DESC' | Should -Be @('web01/linux', 'db01/bsd')
    }
}

Describe 'Parameters next to literals, identifiers and comments (behaviour)' {
    BeforeEach {
        $pool = New-MnesisPool
        $db = Join-Path $TestDrive "scan-$([guid]::NewGuid().ToString('N')).db"
        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'CREATE TABLE t(id INTEGER PRIMARY KEY, b TEXT); CREATE TABLE q("@x" TEXT, [:y] TEXT, `$z` TEXT)'
    }

    AfterEach { Close-MnesisPool -Pool $pool }

    It 'writes a literal holding @x, :y and $z verbatim, with no parameters at all' {
        Invoke-MnesisWrite -Pool $pool -Path $db -Query "INSERT INTO t(b) VALUES ('at 10:30 @home, `$5 :x')" | Should -Be 1
        Invoke-Sqlite3 $db 'SELECT b FROM t' | Should -BeExactly 'at 10:30 @home, $5 :x'
    }

    It 'binds the real parameters next to a literal with an escaped quote and a comment' {
        $query = "INSERT INTO t(b) VALUES ('it''s 10:30 @home' || @v) -- and :y here"
        Invoke-MnesisWrite -Pool $pool -Path $db -Query $query -Parameters @{ v = '!' } | Should -Be 1
        Invoke-Sqlite3 $db 'SELECT b FROM t' | Should -BeExactly "it's 10:30 @home!"
    }

    It 'binds pipeline rows past a block comment that names other parameters' {
        $rows = 'one', 'two' | ForEach-Object { [pscustomobject]@{ v = $_ } }
        $rows | Invoke-MnesisWrite -Pool $pool -Path $db -Query "/* @x :y `$z */ INSERT INTO t(b) VALUES (@v)" | Should -Be 2
        Invoke-Sqlite3 $db 'SELECT group_concat(b) FROM (SELECT b FROM t ORDER BY id)' | Should -Be 'one,two'
    }

    It 'writes columns whose quoted and bracketed names look like parameters' {
        Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO q("@x", [:y], `$z`) VALUES (@a, :b, $c)' -Parameters @{ a = 'A'; b = 'B'; c = 'C' } | Should -Be 1
        Invoke-Sqlite3 $db 'SELECT "@x" || [:y] || `$z` FROM q' | Should -BeExactly 'ABC'
    }

    It 'reads a literal holding @x and :y with Invoke-MnesisQuery' {
        Invoke-MnesisQuery -Pool $pool -Path $db -Query "SELECT 'at 10:30 @home' || @v" -Parameters @{ v = '.' } -Scalar | Should -BeExactly 'at 10:30 @home.'
    }

    It 'still refuses a positional ? outside literals, and changes nothing' {
        { Invoke-MnesisWrite -Pool $pool -Path $db -Query "INSERT INTO t(b) VALUES ('?'); INSERT INTO t(b) VALUES (?)" } | Should -Throw -ErrorId 'MnesisPositionalParameter,*'
        Invoke-Sqlite3 $db 'SELECT count(*) FROM t' | Should -Be 0
    }
}
