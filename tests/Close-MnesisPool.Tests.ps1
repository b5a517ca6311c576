BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"
}

Describe 'Close-MnesisPool' {
    BeforeEach {
        $pool = New-MnesisPool
        $dir = New-TestFolder
        $one = Join-Path $dir 'one.db'
        $two = Join-Path $dir 'two.db'
        $storeOne = Open-MnesisStore -Pool $pool -Path $one
        $storeTwo = Open-MnesisStore -Pool $pool -Path $two
        $connectionOne = Get-MnesisConnection -Pool $pool -Path $one
        $connectionTwo = Get-MnesisConnection -Pool $pool -Path $two
    }
    AfterEach { Close-MnesisPool -Pool $pool }

    It 'with -Path closes only that store' {
        Close-MnesisPool -Pool $pool -Path $one
        $storeOne.IsOpen | Should -BeFalse
        $connectionOne.State | Should -Be 'Closed'
        $storeTwo.IsOpen | Should -BeTrue
        $connectionTwo.State | Should -Be 'Open'
        $pool.Count | Should -Be 1
        Invoke-MnesisWrite -Store $storeTwo -Query 'CREATE TABLE t(v)' | Should -Be 0
    }

    It 'without -Path closes every store of the pool, and only of that pool' {
        $otherPool = New-MnesisPool
        try {
            $otherStore = Open-MnesisStore -Pool $otherPool -Path $one
            Close-MnesisPool -Pool $pool
            $pool.Count | Should -Be 0
            $storeOne.IsOpen, $storeTwo.IsOpen | Should -Be @($false, $false)
            $connectionOne.State, $connectionTwo.State | Should -Be @('Closed', 'Closed')
            $otherStore.IsOpen | Should -BeTrue
            (Get-MnesisConnection -Pool $otherPool -Path $one).State | Should -Be 'Open'
        }
        finally { Close-MnesisPool -Pool $otherPool }
    }

    It 'releases the file: no descriptor left, -wal and -shm gone, and the file can be deleted' -Skip:(-not (Test-Path /proc/self/fd)) {
        $null = Invoke-MnesisWrite -Store $storeOne -Query 'CREATE TABLE t(v); INSERT INTO t VALUES (1)'
        Get-TestOpenHandleCount -Path $one | Should -BeGreaterThan 0 -Because 'the open store holds the file'
        Test-Path -LiteralPath "$one-wal" | Should -BeTrue -Because 'a WAL store has its -wal file while open'

        Close-MnesisPool -Pool $pool -Path $one
        Get-TestOpenHandleCount -Path $one | Should -Be 0
        Test-Path -LiteralPath "$one-wal" | Should -BeFalse
        Test-Path -LiteralPath "$one-shm" | Should -BeFalse
        Invoke-Sqlite3 $one 'SELECT count(*) FROM t' | Should -Be 1 -Because 'the WAL was checkpointed into the file'
        Remove-Item -LiteralPath $one
        Test-Path -LiteralPath $one | Should -BeFalse
    }

    It 'reopening gives a new store and a new connection that see the data written before' {
        $null = Invoke-MnesisWrite -Store $storeOne -Query "CREATE TABLE t(v TEXT); INSERT INTO t VALUES ('kept')"
        Close-MnesisPool -Pool $pool -Path $one
        $reopened = Open-MnesisStore -Pool $pool -Path $one
        $newConnection = Get-MnesisConnection -Pool $pool -Path $one
        [object]::ReferenceEquals($reopened, $storeOne) | Should -BeFalse
        [object]::ReferenceEquals($newConnection, $connectionOne) | Should -BeFalse
        $reopened.IsOpen | Should -BeTrue
        $storeOne.IsOpen | Should -BeFalse
        Invoke-TestScalar $newConnection 'SELECT v FROM t' | Should -BeExactly 'kept'
    }

    It 'reopening after close takes the new options without a warning' {
        Close-MnesisPool -Pool $pool -Path $one
        $reopened = Open-MnesisStore -Pool $pool -Path $one -BusyTimeout 3 -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings | Should -BeNullOrEmpty
        $reopened.BusyTimeout | Should -Be 3
        Invoke-TestScalar (Get-MnesisConnection -Pool $pool -Path $one) 'PRAGMA busy_timeout' | Should -Be 3000
    }

    It 'does nothing and raises no error for a store already closed or a path never opened' {
        $never = Join-Path $dir 'never.db'
        Close-MnesisPool -Pool $pool -Path $one
        $before = Get-TestTreeSnapshot -Path $dir
        Close-MnesisPool -Pool $pool -Path $one -ErrorVariable err1
        Close-MnesisPool -Store $storeOne -ErrorVariable err2
        Close-MnesisPool -Pool $pool -Path $never -ErrorVariable err3
        Close-MnesisPool -Pool (New-MnesisPool) -ErrorVariable err4
        @($err1) + @($err2) + @($err3) + @($err4) | Should -HaveCount 0
        Test-Path -LiteralPath $never | Should -BeFalse
        Get-TestTreeSnapshot -Path $dir | Should -Be $before
        $storeTwo.IsOpen | Should -BeTrue
    }

    It 'says in verbose output when there is nothing to close' {
        $never = Join-Path $dir 'never.db'
        $verbose = @(Close-MnesisPool -Pool $pool -Path $never -Verbose 4>&1 | ForEach-Object Message)
        $verbose | Should -HaveCount 1
        $verbose[0] | Should -BeLike "*nothing to close*"
        $verbose[0] | Should -BeLike "*'$never'*"
    }

    It '-WhatIf closes nothing (<Form>)' -ForEach @(
        @{ Form = 'one path'; Close = { param($pool, $path, $store) Close-MnesisPool -Pool $pool -Path $path -WhatIf } }
        @{ Form = 'whole pool'; Close = { param($pool, $path, $store) Close-MnesisPool -Pool $pool -WhatIf } }
        @{ Form = '-Store'; Close = { param($pool, $path, $store) Close-MnesisPool -Store $store -WhatIf } }
    ) {
        $null = & $Close $pool $one $storeOne 6>&1
        $storeOne.IsOpen, $storeTwo.IsOpen | Should -Be @($true, $true)
        $connectionOne.State | Should -Be 'Open'
        $pool.Count | Should -Be 2
    }

    It 'closes the stores given by -Store and through the pipeline' {
        $three = Open-MnesisStore -Pool $pool -Path (Join-Path $dir 'three.db')
        Close-MnesisPool -Store $storeOne
        $storeOne.IsOpen | Should -BeFalse
        $pool.Count | Should -Be 2

        $storeTwo, $three | Close-MnesisPool
        $storeTwo.IsOpen, $three.IsOpen | Should -Be @($false, $false)
        $pool.Count | Should -Be 0
        $connectionTwo.State | Should -Be 'Closed'
    }

    It 'closes a piped store in the store''s own pool, without -Pool' {
        $piped = Open-MnesisStore -Pool $pool -Path (Join-Path $dir 'piped.db')
        $pool.Count | Should -Be 3
        $piped | Close-MnesisPool
        $piped.IsOpen | Should -BeFalse
        $pool.Count | Should -Be 2
        $storeOne.IsOpen, $storeTwo.IsOpen | Should -Be @($true, $true)
    }

    It 'makes Get-MnesisConnection report MnesisStoreNotOpen for the closed path, and -Store report MnesisStoreClosed' {
        Close-MnesisPool -Pool $pool -Path $one
        Get-MnesisConnection -Pool $pool -Path $one -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'MnesisStoreNotOpen,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].Exception.Message | Should -BeLike "*'$one'*"

        Get-MnesisConnection -Store $storeOne -ErrorAction SilentlyContinue -ErrorVariable storeErr | Should -BeNullOrEmpty
        $storeErr[0].FullyQualifiedErrorId | Should -BeLike 'MnesisStoreClosed,*'
        (Get-MnesisConnection -Pool $pool -Path $two).State | Should -Be 'Open'
    }
}

# Closing a store from inside one of its own writes could only wait for itself; it is refused at
# once. Each case runs in a runspace of its own with a limit, so a close that waits fails the test.
Describe 'Close-MnesisPool inside a write of the same store' {
    BeforeEach {
        $pool = New-MnesisPool
        $dir = New-TestFolder
        $db = Join-Path $dir 'inside.db'
        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'CREATE TABLE t(v)'
        $store = Open-MnesisStore -Pool $pool -Path $db
    }
    AfterEach { Close-MnesisPool -Pool $pool }

    It 'refuses with MnesisCloseInsideWrite at once, and the write and the store go on (<Form>)' -ForEach @(
        @{ Form = 'Close -Path in a -ScriptBlock write'; Rows = 1; Write = {
                param($pool, $db, $store, $errors)
                Invoke-MnesisWrite -Pool $pool -Path $db -ScriptBlock {
                    Close-MnesisPool -Pool $pool -Path $db -ErrorAction SilentlyContinue -ErrorVariable closeErrors
                    $errors.AddRange(@($closeErrors))
                    $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t VALUES (1)'
                }
            }
        }
        @{ Form = 'Close -Store in a -ScriptBlock write'; Rows = 1; Write = {
                param($pool, $db, $store, $errors)
                Invoke-MnesisWrite -Store $store -ScriptBlock {
                    Close-MnesisPool -Store $store -ErrorAction SilentlyContinue -ErrorVariable closeErrors
                    $errors.AddRange(@($closeErrors))
                    $null = Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t VALUES (1)'
                }
            }
        }
        @{ Form = 'Close of the whole pool in a -ScriptBlock write'; Rows = 1; Write = {
                param($pool, $db, $store, $errors)
                Invoke-MnesisWrite -Pool $pool -Path $db -ScriptBlock {
                    Close-MnesisPool -Pool $pool -ErrorAction SilentlyContinue -ErrorVariable closeErrors
                    $errors.AddRange(@($closeErrors))
                    $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t VALUES (1)'
                }
            }
        }
        @{ Form = 'Close upstream of a pipeline write'; Rows = 3; Write = {
                param($pool, $db, $store, $errors)
                1..3 | ForEach-Object {
                    if ($_ -eq 2) {
                        Close-MnesisPool -Pool $pool -Path $db -ErrorAction SilentlyContinue -ErrorVariable closeErrors
                        $errors.AddRange(@($closeErrors))
                    }
                    @{ v = $_ }
                } | Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t VALUES (@v)'
            }
        }
    ) {
        $errors = [Collections.Generic.List[object]]::new()
        $null = Invoke-TestWithLimit -Arguments $pool, $db, $store, $errors -What "Close-MnesisPool inside a write ($Form) to give up at once" -TimeoutSeconds 20 -Script $Write
        $errors | Should -HaveCount 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'MnesisCloseInsideWrite,*'
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $errors[0].Exception.Message | Should -BeLike "*'$db'*"
        $store.IsOpen | Should -BeTrue
        $pool.Count | Should -Be 1
        Invoke-Sqlite3 $db 'SELECT count(*) FROM t' | Should -Be $Rows -Because 'the write went on and committed'
        Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t VALUES (9)' | Should -Be 1
    }

    It 'rolls the write back when the refusal is made terminating, and the store stays usable' {
        $err = {
            Invoke-TestWithLimit -Arguments $pool, $db -What 'Close-MnesisPool -ErrorAction Stop inside a write to give up at once' -TimeoutSeconds 20 -Script {
                param($pool, $db)
                Invoke-MnesisWrite -Pool $pool -Path $db -ScriptBlock {
                    $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t VALUES (1)'
                    Close-MnesisPool -Pool $pool -Path $db -ErrorAction Stop
                }
            }
        } | Should -Throw -ErrorId 'MnesisCloseInsideWrite,*' -PassThru
        $err.Exception.Message | Should -BeLike "*'$db'*"
        Invoke-Sqlite3 $db 'SELECT count(*) FROM t' | Should -Be 0
        $store.IsOpen | Should -BeTrue
        $store.Rollbacks | Should -Be 1
        Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t VALUES (2)' | Should -Be 1
    }
}
