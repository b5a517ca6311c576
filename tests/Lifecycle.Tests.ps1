# Lifecycle: closing stores and pools, connections that end with their runspace, importing and
# removing the module.
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
Describe 'Lifecycle on <Engine>' -ForEach (Get-TestEngines) {
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
        It 'closes the store and its connection with Close-MnesisPool' {
            $store = Open-MnesisStore -Pool $pool @name
            $connection = Get-MnesisConnection -Pool $pool @name
            Close-MnesisPool -Pool $pool @name
            $store.IsOpen | Should -BeFalse
            $connection.State | Should -Be 'Closed'
            { Invoke-MnesisWrite -Store $store -Query 'DELETE FROM item' } | Should -Throw -ErrorId 'MnesisStoreClosed,*'
        }
    }

    Context '-ScriptBlock writes' {
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
}

Describe 'Close-MnesisPool on <Engine>' -ForEach (Get-TestEngines) {
    BeforeEach {
        if ($Skip) { Set-ItResult -Skipped -Because $Why; return }
        $pool = New-MnesisPool
        $targets = @(New-TestTarget $Engine; New-TestTarget $Engine; New-TestTarget $Engine)
        $one = $targets[0].Name
        $two = $targets[1].Name
        $third = $targets[2].Name
        $storeOne = Open-MnesisStore -Pool $pool @one
        $storeTwo = Open-MnesisStore -Pool $pool @two
        $connectionOne = Get-MnesisConnection -Pool $pool @one
        $connectionTwo = Get-MnesisConnection -Pool $pool @two
    }
    AfterEach {
        if ($Skip) { return }
        Close-MnesisPool -Pool $pool
        $targets | ForEach-Object { Remove-TestTarget $_ }
    }

    It 'with -Path (-ConnectionString) closes only that store' {
        Close-MnesisPool -Pool $pool @one
        $storeOne.IsOpen | Should -BeFalse
        $connectionOne.State | Should -Be 'Closed'
        $storeTwo.IsOpen | Should -BeTrue
        $connectionTwo.State | Should -Be 'Open'
        $pool.Count | Should -Be 1
        Invoke-MnesisWrite -Store $storeTwo -Query 'CREATE TABLE t(v text)' | Should -Be 0
    }

    It 'without -Path closes every store of the pool, and only of that pool' {
        $otherPool = New-MnesisPool
        try {
            $otherStore = Open-MnesisStore -Pool $otherPool @one
            Close-MnesisPool -Pool $pool
            $pool.Count | Should -Be 0
            $storeOne.IsOpen, $storeTwo.IsOpen | Should -Be @($false, $false)
            $connectionOne.State, $connectionTwo.State | Should -Be @('Closed', 'Closed')
            $otherStore.IsOpen | Should -BeTrue
            (Get-MnesisConnection -Pool $otherPool @one).State | Should -Be 'Open'
        }
        finally { Close-MnesisPool -Pool $otherPool }
    }

    It 'reopening gives a new store and a new connection that see the data written before' {
        $null = Invoke-MnesisWrite -Store $storeOne -Query "CREATE TABLE t(v TEXT); INSERT INTO t VALUES ('kept')"
        Close-MnesisPool -Pool $pool @one
        $reopened = Open-MnesisStore -Pool $pool @one
        $newConnection = Get-MnesisConnection -Pool $pool @one
        [object]::ReferenceEquals($reopened, $storeOne) | Should -BeFalse
        [object]::ReferenceEquals($newConnection, $connectionOne) | Should -BeFalse
        $reopened.IsOpen | Should -BeTrue
        $storeOne.IsOpen | Should -BeFalse
        Invoke-TestScalar $newConnection 'SELECT v FROM t' | Should -BeExactly 'kept'
    }

    It '-WhatIf closes nothing (<Form>)' -ForEach @(
        @{ Form = 'one path'; Close = { param($pool, $named, $store) Close-MnesisPool -Pool $pool @named -WhatIf } }
        @{ Form = 'whole pool'; Close = { param($pool, $named, $store) Close-MnesisPool -Pool $pool -WhatIf } }
        @{ Form = '-Store'; Close = { param($pool, $named, $store) Close-MnesisPool -Store $store -WhatIf } }
    ) {
        $null = & $Close $pool $one $storeOne 6>&1
        $storeOne.IsOpen, $storeTwo.IsOpen | Should -Be @($true, $true)
        $connectionOne.State | Should -Be 'Open'
        $pool.Count | Should -Be 2
    }

    It 'closes the stores given by -Store and through the pipeline' {
        $three = Open-MnesisStore -Pool $pool @third
        Close-MnesisPool -Store $storeOne
        $storeOne.IsOpen | Should -BeFalse
        $pool.Count | Should -Be 2

        $storeTwo, $three | Close-MnesisPool
        $storeTwo.IsOpen, $three.IsOpen | Should -Be @($false, $false)
        $pool.Count | Should -Be 0
        $connectionTwo.State | Should -Be 'Closed'
    }

    It 'closes a piped store in the store''s own pool, without -Pool' {
        $piped = Open-MnesisStore -Pool $pool @third
        $pool.Count | Should -Be 3
        $piped | Close-MnesisPool
        $piped.IsOpen | Should -BeFalse
        $pool.Count | Should -Be 2
        $storeOne.IsOpen, $storeTwo.IsOpen | Should -Be @($true, $true)
    }

    It 'makes Get-MnesisConnection report MnesisStoreNotOpen for the closed path, and -Store report MnesisStoreClosed' {
        $shown = $storeOne.Target
        Close-MnesisPool -Pool $pool @one
        Get-MnesisConnection -Pool $pool @one -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'MnesisStoreNotOpen,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].Exception.Message | Should -BeLike "*'$shown'*"

        Get-MnesisConnection -Store $storeOne -ErrorAction SilentlyContinue -ErrorVariable storeErr | Should -BeNullOrEmpty
        $storeErr[0].FullyQualifiedErrorId | Should -BeLike 'MnesisStoreClosed,*'
        (Get-MnesisConnection -Pool $pool @two).State | Should -Be 'Open'
    }
}

Describe 'Close-MnesisPool on SQLite files' {
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
}

# Closing a store from inside one of its own writes could only wait for itself; it is refused at
# once. Each case runs in a runspace of its own with a limit, so a close that waits fails the test.
Describe 'Close-MnesisPool inside a write of the same store on <Engine>' -ForEach (Get-TestEngines) {
    BeforeEach {
        if ($Skip) { Set-ItResult -Skipped -Because $Why; return }
        $target = New-TestTarget $Engine
        $name = $target.Name
        $pool = New-MnesisPool
        $null = Invoke-MnesisWrite -Pool $pool @name -Query (Get-TestSql $Engine 'CreateTv')
        $store = Open-MnesisStore -Pool $pool @name
        $shown = $store.Target
    }
    AfterEach {
        if ($Skip) { return }
        Close-MnesisPool -Pool $pool
        Remove-TestTarget $target
    }

    It 'refuses with MnesisCloseInsideWrite at once, and the write and the store go on (<Form>)' -ForEach @(
        @{ Form = 'Close -Path in a -ScriptBlock write'; Rows = 1; Write = {
                param($pool, $name, $store, $errors)
                Invoke-MnesisWrite -Pool $pool @name -ScriptBlock {
                    Close-MnesisPool -Pool $pool @name -ErrorAction SilentlyContinue -ErrorVariable closeErrors
                    $errors.AddRange(@($closeErrors))
                    $null = Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (1)'
                }
            }
        }
        @{ Form = 'Close -Store in a -ScriptBlock write'; Rows = 1; Write = {
                param($pool, $name, $store, $errors)
                Invoke-MnesisWrite -Store $store -ScriptBlock {
                    Close-MnesisPool -Store $store -ErrorAction SilentlyContinue -ErrorVariable closeErrors
                    $errors.AddRange(@($closeErrors))
                    $null = Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t VALUES (1)'
                }
            }
        }
        @{ Form = 'Close of the whole pool in a -ScriptBlock write'; Rows = 1; Write = {
                param($pool, $name, $store, $errors)
                Invoke-MnesisWrite -Pool $pool @name -ScriptBlock {
                    Close-MnesisPool -Pool $pool -ErrorAction SilentlyContinue -ErrorVariable closeErrors
                    $errors.AddRange(@($closeErrors))
                    $null = Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (1)'
                }
            }
        }
        @{ Form = 'Close upstream of a pipeline write'; Rows = 3; Write = {
                param($pool, $name, $store, $errors)
                1..3 | ForEach-Object {
                    if ($_ -eq 2) {
                        Close-MnesisPool -Pool $pool @name -ErrorAction SilentlyContinue -ErrorVariable closeErrors
                        $errors.AddRange(@($closeErrors))
                    }
                    @{ v = $_ }
                } | Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (@v)'
            }
        }
    ) {
        $errors = [Collections.Generic.List[object]]::new()
        $null = Invoke-TestWithLimit -Arguments $pool, $name, $store, $errors -What "Close-MnesisPool inside a write ($Form) to give up at once" -TimeoutSeconds 20 -Script $Write
        $errors | Should -HaveCount 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'MnesisCloseInsideWrite,*'
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $errors[0].Exception.Message | Should -BeLike "*'$shown'*"
        $store.IsOpen | Should -BeTrue
        $pool.Count | Should -Be 1
        Get-TestRowCount $target 't' | Should -Be $Rows -Because 'the write went on and committed'
        Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t VALUES (9)' | Should -Be 1
    }

    It 'rolls the write back when the refusal is made terminating, and the store stays usable' {
        $err = {
            Invoke-TestWithLimit -Arguments $pool, $name -What 'Close-MnesisPool -ErrorAction Stop inside a write to give up at once' -TimeoutSeconds 20 -Script {
                param($pool, $name)
                Invoke-MnesisWrite -Pool $pool @name -ScriptBlock {
                    $null = Invoke-MnesisWrite -Pool $pool @name -Query 'INSERT INTO t VALUES (1)'
                    Close-MnesisPool -Pool $pool @name -ErrorAction Stop
                }
            }
        } | Should -Throw -ErrorId 'MnesisCloseInsideWrite,*' -PassThru
        $err.Exception.Message | Should -BeLike "*'$shown'*"
        Get-TestRowCount $target 't' | Should -Be 0
        $store.IsOpen | Should -BeTrue
        $store.Rollbacks | Should -Be 1
        Invoke-MnesisWrite -Store $store -Query 'INSERT INTO t VALUES (2)' | Should -Be 1
    }
}

Describe 'Piped paths' {
    BeforeEach {
        $pool = New-MnesisPool
        $folder = New-TestFolder
        $db = Join-Path $folder 'misc.db'
        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'CREATE TABLE host(name, os)'
    }

    AfterEach { Close-MnesisPool -Pool $pool }

    It 'takes plain path strings from the pipeline in Get-MnesisConnection and Close-MnesisPool' {
        $connection = $db | Get-MnesisConnection -Pool $pool
        $connection.State | Should -Be 'Open'
        $db | Close-MnesisPool -Pool $pool
        $connection.State | Should -Be 'Closed'
        $pool.Count | Should -Be 0
    }
}

Describe 'The pool on <Engine>' -ForEach (Get-TestEngines) {
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

    Context 'one connection per runspace' {
        It 'gives every runspace its own connection and closes it when the runspace closes' {
            # -Parallel takes no -ErrorAction: the iterations that -TimeoutSeconds stops are errors to count, not to throw.
            $ErrorActionPreference = 'Continue'
            $connections = @(1..4 | ForEach-Object -ThrottleLimit 4 -UseNewRunspace -TimeoutSeconds 60 -ErrorVariable stopped -Parallel {
                    Import-Module $using:mod
                    $named = $using:name
                    $null = Open-MnesisStore @named
                    $connection = Get-MnesisConnection @named
                    $connection.State.ToString()
                    , $connection
                })
            $ErrorActionPreference = 'Stop'
            $states = $connections | Where-Object { $_ -is [string] }
            $live = $connections | Where-Object { $_ -isnot [string] }
            $states | Should -Be @('Open', 'Open', 'Open', 'Open') -Because "every runspace reports within 60 s (the others were stopped: $stopped)"
            $distinct = [Collections.Generic.HashSet[object]]::new([Collections.Generic.ReferenceEqualityComparer]::Instance)
            foreach ($connection in $live) { $null = $distinct.Add($connection) }
            $distinct.Count | Should -Be 4
            # The runspaces are disposed as ForEach-Object ends; a leaked connection never closes.
            $deadline = [datetime]::UtcNow.AddSeconds(10)
            while (@($live | Where-Object State -NE 'Closed').Count -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            foreach ($connection in $live) { $connection.State | Should -Be 'Closed' }
        }

        It 'closes a thread job''s connections when the job''s runspace ends' {
            $job = Start-ThreadJob -ArgumentList $mod, $name {
                param($mod, $name)
                Import-Module $mod
                $null = Open-MnesisStore @name
                , (Get-MnesisConnection @name)
            }
            $connection = Wait-TestJob -Job $job -What 'a thread job opening a store'
            # ThreadJob reports Completed a moment before it disposes the runspace; a leak never closes.
            $deadline = [datetime]::UtcNow.AddSeconds(10)
            while ($connection.State -ne 'Closed' -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $connection.State | Should -Be 'Closed'
        }

        It 'closes a runspace''s connections on Remove-Module' {
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript({
                        param($mod, $name)
                        Import-Module $mod
                        $null = Open-MnesisStore @name
                        , (Get-MnesisConnection @name)
                    }).AddArgument($mod).AddArgument($name)
                $connection = @(Invoke-TestPowerShell -PowerShell $ps -What 'a runspace opening a store')[0]
                $connection.State | Should -Be 'Open'
                $ps.Commands.Clear()
                $null = $ps.AddScript('Remove-Module Mnesis')
                $null = Invoke-TestPowerShell -PowerShell $ps -What 'Remove-Module Mnesis closing the runspace''s stores'
                $connection.State | Should -Be 'Closed'
            }
            finally { Remove-TestShell $ps }
        }
    }
}

Describe 'The Mnesis module' {
    Context 'loading in a fresh pwsh' {
        BeforeAll {
            # A copy of the built module elsewhere, and a current folder that is neither.
            $copy = Join-Path $TestDrive 'copied modules/Mnesis'
            $null = New-Item -ItemType Directory -Force (Split-Path $copy)
            Copy-Item -Recurse $mod $copy
            $work = Join-Path $TestDrive 'work dir'
            $null = New-Item -ItemType Directory -Force $work
            $before = Get-TestTreeSnapshot -Path $copy
            $script = @'
$ErrorActionPreference = 'Stop'
Import-Module $args[0]
$store = Open-MnesisStore ./x.db
$rows = Invoke-MnesisWrite -Path ./x.db -Query 'CREATE TABLE t(v); INSERT INTO t VALUES (@v)' -Parameters @{ v = 'from child' }
"path=$($store.Path)"
"rows=$rows"
"wal=$($store.WalMode)"
# The native SQLite the process loaded: /proc/self/maps on Linux, the process's modules on Windows.
"native=" + $(if ($IsWindows) { [Diagnostics.Process]::GetCurrentProcess().Modules | Where-Object ModuleName -EQ 'e_sqlite3.dll' | Select-Object -First 1 -ExpandProperty FileName }
    else { (Get-Content /proc/self/maps -ErrorAction SilentlyContinue | Where-Object { $_ -like '*e_sqlite3*' } | Select-Object -First 1) -replace '^[^/]*', '' })
"ld=$env:LD_LIBRARY_PATH"
Close-MnesisPool
'@
            $scriptFile = Join-Path $TestDrive 'child.ps1'
            Set-Content -LiteralPath $scriptFile -Value $script
            Push-Location $work
            try {
                $output = Invoke-Pwsh -ArgumentList '-File', $scriptFile, $copy -What 'a fresh pwsh importing the copied module' -TimeoutSeconds 60
                $exitCode = $LASTEXITCODE
            }
            finally { Pop-Location }
            $lines = @{}
            foreach ($line in $output) { if ("$line" -match '^(\w+)=(.*)$') { $lines[$Matches[1]] = $Matches[2] } }
        }

        It 'imports and writes without error from a copied folder and another current folder' {
            $exitCode | Should -Be 0 -Because ($output -join "`n")
            $lines['rows'] | Should -Be 1
            $lines['wal'] | Should -Be 'True'
        }

        It 'resolves the relative path against the PowerShell location' {
            $lines['path'] | Should -Be (Join-Path (Resolve-Path $work).ProviderPath 'x.db')
            Invoke-Sqlite3 (Join-Path $work 'x.db') 'SELECT v FROM t' | Should -Be 'from child'
        }

        It 'loads the native library from the module''s own runtimes folder' -Skip:(-not ($IsWindows -or (Test-Path /proc/self/maps))) {
            $lines['native'] | Should -BeLike "$((Resolve-Path $copy).ProviderPath)*runtimes*native*e_sqlite3*"
        }

        It 'changes neither the environment nor the module folder' {
            $lines['ld'] | Should -BeNullOrEmpty
            Get-TestTreeSnapshot -Path $copy | Should -Be $before
        }
    }

    Context 'the import''s background warm-up' {
        It 'readies the module''s own native SQLite without creating a file or opening a store' -Skip:(-not ($IsWindows -or (Test-Path /proc/self/maps))) {
            $work = New-TestFolder
            $before = Get-TestTreeSnapshot -Path $work
            $moduleBefore = Get-TestTreeSnapshot -Path $mod
            $script = Join-Path (New-TestFolder) 'warm.ps1'
            Set-Content -LiteralPath $script -Value @'
Import-Module $args[0] -ErrorAction Stop
$deadline = [DateTime]::UtcNow.AddSeconds(20)
do {
    $native = if ($IsWindows) { [Diagnostics.Process]::GetCurrentProcess().Modules | Where-Object ModuleName -EQ 'e_sqlite3.dll' | Select-Object -First 1 -ExpandProperty FileName }
    else { (Get-Content /proc/self/maps | Where-Object { $_ -like '*e_sqlite3*' } | Select-Object -First 1) -replace '^[^/]*', '' }
}
until ($native -or [DateTime]::UtcNow -gt $deadline -or -not (Start-Sleep -Milliseconds 50))
"native=$native"
"stores=$(@(Get-MnesisPool).Count)"
'@
            Push-Location $work
            try { $output = Invoke-Pwsh -ArgumentList '-File', $script, $mod -What 'a pwsh waiting for the warm-up' -TimeoutSeconds 60 }
            finally { Pop-Location }
            $native = if ($IsWindows) { 'runtimes/win-x64/native/e_sqlite3.dll' } else { 'runtimes/linux-x64/native/libe_sqlite3.so' }
            $output | Should -Contain "native=$(Join-Path (Resolve-Path $mod).ProviderPath $native)" -Because ($output -join "`n")
            $output | Should -Contain 'stores=0'
            Get-TestTreeSnapshot -Path $work | Should -Be $before
            Get-TestTreeSnapshot -Path $mod | Should -Be $moduleBefore
        }
    }
}
