BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"

    # The file SQLite itself says the connection has open as its main database.
    function Get-MainFile($Connection) {
        Invoke-TestScalar -Connection $Connection -Sql "SELECT file FROM pragma_database_list WHERE name = 'main'"
    }
}

Describe 'Get-MnesisConnection' {
    BeforeEach {
        $pool = New-MnesisPool
        $dir = New-TestFolder
        $paths = 'a.db', 'b.db', 'c.db' | ForEach-Object { Join-Path $dir $_ }
        $stores = @($paths | Open-MnesisStore -Pool $pool)
    }
    AfterEach { Close-MnesisPool -Pool $pool }

    It 'returns the open SqliteConnection of the store for a path' {
        $connection = Get-MnesisConnection -Pool $pool -Path $paths[1]
        @($connection).Count | Should -Be 1
        # The type lives in Mnesis's private load context, where type literals do not resolve.
        $connection.GetType().FullName | Should -Be 'Microsoft.Data.Sqlite.SqliteConnection'
        $connection | Should -BeOfType ([System.Data.Common.DbConnection])
        $connection.State | Should -Be 'Open'
        Get-MainFile $connection | Should -BeExactly $paths[1]
        [object]::ReferenceEquals($connection, (Get-MnesisConnection -Pool $pool -Path $paths[1])) | Should -BeTrue
    }

    It 'finds the connection under another spelling of the path (-LiteralPath, relative)' {
        $byPath = Get-MnesisConnection -Pool $pool -Path $paths[0]
        $byLiteral = Get-MnesisConnection -Pool $pool -LiteralPath $paths[0]
        Push-Location -LiteralPath $dir
        try { $byRelative = Get-MnesisConnection -Pool $pool -Path 'a.db' }
        finally { Pop-Location }
        [object]::ReferenceEquals($byPath, $byLiteral) | Should -BeTrue
        [object]::ReferenceEquals($byPath, $byRelative) | Should -BeTrue
    }

    It 'returns the store''s connection for -Store and for stores from the pipeline' {
        $byStore = Get-MnesisConnection -Store $stores[2]
        Get-MainFile $byStore | Should -BeExactly $paths[2]
        [object]::ReferenceEquals($byStore, (Get-MnesisConnection -Pool $pool -Path $paths[2])) | Should -BeTrue

        $piped = @($stores[0], $stores[2] | Get-MnesisConnection)
        $piped.Count | Should -Be 2
        $piped | ForEach-Object { $_.State | Should -Be 'Open' }
        @($piped | ForEach-Object { Get-MainFile $_ }) | Should -Be @($paths[0], $paths[2])
    }

    It 'returns every connection of the pool when no path is given' {
        $all = @(Get-MnesisConnection -Pool $pool)
        $all.Count | Should -Be $pool.Count
        $all.Count | Should -Be 3
        @($all | ForEach-Object { Get-MainFile $_ } | Sort-Object) | Should -Be $paths
        $null = Open-MnesisStore -Pool $pool -Path (Join-Path $dir 'd.db')
        @(Get-MnesisConnection -Pool $pool).Count | Should -Be 4
    }

    It 'returns nothing and raises no error for an empty pool without a path' {
        $empty = New-MnesisPool
        @(Get-MnesisConnection -Pool $empty -ErrorVariable err) | Should -HaveCount 0
        $err | Should -HaveCount 0
    }

    It 'reports a never-opened path as a non-terminating ObjectNotFound error, creates no file, and still returns the others' {
        $missing = Join-Path $dir 'never.db'
        $before = Get-TestTreeSnapshot -Path $dir | Where-Object { $_ -notmatch '-(wal|shm)$' }
        $result = @(Get-MnesisConnection -Pool $pool -Path $paths[0], $missing, $paths[2] -ErrorAction SilentlyContinue -ErrorVariable err)
        $result.Count | Should -Be 2
        @($result | ForEach-Object { Get-MainFile $_ }) | Should -Be @($paths[0], $paths[2])
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'MnesisStoreNotOpen,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].Exception.Message | Should -BeLike "*'$missing'*"
        $err[0].TargetObject | Should -BeExactly $missing
        Test-Path -Path "$missing*" | Should -BeFalse
        Get-TestTreeSnapshot -Path $dir | Where-Object { $_ -notmatch '-(wal|shm)$' } | Should -Be $before
        $pool.Count | Should -Be 3
    }

    It 'does not open an existing database that was never opened in the pool' {
        $existing = Join-Path $dir 'existing.db'
        $null = Invoke-Sqlite3 $existing 'CREATE TABLE t(v)'
        Get-MnesisConnection -Pool $pool -Path $existing -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'MnesisStoreNotOpen,*'
        $pool.Count | Should -Be 3
    }

    It 'does not find a path that is open only in another pool' {
        $otherPool = New-MnesisPool
        try {
            $elsewhere = Join-Path $dir 'elsewhere.db'
            $null = Open-MnesisStore -Pool $otherPool -Path $elsewhere
            Get-MnesisConnection -Pool $pool -Path $elsewhere -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'MnesisStoreNotOpen,*'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            @(Get-MnesisConnection -Pool $pool) | Should -HaveCount 3
            (Get-MnesisConnection -Pool $otherPool -Path $elsewhere).State | Should -Be 'Open'

            # The same path open in both pools: two different connections.
            $null = Open-MnesisStore -Pool $otherPool -Path $paths[0]
            [object]::ReferenceEquals((Get-MnesisConnection -Pool $pool -Path $paths[0]), (Get-MnesisConnection -Pool $otherPool -Path $paths[0])) | Should -BeFalse
        }
        finally { Close-MnesisPool -Pool $otherPool }
    }
}
