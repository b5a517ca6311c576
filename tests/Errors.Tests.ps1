BeforeDiscovery {
    . "$PSScriptRoot/Support/Engines.ps1"
}

BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"
    . "$PSScriptRoot/Support/Engines.ps1"
    $mod = $env:MNESIS_TEST_MODULE

    # Fixtures, made once by other programs (sqlite3, .NET) and copied into each case's own folder.
    $templates = Join-Path $TestDrive 'templates'
    $null = New-Item -ItemType Directory -Path $templates
    $null = Invoke-Sqlite3 (Join-Path $templates 'existing.db') "PRAGMA journal_mode=wal; CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t(v) VALUES ('seed');"
    Set-Content -LiteralPath (Join-Path $templates 'notes.txt') -Value "Shopping list`nmilk`neggs" -NoNewline
    $random = [Random]::new(20261125)
    # A valid 16-byte SQLite magic followed by garbage where the header fields and pages should be.
    $corrupt = [byte[]]::new(8192)
    $random.NextBytes($corrupt)
    [Text.Encoding]::ASCII.GetBytes("SQLite format 3`0").CopyTo($corrupt, 0)
    [IO.File]::WriteAllBytes((Join-Path $templates 'corrupt.db'), $corrupt)
    $noise = [byte[]]::new(4096)
    $random.NextBytes($noise)
    [IO.File]::WriteAllBytes((Join-Path $templates 'random.db'), $noise)

    # Another runspace, on its own thread, that writes to prove a failed write released the file's gate.
    $helper = [powershell]::Create()
    $null = $helper.AddScript({ param($mod) Import-Module $mod }).AddArgument($mod)
    $null = Invoke-TestPowerShell -PowerShell $helper -What 'importing the module in the helper runspace'
    $script:gateStuck = $false

    function Assert-GateReleased([string] $Path) {
        $helper.Commands.Clear()
        # No try/finally around the close: closing waits for the gate too, so after a Stop it would hang.
        $null = $helper.AddScript({
                param($db)
                $ErrorActionPreference = 'Stop'
                $pool = New-MnesisPool
                Invoke-MnesisWrite -Pool $pool -Path $db -Force -Query "CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t(v) VALUES ('after the failure')"
                Close-MnesisPool -Pool $pool
            }).AddArgument($Path)
        $async = $helper.BeginInvoke()
        if (-not $async.AsyncWaitHandle.WaitOne([timespan]::FromSeconds(20))) {
            $script:gateStuck = $true
            $null = $helper.BeginStop($null, $null)
            throw "A write from another runspace still waited for the gate of '$Path' after 20 s: the failed write did not release it."
        }
        $helper.EndInvoke($async) | Should -Be 1
        Invoke-Sqlite3 $Path "SELECT count(*) FROM t WHERE v = 'after the failure'" | Should -Be 1
    }
}

AfterAll {
    # With a gate never released, disposing would wait forever for the helper's store to close.
    if ($helper -and -not $script:gateStuck) { $helper.Dispose() }
}

Describe 'Bad input' {
    BeforeEach {
        $dir = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $dir
        Copy-Item -Path (Join-Path $templates '*') -Destination $dir
        Copy-Item -LiteralPath (Join-Path $dir 'existing.db') -Destination (Join-Path $dir 'existing2.db')
        $null = New-Item -ItemType Directory -Path (Join-Path $dir 'folder.db')
        $ctx = @{
            Pool    = New-MnesisPool
            Dir     = $dir
            Db      = Join-Path $dir 'existing.db'
            Db2     = Join-Path $dir 'existing2.db'
            Text    = Join-Path $dir 'notes.txt'
            Corrupt = Join-Path $dir 'corrupt.db'
            Random  = Join-Path $dir 'random.db'
            Folder  = Join-Path $dir 'folder.db'
            New     = Join-Path $dir 'new.db'
            NewDeep = Join-Path $dir 'new-folder/new.db'
        }
        # No connection is open to any of these files here: the pool is new, sqlite3 has exited.
        $hashes = @{}
        Get-ChildItem -LiteralPath $dir -File | ForEach-Object { $hashes[$_.FullName] = Get-TestFileHash -Path $_.FullName }
        $tree = Get-TestTreeSnapshot -Path $dir
    }
    AfterEach { Close-MnesisPool -Pool $ctx.Pool }

    It '<Name> -> <Id> (<Category>)' -ForEach @(
        # Open-MnesisStore: path errors are non-terminating, so the other paths of a call still open.
        @{ Name = 'Open-MnesisStore -Path Env:PATH'; Id = 'MnesisPathNotFileSystem'; Category = 'InvalidArgument'; Terminating = $false
            Action = { param($c) Open-MnesisStore -Pool $c.Pool -Path 'Env:PATH' }; Names = { 'Env:PATH', 'Environment' } }
        @{ Name = 'Open-MnesisStore -Path Variable:PSHOME'; Id = 'MnesisPathNotFileSystem'; Category = 'InvalidArgument'; Terminating = $false
            Action = { param($c) Open-MnesisStore -Pool $c.Pool -Path 'Variable:PSHOME' }; Names = { 'Variable:PSHOME' } }
        @{ Name = 'Open-MnesisStore -LiteralPath Function:prompt'; Id = 'MnesisPathNotFileSystem'; Category = 'InvalidArgument'; Terminating = $false
            Action = { param($c) Open-MnesisStore -Pool $c.Pool -LiteralPath 'Function:prompt' }; Names = { 'Function:prompt', 'Function' } }
        @{ Name = 'Open-MnesisStore -Path <a directory>'; Id = 'MnesisPathIsDirectory'; Category = 'InvalidArgument'; Terminating = $false
            Action = { param($c) Open-MnesisStore -Pool $c.Pool -Path $c.Folder }; Names = { param($c) $c.Folder } }
        @{ Name = 'Open-MnesisStore -Path <a text file>'; Id = 'MnesisNotADatabase'; Category = 'InvalidData'; Terminating = $false
            Action = { param($c) Open-MnesisStore -Pool $c.Pool -Path $c.Text }; Names = { param($c) $c.Text, 'file is not a database' } }
        @{ Name = 'Open-MnesisStore -Path <SQLite magic + garbage>'; Id = 'MnesisNotADatabase'; Category = 'InvalidData'; Terminating = $false
            Action = { param($c) Open-MnesisStore -Pool $c.Pool -Path $c.Corrupt }; Names = { param($c) $c.Corrupt, 'file is not a database' } }
        @{ Name = 'Open-MnesisStore -Path <random bytes>'; Id = 'MnesisNotADatabase'; Category = 'InvalidData'; Terminating = $false
            Action = { param($c) Open-MnesisStore -Pool $c.Pool -Path $c.Random }; Names = { param($c) $c.Random } }
        @{ Name = 'Open-MnesisStore -Path <empty string>'; Id = 'MnesisPathEmpty'; Category = 'InvalidArgument'; Terminating = $false
            Action = { param($c) Open-MnesisStore -Pool $c.Pool -Path '' }; Names = { "'Path'" } }
        @{ Name = 'Open-MnesisStore -Path <white space>'; Id = 'MnesisPathEmpty'; Category = 'InvalidArgument'; Terminating = $false
            Action = { param($c) Open-MnesisStore -Pool $c.Pool -Path " `t " }; Names = { "'Path'" } }
        @{ Name = 'Open-MnesisStore -LiteralPath <empty string>'; Id = 'MnesisPathEmpty'; Category = 'InvalidArgument'; Terminating = $false
            Action = { param($c) Open-MnesisStore -Pool $c.Pool -LiteralPath '' }; Names = { "'LiteralPath'" } }
        @{ Name = 'Open-MnesisStore -LiteralPath <white space>'; Id = 'MnesisPathEmpty'; Category = 'InvalidArgument'; Terminating = $false
            Action = { param($c) Open-MnesisStore -Pool $c.Pool -LiteralPath '   ' }; Names = { "'LiteralPath'" } }
        @{ Name = 'Open-MnesisStore -BusyTimeout -1 on a new path'; Id = 'MnesisNegativeBusyTimeout'; Category = 'InvalidArgument'; Terminating = $true
            Action = { param($c) Open-MnesisStore -Pool $c.Pool -Path $c.New -BusyTimeout -1 }; Names = { '-1', "'BusyTimeout'" } }
        @{ Name = 'Open-MnesisStore -Path <wildcard matching nothing>'; Id = 'MnesisPathNotFound'; Category = 'ObjectNotFound'; Terminating = $false
            Action = { param($c) Open-MnesisStore -Pool $c.Pool -Path (Join-Path $c.Dir 'nothing-*.db') }; Names = { param($c) Join-Path $c.Dir 'nothing-*.db' } }

        @{ Name = 'Open-MnesisStore -Path <unknown drive>'; Id = 'MnesisPathInvalid'; Category = 'InvalidArgument'; Terminating = $false
            Action = { param($c) Open-MnesisStore -Pool $c.Pool -Path 'NoSuchDrive:/x.db' }; Names = { 'NoSuchDrive:/x.db', "'NoSuchDrive'" } }
        @{ Name = 'Open-MnesisStore -LiteralPath <a NUL character>'; Id = 'MnesisPathInvalid'; Category = 'InvalidArgument'; Terminating = $false
            Action = { param($c) Open-MnesisStore -Pool $c.Pool -LiteralPath (Join-Path $c.Dir "bad`0name.db") }; Names = { param($c) Join-Path $c.Dir "bad`0name.db" } }

        @{ Name = 'Open-MnesisStore -Path <below a file, not a folder>'; Id = 'MnesisOpenFailed'; Category = 'OpenError'; Terminating = $false
            Action = { param($c) Open-MnesisStore -Pool $c.Pool -Path (Join-Path $c.Text 'a/b/x.db') -Force }; Names = { param($c) $c.Text, 'create folder' } }

        # A missing folder, and a connection string given to -Path: nothing is created (issue 22).
        @{ Name = 'Open-MnesisStore -Path <new file in a missing folder>'; Id = 'MnesisFolderNotFound'; Category = 'ObjectNotFound'; Terminating = $false
            Action = { param($c) Open-MnesisStore -Pool $c.Pool -Path $c.NewDeep }; Names = { param($c) (Join-Path $c.Dir 'new-folder'), '-Force' } }
        @{ Name = 'Invoke-MnesisWrite -Path <new file in a missing folder>'; Id = 'MnesisFolderNotFound'; Category = 'ObjectNotFound'; Terminating = $true; Write = $true
            Action = { param($c) Invoke-MnesisWrite -Pool $c.Pool -Path $c.NewDeep -Query 'CREATE TABLE t(v)' }; Names = { param($c) (Join-Path $c.Dir 'new-folder'), $c.NewDeep } }
        @{ Name = 'Open-MnesisStore -Path <Npgsql connection string>'; Id = 'MnesisPathIsConnectionString'; Category = 'InvalidArgument'; Terminating = $false
            Action = { param($c) Push-Location -LiteralPath $c.Dir; try { Open-MnesisStore -Pool $c.Pool -Path 'Host=db01;Database=inventory' } finally { Pop-Location } }
            Names = { "'Path'", "'Host='", '-ConnectionString' } }
        @{ Name = 'Invoke-MnesisWrite -Path <postgres:// URI>'; Id = 'MnesisPathIsConnectionString'; Category = 'InvalidArgument'; Terminating = $true; Write = $true
            Action = { param($c) Push-Location -LiteralPath $c.Dir; try { Invoke-MnesisWrite -Pool $c.Pool -Path 'postgres://db01/inventory' -Query 'CREATE TABLE t(v)' } finally { Pop-Location } }
            Names = { "'postgres://'", '-ConnectionString' } }
        @{ Name = 'Open-MnesisStore -Path <SQLite connection string with options>'; Id = 'MnesisPathConnectionStringOptions'; Category = 'InvalidArgument'; Terminating = $false
            Action = { param($c) Push-Location -LiteralPath $c.Dir; try { Open-MnesisStore -Pool $c.Pool -Path 'Data Source=new.db;Mode=ReadOnly' } finally { Pop-Location } }
            Names = { "'Path'", "'mode'", '-ReadOnly' } }

        # Get-MnesisConnection never opens anything.
        @{ Name = 'Get-MnesisConnection -Path <existing database never opened>'; Id = 'MnesisStoreNotOpen'; Category = 'ObjectNotFound'; Terminating = $false
            Action = { param($c) Get-MnesisConnection -Pool $c.Pool -Path $c.Db }; Names = { param($c) $c.Db } }
        @{ Name = 'Get-MnesisConnection -Path Function:prompt'; Id = 'MnesisPathNotFileSystem'; Category = 'InvalidArgument'; Terminating = $false
            Action = { param($c) Get-MnesisConnection -Pool $c.Pool -Path 'Function:prompt' }; Names = { 'Function:prompt' } }
        @{ Name = 'Get-MnesisConnection -Store <closed store>'; Id = 'MnesisStoreClosed'; Category = 'InvalidOperation'; Terminating = $false
            Action = { param($c) $store = Open-MnesisStore -Pool $c.Pool -Path $c.Db; Close-MnesisPool -Store $store; Get-MnesisConnection -Store $store }
            Names = { param($c) $c.Db } }

        @{ Name = 'Get-MnesisConnection -Path <unknown drive>'; Id = 'MnesisPathInvalid'; Category = 'InvalidArgument'; Terminating = $false
            Action = { param($c) Get-MnesisConnection -Pool $c.Pool -Path 'NoSuchDrive:/x.db' }; Names = { 'NoSuchDrive:/x.db' } }

        # Close-MnesisPool
        @{ Name = 'Close-MnesisPool -LiteralPath <unknown drive>'; Id = 'MnesisPathInvalid'; Category = 'InvalidArgument'; Terminating = $false
            Action = { param($c) Close-MnesisPool -Pool $c.Pool -LiteralPath 'NoSuchDrive:/x.db' }; Names = { 'NoSuchDrive:/x.db' } }
        @{ Name = 'Close-MnesisPool -Path Env:PATH'; Id = 'MnesisPathNotFileSystem'; Category = 'InvalidArgument'; Terminating = $false
            Action = { param($c) Close-MnesisPool -Pool $c.Pool -Path 'Env:PATH' }; Names = { 'Env:PATH' } }
        @{ Name = 'Close-MnesisPool -LiteralPath <white space>'; Id = 'MnesisPathEmpty'; Category = 'InvalidArgument'; Terminating = $false
            Action = { param($c) Close-MnesisPool -Pool $c.Pool -LiteralPath ' ' }; Names = { "'LiteralPath'" } }
        @{ Name = 'Close-MnesisPool -Path <a directory>'; Id = 'MnesisPathIsDirectory'; Category = 'InvalidArgument'; Terminating = $false
            Action = { param($c) Close-MnesisPool -Pool $c.Pool -Path $c.Folder }; Names = { param($c) $c.Folder } }

        # Invoke-MnesisWrite: every error is terminating, rolls back and releases the gate.
        @{ Name = 'Invoke-MnesisWrite <valid statement; invalid SQL>'; Id = 'MnesisSqlFailed'; Category = 'InvalidOperation'; Terminating = $true; Write = $true
            Action = { param($c) Invoke-MnesisWrite -Pool $c.Pool -Path $c.Db -Query "INSERT INTO t(v) VALUES ('rolled back'); INSERT INTO t(v) VALUE ('b')" }
            Names = { param($c) $c.Db, 'near "VALUE": syntax error', 'rolled back' } }
        @{ Name = 'Invoke-MnesisWrite <statement on a missing table after a valid one>'; Id = 'MnesisSqlFailed'; Category = 'InvalidOperation'; Terminating = $true; Write = $true
            Action = { param($c) Invoke-MnesisWrite -Pool $c.Pool -Path $c.Db -Query "UPDATE t SET v = 'changed'; INSERT INTO nowhere VALUES (1)" }
            Names = { 'no such table: nowhere' } }
        @{ Name = 'Invoke-MnesisWrite <invalid SQL to a new path in a new folder>'; Id = 'MnesisSqlFailed'; Category = 'InvalidOperation'; Terminating = $true; Write = $true; GatePath = 'NewDeep'
            Action = { param($c) Invoke-MnesisWrite -Pool $c.Pool -Path $c.NewDeep -Force -Query 'INSERT INTO nowhere VALUES (1)' }
            Names = { param($c) $c.NewDeep, 'no such table: nowhere' } }
        @{ Name = 'Invoke-MnesisWrite <a double-quoted string>'; Id = 'MnesisSqlFailed'; Category = 'InvalidOperation'; Terminating = $true; Write = $true
            Action = { param($c) Invoke-MnesisWrite -Pool $c.Pool -Path $c.Db -Query 'UPDATE t SET v = "changed"' }
            Names = { 'no such column', "a string takes single quotes ('changed')" } }
        @{ Name = 'Invoke-MnesisQuery <a double-quoted string>'; Id = 'MnesisQueryFailed'; Category = 'InvalidOperation'; Terminating = $true
            Action = { param($c) Invoke-MnesisQuery -Pool $c.Pool -Path $c.Db -Query 'SELECT id FROM t WHERE v = "seed"' }
            Names = { 'no such column', "a string takes single quotes ('seed')", '@name' } }
        @{ Name = 'Invoke-MnesisWrite -Query <empty string>'; Id = 'MnesisQueryEmpty'; Category = 'InvalidArgument'; Terminating = $true; Write = $true
            Action = { param($c) Invoke-MnesisWrite -Pool $c.Pool -Path $c.New -Query '' }; Names = { "'Query'" } }
        @{ Name = 'Invoke-MnesisWrite -Query <white space>'; Id = 'MnesisQueryEmpty'; Category = 'InvalidArgument'; Terminating = $true; Write = $true
            Action = { param($c) Invoke-MnesisWrite -Pool $c.Pool -Path $c.Db -Query " `r`n`t " }; Names = { "'Query'" } }
        @{ Name = 'Invoke-MnesisWrite -Query $null'; Id = 'MnesisQueryEmpty'; Category = 'InvalidArgument'; Terminating = $true; Write = $true
            Action = { param($c) Invoke-MnesisWrite -Pool $c.Pool -Path $c.Db -Query $null }; Names = { "'Query'" } }
        @{ Name = 'Invoke-MnesisWrite <parameter missing from -Parameters>'; Id = 'MnesisParameterMissing'; Category = 'InvalidArgument'; Terminating = $true; Write = $true
            Action = { param($c) Invoke-MnesisWrite -Pool $c.Pool -Path $c.Db -Query 'INSERT INTO t(v) VALUES (@v)' -Parameters @{ value = 'x' } }
            Names = { "'@v'", '-Parameters', "named 'v'" } }
        @{ Name = 'Invoke-MnesisWrite <parameter missing from the 2nd pipeline object>'; Id = 'MnesisParameterMissing'; Category = 'InvalidArgument'; Terminating = $true; Write = $true
            Action = { param($c) [pscustomobject]@{ v = 'first' }, [pscustomobject]@{ value = 'second' } | Invoke-MnesisWrite -Pool $c.Pool -Path $c.Db -Query 'INSERT INTO t(v) VALUES (@v)' }
            Names = { "'@v'", 'input object 2' } }
        @{ Name = 'Invoke-MnesisWrite <parameter missing from -Parameters, new path>'; Id = 'MnesisParameterMissing'; Category = 'InvalidArgument'; Terminating = $true; Write = $true; GatePath = 'New'
            Action = { param($c) Invoke-MnesisWrite -Pool $c.Pool -Path $c.New -Query 'CREATE TABLE t(v); INSERT INTO t(v) VALUES (@v)' -Parameters @{} }
            Names = { "'@v'" } }
        @{ Name = 'Invoke-MnesisWrite <positional ?1 parameter, new path>'; Id = 'MnesisPositionalParameter'; Category = 'InvalidArgument'; Terminating = $true; Write = $true; GatePath = 'New'
            Action = { param($c) Invoke-MnesisWrite -Pool $c.Pool -Path $c.New -Query 'CREATE TABLE t(v); INSERT INTO t(v) VALUES (?1)' }
            Names = { "'?1'" } }
        @{ Name = 'Invoke-MnesisWrite <positional ? parameter>'; Id = 'MnesisPositionalParameter'; Category = 'InvalidArgument'; Terminating = $true; Write = $true
            Action = { param($c) Invoke-MnesisWrite -Pool $c.Pool -Path $c.Db -Query 'INSERT INTO t(v) VALUES (?)' -Parameters @{ v = 1 } }
            Names = { "'?'" } }
        @{ Name = 'Invoke-MnesisWrite <hashtable as a parameter value>'; Id = 'MnesisParameterTypeUnsupported'; Category = 'InvalidType'; Terminating = $true; Write = $true
            Action = { param($c) Invoke-MnesisWrite -Pool $c.Pool -Path $c.Db -Query 'INSERT INTO t(v) VALUES (@v)' -Parameters @{ v = @{ nested = 1 } } }
            Names = { "'@v'", 'System.Collections.Hashtable' } }
        @{ Name = 'Invoke-MnesisWrite <$null as the 2nd pipeline object>'; Id = 'MnesisInputObjectNull'; Category = 'InvalidArgument'; Terminating = $true; Write = $true
            Action = { param($c) [pscustomobject]@{ v = 'first' }, $null | Invoke-MnesisWrite -Pool $c.Pool -Path $c.Db -Query 'INSERT INTO t(v) VALUES (@v)' }
            Names = { 'input 2 is null' } }
        @{ Name = 'Invoke-MnesisWrite <$null piped alone>'; Id = 'MnesisInputObjectNull'; Category = 'InvalidArgument'; Terminating = $true; Write = $true
            Action = { param($c) $null | Invoke-MnesisWrite -Pool $c.Pool -Path $c.Db -Query 'INSERT INTO t(v) VALUES (@v)' }
            Names = { 'input 1 is null' } }
        @{ Name = 'Invoke-MnesisWrite -BatchSize 0'; Id = 'MnesisBatchSizeInvalid'; Category = 'InvalidArgument'; Terminating = $true; Write = $true
            Action = { param($c) [pscustomobject]@{ v = 1 } | Invoke-MnesisWrite -Pool $c.Pool -Path $c.Db -Query 'INSERT INTO t(v) VALUES (@v)' -BatchSize 0 }
            Names = { "'BatchSize'" } }
        @{ Name = 'Invoke-MnesisWrite -Path <wildcard matching 2 databases>'; Id = 'MnesisPathMatchesSeveral'; Category = 'InvalidArgument'; Terminating = $true; Write = $true
            Action = { param($c) Invoke-MnesisWrite -Pool $c.Pool -Path (Join-Path $c.Dir 'existing*.db') -Query "INSERT INTO t(v) VALUES ('x')" }
            Names = { param($c) Join-Path $c.Dir 'existing*.db'; 'matches 2 files' } }
        @{ Name = 'Invoke-MnesisWrite <no target, empty pool>'; Id = 'MnesisTargetAmbiguous'; Category = 'InvalidArgument'; Terminating = $true; Write = $true
            Action = { param($c) Invoke-MnesisWrite -Pool $c.Pool -Query "INSERT INTO t(v) VALUES ('x')" }; Names = { '0 open stores' } }
        @{ Name = 'Invoke-MnesisWrite -Store <closed store>'; Id = 'MnesisStoreClosed'; Category = 'InvalidOperation'; Terminating = $true; Write = $true
            Action = { param($c) $store = Open-MnesisStore -Pool $c.Pool -Path $c.Db; Close-MnesisPool -Store $store; Invoke-MnesisWrite -Store $store -Query "INSERT INTO t(v) VALUES ('x')" }
            Names = { param($c) $c.Db } }
        @{ Name = 'Invoke-MnesisWrite -Path Env:PATH'; Id = 'MnesisPathNotFileSystem'; Category = 'InvalidArgument'; Terminating = $true; Write = $true
            Action = { param($c) Invoke-MnesisWrite -Pool $c.Pool -Path 'Env:PATH' -Query "INSERT INTO t(v) VALUES ('x')" }; Names = { 'Env:PATH' } }
        @{ Name = 'Invoke-MnesisWrite -Path <unknown drive>'; Id = 'MnesisPathInvalid'; Category = 'InvalidArgument'; Terminating = $true; Write = $true
            Action = { param($c) Invoke-MnesisWrite -Pool $c.Pool -Path 'NoSuchDrive:/x.db' -Query 'CREATE TABLE t(v)' }; Names = { 'NoSuchDrive:/x.db' } }
        @{ Name = 'Invoke-MnesisWrite -LiteralPath <a NUL character>'; Id = 'MnesisPathInvalid'; Category = 'InvalidArgument'; Terminating = $true; Write = $true
            Action = { param($c) Invoke-MnesisWrite -Pool $c.Pool -LiteralPath (Join-Path $c.Dir "bad`0name.db") -Query 'CREATE TABLE t(v)' }; Names = { param($c) Join-Path $c.Dir "bad`0name.db" } }
        @{ Name = 'Invoke-MnesisQuery -Path <unknown drive>'; Id = 'MnesisPathInvalid'; Category = 'InvalidArgument'; Terminating = $true
            Action = { param($c) Invoke-MnesisQuery -Pool $c.Pool -Path 'NoSuchDrive:/x.db' -Query 'SELECT 1' }; Names = { 'NoSuchDrive:/x.db' } }
        @{ Name = 'Invoke-MnesisWrite -Path <a text file>'; Id = 'MnesisNotADatabase'; Category = 'InvalidData'; Terminating = $true; Write = $true
            Action = { param($c) Invoke-MnesisWrite -Pool $c.Pool -Path $c.Text -Query 'CREATE TABLE t(v)' }; Names = { param($c) $c.Text } }
    ) {
        $ErrorActionPreference = 'Continue'
        if ($Terminating) {
            $record = { $null = & $Action $ctx } | Should -Throw -ErrorId "$Id,*" -PassThru
        }
        else {
            $output = @(& $Action $ctx 2>&1)
            $errors = @($output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            $errors | Should -HaveCount 1
            @($output | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] }) | Should -HaveCount 0
            $record = $errors[0]
            $record.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        }
        $record.CategoryInfo.Category | Should -Be $Category
        foreach ($expected in & $Names $ctx) {
            $record.Exception.Message.Contains($expected) | Should -BeTrue -Because "the message '$($record.Exception.Message)' should name '$expected'"
        }

        Close-MnesisPool -Pool $ctx.Pool
        foreach ($file in $hashes.Keys) {
            Get-TestFileHash -Path $file | Should -Be $hashes[$file] -Because "'$file' must be left byte-identical"
        }
        Get-TestTreeSnapshot -Path $dir | Should -Be $tree -Because 'a failed call creates no file, folder, -wal, -shm or -journal'

        if ($Write) { Assert-GateReleased -Path $ctx[$(if ($GatePath) { $GatePath } else { 'Db' })] }
    }

    It 'Close-MnesisPool -Path $null closes nothing and reports an error' {
        $stores = @(Open-MnesisStore -Pool $ctx.Pool -Path $ctx.Db, $ctx.Db2)
        $unset = $null
        $thrown = $null
        try { Close-MnesisPool -Pool $ctx.Pool -Path $unset -ErrorAction SilentlyContinue -ErrorVariable err }
        catch { $thrown = $_ }
        @($err) + @($thrown | Where-Object { $_ }) | Should -Not -BeNullOrEmpty -Because 'a path that is $null is bad input, not "no path"'
        $stores.IsOpen | Should -Be @($true, $true) -Because 'only Close-MnesisPool without -Path closes the whole pool'
        $ctx.Pool.Count | Should -Be 2
    }

    It 'stores a value that looks like SQL injection verbatim, from -Parameters and from the pipeline' {
        $evil = "x'); DROP TABLE t; --"
        $evilToo = "'; DELETE FROM t WHERE '1'='1"
        $null = Invoke-MnesisWrite -Pool $ctx.Pool -Path $ctx.Db -Query 'INSERT INTO t(id, v) VALUES (100, @v)' -Parameters @{ v = $evil }
        $null = [pscustomobject]@{ id = 101; v = $evilToo } | Invoke-MnesisWrite -Pool $ctx.Pool -Path $ctx.Db -Query 'INSERT INTO t(id, v) VALUES (@id, @v)'

        # No python3 on the Windows run: the sqlite3 shell (its stand-in there) reads them back.
        $readBack = if ($IsWindows) { @(Invoke-Sqlite3 $ctx.Db 'SELECT v FROM t WHERE id IN (100, 101) ORDER BY id; SELECT count(*) FROM t') } else { & python3 -c @'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
for (v,) in con.execute("SELECT v FROM t WHERE id IN (100, 101) ORDER BY id"):
    sys.stdout.write(v.encode("unicode_escape").decode("ascii") + "\n")
sys.stdout.write(str(con.execute("SELECT count(*) FROM t").fetchone()[0]) + "\n")
'@ $ctx.Db }
        $LASTEXITCODE | Should -Be 0
        $readBack | Should -Be @($evil, $evilToo, '3') -Because 'both values come back as given, the seed row and the table are still there'
    }
}

BeforeDiscovery {
    # Root ignores permission bits, so read-only here means immutable (chattr +i), where that works.
    $probe = [IO.Path]::GetTempFileName()
    if (-not $IsWindows) { & chattr +i $probe 2>$null }
    $canMakeReadOnly = -not $IsWindows -and $LASTEXITCODE -eq 0
    if ($canMakeReadOnly) { & chattr -i $probe }
    Remove-Item $probe
}

Describe 'Bad input on the file system' {
    BeforeAll {
        function Set-TestImmutable([string] $Path, [bool] $On) {
            & chattr $(if ($On) { '+i' } else { '-i' }) $Path 2>$null
            $LASTEXITCODE -eq 0
        }
    }
    BeforeEach {
        $pool = New-MnesisPool
        $dir = New-TestFolder
    }
    AfterEach { Close-MnesisPool -Pool $pool }

    It 'refuses a read-only database file and leaves it byte-identical' -Skip:(-not $canMakeReadOnly -and -not $IsWindows) {
        if ($IsWindows) { Set-ItResult -Skipped -Because 'nothing makes a file read-only under Wine as root: the read-only attribute becomes permission bits, which root ignores' }
        $db = Join-Path $dir 'readonly.db'
        Invoke-Sqlite3 $db 'CREATE TABLE t(v); INSERT INTO t VALUES (1)' | Out-Null
        $hash = Get-TestFileHash $db
        $before = Get-TestTreeSnapshot $dir
        $null = Set-TestImmutable $db $true
        try {
            $err = { Open-MnesisStore -Pool $pool -Path $db -ErrorAction Stop } | Should -Throw -ErrorId 'MnesisDatabaseReadOnly,*' -PassThru
            $err.CategoryInfo.Category | Should -Be 'PermissionDenied'
            $err.Exception.Message | Should -BeLike "*$db*"
            $pool.Count | Should -Be 0
        }
        finally { $null = Set-TestImmutable $db $false }
        Get-TestFileHash $db | Should -Be $hash
        Get-TestTreeSnapshot $dir | Should -Be $before
    }

    It 'refuses a new database in a read-only folder and creates nothing' -Skip:(-not $canMakeReadOnly -and -not $IsWindows) {
        if ($IsWindows) { Set-ItResult -Skipped -Because 'nothing makes a file read-only under Wine as root: the read-only attribute becomes permission bits, which root ignores' }
        $null = Set-TestImmutable $dir $true
        try {
            $err = { Open-MnesisStore -Pool $pool -Path (Join-Path $dir 'new.db') -ErrorAction Stop } | Should -Throw -ErrorId 'MnesisOpenFailed,*' -PassThru
            $err.Exception.Message | Should -BeLike "*new.db*'open'*"
        }
        finally { $null = Set-TestImmutable $dir $false }
        Get-TestTreeSnapshot $dir | Should -BeNullOrEmpty
    }

    It 'opens a zero-length file as an empty database' {
        $empty = Join-Path $dir 'empty.db'
        $null = New-Item -ItemType File $empty
        $store = Open-MnesisStore -Pool $pool -Path $empty
        $store.WalMode | Should -BeTrue
        Invoke-MnesisWrite -Store $store -Query 'CREATE TABLE t(v); INSERT INTO t VALUES (1)' | Should -Be 1
    }

    It 'refuses a file name longer than the file system allows and creates nothing' {
        $long = Join-Path $dir (('x' * 300) + '.db')
        $err = { Open-MnesisStore -Pool $pool -Path $long -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'Mnesis*'
        $err.Exception.Message | Should -BeLike "*$('x' * 40)*"
        Get-TestTreeSnapshot $dir | Should -BeNullOrEmpty
    }
}

# The errors of bad input that every engine gives the same way: the id, the category, a message
# that names what was wrong, nothing written, and the store still usable.
Describe 'Bad input on <Engine>' -ForEach (Get-TestEngines) {
    BeforeEach {
        if ($Skip) { Set-ItResult -Skipped -Because $Why; return }
        $target = New-TestTarget $Engine
        $pool = New-MnesisPool
        $named = $target.Name
        $null = Invoke-MnesisWrite -Pool $pool @named -Query (Get-TestSql $Engine 'CreateSeed')
        $ctx = @{ Pool = $pool; Name = $named; Engine = $Engine; Positional = $(if ($Engine -eq 'SQLite') { '?' } else { '$1' }) }
    }
    AfterEach {
        if ($Skip) { return }
        Close-MnesisPool -Pool $pool
        Remove-TestTarget $target
    }

    It '<Name> -> <Id> (<Category>)' -ForEach @(
        @{ Name = 'Invoke-MnesisWrite <valid statement; invalid SQL>'; Id = 'MnesisSqlFailed'; Category = 'InvalidOperation'; Terminating = $true
            Action = { param($c) $n = $c.Name; Invoke-MnesisWrite -Pool $c.Pool @n -Query "INSERT INTO t(v) VALUES ('rolled back'); INSERT INTO t(v) VALUE ('b')" }
            Names = { 'VALUE', 'rolled back' } }
        @{ Name = 'Invoke-MnesisWrite <statement on a missing table after a valid one>'; Id = 'MnesisSqlFailed'; Category = 'InvalidOperation'; Terminating = $true
            Action = { param($c) $n = $c.Name; Invoke-MnesisWrite -Pool $c.Pool @n -Query "UPDATE t SET v = 'changed'; INSERT INTO nowhere VALUES (1)" }
            Names = { 'nowhere' } }
        @{ Name = 'Invoke-MnesisWrite -Query <empty string>'; Id = 'MnesisQueryEmpty'; Category = 'InvalidArgument'; Terminating = $true
            Action = { param($c) $n = $c.Name; Invoke-MnesisWrite -Pool $c.Pool @n -Query '' }; Names = { "'Query'" } }
        @{ Name = 'Invoke-MnesisWrite -Query <white space>'; Id = 'MnesisQueryEmpty'; Category = 'InvalidArgument'; Terminating = $true
            Action = { param($c) $n = $c.Name; Invoke-MnesisWrite -Pool $c.Pool @n -Query " `r`n`t " }; Names = { "'Query'" } }
        @{ Name = 'Invoke-MnesisWrite -Query $null'; Id = 'MnesisQueryEmpty'; Category = 'InvalidArgument'; Terminating = $true
            Action = { param($c) $n = $c.Name; Invoke-MnesisWrite -Pool $c.Pool @n -Query $null }; Names = { "'Query'" } }
        @{ Name = 'Invoke-MnesisQuery -Query <white space>'; Id = 'MnesisQueryEmpty'; Category = 'InvalidArgument'; Terminating = $true
            Action = { param($c) $n = $c.Name; Invoke-MnesisQuery -Pool $c.Pool @n -Query '  ' }; Names = { "'Query'" } }
        @{ Name = 'Invoke-MnesisWrite <parameter missing from -Parameters>'; Id = 'MnesisParameterMissing'; Category = 'InvalidArgument'; Terminating = $true
            Action = { param($c) $n = $c.Name; Invoke-MnesisWrite -Pool $c.Pool @n -Query 'INSERT INTO t(v) VALUES (@v)' -Parameters @{ value = 'x' } }
            Names = { "'@v'", '-Parameters', "named 'v'", "The names supplied are: 'value'." } }
        @{ Name = 'Invoke-MnesisWrite <parameter missing from the 2nd pipeline object>'; Id = 'MnesisParameterMissing'; Category = 'InvalidArgument'; Terminating = $true
            Action = { param($c) $n = $c.Name; [pscustomobject]@{ v = 'first' }, [pscustomobject]@{ value = 'second' } | Invoke-MnesisWrite -Pool $c.Pool @n -Query 'INSERT INTO t(v) VALUES (@v)' }
            Names = { "'@v'", 'input object 2', "The names supplied are: 'value'." } }
        @{ Name = 'Invoke-MnesisQuery <parameter missing from -Parameters>'; Id = 'MnesisParameterMissing'; Category = 'InvalidArgument'; Terminating = $true
            Action = { param($c) $n = $c.Name; Invoke-MnesisQuery -Pool $c.Pool @n -Query 'SELECT v FROM t WHERE id = @id' }; Names = { "'@id'", 'No names were supplied' } }
        @{ Name = 'Invoke-MnesisQuery <parameter missing from a piped dictionary and -Parameters>'; Id = 'MnesisParameterMissing'; Category = 'InvalidArgument'; Terminating = $true
            Action = { param($c) $n = $c.Name; @{ ident = 1; Other = 2 } | Invoke-MnesisQuery -Pool $c.Pool @n -Query 'SELECT v FROM t WHERE id = @id' -Parameters @{ limit = 3 } }
            Names = { "'@id'", 'input object 1', "'ident'", "'Other'", "'limit'" } }
        @{ Name = 'Invoke-MnesisQuery <no store named, two open>'; Id = 'MnesisTargetAmbiguous'; Category = 'InvalidArgument'; Terminating = $true
            Action = { param($c) $null = Open-MnesisStore -Pool $c.Pool -Path ':memory:'; Invoke-MnesisQuery -Pool $c.Pool -Query 'SELECT v FROM t' }
            Names = { '2 open stores', 'this is a read (Invoke-MnesisQuery)', 'store to read from' } }
        @{ Name = 'Invoke-MnesisWrite <no store named, two open>'; Id = 'MnesisTargetAmbiguous'; Category = 'InvalidArgument'; Terminating = $true
            Action = { param($c) $null = Open-MnesisStore -Pool $c.Pool -Path ':memory:'; Invoke-MnesisWrite -Pool $c.Pool -Query "INSERT INTO t(v) VALUES ('x')" }
            Names = { '2 open stores', 'the one to write to' } }
        @{ Name = 'Invoke-MnesisQuery -Scalar -As DataRow'; Id = 'MnesisOutputConflict'; Category = 'InvalidArgument'; Terminating = $true
            Action = { param($c) $n = $c.Name; Invoke-MnesisQuery -Pool $c.Pool @n -Query 'SELECT v FROM t' -Scalar -As DataRow }
            Names = { "'Scalar'", "'As'", "'DataRow'", '-As SingleValue' } }
        @{ Name = 'Invoke-MnesisWrite <the engine''s positional parameter>'; Id = 'MnesisPositionalParameter'; Category = 'InvalidArgument'; Terminating = $true
            Action = { param($c) $n = $c.Name; Invoke-MnesisWrite -Pool $c.Pool @n -Query "INSERT INTO t(v) VALUES ($($c.Positional))" -Parameters @{ v = 1 } }
            Names = { param($c) "'$($c.Positional)'" } }
        @{ Name = 'Invoke-MnesisWrite <hashtable as a parameter value>'; Id = 'MnesisParameterTypeUnsupported'; Category = 'InvalidType'; Terminating = $true
            Action = { param($c) $n = $c.Name; Invoke-MnesisWrite -Pool $c.Pool @n -Query 'INSERT INTO t(v) VALUES (@v)' -Parameters @{ v = @{ nested = 1 } } }
            Names = { "'@v'", 'System.Collections.Hashtable' } }
        @{ Name = 'Invoke-MnesisWrite <$null as the 2nd pipeline object>'; Id = 'MnesisInputObjectNull'; Category = 'InvalidArgument'; Terminating = $true
            Action = { param($c) $n = $c.Name; [pscustomobject]@{ v = 'first' }, $null | Invoke-MnesisWrite -Pool $c.Pool @n -Query 'INSERT INTO t(v) VALUES (@v)' }
            Names = { 'input 2 is null' } }
        @{ Name = 'Invoke-MnesisWrite <$null piped alone>'; Id = 'MnesisInputObjectNull'; Category = 'InvalidArgument'; Terminating = $true
            Action = { param($c) $n = $c.Name; $null | Invoke-MnesisWrite -Pool $c.Pool @n -Query 'INSERT INTO t(v) VALUES (@v)' }
            Names = { 'input 1 is null' } }
        @{ Name = 'Invoke-MnesisWrite -BatchSize 0'; Id = 'MnesisBatchSizeInvalid'; Category = 'InvalidArgument'; Terminating = $true
            Action = { param($c) $n = $c.Name; [pscustomobject]@{ v = 1 } | Invoke-MnesisWrite -Pool $c.Pool @n -Query 'INSERT INTO t(v) VALUES (@v)' -BatchSize 0 }
            Names = { "'BatchSize'" } }
        @{ Name = 'Invoke-MnesisWrite -CommandTimeout -1'; Id = 'MnesisNegativeCommandTimeout'; Category = 'InvalidArgument'; Terminating = $true
            Action = { param($c) $n = $c.Name; Invoke-MnesisWrite -Pool $c.Pool @n -Query "INSERT INTO t(v) VALUES ('x')" -CommandTimeout -1 }; Names = { '-1', "'CommandTimeout'" } }
        @{ Name = 'Invoke-MnesisQuery -CommandTimeout -1'; Id = 'MnesisNegativeCommandTimeout'; Category = 'InvalidArgument'; Terminating = $true
            Action = { param($c) $n = $c.Name; Invoke-MnesisQuery -Pool $c.Pool @n -Query 'SELECT v FROM t' -CommandTimeout -1 }; Names = { '-1', "'CommandTimeout'" } }
        @{ Name = 'Open-MnesisStore -CommandTimeout -1'; Id = 'MnesisNegativeCommandTimeout'; Category = 'InvalidArgument'; Terminating = $true
            Action = { param($c) $n = $c.Name; Open-MnesisStore -Pool (New-MnesisPool) @n -CommandTimeout -1 }; Names = { '-1', "'CommandTimeout'" } }
        @{ Name = 'Invoke-MnesisWrite <a statement past -CommandTimeout, after an insert>'; Id = 'MnesisCommandTimeout'; Category = 'OperationTimeout'; Terminating = $true
            Action = { param($c) $n = $c.Name; Invoke-MnesisWrite -Pool $c.Pool @n -Query ("INSERT INTO t(v) VALUES ('rolled back'); " + (Get-TestSql $c.Engine 'EndlessRead')) -CommandTimeout 1 }
            Names = { "'CommandTimeout'", '1 s', 'nothing of it was written', 'not the busy timeout' } }
        @{ Name = 'Invoke-MnesisWrite <one statement past the store''s default command timeout>'; Id = 'MnesisCommandTimeout'; Category = 'OperationTimeout'; Terminating = $true
            Action = { param($c) $n = $c.Name; $own = New-MnesisPool; try { $store = Open-MnesisStore -Pool $own @n -CommandTimeout 1; Invoke-MnesisWrite -Store $store -Query (Get-TestSql $c.Engine 'EndlessInsertV') } finally { Close-MnesisPool -Pool $own } }
            Names = { "'CommandTimeout'", 'Open-MnesisStore' } }
        @{ Name = 'Invoke-MnesisQuery <a query past -QueryTimeout>'; Id = 'MnesisCommandTimeout'; Category = 'OperationTimeout'; Terminating = $true
            Action = { param($c) $n = $c.Name; Invoke-MnesisQuery -Pool $c.Pool @n -Query (Get-TestSql $c.Engine 'EndlessRead') -QueryTimeout 1 }
            Names = { "'CommandTimeout'", 'query' } }
        @{ Name = 'Invoke-MnesisWrite -Store <closed store>'; Id = 'MnesisStoreClosed'; Category = 'InvalidOperation'; Terminating = $true
            Action = { param($c) $n = $c.Name; $other = New-MnesisPool; $store = Open-MnesisStore -Pool $other @n; Close-MnesisPool -Store $store; Invoke-MnesisWrite -Store $store -Query "INSERT INTO t(v) VALUES ('x')" }
            Names = { } }
        @{ Name = 'Get-MnesisConnection -Store <closed store>'; Id = 'MnesisStoreClosed'; Category = 'InvalidOperation'; Terminating = $false
            Action = { param($c) $n = $c.Name; $other = New-MnesisPool; $store = Open-MnesisStore -Pool $other @n; Close-MnesisPool -Store $store; Get-MnesisConnection -Store $store }
            Names = { } }
        @{ Name = 'Get-MnesisConnection <a database never opened in the pool>'; Id = 'MnesisStoreNotOpen'; Category = 'ObjectNotFound'; Terminating = $false
            Action = { param($c) $n = $c.Name; Get-MnesisConnection -Pool (New-MnesisPool) @n }; Names = { } }
    ) {
        $ErrorActionPreference = 'Continue'
        if ($Terminating) {
            $record = { $null = & $Action $ctx } | Should -Throw -ErrorId "$Id,*" -PassThru
        }
        else {
            $output = @(& $Action $ctx 2>&1)
            $errors = @($output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            $errors | Should -HaveCount 1
            @($output | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] }) | Should -HaveCount 0
            $record = $errors[0]
            $record.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        }
        $record.CategoryInfo.Category | Should -Be $Category
        foreach ($expected in & $Names $ctx) {
            $record.Exception.Message.Contains($expected) | Should -BeTrue -Because "the message '$($record.Exception.Message)' should name '$expected'"
        }
        (Get-TestColumn $target 'SELECT v FROM t') -join ',' | Should -Be 'seed' -Because 'a failed call writes nothing and changes nothing'
        Invoke-MnesisWrite -Pool $pool @named -Query "INSERT INTO t(v) VALUES ('after the failure')" | Should -Be 1 -Because 'the store still writes'
    }
}
