# Writes and rollback: -Query, pipeline rows, -BatchSize, -ScriptBlock transactions, -WhatIf, Ctrl+C.
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
Describe 'Writes on <Engine>' -ForEach (Get-TestEngines) {
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
        It 'runs several statements as one transaction: a failing one undoes the others' {
            { Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO item(name) VALUES (''a''); INSERT INTO item(name) VALUES (NULL)' } | Should -Throw -ErrorId 'MnesisSqlFailed,*'
            Get-TestRowCount $target 'item' | Should -Be 0
            Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO item(name) VALUES (''next'')' | Should -Be 1
        }

        It 'keeps the engine''s message and names the store in an error' {
            $err = { Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO nowhere VALUES (1)' } | Should -Throw -ErrorId 'MnesisSqlFailed,*' -PassThru
            $err.Exception.Message | Should -BeLike '*nowhere*'
            $err.Exception.Message | Should -BeLike "*$((Get-MnesisPool -Pool $pool).Target)*"
            $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
        }

        It 'writes pipeline rows in one transaction: <Count> rows, or none when row <Bad> fails' -ForEach @(
            @{ Count = 12; Bad = 7 }, @{ Count = 1234; Bad = 1100 }
        ) {
            $source = 1..$Count | ForEach-Object { [pscustomobject]@{ name = "n$_"; qty = $_ } }
            $source | Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO item(name, qty) VALUES (@name, @qty)' | Should -Be $Count
            Get-TestRowCount $target 'item' | Should -Be $Count
            $null = Invoke-MnesisWrite -Pool $pool @name -Query 'DELETE FROM item'
            $failing = 1..$Count | ForEach-Object { [pscustomobject]@{ name = if ($_ -eq $Bad) { $null } else { "n$_" }; qty = $_ } }
            { $failing | Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO item(name, qty) VALUES (@name, @qty)' } | Should -Throw -ErrorId 'MnesisSqlFailed,*'
            Get-TestRowCount $target 'item' | Should -Be 0
        }

        It 'writes -InputObject rows, and with -BatchSize keeps exactly the batches committed before a failure' {
            $rows = 1..10 | ForEach-Object { @{ name = if ($_ -eq 8) { $null } else { "n$_" }; qty = $_ } }
            { Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO item(name, qty) VALUES (@name, @qty)' -InputObject $rows -BatchSize 3 } | Should -Throw -ErrorId 'MnesisSqlFailed,*'
            (Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT qty FROM item ORDER BY qty').qty | Should -Be (1..6)
        }
    }

    Context '-ScriptBlock writes' {
        It 'commits when the block ends and rolls back when it throws' {
            Invoke-MnesisWrite -Pool $pool @name -ScriptBlock {
                param($Connection, $Transaction)
                $command = $Connection.CreateCommand()
                $command.Transaction = $Transaction
                $command.CommandText = 'INSERT INTO item(name) VALUES (''from block'')'
                $null = $command.ExecuteNonQuery()
            }
            Get-TestRowCount $target 'item' | Should -Be 1
            { Invoke-MnesisWrite -Pool $pool @name -ScriptBlock { $null = Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO item(name) VALUES (''x'')'; throw 'block failed' } } |
                Should -Throw '*block failed*'
            Get-TestRowCount $target 'item' | Should -Be 1
            (Get-MnesisPool -Pool $pool).Rollbacks | Should -BeGreaterOrEqual 1
        }

        It 'joins a nested write as a savepoint: a caught inner failure undoes only the inner write' {
            Invoke-MnesisWrite -Pool $pool @name -ScriptBlock {
                $null = Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO item(name) VALUES (''outer'')'
                try { $null = Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO item(name) VALUES (''inner''); INSERT INTO item(name) VALUES (NULL)' }
                catch { }
                $null = Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO item(name) VALUES (''after'')'
            }
            (Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT name FROM item ORDER BY id').name | Should -Be @('outer', 'after')
        }
    }

    Context 'safety' {
        It 'changes nothing under -WhatIf' {
            $null = Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO item(name) VALUES (''keep'')'
            Invoke-MnesisWrite -Pool $pool @name -Query 'DELETE FROM item' -WhatIf | Should -BeNullOrEmpty
            Get-TestRowCount $target 'item' | Should -Be 1
        }

        It 'refuses writes to a -ReadOnly store' {
            Close-MnesisPool -Pool $pool
            $store = Open-MnesisStore -Pool $pool @name -ReadOnly
            { Invoke-MnesisWrite -Store $store -Query 'INSERT INTO item(name) VALUES (''no'')' } | Should -Throw -ErrorId 'MnesisStoreReadOnly,*'
            Invoke-MnesisQuery -Store $store -Query 'SELECT count(*) FROM item' -Scalar | Should -Be 0
        }

        It 'shows no parameter value in -Verbose, for writes that succeed or fail' {
            $secret = "s3cret-$([guid]::NewGuid())"
            $verbose = @(
                Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO item(name) VALUES (@n)' -Parameters @{ n = $secret } -Verbose 4>&1
                try { Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO nowhere VALUES (@n)' -Parameters @{ n = $secret } -Verbose 4>&1 } catch { $_ | Out-String }
                try { [pscustomobject]@{ n = $secret } | Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO item(name) VALUES (@n); INSERT INTO nowhere VALUES (1)' -Verbose 4>&1 } catch { $_ | Out-String }
            ) | ForEach-Object { "$_" }
            $verbose -join "`n" | Should -Not -BeLike "*$secret*"
            $verbose -join "`n" | Should -BeLike '*rolled back*'
        }
    }
}

# Invoke-MnesisWrite's promises that hold on every engine; the SQLite-only ones follow below.
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
        It 'writes through -Store and through the only store of a pool' {
            $store = Open-MnesisStore -Pool $pool @name
            Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t VALUES (1, ''s'')' | Should -Be 1
            Invoke-MnesisWrite -Pool $pool -Query 'INSERT INTO t VALUES (2, ''p'')' | Should -Be 1
            Get-TestRowCount $target 't' | Should -Be 2
        }
    }

    Context 'verbose messages' {
        It 'shows pool events only when asked: <Case>' -ForEach @(
            @{ Case = '-Verbose'; Preference = 'SilentlyContinue'; Switches = @{ Verbose = $true }; Shown = $true }
            @{ Case = '$VerbosePreference = Continue'; Preference = 'Continue'; Switches = @{}; Shown = $true }
            @{ Case = '-Verbose:$false over the preference'; Preference = 'Continue'; Switches = @{ Verbose = $false }; Shown = $false }
            @{ Case = 'the preference off'; Preference = 'SilentlyContinue'; Switches = @{}; Shown = $false }
        ) {
            $display = Get-TestTargetDisplay $pool $target
            $VerbosePreference = $Preference
            $DebugPreference = 'SilentlyContinue'
            $records = @(Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t(a, b) VALUES (1, @b)' -Parameters @{ b = 'x' } @Switches 4>&1 |
                Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
            $VerbosePreference = 'SilentlyContinue'
            if ($Shown) { ($records.Message -join "`n") | Should -BeLike "*$display*" }
            else { $records | Should -BeNullOrEmpty }
            Get-TestRowCount $target 't' | Should -Be 1
        }

        It 'shows pool events once the preference is turned on upstream in the same pipeline' {
            $display = Get-TestTargetDisplay $pool $target
            $VerbosePreference = 'SilentlyContinue'
            $records = @(1..3 | ForEach-Object { if ($_ -eq 2) { $VerbosePreference = 'Continue' }; [pscustomobject]@{ a = $_; b = "row $_" } } |
                Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t(a, b) VALUES (@a, @b)' 4>&1 |
                Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
            $VerbosePreference = 'SilentlyContinue'
            ($records.Message -join "`n") | Should -BeLike "*$display*" -Because 'the commit happens after the preference was turned on'
            Get-TestRowCount $target 't' | Should -Be 3
        }
    }

    Context 'writes started while the same connection is busy in this pipeline' {
        It 'refuses to write rows that a query on the same store is still streaming, instead of reading its own inserts' {
            $null = Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (1, ''a''), (2, ''b''), (3, ''c'')'
            {
                Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT a FROM t' |
                    ForEach-Object { @{ a = $_.a + 100; b = 'copy' } } |
                    Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (@a, @b)'
            } | Should -Throw -ErrorId 'MnesisWriteWhileReading,*'
            Get-TestRowCount $target 't' | Should -Be 3
            # The advice in the message works: collect the rows first.
            @(Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT a FROM t') |
                ForEach-Object { @{ a = $_.a + 100; b = 'copy' } } |
                Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (@a, @b)' | Should -Be 3
        }

        It 'refuses a write from upstream of a pipeline write on the same store, which that write''s rollback would undo' {
            $rows = { 1..3 | ForEach-Object {
                    if ($_ -eq 2) { Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (102, ''upstream'')' }
                    @{ a = $_; b = 'row' } } }
            { & $rows | Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (@a, @b)' } | Should -Throw -ErrorId 'MnesisNestedWriteInBulkWrite,*'
            Get-TestRowCount $target 't' | Should -Be 0
            Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (9, ''next'')' | Should -Be 1
        }
    }

    Context 'pipeline rows' {
        It 'binds each object''s properties and outputs the total once' {
            $rows = 1..25 | ForEach-Object { [pscustomobject]@{ a = $_; b = "row $_"; extra = 'ignored' } }
            $out = @($rows | Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (@a, @b)')
            $out.Count | Should -Be 1
            $out[0] | Should -Be 25
            Get-TestRowCount $target 't' | Should -Be 25
            [long](@(Get-TestColumn $target 'SELECT sum(a) FROM t')[0]) | Should -Be 325
        }

        It 'binds hashtables and other dictionaries from the pipeline' {
            $rows = @(@{ a = 1; b = 'h' }, [ordered]@{ A = 2; B = 'o' })
            $rows | Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (@a, @b)' | Should -Be 2
            (Get-TestColumn $target 'SELECT b FROM t ORDER BY a') -join ',' | Should -Be 'h,o'
        }

        It 'takes a whole array through -InputObject' {
            $rows = 1..10 | ForEach-Object { @{ a = $_; b = 'x' } }
            Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (@a, @b)' -InputObject $rows | Should -Be 10
            Get-TestRowCount $target 't' | Should -Be 10
        }

        It 'fills parameters a row lacks from -Parameters' {
            $rows = 1..3 | ForEach-Object { [pscustomobject]@{ a = $_ } }
            $rows | Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (@a, @b)' -Parameters @{ b = 'default' } | Should -Be 3
            Get-TestColumn $target 'SELECT DISTINCT b FROM t' | Should -Be 'default'
        }

        It 'takes a row''s own values over -Parameters, which only fill what a row lacks (<Form>)' -ForEach @(
            @{ Form = 'pipeline'; Write = { param($pool, $name, $rows) $rows | Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (@a, @b)' -Parameters @{ a = 99; b = 'default' } } }
            @{ Form = '-InputObject array'; Write = { param($pool, $name, $rows) Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (@a, @b)' -Parameters @{ a = 99; b = 'default' } -InputObject $rows } }
        ) {
            $rows = @(
                [pscustomobject]@{ a = 1; b = 'from the object' }
                @{ a = 2; B = 'from the hashtable' }
                [pscustomobject]@{ a = 3 }
                [pscustomobject]@{ a = 4; b = $null }
            )
            & $Write $pool $name $rows | Should -Be 4
            (Get-TestColumn $target "SELECT a || '=' || coalesce(b, 'NULL') FROM t ORDER BY a") -join ',' |
                Should -Be '1=from the object,2=from the hashtable,3=default,4=NULL' -Because 'a row''s property, even $null, is not a value it lacks'
        }

        It 'writes all rows in one transaction: a failing row leaves none of them' {
            $rows = @(1, 2, 3, 2) | ForEach-Object { [pscustomobject]@{ a = $_; b = 'r' } }
            { $rows | Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (@a, @b)' } | Should -Throw -ErrorId 'MnesisSqlFailed,*'
            Get-TestRowCount $target 't' | Should -Be 0
        }

        It 'commits every -BatchSize rows: a failure keeps exactly the committed batches' {
            $rows = @(1..7 + 3) | ForEach-Object { [pscustomobject]@{ a = $_; b = 'r' } }
            { $rows | Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (@a, @b)' -BatchSize 3 } | Should -Throw -ErrorId 'MnesisSqlFailed,*'
            # rows 1-3 and 4-6 committed; 7 and the duplicate 3 were in the failed batch
            (Get-TestColumn $target 'SELECT a FROM t ORDER BY a') -join ',' | Should -Be '1,2,3,4,5,6'
        }

        It 'rolls back when an upstream command fails mid-stream' {
            $source = { 1..3 | ForEach-Object { [pscustomobject]@{ a = $_; b = 'u' } }; throw 'upstream broke' }
            { & $source | Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (@a, @b)' } | Should -Throw '*upstream broke*'
            Get-TestRowCount $target 't' | Should -Be 0
            Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (1, ''next'')' | Should -Be 1
        }
    }

    Context 'statements that return rows' {
        It 'outputs the rows an INSERT ... RETURNING returns instead of the count' {
            $out = @(Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (1, ''x''), (2, ''y'') RETURNING a, b')
            $out.Count | Should -Be 2
            $out[0].PSObject.Properties.Name | Should -Be @('a', 'b')
            $out.a | Should -Be @(1, 2)
            $out[1].b | Should -Be 'y'
            Get-TestRowCount $target 't' | Should -Be 2
        }

        It 'outputs the first value with -Scalar, and $null when the statement returned no row' {
            Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (5, ''x''), (6, ''y'') RETURNING a' -Scalar | Should -Be 5
            $none = @(Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (5, ''again'') ON CONFLICT DO NOTHING RETURNING a' -Scalar)
            $none.Count | Should -Be 1
            $none[0] | Should -BeNullOrEmpty
            Invoke-MnesisWrite -Pool $pool @name -Query 'UPDATE t SET b = ''z''' -Scalar | Should -Be 2 -Because 'a write whose statements return no rows outputs the count'
        }

        It 'outputs a SELECT''s rows as seen inside the write''s transaction' {
            $out = Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (1, ''in''); SELECT count(*) AS n FROM t'
            $out.n | Should -Be 1
        }

        It 'outputs the rows returned for each pipeline row (<Count> rows)' -ForEach @(@{ Count = 3 }, @{ Count = 1234 }) {
            $out = @(1..$Count | ForEach-Object { [pscustomobject]@{ a = $_ } } | Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (@a, ''p'') RETURNING a')
            $out.Count | Should -Be $Count
            ($out.a | Measure-Object -Sum).Sum | Should -Be ($Count * ($Count + 1) / 2)
        }

        It 'outputs the rows after the commit, so downstream commands may write to the same store' {
            Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (1, ''new''), (2, ''new'') RETURNING a' |
                ForEach-Object { Invoke-MnesisWrite -Pool $pool @name -Query 'UPDATE t SET b = ''seen'' WHERE a = @a' -Parameters @{ a = $_.a } } |
                Should -Be @(1, 1)
            Get-TestColumn $target 'SELECT b FROM t' | Should -Be @('seen', 'seen')
        }

        It 'runs every statement after one that returns rows; a failing one rolls back the whole write (<Form>)' -ForEach @(
            @{ Form = '-Parameters'; Write = { param($p, $n) Invoke-MnesisWrite -Pool $p @n -Query 'INSERT INTO t VALUES (@a, ''x'') RETURNING a; INSERT INTO nosuch VALUES (1)' -Parameters @{ a = 1 } } }
            @{ Form = 'no parameters'; Write = { param($p, $n) Invoke-MnesisWrite -Pool $p @n -Query 'INSERT INTO t VALUES (1, ''x'') RETURNING a; INSERT INTO nosuch VALUES (1)' } }
            @{ Form = '-Scalar'; Write = { param($p, $n) Invoke-MnesisWrite -Pool $p @n -Query 'INSERT INTO t VALUES (1, ''x'') RETURNING a; INSERT INTO nosuch VALUES (1)' -Scalar } }
            @{ Form = 'a SELECT first'; Write = { param($p, $n) Invoke-MnesisWrite -Pool $p @n -Query 'INSERT INTO t VALUES (1, ''x''); SELECT a FROM t; INSERT INTO nosuch VALUES (1)' } }
            @{ Form = 'pipeline rows'; Write = { param($p, $n) 1..3 | ForEach-Object { @{ a = $_ } } | Invoke-MnesisWrite -Pool $p @n -Query 'INSERT INTO t VALUES (@a, ''x'') RETURNING a; INSERT INTO nosuch VALUES (1)' } }
        ) {
            { & $Write $pool $name } | Should -Throw -ErrorId 'MnesisSqlFailed,*'
            Get-TestRowCount $target 't' | Should -Be 0
            Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (9, ''next'')' | Should -Be 1
        }
    }

    Context '-CommandTimeout' {
        It 'stops a write past its limit within seconds, rolls it back and frees the gate; the store works on' {
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            { Invoke-MnesisWrite -Pool $pool @name -Query ("INSERT INTO t VALUES (1, 'slow'); " + (Get-TestSql $Engine 'EndlessRead')) -CommandTimeout 1 } |
                Should -Throw -ErrorId 'MnesisCommandTimeout,*'
            # Generous: the limit is 1 s; machines are noisy.
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
            Get-TestRowCount $target 't' | Should -Be 0
            $other = New-MnesisPool
            try { Invoke-MnesisWrite -Pool $other @name -Query 'INSERT INTO t VALUES (2, ''other connection'')' | Should -Be 1 }
            finally { Close-MnesisPool -Pool $other }
            Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (3, ''same store'')' | Should -Be 1
            (Get-MnesisPool -Pool $pool).Rollbacks | Should -BeGreaterThan 0
        }

        It 'stops pipeline rows past the limit and rolls back every row' {
            { 1..3 | ForEach-Object { @{ a = $_ } } | Invoke-MnesisWrite -Pool $pool @name -Query ("INSERT INTO t VALUES (@a, 'row'); " + (Get-TestSql $Engine 'EndlessRead')) -CommandTimeout 1 } |
                Should -Throw -ErrorId 'MnesisCommandTimeout,*'
            Get-TestRowCount $target 't' | Should -Be 0
            Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (3, ''next'')' | Should -Be 1
        }

        It 'takes the store''s default from Open-MnesisStore -CommandTimeout, which Get-MnesisPool shows; a call''s -CommandTimeout 0 lifts it' {
            $timed = New-MnesisPool
            try {
                $store = Open-MnesisStore -Pool $timed @name -CommandTimeout 1
                $store.CommandTimeout | Should -Be 1
                (Get-MnesisPool -Pool $timed).CommandTimeout | Should -Be 1
                { Invoke-MnesisWrite -Store $store -Query ("INSERT INTO t VALUES (1, 'slow'); " + (Get-TestSql $Engine 'EndlessRead')) } | Should -Throw -ErrorId 'MnesisCommandTimeout,*'
                Get-TestRowCount $target 't' | Should -Be 0
                # Without a limit a statement runs on; Ctrl+C would be the only way to stop it. One that ends by itself after the default shows it.
                Invoke-MnesisWrite -Store $store -Query ("INSERT INTO t VALUES (1, 'unlimited'); " + (Get-TestSql $Engine 'SlowRead')) -CommandTimeout 0 -Scalar | Should -Not -BeNullOrEmpty
                Get-TestRowCount $target 't' | Should -Be 1
            }
            finally { Close-MnesisPool -Pool $timed }
            (Get-MnesisPool -Pool $pool).CommandTimeout | Should -Be 0
        }
    }

    Context '-ScriptBlock' {
        It 'passes the connection and transaction, commits at the end and outputs what the block output' {
            $out = Invoke-MnesisWrite -Pool $pool @name -ScriptBlock {
                param($Connection, $Transaction)
                $command = $Connection.CreateCommand()
                $Transaction | Should -Not -BeNullOrEmpty
                [object]::ReferenceEquals($Transaction.Connection, $Connection) | Should -BeTrue
                # Microsoft.Data.Sqlite enlists a new command in the connection's transaction; Npgsql runs it in it anyway.
                if ($Engine -eq 'SQLite') { $command.Transaction | Should -Be $Transaction }
                $command.CommandText = 'INSERT INTO t VALUES (1, ''sb'')'
                $command.ExecuteNonQuery()
                'done'
            }
            $out | Should -Be @(1, 'done')
            Get-TestColumn $target 'SELECT b FROM t' | Should -Be 'sb'
        }

        It 'rolls back when the block throws, and surfaces the block''s own error unchanged' {
            $err = {
                Invoke-MnesisWrite -Pool $pool @name -ScriptBlock {
                    param($Connection)
                    $command = $Connection.CreateCommand()
                    $command.CommandText = 'INSERT INTO t VALUES (1, ''lost'')'
                    $null = $command.ExecuteNonQuery()
                    Write-Error -Message 'block failed' -ErrorId 'BlockSpecificId' -Category LimitsExceeded -ErrorAction Stop
                }
            } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -Be 'BlockSpecificId'
            $err.CategoryInfo.Category | Should -Be 'LimitsExceeded'
            $err.Exception.Message | Should -Be 'block failed'
            Get-TestRowCount $target 't' | Should -Be 0
        }

        It 'joins the enclosing transaction when the block writes to the same store again' {
            {
                Invoke-MnesisWrite -Pool $pool @name -ScriptBlock {
                    Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (1, ''inner'')'
                    throw 'outer fails after the inner write'
                }
            } | Should -Throw 'outer fails after the inner write'
            Get-TestRowCount $target 't' | Should -Be 0
        }

        It 'runs the block in the caller''s scope, as ForEach-Object does: what it assigns is there afterwards' {
            $count = 1
            $null = Invoke-MnesisWrite -Pool $pool @name -ScriptBlock {
                param($Connection, $Transaction)
                $command = $Connection.CreateCommand()
                $command.CommandText = 'INSERT INTO t VALUES (1, ''scope'')'
                $changed = $command.ExecuteNonQuery()
                $hadTransaction = $null -ne $Transaction
                $count++
            }
            $changed | Should -Be 1
            $hadTransaction | Should -BeTrue
            $count | Should -Be 2
            Get-TestColumn $target 'SELECT b FROM t' | Should -Be 'scope'
        }

        It 'leaves what a nested -ScriptBlock write assigns in the scope of the block around it, and in the caller''s' {
            $null = Invoke-MnesisWrite -Pool $pool @name -ScriptBlock {
                $null = Invoke-MnesisWrite -Pool $pool @name -ScriptBlock { $inner = 'set inside' }
                $seenByOuter = $inner
            }
            $seenByOuter | Should -Be 'set inside'
            $inner | Should -Be 'set inside'
        }

        It 'sees the caller''s $_ inside the block, as before' {
            1, 2 | ForEach-Object {
                $null = Invoke-MnesisWrite -Pool $pool @name -ScriptBlock {
                    Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (@a, ''dollar'')' -Parameters @{ a = $_ }
                }
            }
            Get-TestColumn $target 'SELECT a FROM t ORDER BY a' | Should -Be @(1, 2)
        }

        It 'runs a block made in a script module in the scope of the module''s function, not the console''s' {
            $module = New-Module -Name MnesisScopeTest -ScriptBlock {
                function Add-ScopeRow($Pool, $Name) {
                    $null = Invoke-MnesisWrite -Pool $Pool @Name -ScriptBlock {
                        param($Connection)
                        $command = $Connection.CreateCommand()
                        $command.CommandText = 'INSERT INTO t VALUES (7, ''module'')'
                        $madeInModule = $command.ExecuteNonQuery()
                    }
                    "changed $madeInModule"
                }
            } | Import-Module -PassThru
            try {
                Add-ScopeRow $pool $name | Should -Be 'changed 1'
                Test-Path variable:madeInModule | Should -BeFalse
            }
            finally { Remove-Module $module }
            Get-TestColumn $target 'SELECT b FROM t' | Should -Be 'module'
        }

        It 'undoes only the nested write when its error is caught inside the block' {
            $null = Invoke-MnesisWrite -Pool $pool @name -ScriptBlock {
                Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (1, ''kept'')'
                try { Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (2, ''undone''); INSERT INTO nowhere VALUES (1)' } catch { }
            }
            Get-TestColumn $target 'SELECT b FROM t' | Should -Be 'kept'
        }
    }

    Context 'Ctrl+C' {
        It 'rolls back a -ScriptBlock write that is stopped, releases the gate and keeps the pool usable' {
            # "Ctrl+C" once the write holds its transaction.
            $writer = Start-TestHeldWriteOn -Target $target -Sql 'INSERT INTO t VALUES (1, ''stopped'')' -Seconds 30
            try {
                Stop-TestShell -Shell $writer -What 'the -ScriptBlock write'
                $writer.Shell.InvocationStateInfo.State | Should -Be 'Stopped'
                Get-TestRowCount $target 't' | Should -Be 0
                Invoke-TestWithLimit -Arguments $pool, $name -What 'a write after the stopped one (the gate must be free)' -Script {
                    param($pool, $name)
                    Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (2, ''after stop'')'
                } | Should -Be 1
            }
            finally { Remove-TestShell $writer }
        }
    }
}

Describe 'Invoke-MnesisWrite' {
    BeforeEach {
        $pool = New-MnesisPool
        $db = Join-Path $TestDrive "write-$([guid]::NewGuid().ToString('N')).db"
        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)'
    }

    AfterEach { Close-MnesisPool -Pool $pool }

    Context '-Query with -Parameters' {
        It 'opens a path that is not open yet with the default options' {
            $other = Join-Path $TestDrive "fresh-$([guid]::NewGuid().ToString('N')).db"
            Invoke-MnesisWrite -Pool $pool -Path $other -Query 'CREATE TABLE x(y)' | Should -Be 0
            $store = Open-MnesisStore -Pool $pool -Path $other
            $store.WalMode | Should -BeTrue
            $store.BusyTimeout | Should -Be 30
        }

        It 'commits: an independent reader (sqlite3) sees the row as soon as the call returns' {
            $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t VALUES (5, @b)' -Parameters @{ b = 'durable' }
            Invoke-Sqlite3 $db 'SELECT b FROM t WHERE a = 5' | Should -Be 'durable'
        }

        It 'runs all statements in one transaction: a failing later statement undoes the earlier ones' {
            { Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t VALUES (1, ''a''); INSERT INTO t VALUES (1, ''dup'')' } |
                Should -Throw -ErrorId 'MnesisSqlFailed,*'
            Invoke-Sqlite3 $db 'SELECT count(*) FROM t' | Should -Be 0
        }

        It 'keeps SQLite''s message in the error and releases the gate for the next write' {
            $err = { Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO nowhere VALUES (1)' } | Should -Throw -PassThru
            $err.Exception.Message | Should -BeLike '*no such table: nowhere*'
            $err.Exception.Message | Should -BeLike "*$db*"
            $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
            Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t VALUES (1, ''after'')' | Should -Be 1
        }

        It 'writes to a name with wildcard characters through -LiteralPath' {
            # * and ? are not legal in Windows file names; [ and ] are.
            $odd = Join-Path $TestDrive $(if ($IsWindows) { 'in [brackets].db' } else { 'in [brackets] *star?.db' })
            Invoke-MnesisWrite -Pool $pool -LiteralPath $odd -Query 'CREATE TABLE z(q)' | Should -Be 0
            Test-Path -LiteralPath $odd | Should -BeTrue
        }
    }

    Context 'a failed write to a path it opened itself' {
        It 'leaves no database, -wal, -shm or folder behind' {
            $folder = Join-Path $TestDrive "new-$([guid]::NewGuid().ToString('N'))"
            $new = Join-Path $folder 'deep/new.db'
            { Invoke-MnesisWrite -Pool $pool -Path $new -Force -Query 'INSERT INTO nowhere VALUES (1)' } | Should -Throw -ErrorId 'MnesisSqlFailed,*'
            $folder | Should -Not -Exist
            $pool.Stores.Path | Should -Not -Contain $new
        }

        It 'keeps the file when another connection of this process uses it' {
            $new = Join-Path $TestDrive "shared-$([guid]::NewGuid().ToString('N')).db"
            $other = New-MnesisPool
            try {
                # The other pool opens it first; this pool's write fails on its own first open.
                $null = Open-MnesisStore -Pool $other -Path $new
                { Invoke-MnesisWrite -Pool $pool -Path $new -Query 'INSERT INTO nowhere VALUES (1)' } | Should -Throw -ErrorId 'MnesisSqlFailed,*'
                $new | Should -Exist
                Invoke-MnesisWrite -Pool $other -Path $new -Query 'CREATE TABLE t(v); INSERT INTO t VALUES (1)' | Should -Be 1
            }
            finally { Close-MnesisPool -Pool $other }
            Invoke-Sqlite3 $new 'SELECT count(*) FROM t' | Should -Be 1
        }

        It 'keeps a database that Open-MnesisStore created before the failing write' {
            $new = Join-Path $TestDrive "opened-$([guid]::NewGuid().ToString('N')).db"
            $null = Open-MnesisStore -Pool $pool -Path $new
            { Invoke-MnesisWrite -Pool $pool -Path $new -Query 'INSERT INTO nowhere VALUES (1)' } | Should -Throw -ErrorId 'MnesisSqlFailed,*'
            $new | Should -Exist
            (Open-MnesisStore -Pool $pool -Path $new).IsOpen | Should -BeTrue
        }

        It 'keeps a new database once a batch was committed' {
            $new = Join-Path $TestDrive "batched-$([guid]::NewGuid().ToString('N')).db"
            $rows = @(@{ v = 1 }, @{ v = 2 }, @{ nope = 3 })
            { $rows | Invoke-MnesisWrite -Pool $pool -Path $new -Query 'CREATE TABLE IF NOT EXISTS t(v); INSERT INTO t VALUES (@v)' -BatchSize 1 } |
                Should -Throw -ErrorId 'MnesisParameterMissing,*'
            Invoke-Sqlite3 $new 'SELECT count(*) FROM t' | Should -Be 2
        }
    }

    Context 'pipeline rows' {
        It 'releases the gate between batches so another runspace can write in between' {
            $mod = $env:MNESIS_TEST_MODULE
            $rows = 1..6 | ForEach-Object { [pscustomobject]@{ a = $_; b = 'main' } }
            $null = $rows | ForEach-Object {
                if ($_.a -eq 4) {
                    # Row 4 starts the second batch; between batches the gate is free.
                    $job = Start-ThreadJob { Import-Module $using:mod; Invoke-MnesisWrite -Path $using:db -Query 'INSERT INTO t VALUES (100, ''job'')'; Close-MnesisPool }
                    Wait-TestJob -Job $job -What 'a thread job writing between two batches' -TimeoutSeconds 30 | Should -Be 1
                }
                $_
            } | Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t VALUES (@a, @b)' -BatchSize 3
            Invoke-Sqlite3 $db 'SELECT count(*) FROM t' | Should -Be 7
        }
    }

    Context 'long writes' {
        BeforeAll {
            # Runs a bulk write in its own runspace and returns the progress records it produced.
            function Get-WriteProgress([int] $Rows, [string] $Preference, [switch] $AsArray) {
                $ps = [powershell]::Create()
                try {
                    $null = $ps.AddScript({
                            param($mod, $db, $rows, $preference, $asArray)
                            $ProgressPreference = $preference
                            Import-Module $mod
                            $data = 1..$rows | ForEach-Object { @{ a = $_; b = 'p' } }
                            if ($asArray) { Invoke-MnesisWrite -Path $db -Query 'INSERT INTO t VALUES (@a, @b)' -InputObject $data }
                            else { $data | Invoke-MnesisWrite -Path $db -Query 'INSERT INTO t VALUES (@a, @b)' }
                            Close-MnesisPool
                        }).AddArgument($env:MNESIS_TEST_MODULE).AddArgument($db).AddArgument($Rows).AddArgument($Preference).AddArgument([bool]$AsArray)
                    $out = Invoke-TestPowerShell -PowerShell $ps -What "a bulk write of $Rows rows" -TimeoutSeconds 120
                    $ps.Streams.Error | Should -BeNullOrEmpty
                    $out | Should -Be $Rows
                    , @($ps.Streams.Progress)
                }
                finally { Remove-TestShell $ps }
            }
        }

        It 'reports progress every 10,000 rows and completes it' {
            $progress = Get-WriteProgress -Rows 25000 -Preference Continue
            $progress.Count | Should -Be 3
            $progress[0].StatusDescription | Should -BeLike '*10,000*'
            $progress[0].Activity | Should -BeLike "*$db*"
            $progress[-1].RecordType | Should -Be 'Completed'
        }

        It 'shows a percentage when the row count is known (-InputObject array)' {
            $progress = Get-WriteProgress -Rows 25000 -Preference Continue -AsArray
            $progress[0].PercentComplete | Should -Be 40
            $progress[1].PercentComplete | Should -Be 80
        }

        It 'writes no progress when $ProgressPreference is SilentlyContinue' {
            (Get-WriteProgress -Rows 25000 -Preference SilentlyContinue).Count | Should -Be 0
        }

        It 'writes no progress for a short input' {
            (Get-WriteProgress -Rows 500 -Preference Continue).Count | Should -Be 0
        }

        It 'keeps memory flat while 1,000,000 rows stream through the pipeline' {
            $samples = [Collections.Generic.List[long]]::new()
            $rows = 0..999999 | ForEach-Object {
                if ($_ % 100000 -eq 50000) { $samples.Add([GC]::GetTotalMemory($true)) }
                @{ a = $_; b = 'm' }
            } | Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t VALUES (@a, @b)'
            $rows | Should -Be 1000000
            $samples.Count | Should -Be 10
            # A buffered million rows would take hundreds of MB; streaming keeps the heap where it started.
            (($samples | Measure-Object -Maximum).Maximum - $samples[0]) / 1MB | Should -BeLessThan 32
        }
    }

    Context '-ScriptBlock' {
        It 'fails at once instead of deadlocking when the block writes through another pool''s connection' {
            $other = New-MnesisPool
            try {
                # In a runspace of its own: were the write to wait for itself, the test fails instead of hanging.
                $err = {
                    Invoke-TestWithLimit -Arguments $pool, $other, $db -What 'a nested write through another pool' -Script {
                        param($pool, $other, $db)
                        Invoke-MnesisWrite -Pool $pool -Path $db -ScriptBlock { Invoke-MnesisWrite -Pool $other -Path $db -Query 'INSERT INTO t VALUES (1, ''x'')' }
                    }
                } | Should -Throw -PassThru
                $err.Exception.Message | Should -BeLike '*write gate*'
                $err.Exception.InnerException.ErrorRecord.FullyQualifiedErrorId, $err.FullyQualifiedErrorId | Should -Contain 'MnesisNestedWriteOtherConnection,Mnesis.PowerShell.Cmdlets.InvokeMnesisWriteCommand'
            }
            finally { Close-MnesisPool -Pool $other }
        }
    }
}

Describe '-WhatIf and -Confirm on Invoke-MnesisWrite' {
    BeforeAll {
        $folder = New-TestFolder
        $db = Join-Path $folder 'whatif.db'
        $null = Invoke-Sqlite3 $db 'CREATE TABLE host(name); INSERT INTO host VALUES (''web01'');'
    }

    It 'declares ConfirmImpact Medium, so it does not prompt by default' {
        $attribute = (Get-Command Invoke-MnesisWrite).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        $attribute.SupportsShouldProcess | Should -BeTrue
        $attribute.ConfirmImpact | Should -Be 'Medium'
    }

    It 'names the store and the statement and changes nothing, for a query, a new file and pipeline rows' {
        $output = Invoke-TestChild $folder @'
Invoke-MnesisWrite -Path ./whatif.db -Query 'DELETE FROM host' -WhatIf
Invoke-MnesisWrite -Path ./new.db -Query 'CREATE TABLE x(y)' -WhatIf
'a', 'b' | ForEach-Object { @{ n = $_ } } | Invoke-MnesisWrite -Path ./whatif.db -Query 'INSERT INTO host VALUES (@n)' -WhatIf
"rows=$(Invoke-MnesisQuery -Path ./whatif.db -Query 'SELECT count(*) FROM host' -Scalar)"
'@
        $text = $output -join "`n"
        $text | Should -BeLike "*What if: *Write: DELETE FROM host*$db*"
        $text | Should -BeLike '*What if: *Write: CREATE TABLE x(y)*new.db*'
        $text | Should -BeLike '*What if: *Write input row 1: INSERT INTO host VALUES (@n)*'
        $text | Should -BeLike '*What if: *Write input row 2: INSERT INTO host VALUES (@n)*'
        $output | Should -Contain 'rows=1'
        Join-Path $folder 'new.db' | Should -Not -Exist
    }

    It 'asks before writing when $ConfirmPreference is Medium, and not by default' {
        # A -NonInteractive pwsh cannot answer a prompt: asking shows as an error, and nothing is written.
        $output = Invoke-TestChild $folder @'
try { $ConfirmPreference = 'Medium'; $null = Invoke-MnesisWrite -Path ./whatif.db -Query 'INSERT INTO host VALUES (''asked'')' -ErrorAction Stop; 'asked=no' }
catch { 'asked=yes' }
$ConfirmPreference = 'High'
"written=$(Invoke-MnesisWrite -Path ./whatif.db -Query 'INSERT INTO host VALUES (''quiet'')')"
"names=$(Invoke-MnesisQuery -Path ./whatif.db -Query 'SELECT group_concat(name) FROM host' -Scalar)"
'@
        $output | Should -Contain 'asked=yes'
        $output | Should -Contain 'written=1'
        $output | Should -Contain 'names=web01,quiet'
    }
}

Describe 'Counts of changed rows on <Engine>' -ForEach (Get-TestEngines) {
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

    It 'reports 0 for a statement that changes no rows right after one that did' {
        Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO host VALUES (''1'', ''2''), (''3'', ''4'')' | Should -Be 2
        Invoke-MnesisWrite -Pool $pool @name -Query 'CREATE TABLE t2(x text)' | Should -Be 0
        Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO host VALUES (''5'', ''6''); CREATE TABLE t3(x text)' | Should -Be 1
        Invoke-MnesisWrite -Pool $pool @name -Query 'UPDATE host SET os = ''0'' WHERE 1 = 0' | Should -Be 0
    }
}

Describe 'Maintenance statements on <Engine>' -ForEach (Get-TestEngines) {
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

    It 'refuses a maintenance statement mixed with others, running nothing' {
        { Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (1); VACUUM' } | Should -Throw -ErrorId 'MnesisMaintenanceMixed,*'
        Get-TestRowCount $target 't' | Should -Be 0
    }
}

Describe 'Verbose output of writes on <Engine>' -ForEach (Get-TestEngines) {
    BeforeEach {
        if ($Skip) { Set-ItResult -Skipped -Because $Why; return }
        $target = New-TestTarget $Engine
        $name = $target.Name
    }
    AfterEach {
        if ($Skip) { return }
        Remove-TestTarget $target
    }

    Context 'verbose output' {
        It 'names pool events and paths but never parameter values' {
            $pool = New-MnesisPool
            try {
                $secret = "s3cret-$([guid]::NewGuid())"
                $verbose = @(
                    Invoke-MnesisWrite -Pool $pool @name -Query 'CREATE TABLE t(v text)' -Verbose 4>&1
                    Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (@v)' -Parameters @{ v = $secret } -Verbose 4>&1
                    [pscustomobject]@{ v = $secret } | Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (@v)' -Verbose 4>&1
                    Close-MnesisPool -Pool $pool -Verbose 4>&1
                ) | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
                $verbose -join "`n" | Should -Not -BeLike "*$secret*"
                # How messages name the store: its path, or the PostgreSQL target without a password.
                $probe = New-MnesisPool
                $shown = (Open-MnesisStore -Pool $probe @name).Target
                Close-MnesisPool -Pool $probe
                $verbose | Where-Object { $_ -like "*opened*$shown*" } | Should -Not -BeNullOrEmpty
                $verbose | Where-Object { $_ -like "*closed*$shown*" } | Should -Not -BeNullOrEmpty
            }
            finally { Close-MnesisPool -Pool $pool }
        }

        It 'never names a parameter value, also when a write fails and rolls back (<Form>)' -ForEach @(
            @{ Form = 'a failing statement with -Parameters'; Id = 'MnesisSqlFailed'; Write = {
                    param($pool, $name, $secret)
                    Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (@v); INSERT INTO nowhere VALUES (1)' -Parameters @{ v = $secret } -Verbose
                }
            }
            @{ Form = 'a failing piped row, with -Parameters defaults'; Id = 'MnesisSqlFailed'; Write = {
                    param($pool, $name, $secret)
                    [pscustomobject]@{ v = $secret }, [pscustomobject]@{ v = $secret } |
                        Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO u VALUES (@v, @w)' -Parameters @{ w = "$secret-default" } -Verbose
                }
            }
            @{ Form = 'a failing batch of -BatchSize'; Id = 'MnesisSqlFailed'; Write = {
                    param($pool, $name, $secret)
                    1..5 | ForEach-Object { @{ v = "$secret-$([Math]::Min($_, 4))" } } |
                        Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO u(v, w) VALUES (@v, @w)' -Parameters @{ w = $secret } -BatchSize 2 -Verbose
                }
            }
            @{ Form = 'a row with a missing parameter'; Id = 'MnesisParameterMissing'; Write = {
                    param($pool, $name, $secret)
                    [pscustomobject]@{ v = $secret }, [pscustomobject]@{ other = $secret } |
                        Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (@v)' -Parameters @{ unused = $secret } -Verbose
                }
            }
            @{ Form = 'a value of a type SQLite cannot store'; Id = 'MnesisParameterTypeUnsupported'; Write = {
                    param($pool, $name, $secret)
                    Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (@v)' -Parameters @{ v = @{ inner = $secret } } -Verbose
                }
            }
            @{ Form = 'a failing -ScriptBlock write with a nested write'; Id = 'BlockFailed'; Write = {
                    param($pool, $name, $secret)
                    Invoke-MnesisWrite -Pool $pool @name -Verbose -ScriptBlock {
                        $null = Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (@v)' -Parameters @{ v = $secret } -Verbose
                        Write-Error -Message 'the block failed' -ErrorId 'BlockFailed' -ErrorAction Stop
                    }
                }
            }
            @{ Form = 'a failing nested write caught inside its -ScriptBlock write'; Id = $null; Write = {
                    param($pool, $name, $secret)
                    Invoke-MnesisWrite -Pool $pool @name -Verbose -ScriptBlock {
                        try { $null = Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (@v); INSERT INTO nowhere VALUES (1)' -Parameters @{ v = $secret } -Verbose }
                        catch { }
                    }
                }
            }
        ) {
            $pool = New-MnesisPool
            try {
                $null = Invoke-MnesisWrite -Pool $pool @name -Query 'CREATE TABLE t(v text); CREATE TABLE u(v text UNIQUE, w text)'
                $secret = "s3cret-$([guid]::NewGuid().ToString('N'))"
                $records = [Collections.Generic.List[object]]::new()
                $thrown = $null
                # Streamed record by record, so what came before the failure is kept.
                try { & $Write $pool $name $secret *>&1 | ForEach-Object { $records.Add($_) } }
                catch { $thrown = $_ }

                if ($Id) { $thrown.FullyQualifiedErrorId | Should -BeLike "$Id*" }
                else { $thrown | Should -BeNullOrEmpty }
                $messages = @($records | Where-Object { $_ -is [Management.Automation.VerboseRecord] -or $_ -is [Management.Automation.WarningRecord] -or $_ -is [Management.Automation.InformationRecord] } | ForEach-Object { "$_" })
                $messages | Where-Object { $_ -like '*rolled back*' } | Should -Not -BeNullOrEmpty -Because 'the rollback was reported in -Verbose'
                $messages -join "`n" | Should -Not -BeLike "*$secret*"
            }
            finally { Close-MnesisPool -Pool $pool }
        }
    }
}

# Invoke-MnesisWrite -Table (issue 22): rows into a table by column name, PostgreSQL by binary COPY.
Describe 'Bulk insert by table name on <Engine>' -ForEach (Get-TestEngines) {
    BeforeAll {
        $create = @{
            SQLite     = 'CREATE TABLE host(id INTEGER PRIMARY KEY, name TEXT NOT NULL, ram NUMERIC, active BOOLEAN, seen DATETIME, "Os Version" TEXT)'
            PostgreSQL = 'CREATE TABLE host(id integer PRIMARY KEY, name text NOT NULL, ram numeric, active boolean, seen timestamp, "Os Version" text)'
        }
    }

    BeforeEach {
        if ($Skip) { Set-ItResult -Skipped -Because $Why; return }
        $target = New-TestTarget $Engine
        $name = $target.Name
        $pool = New-MnesisPool
        $null = Invoke-MnesisWrite -Pool $pool @name -Query $create[$Engine]
        $csv = Join-Path (New-TestFolder) 'hosts.csv'
        1..50 | ForEach-Object { [pscustomobject]@{ ID = $_; Name = "host$_"; RAM = $_ + 0.5; Active = ($_ % 2 -eq 0); Seen = '2024-01-05 10:00:00'; 'os version' = 'Debian 12' } } |
            Export-Csv -LiteralPath $csv -NoTypeInformation
    }

    AfterEach {
        if ($Skip) { return }
        Close-MnesisPool -Pool $pool
        Remove-TestTarget $target
    }

    It 'inserts Import-Csv rows into the columns their property names match, in any case, as the columns'' types' {
        Import-Csv -LiteralPath $csv | Invoke-MnesisWrite -Pool $pool @name -Table HOST | Should -Be 50
        Get-TestRowCount $target 'host' | Should -Be 50
        if ($Engine -eq 'SQLite') {
            # SQLite converts the text by the column's affinity, as it does for any bound string.
            Get-TestColumn $target "SELECT typeof(id) || ' ' || typeof(ram) || ' ' || ram FROM host WHERE id = 7" | Should -Be 'integer real 7.5'
            Get-TestColumn $target 'SELECT "Os Version" FROM host WHERE id = 7' | Should -Be 'Debian 12'
        }
        else {
            Get-TestColumn $target "SELECT count(*) FROM host WHERE active AND ram = id + 0.5 AND seen = timestamp '2024-01-05 10:00' AND ""Os Version"" = 'Debian 12'" | Should -Be 25
        }
    }

    It 'takes -InputObject as an array of dictionaries and as a DataTable (whose rows carry no RowState column), and -Column limits the columns' {
        $rows = 1..3 | ForEach-Object { @{ id = $_; name = "h$_"; extra = 'not a column' } }
        Invoke-MnesisWrite -Pool $pool @name -Table host -InputObject $rows -Column id, name | Should -Be 3
        $table = [Data.DataTable]::new()
        $null = $table.Columns.Add('Id', [int]); $null = $table.Columns.Add('NAME', [string]); $null = $table.Columns.Add('ram', [decimal])
        foreach ($i in 4..6) { $null = $table.Rows.Add($i, "h$i", $(if ($i -eq 5) { [DBNull]::Value } else { [decimal]$i })) }
        Invoke-MnesisWrite -Pool $pool @name -Table host -InputObject $table | Should -Be 3
        Get-TestRowCount $target 'host' | Should -Be 6
        Get-TestColumn $target 'SELECT count(*) FROM host WHERE ram IS NULL' | Should -Be 4
    }

    It 'refuses a missing table, a property with no column and a -Column that is not one, listing the columns; nothing is written' {
        $err = { Import-Csv -LiteralPath $csv | Invoke-MnesisWrite -Pool $pool @name -Table hosts } | Should -Throw -ErrorId 'MnesisTableNotFound,*' -PassThru
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.Exception.Message | Should -BeLike "*'hosts'*-Table*"
        $rows = @([pscustomobject]@{ id = 1; name = 'a' }, [pscustomobject]@{ id = 2; name = 'b' }) + @([pscustomobject]@{ id = 3; nmae = 'typo' })
        $typo = @([pscustomobject]@{ id = 1; nmae = 'typo' })
        $err = { $typo | Invoke-MnesisWrite -Pool $pool @name -Table host } | Should -Throw -ErrorId 'MnesisTableColumnNotFound,*' -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -BeLike "*'nmae'*id, name, ram, active, seen, Os Version*-Column*"
        $err = { Invoke-MnesisWrite -Pool $pool @name -Table host -InputObject $rows -Column id, hostname } | Should -Throw -ErrorId 'MnesisTableColumnNotFound,*' -PassThru
        $err.Exception.Message | Should -BeLike "*-Column value 'hostname'*"
        $err = { [pscustomobject]@{} | Invoke-MnesisWrite -Pool $pool @name -Table host } | Should -Throw -ErrorId 'MnesisTableNoColumns,*' -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-TestRowCount $target 'host' | Should -Be 0
        Invoke-MnesisWrite -Pool $pool @name -Table host -InputObject @{ id = 9; name = 'after' } | Should -Be 1 -Because 'the failures left no transaction open'
    }

    It 'writes nothing and outputs 0 without input rows' {
        Invoke-MnesisWrite -Pool $pool @name -Table host | Should -Be 0
        @() | Invoke-MnesisWrite -Pool $pool @name -Table host | Should -Be 0
        Invoke-MnesisWrite -Pool $pool @name -Table host -InputObject @() | Should -Be 0
        Get-TestRowCount $target 'host' | Should -Be 0
    }

    It 'writes all rows or none, and with -BatchSize keeps the batches committed before a failing row' {
        $rows = 1..1000 | ForEach-Object { [pscustomobject]@{ id = $_; name = if ($_ -eq 450) { $null } else { "h$_" } } }
        { $rows | Invoke-MnesisWrite -Pool $pool @name -Table host } | Should -Throw -ErrorId 'MnesisSqlFailed,*'
        Get-TestRowCount $target 'host' | Should -Be 0
        { Invoke-MnesisWrite -Pool $pool @name -Table host -InputObject $rows } | Should -Throw -ErrorId 'MnesisSqlFailed,*'
        Get-TestRowCount $target 'host' | Should -Be 0
        { $rows | Invoke-MnesisWrite -Pool $pool @name -Table host -BatchSize 100 } | Should -Throw -ErrorId 'MnesisSqlFailed,*'
        Get-TestRowCount $target 'host' | Should -Be 400
        $rows[449].name = 'fixed'
        $rows | Select-Object -Skip 400 | Invoke-MnesisWrite -Pool $pool @name -Table host -BatchSize 100 | Should -Be 600
        Get-TestRowCount $target 'host' | Should -Be 1000
    }

    It 'quotes the table''s and columns'' names as the catalog spells them' {
        $null = Invoke-MnesisWrite -Pool $pool @name -Query 'CREATE TABLE "my ""odd"" table"("select" text, "Drop Table" text)'
        [pscustomobject]@{ SELECT = 'a'; 'drop table' = 'b' } | Invoke-MnesisWrite -Pool $pool @name -Table 'my "odd" table' | Should -Be 1
        Get-TestColumn $target 'SELECT "select" || "Drop Table" FROM "my ""odd"" table"' | Should -Be 'ab'
        Get-TestRowCount $target 'host' | Should -Be 0
    }

    It 'converts text to the column''s type, or names the row and column of a value that does not convert' {
        $rows = 1..5 | ForEach-Object { [pscustomobject]@{ id = "$_"; name = "h$_"; ram = if ($_ -eq 4) { 'lots' } else { "$_" } } }
        if ($Engine -eq 'SQLite') {
            # SQLite keeps what does not convert as text (type affinity); nothing is refused.
            $rows | Invoke-MnesisWrite -Pool $pool @name -Table host | Should -Be 5
            Get-TestColumn $target "SELECT typeof(ram) || ':' || ram FROM host WHERE id = 4" | Should -Be 'text:lots'
            return
        }
        $err = { $rows | Invoke-MnesisWrite -Pool $pool @name -Table host } | Should -Throw -ErrorId 'MnesisTableValueInvalid,*' -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
        $err.Exception.Message | Should -BeLike "Row 4:*'ram'*'public.host'*numeric*rolled back*"
        Get-TestRowCount $target 'host' | Should -Be 0
        $bad = [pscustomobject]@{ id = '1'; name = 'x'; active = 'maybe' }
        { $bad | Invoke-MnesisWrite -Pool $pool @name -Table host } | Should -Throw -ErrorId 'MnesisTableValueInvalid,*'
        [pscustomobject]@{ id = '2'; name = 'y'; active = 'f'; ram = ''; seen = '' } | Invoke-MnesisWrite -Pool $pool @name -Table host | Should -Be 1
        Get-TestColumn $target 'SELECT count(*) FROM host WHERE NOT active AND ram IS NULL AND seen IS NULL' | Should -Be 1
    }
}
