BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"
    $mod = $env:MNESIS_TEST_MODULE
    $expectedCmdlets = 'Close-MnesisPool', 'Get-MnesisConnection', 'Get-MnesisPool', 'Invoke-MnesisQuery', 'Invoke-MnesisWrite', 'New-MnesisPool', 'Open-MnesisStore'
}

Describe 'The Mnesis module' {
    Context 'manifest and conventions' {
        It 'has a valid manifest that lists its cmdlets explicitly' {
            $manifest = Test-ModuleManifest -Path (Join-Path $mod 'Mnesis.psd1')
            $manifest.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
            $manifest.PowerShellVersion | Should -Be '5.1'
            $data = Import-PowerShellDataFile (Join-Path $mod 'Mnesis.psd1')
            $data.CmdletsToExport | Sort-Object | Should -Be $expectedCmdlets
            $data.CmdletsToExport -join '' | Should -Not -Match '[*?]'
        }

        It 'exports exactly its cmdlets' {
            (Get-Command -Module Mnesis).Name | Sort-Object | Should -Be $expectedCmdlets
        }

        It '<_> uses an approved verb, the Mnesis noun prefix and declares its output type' -ForEach @(
            'Close-MnesisPool', 'Get-MnesisConnection', 'Get-MnesisPool', 'Invoke-MnesisQuery', 'Invoke-MnesisWrite', 'New-MnesisPool', 'Open-MnesisStore'
        ) {
            $command = Get-Command $_
            (Get-Verb).Verb | Should -Contain $command.Verb
            $command.Noun | Should -BeLike 'Mnesis*'
            $command.ImplementingType.GetCustomAttributes([System.Management.Automation.OutputTypeAttribute], $false) | Should -Not -BeNullOrEmpty
        }

        It 'supports -WhatIf and -Confirm on Close-MnesisPool' {
            (Get-Command Close-MnesisPool).Parameters.Keys | Should -Contain 'WhatIf'
            (Get-Command Close-MnesisPool).Parameters.Keys | Should -Contain 'Confirm'
        }

        It 'ships a native SQLite library for <_>' -ForEach @(
            'win-x64', 'win-arm64', 'linux-x64', 'linux-arm64', 'linux-musl-x64', 'osx-x64', 'osx-arm64'
        ) {
            $file = if ($_ -like 'win-*') { 'e_sqlite3.dll' } elseif ($_ -like 'osx-*') { 'libe_sqlite3.dylib' } else { 'libe_sqlite3.so' }
            Join-Path $mod "runtimes/$_/native/$file" | Should -Exist
        }
    }

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
"native=" + ((Get-Content /proc/self/maps -ErrorAction SilentlyContinue | Where-Object { $_ -like '*e_sqlite3*' } | Select-Object -First 1) -replace '^[^/]*', '')
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

        It 'loads the native library from the module''s own runtimes folder' -Skip:(-not (Test-Path /proc/self/maps)) {
            $lines['native'] | Should -BeLike "$((Resolve-Path $copy).ProviderPath)*runtimes*native*e_sqlite3*"
        }

        It 'changes neither the environment nor the module folder' {
            $lines['ld'] | Should -BeNullOrEmpty
            Get-TestTreeSnapshot -Path $copy | Should -Be $before
        }
    }

    Context 'the import''s background warm-up' {
        It 'readies the module''s own native SQLite without creating a file or opening a store' -Skip:(-not (Test-Path /proc/self/maps)) {
            $work = New-TestFolder
            $before = Get-TestTreeSnapshot -Path $work
            $moduleBefore = Get-TestTreeSnapshot -Path $mod
            $script = Join-Path (New-TestFolder) 'warm.ps1'
            Set-Content -LiteralPath $script -Value @'
Import-Module $args[0] -ErrorAction Stop
$deadline = [DateTime]::UtcNow.AddSeconds(20)
do { $native = Get-Content /proc/self/maps | Where-Object { $_ -like '*e_sqlite3*' } | Select-Object -First 1 }
until ($native -or [DateTime]::UtcNow -gt $deadline -or -not (Start-Sleep -Milliseconds 50))
"native=$($native -replace '^[^/]*', '')"
"stores=$(@(Get-MnesisPool).Count)"
'@
            Push-Location $work
            try { $output = Invoke-Pwsh -ArgumentList '-File', $script, $mod -What 'a pwsh waiting for the warm-up' -TimeoutSeconds 60 }
            finally { Pop-Location }
            $output | Should -Contain "native=$(Join-Path (Resolve-Path $mod).ProviderPath 'runtimes/linux-x64/native/libe_sqlite3.so')" -Because ($output -join "`n")
            $output | Should -Contain 'stores=0'
            Get-TestTreeSnapshot -Path $work | Should -Be $before
            Get-TestTreeSnapshot -Path $mod | Should -Be $moduleBefore
        }
    }

    Context 'a module folder without a usable native SQLite' {
        It 'imports, then refuses to open with <Id> (<Category>) naming the file, and creates nothing (<Case>)' -ForEach @(
            @{ Case = 'runtimes/*/native files removed'; Id = 'MnesisNativeLibraryMissing'; Category = 'NotInstalled'
                Break = { param($file) Remove-Item -LiteralPath $file.FullName } }
            @{ Case = 'runtimes/*/native files that are not libraries'; Id = 'MnesisNativeLibraryLoadFailed'; Category = 'ResourceUnavailable'
                Break = { param($file) [IO.File]::WriteAllBytes($file.FullName, [Text.Encoding]::ASCII.GetBytes('not a shared library')) } }
        ) {
            $copy = Join-Path (New-TestFolder) 'Mnesis'
            Copy-Item -Recurse $mod $copy
            $natives = @(Get-ChildItem -LiteralPath (Join-Path $copy 'runtimes') -Recurse -File)
            $natives.Count | Should -BeGreaterThan 0
            foreach ($file in $natives) { & $Break $file }
            $work = New-TestFolder
            $script = Join-Path $work 'child.ps1'
            Set-Content -LiteralPath $script -Value @'
$module, $db = $args
Import-Module $module -ErrorAction Stop
'imported=True'
foreach ($call in { Open-MnesisStore -Path $db -ErrorAction Stop }, { Invoke-MnesisWrite -Path $db -Query 'CREATE TABLE t(v)' }) {
    try { $null = & $call; 'id=none' }
    catch { "id=$($_.FullyQualifiedErrorId)"; "category=$($_.CategoryInfo.Category)"; "message=$($_.Exception.Message)" }
}
'@
            $db = Join-Path $work 'new/x.db'
            $before = Get-TestTreeSnapshot -Path $work
            $output = Invoke-Pwsh -ArgumentList '-File', $script, $copy, $db -What "a pwsh importing a module with $Case" -TimeoutSeconds 60
            $text = $output -join "`n"
            $output | Should -Contain 'imported=True' -Because "an import never fails on the native library: $text"
            @($output | Where-Object { $_ -like 'id=*' }) | Should -Be @("id=$Id,Mnesis.PowerShell.Cmdlets.OpenMnesisStoreCommand", "id=$Id,Mnesis.PowerShell.Cmdlets.InvokeMnesisWriteCommand") -Because $text
            @($output | Where-Object { $_ -like 'category=*' }) | Should -Be @("category=$Category", "category=$Category")
            foreach ($message in $output | Where-Object { $_ -like 'message=*' }) {
                $message | Should -BeLike "*$((Resolve-Path $copy).ProviderPath)*runtimes*" -Because 'the message names the library file it looked for'
            }
            Get-TestTreeSnapshot -Path $work | Should -Be $before -Because 'no folder or database was created'
        }
    }

    Context 'verbose output' {
        It 'names pool events and paths but never parameter values' {
            $pool = New-MnesisPool
            try {
                $db = Join-Path $TestDrive 'verbose.db'
                $secret = "s3cret-$([guid]::NewGuid())"
                $verbose = @(
                    Invoke-MnesisWrite -Pool $pool -Path $db -Query 'CREATE TABLE t(v)' -Verbose 4>&1
                    Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t VALUES (@v)' -Parameters @{ v = $secret } -Verbose 4>&1
                    [pscustomobject]@{ v = $secret } | Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t VALUES (@v)' -Verbose 4>&1
                    Close-MnesisPool -Pool $pool -Verbose 4>&1
                ) | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
                $verbose -join "`n" | Should -Not -BeLike "*$secret*"
                $verbose | Where-Object { $_ -like "*opened*$db*" } | Should -Not -BeNullOrEmpty
                $verbose | Where-Object { $_ -like "*closed*$db*" } | Should -Not -BeNullOrEmpty
            }
            finally { Close-MnesisPool -Pool $pool }
        }

        It 'never names a parameter value, also when a write fails and rolls back (<Form>)' -ForEach @(
            @{ Form = 'a failing statement with -Parameters'; Id = 'MnesisSqlFailed'; Write = {
                    param($pool, $db, $secret)
                    Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t VALUES (@v); INSERT INTO nowhere VALUES (1)' -Parameters @{ v = $secret } -Verbose
                }
            }
            @{ Form = 'a failing piped row, with -Parameters defaults'; Id = 'MnesisSqlFailed'; Write = {
                    param($pool, $db, $secret)
                    [pscustomobject]@{ v = $secret }, [pscustomobject]@{ v = $secret } |
                        Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO u VALUES (@v, @w)' -Parameters @{ w = "$secret-default" } -Verbose
                }
            }
            @{ Form = 'a failing batch of -BatchSize'; Id = 'MnesisSqlFailed'; Write = {
                    param($pool, $db, $secret)
                    1..5 | ForEach-Object { @{ v = "$secret-$([Math]::Min($_, 4))" } } |
                        Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO u(v, w) VALUES (@v, @w)' -Parameters @{ w = $secret } -BatchSize 2 -Verbose
                }
            }
            @{ Form = 'a row with a missing parameter'; Id = 'MnesisParameterMissing'; Write = {
                    param($pool, $db, $secret)
                    [pscustomobject]@{ v = $secret }, [pscustomobject]@{ other = $secret } |
                        Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t VALUES (@v)' -Parameters @{ unused = $secret } -Verbose
                }
            }
            @{ Form = 'a value of a type SQLite cannot store'; Id = 'MnesisParameterTypeUnsupported'; Write = {
                    param($pool, $db, $secret)
                    Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t VALUES (@v)' -Parameters @{ v = @{ inner = $secret } } -Verbose
                }
            }
            @{ Form = 'a failing -ScriptBlock write with a nested write'; Id = 'BlockFailed'; Write = {
                    param($pool, $db, $secret)
                    Invoke-MnesisWrite -Pool $pool -Path $db -Verbose -ScriptBlock {
                        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t VALUES (@v)' -Parameters @{ v = $secret } -Verbose
                        Write-Error -Message 'the block failed' -ErrorId 'BlockFailed' -ErrorAction Stop
                    }
                }
            }
            @{ Form = 'a failing nested write caught inside its -ScriptBlock write'; Id = $null; Write = {
                    param($pool, $db, $secret)
                    Invoke-MnesisWrite -Pool $pool -Path $db -Verbose -ScriptBlock {
                        try { $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t VALUES (@v); INSERT INTO nowhere VALUES (1)' -Parameters @{ v = $secret } -Verbose }
                        catch { }
                    }
                }
            }
        ) {
            $pool = New-MnesisPool
            try {
                $db = Join-Path $TestDrive "secret-$([guid]::NewGuid().ToString('N')).db"
                $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'CREATE TABLE t(v); CREATE TABLE u(v UNIQUE, w)'
                $secret = "s3cret-$([guid]::NewGuid().ToString('N'))"
                $records = [Collections.Generic.List[object]]::new()
                $thrown = $null
                # Streamed record by record, so what came before the failure is kept.
                try { & $Write $pool $db $secret *>&1 | ForEach-Object { $records.Add($_) } }
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
