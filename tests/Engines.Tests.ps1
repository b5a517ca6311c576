BeforeDiscovery {
    . "$PSScriptRoot/Support/Engines.ps1"
}

BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"
    . "$PSScriptRoot/Support/Engines.ps1"
    $mod = $env:MNESIS_TEST_MODULE
}

# The behaviour a script relies on, run against every engine from this one file. What only one
# engine has (paths, WAL, file locks; connection strings, conflicts) is tested in its own files.
Describe 'Stores on <Engine>' -ForEach (Get-TestEngines) {
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

    Context 'opening' {
        It 'opens one store per database, named the engine''s way, and reuses it' {
            $store = Open-MnesisStore -Pool $pool @name
            $store.Engine | Should -Be $Engine
            $store.IsOpen | Should -BeTrue
            [object]::ReferenceEquals($store, (Open-MnesisStore -Pool $pool @name)) | Should -BeTrue
            @(Get-MnesisPool -Pool $pool).Count | Should -Be 1
            $connection = Get-MnesisConnection -Pool $pool @name
            $connection | Should -BeOfType ([System.Data.Common.DbConnection])
            $connection.State | Should -Be 'Open'
        }

        It 'closes the store and its connection with Close-MnesisPool' {
            $store = Open-MnesisStore -Pool $pool @name
            $connection = Get-MnesisConnection -Pool $pool @name
            Close-MnesisPool -Pool $pool @name
            $store.IsOpen | Should -BeFalse
            $connection.State | Should -Be 'Closed'
            { Invoke-MnesisWrite -Store $store -Query 'DELETE FROM item' } | Should -Throw -ErrorId 'MnesisStoreClosed,*'
        }
    }

    Context 'writes' {
        It 'binds parameters by name and commits before returning' {
            Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO item(name, qty) VALUES (@name, @qty)' -Parameters @{ name = 'bolt'; qty = 5 } | Should -Be 1
            Get-TestRowCount $target 'item' | Should -Be 1 -Because 'an independent connection sees the row as soon as the call returns'
            $row = Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT name, qty FROM item WHERE name = :name' -Parameters @{ name = 'bolt' }
            $row.name | Should -Be 'bolt'
            $row.qty | Should -Be 5
        }

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

        It 'lets a row''s own properties win over -Parameters defaults' {
            [pscustomobject]@{ name = 'row' } | Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO item(name, qty) VALUES (@name, @qty)' -Parameters @{ name = 'default'; qty = 9 } | Should -Be 1
            $row = Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT name, qty FROM item'
            $row.name | Should -Be 'row'
            $row.qty | Should -Be 9
        }

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

        It 'stores a value that looks like SQL injection verbatim' {
            $evil = "x'); DROP TABLE item; --"
            $null = Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO item(name) VALUES (@n)' -Parameters @{ n = $evil }
            Invoke-MnesisQuery -Pool $pool @name -Query 'SELECT name FROM item' -Scalar | Should -BeExactly $evil
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

        It 'refuses to close the store from inside its own write, at once, and the store still works' {
            $outcome = Invoke-TestWithLimit -Arguments $pool, $name -What 'Close-MnesisPool inside a write to give up at once' -TimeoutSeconds 20 -Script {
                param($pool, $name)
                try { Invoke-MnesisWrite -Pool $pool @name -ScriptBlock { Close-MnesisPool -Pool $pool -ErrorAction Stop }; 'closed' }
                catch { $_.FullyQualifiedErrorId }
            }
            $outcome | Should -BeLike 'MnesisCloseInsideWrite,*'
            Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO item(name) VALUES (''still works'')' | Should -Be 1
        }
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
