BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"
    . "$PSScriptRoot/Support/Engines.ps1"
    $mod = $env:MNESIS_TEST_MODULE
    $noServer = -not $env:MNESIS_TEST_POSTGRES
    if ($noServer) { Write-Host 'Skipping the PostgreSQL suite: no PostgreSQL test server (MNESIS_TEST_POSTGRES is not set).' }

    # The parts of a connection string; password, port and host of the test server.
    function Get-Part([string] $ConnectionString, [string] $Key) { (Get-TestConnectionParts $ConnectionString)[$Key] }

    # How many connections the module itself holds on the server (the tests' own are named otherwise).
    function Get-ModuleConnectionCount {
        [int](Invoke-TestPostgresScalar $env:MNESIS_TEST_POSTGRES "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'Mnesis' AND backend_type = 'client backend'")
    }

    # Waits until the server shows none of the module's connections (closing is asynchronous server-side).
    function Wait-NoModuleConnection([int] $TimeoutSeconds = 10) {
        $deadline = [datetime]::UtcNow.AddSeconds($TimeoutSeconds)
        while (($count = Get-ModuleConnectionCount) -gt 0 -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        $count
    }
}

Describe 'PostgreSQL stores' -Skip:(-not $env:MNESIS_TEST_POSTGRES) {
    BeforeAll {
        $cs = New-TestPostgresDatabase
        $password = Get-Part $cs 'Password'
        $port = Get-Part $cs 'Port'
        $database = Get-Part $cs 'Database'
        $user = Get-Part $cs 'Username'
    }
    AfterAll { Remove-TestPostgresDatabase $cs }

    BeforeEach { $pool = New-MnesisPool }
    AfterEach { Close-MnesisPool -Pool $pool }

    Context 'naming a database' {
        It 'reaches one store through every spelling of the same target: <_>' -ForEach @(
            'Server=LOCALHOST-IP;Port=PORT;User Id=USER;Password=PASSWORD;Database=DB'
            'postgresql://USER:PASSWORD@LOCALHOST-IP:PORT/DB'
            'postgres://USER@LOCALHOST-IP:PORT/DB?password=PASSWORD&application_name=Mnesis'
        ) {
            $first = Open-MnesisStore -Pool $pool -ConnectionString $cs
            $spelling = $_.Replace('LOCALHOST-IP', '127.0.0.1').Replace('PORT', $port).Replace('USER', $user).Replace('PASSWORD', $password).Replace('DB', $database)
            $again = Open-MnesisStore -Pool $pool -ConnectionString $spelling -WarningAction SilentlyContinue
            [object]::ReferenceEquals($first, $again) | Should -BeTrue
            $first.Target | Should -Be "postgresql://$user@127.0.0.1:$port/$database"
        }

        It 'keeps a URI password with an unencoded / or # a password, out of the target' {
            $role = "slashy_$([guid]::NewGuid().ToString('N').Substring(0, 8))"
            Invoke-TestPostgresAdmin "CREATE ROLE $role LOGIN SUPERUSER PASSWORD 'pa/ss#wd9'"
            try {
                $uri = "postgresql://${role}:pa/ss#wd9@127.0.0.1:$port/$database"
                $store = Open-MnesisStore -Pool $pool -ConnectionString $uri
                $store.Target | Should -Be "postgresql://$role@127.0.0.1:$port/$database"
                Invoke-MnesisQuery -Store $store -Query 'SELECT current_user' -Scalar | Should -Be $role
                (Get-MnesisPool -Pool $pool | Out-String) | Should -Not -BeLike '*wd9*'
            }
            finally {
                Close-MnesisPool -Pool $pool
                Invoke-TestPostgresAdmin "DROP ROLE IF EXISTS $role"
            }
        }

        It 'takes the user and password from -Credential' {
            $bare = "Host=127.0.0.1;Port=$port;Database=$database"
            $credential = [pscredential]::new($user, (ConvertTo-SecureString $password -AsPlainText -Force))
            Invoke-MnesisQuery -Pool $pool -ConnectionString $bare -Credential $credential -Query 'SELECT current_user' -Scalar | Should -Be $user
            (Get-MnesisPool -Pool $pool).Target | Should -Be "postgresql://$user@127.0.0.1:$port/$database"
        }

        It 'takes PGPASSWORD, PGUSER and PGDATABASE as Npgsql does, and a password from a PGPASSFILE' {
            $passfile = Join-Path $TestDrive 'pgpass'
            Set-Content -LiteralPath $passfile -Value "127.0.0.1:${port}:*:${user}:$password" -NoNewline
            # Private, as libpq wants a passfile on Linux (Windows has no chmod, and no such rule).
            if (-not $IsWindows) { & chmod 600 $passfile }
            $script = Join-Path $TestDrive 'pgenv.ps1'
            Set-Content -LiteralPath $script -Value @"
Import-Module '$mod'
`$env:PGUSER = '$user'; `$env:PGDATABASE = '$database'; `$env:PGPASSWORD = '$password'
"env=`$(Invoke-MnesisQuery -ConnectionString 'Host=127.0.0.1;Port=$port' -Query 'SELECT current_database()' -Scalar)"
Close-MnesisPool
Remove-Item Env:PGPASSWORD; `$env:PGPASSFILE = '$passfile'
"passfile=`$(Invoke-MnesisQuery -ConnectionString 'Host=127.0.0.1;Port=$port;Application Name=passfile' -Query 'SELECT current_user' -Scalar)"
Close-MnesisPool
"@
            $output = Invoke-Pwsh -ArgumentList '-File', $script 2>&1
            $output | Should -Contain "env=$database" -Because ($output -join "`n")
            $output | Should -Contain "passfile=$user"
        }

        It 'warns when a second open asks for other connection options, and the first stand' {
            $null = Open-MnesisStore -Pool $pool -ConnectionString $cs
            $warnings = Open-MnesisStore -Pool $pool -ConnectionString "$cs;Command Timeout=5" 3>&1 | Where-Object { $_ -is [System.Management.Automation.WarningRecord] }
            "$warnings" | Should -BeLike '*already open with other connection options*'
        }

        It 'refuses an empty or unusable connection string clearly, masking a password in it' {
            { Open-MnesisStore -Pool $pool -ConnectionString ' ' -ErrorAction Stop } | Should -Throw -ErrorId 'MnesisConnectionStringEmpty,*'
            $err = { Open-MnesisStore -Pool $pool -ConnectionString 'Host=127.0.0.1;Password=TopSecret42;Bogus Keyword=1' -ErrorAction Stop } | Should -Throw -ErrorId 'MnesisConnectionStringInvalid,*' -PassThru
            ($err | Out-String) + $err.Exception.Message | Should -Not -BeLike '*TopSecret42*'
            { Open-MnesisStore -Pool $pool -ConnectionString "Port=$port;Database=$database" -ErrorAction Stop } | Should -Throw -ErrorId 'MnesisConnectionStringInvalid,*'
            $pool.Count | Should -Be 0
        }

        It 'refuses positional parameters and leaves casts, dollar quotes, E-strings and jsonb operators alone' {
            { Invoke-MnesisQuery -Pool $pool -ConnectionString $cs -Query 'SELECT $1' } | Should -Throw -ErrorId 'MnesisPositionalParameter,*'
            $row = Invoke-MnesisQuery -Pool $pool -ConnectionString $cs -Parameters @{ x = 5 } -Query @'
SELECT @x::int + 1 AS cast, $$ @notme :nor_me $$ AS dollar, $tag$ $x $tag$ AS tagged, E'it\'s @no' AS escaped,
       '{"a":1}'::jsonb ? 'a' AS has_a, :x AS colon
'@
            $row.cast | Should -Be 6
            $row.dollar | Should -Be ' @notme :nor_me '
            $row.tagged | Should -Be ' $x '
            $row.escaped | Should -Be "it's @no"
            $row.has_a | Should -BeTrue
            $row.colon | Should -Be 5
            $slice = Invoke-MnesisQuery -Pool $pool -ConnectionString $cs -Parameters @{ x = 2 } -Query @'
SELECT (ARRAY[10,20,30,40])[lo:hi] AS part, 7 AS a$b /* outer /* inner @nope */ still @nope */, @x AS x
FROM (SELECT 2 AS lo, 3 AS hi) bounds
'@
            $slice.part | Should -Be @(20, 30)
            $slice.'a$b' | Should -Be 7
            $slice.x | Should -Be 2
        }
    }

    Context 'values' {
        BeforeAll {
            $null = Invoke-MnesisWrite -ConnectionString $cs -Query 'CREATE TABLE v(id serial PRIMARY KEY, at timestamptz, g uuid, tags text[], n numeric(10,2), j jsonb, q integer)'
            Close-MnesisPool
        }

        It 'reads PostgreSQL''s types as .NET ones: timestamptz, uuid, arrays, numeric, NULL' {
            $at = [datetime]::new(2026, 1, 2, 3, 4, 5, [DateTimeKind]::Local)
            $g = [guid]::NewGuid()
            $null = Invoke-MnesisWrite -Pool $pool -ConnectionString $cs -Query 'INSERT INTO v(at, g, tags, n, j, q) VALUES (@at, @g, @tags, @n, @j, @q)' `
                -Parameters @{ at = $at; g = $g; tags = @('web', 'linux'); n = [decimal]12.5; j = '{"role": "web"}'; q = '42' }
            $row = Invoke-MnesisQuery -Pool $pool -ConnectionString $cs -Query 'SELECT at, g, tags, n, j ->> ''role'' AS role, q, NULL AS nothing FROM v'
            $row.at | Should -BeOfType ([datetime])
            $row.at.ToUniversalTime() | Should -Be $at.ToUniversalTime() -Because 'a local time is stored as the instant it names'
            $row.g | Should -Be $g
            $row.tags | Should -Be @('web', 'linux')
            $row.n | Should -Be ([decimal]12.5)
            $row.role | Should -Be 'web' -Because 'a string binds untyped, so PostgreSQL reads JSON text into jsonb'
            $row.q | Should -Be 42 -Because 'and "42" from a CSV into an integer column'
            $row.nothing | Should -BeNullOrEmpty
        }

        It 'binds PowerShell arrays for = ANY(@ids), and refuses arrays it cannot type' {
            (Invoke-MnesisQuery -Pool $pool -ConnectionString $cs -Query 'SELECT x FROM unnest(ARRAY[1,2,3,4]) x WHERE x = ANY(@ids) ORDER BY x' -Parameters @{ ids = 2, 4 }).x | Should -Be @(2, 4)
            { Invoke-MnesisQuery -Pool $pool -ConnectionString $cs -Query 'SELECT @a' -Parameters @{ a = 1, 'two' } } | Should -Throw -ErrorId 'MnesisArrayElementsMixed,*'
            { Invoke-MnesisQuery -Pool $pool -ConnectionString $cs -Query 'SELECT @a' -Parameters @{ a = @() } } | Should -Throw -ErrorId 'MnesisArrayElementTypeUnknown,*'
            { Invoke-MnesisQuery -Pool $pool -ConnectionString $cs -Query 'SELECT @a' -Parameters @{ a = @{ k = 1 } } } | Should -Throw -ErrorId 'MnesisParameterTypeUnsupported,*'
        }
    }

    Context 'failures that leave nothing behind' {
        It 'says <Id> for <What>, within the connection timeout, and keeps no store' -ForEach @(
            @{ What = 'a port nobody listens on'; Id = 'MnesisServerUnreachable'; Change = { param($c, $p) "$c;Port=1" } }
            @{ What = 'a wrong password'; Id = 'MnesisAuthenticationFailed'; Change = { param($c, $p) $c -replace '(?i)password=[^;]*', 'Password=wrong-password' } }
            @{ What = 'a missing database'; Id = 'MnesisDatabaseNotFound'; Change = { param($c, $p) "$c;Database=no_such_db" } }
            @{ What = 'a TLS handshake the server refuses'; Id = 'MnesisTlsFailed'; Change = { param($c, $p) "$c;SSL Mode=Require" } }
        ) {
            $bad = & $Change "$cs;Timeout=5" $password
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $err = { Invoke-MnesisWrite -Pool $pool -ConnectionString $bad -Query 'CREATE TABLE never(x int)' } | Should -Throw -ErrorId "$Id,*" -PassThru
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 30
            $pool.Count | Should -Be 0
            ($err | Out-String) + $err.Exception.Message + "$($err.TargetObject)" | Should -Not -BeLike "*$password*"
            Invoke-TestPostgresScalar $cs "SELECT count(*) FROM pg_tables WHERE tablename = 'never'" | Should -Be 0
        }

        It 'keeps the server''s word for another failure at connecting (MnesisServerOpenFailed)' {
            $err = { Open-MnesisStore -Pool $pool -ConnectionString "$cs;Options=-c no_such_setting=1" -ErrorAction Stop } | Should -Throw -ErrorId 'MnesisServerOpenFailed,*' -PassThru
            $err.Exception.Message | Should -BeLike '*no_such_setting*'
            $err.CategoryInfo.Category | Should -Be 'OpenError'
            $pool.Count | Should -Be 0
        }

        It 'gives up on a server that never answers after the connection timeout' {
            $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
            $listener.Start()
            try {
                $silent = "Host=127.0.0.1;Port=$($listener.LocalEndpoint.Port);Username=$user;Password=$password;Database=$database;Timeout=2"
                $clock = [Diagnostics.Stopwatch]::StartNew()
                { Open-MnesisStore -Pool $pool -ConnectionString $silent -ErrorAction Stop } | Should -Throw -ErrorId 'MnesisServerUnreachable,*'
                $clock.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 1.5
                $clock.Elapsed.TotalSeconds | Should -BeLessThan 20
                $pool.Count | Should -Be 0
            }
            finally { $listener.Stop() }
        }
    }

    Context 'the password stays hidden' {
        It 'is not in Get-MnesisPool, the store, -Verbose, errors or the connection' {
            $verbose = @(Open-MnesisStore -Pool $pool -ConnectionString $cs -Verbose 4>&1) + @(Invoke-MnesisWrite -Pool $pool -ConnectionString $cs -Query 'SELECT 1' -Verbose 4>&1)
            $store = Get-MnesisPool -Pool $pool
            $err = { Invoke-MnesisWrite -Pool $pool -ConnectionString $cs -Query 'INSERT INTO nowhere VALUES (1)' } | Should -Throw -PassThru
            $seen = @(
                $verbose | ForEach-Object { "$_" }
                $store | Format-List * | Out-String
                $store | Format-Table | Out-String
                "$store"
                $err | Out-String
                $err | Format-List * -Force | Out-String
                "$($err.TargetObject)"
                (Get-MnesisConnection -Pool $pool -ConnectionString $cs).ConnectionString
            ) -join "`n"
            $seen | Should -Not -BeLike "*$password*"
            $seen | Should -BeLike "*postgresql://$user@127.0.0.1:$port/$database*"
        }
    }

    Context 'connections to the server' {
        It 'releases every server connection after Close-MnesisPool of the last store' {
            $null = Open-MnesisStore -Pool $pool -ConnectionString $cs
            $other = New-MnesisPool
            $null = Open-MnesisStore -Pool $other -ConnectionString $cs
            Get-ModuleConnectionCount | Should -Be 2
            Close-MnesisPool -Pool $pool
            Close-MnesisPool -Pool $other
            Wait-NoModuleConnection | Should -Be 0
        }

        It 'releases them when runspaces end and on Remove-Module' {
            $results = 1..3 | ForEach-Object -ThrottleLimit 3 -TimeoutSeconds 60 -Parallel {
                Import-Module $using:mod
                Invoke-MnesisQuery -ConnectionString $using:cs -Query 'SELECT 1' -Scalar
            }
            @($results).Count | Should -Be 3
            Wait-NoModuleConnection | Should -Be 0
            $shell = [powershell]::Create()
            try {
                $null = $shell.AddScript({ param($mod, $cs) Import-Module $mod; $null = Open-MnesisStore -ConnectionString $cs }).AddArgument($mod).AddArgument($cs).Invoke()
                Get-ModuleConnectionCount | Should -Be 1
                $shell.Commands.Clear()
                $null = $shell.AddScript('Remove-Module Mnesis').Invoke()
                Wait-NoModuleConnection | Should -Be 0
            }
            finally { $shell.Dispose() }
        }
    }

    Context 'writers that collide' {
        BeforeEach {
            $null = Invoke-MnesisWrite -Pool $pool -ConnectionString $cs -Query 'DROP TABLE IF EXISTS pair; CREATE TABLE pair(id int PRIMARY KEY, v int); INSERT INTO pair VALUES (1, 0), (2, 0)'
        }

        It 'runs a -Query write that loses a deadlock again, so both writes land' {
            $writes = @(
                'UPDATE pair SET v = v + 1 WHERE id = 1; SELECT pg_sleep(0.5); UPDATE pair SET v = v + 1 WHERE id = 2'
                'UPDATE pair SET v = v + 1 WHERE id = 2; SELECT pg_sleep(0.5); UPDATE pair SET v = v + 1 WHERE id = 1'
            )
            $conflicts = $writes | ForEach-Object -ThrottleLimit 2 -TimeoutSeconds 90 -Parallel {
                Import-Module $using:mod
                $null = Invoke-MnesisWrite -ConnectionString $using:cs -Query $_
                (Get-MnesisPool).Conflicts
            }
            @($conflicts).Count | Should -Be 2 -Because 'both writers must finish'
            ($conflicts | Measure-Object -Sum).Sum | Should -BeGreaterOrEqual 1 -Because 'one of them lost the deadlock and ran again'
            (Invoke-MnesisQuery -Pool $pool -ConnectionString $cs -Query 'SELECT v FROM pair ORDER BY id').v | Should -Be @(2, 2)
        }

        It 'gives a -ScriptBlock write that loses a deadlock MnesisWriteConflict, and rolls it back' {
            $order = @(@(1, 2), @(2, 1))
            $outcomes = $order | ForEach-Object -ThrottleLimit 2 -TimeoutSeconds 90 -Parallel {
                Import-Module $using:mod
                $ids = $_
                try {
                    Invoke-MnesisWrite -ConnectionString $using:cs -ScriptBlock {
                        param($Connection, $Transaction)
                        foreach ($id in $ids) {
                            $command = $Connection.CreateCommand()
                            $command.Transaction = $Transaction
                            $command.CommandText = "UPDATE pair SET v = v + 10 WHERE id = $id; SELECT pg_sleep(0.5)"
                            $null = $command.ExecuteNonQuery()
                        }
                    }
                    'committed'
                }
                catch { $_.FullyQualifiedErrorId }
            }
            @($outcomes).Count | Should -Be 2
            $outcomes | Should -Contain 'committed'
            @($outcomes | Where-Object { $_ -like 'MnesisWriteConflict,*' }).Count | Should -Be 1
            (Invoke-MnesisQuery -Pool $pool -ConnectionString $cs -Query 'SELECT v FROM pair ORDER BY id').v | Should -Be @(10, 10)
        }

        It 'reports a -ScriptBlock write whose transaction a caught failure spoiled, instead of a success' {
            {
                Invoke-MnesisWrite -Pool $pool -ConnectionString $cs -ScriptBlock {
                    param($Connection, $Transaction)
                    $command = $Connection.CreateCommand(); $command.Transaction = $Transaction
                    $command.CommandText = 'UPDATE pair SET v = 99'; $null = $command.ExecuteNonQuery()
                    try { $command.CommandText = 'SELECT 1/0'; $null = $command.ExecuteScalar() } catch { }
                }
            } | Should -Throw -ErrorId 'MnesisSqlFailed,*'
            (Invoke-MnesisQuery -Pool $pool -ConnectionString $cs -Query 'SELECT v FROM pair ORDER BY id').v | Should -Be @(0, 0)
        }

        It 'keeps a -ScriptBlock write whole when a read inside it fails' {
            Invoke-MnesisWrite -Pool $pool -ConnectionString $cs -ScriptBlock {
                $null = Invoke-MnesisWrite -Pool $pool -ConnectionString $cs -Query 'UPDATE pair SET v = 5 WHERE id = 1'
                try { $null = Invoke-MnesisQuery -Pool $pool -ConnectionString $cs -Query 'SELECT 1/0' } catch { }
                $null = Invoke-MnesisWrite -Pool $pool -ConnectionString $cs -Query 'UPDATE pair SET v = 6 WHERE id = 2'
            }
            (Invoke-MnesisQuery -Pool $pool -ConnectionString $cs -Query 'SELECT v FROM pair ORDER BY id').v | Should -Be @(5, 6)
        }

        It 'lets a read upstream of a pipeline write see the rows the write holds back' {
            $seen = 1..3 | ForEach-Object {
                @{ id = 100 + $_; v = [int](Invoke-MnesisQuery -Pool $pool -ConnectionString $cs -Query 'SELECT count(*) FROM pair' -Scalar) }
            } | Invoke-MnesisWrite -Pool $pool -ConnectionString $cs -Query 'INSERT INTO pair VALUES (@id, @v)'
            $seen | Should -Be 3
            (Invoke-MnesisQuery -Pool $pool -ConnectionString $cs -Query 'SELECT v FROM pair WHERE id > 100 ORDER BY id').v | Should -Be @(2, 3, 4)
        }

        It 'waits for another session''s lock up to the busy timeout, then says MnesisDatabaseBusy' {
            $holder = Start-TestShell -Arguments $mod, $cs -Script {
                param($mod, $cs)
                Import-Module $mod
                Invoke-MnesisWrite -ConnectionString $cs -ScriptBlock {
                    param($Connection, $Transaction)
                    $command = $Connection.CreateCommand(); $command.Transaction = $Transaction
                    $command.CommandText = 'UPDATE pair SET v = -1 WHERE id = 1; SELECT pg_sleep(4)'
                    $null = $command.ExecuteNonQuery()
                }
            }
            try {
                Start-Sleep -Seconds 1
                $short = New-MnesisPool
                $null = Open-MnesisStore -Pool $short -ConnectionString $cs -BusyTimeout 1
                { Invoke-MnesisWrite -Pool $short -ConnectionString $cs -Query 'UPDATE pair SET v = 5 WHERE id = 1' } | Should -Throw -ErrorId 'MnesisDatabaseBusy,*'
                Close-MnesisPool -Pool $short
                Invoke-MnesisWrite -Pool $pool -ConnectionString $cs -Query 'UPDATE pair SET v = 7 WHERE id = 2' | Should -Be 1 -Because 'another row is not locked'
                $null = Wait-TestShell -Shell $holder -What 'the session holding the row lock' -TimeoutSeconds 30
            }
            finally { Remove-TestShell $holder }
        }

        It 'rolls back a pipeline write stopped with Ctrl+C, cancelling the running statement' {
            $bulk = Start-TestShell -Arguments $mod, $cs -Script {
                param($mod, $cs)
                Import-Module $mod
                1..3 | ForEach-Object { @{ id = 10 + $_ } } | Invoke-MnesisWrite -ConnectionString $cs -Query 'INSERT INTO pair VALUES (@id, 0); SELECT pg_sleep(60)'
            }
            try {
                Start-Sleep -Seconds 2
                Stop-TestShell -Shell $bulk -What 'the pipeline write (the server cancels its sleeping statement)' -TimeoutSeconds 20
                Invoke-TestPostgresScalar $cs 'SELECT count(*) FROM pair' | Should -Be 2
            }
            finally { Remove-TestShell $bulk }
        }
    }
}

Describe 'Loading the PostgreSQL engine' -Skip:(-not $env:MNESIS_TEST_POSTGRES -or -not ($IsLinux -or $IsWindows)) {
    It 'says MnesisEngineLoadFailed, naming the missing assembly, when the module folder lacks the engine' {
        $copy = Join-Path (New-TestFolder) 'Mnesis'
        Copy-Item -Recurse $mod $copy
        Remove-Item -LiteralPath (Join-Path $copy 'Mnesis.PowerShell.PostgreSql.dll')
        $output = Invoke-Pwsh -ArgumentList '-Command', "Import-Module '$copy'; try { Open-MnesisStore -ConnectionString 'Host=127.0.0.1' -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }" 2>&1
        $output[0] | Should -Be 'MnesisEngineLoadFailed,Mnesis.PowerShell.Cmdlets.OpenMnesisStoreCommand' -Because ($output -join "`n")
        ($output | Select-Object -Skip 1) -join ' ' | Should -BeLike '*Mnesis.PowerShell.PostgreSql*whole module folder*'
    }

    It 'loads Npgsql only for -ConnectionString, into Mnesis''s own context, beside another module''s older Npgsql' {
        $packages = Get-TestNuGetRoot
        $other = Join-Path $TestDrive 'other-npgsql'
        $null = New-Item -ItemType Directory -Force $other
        Copy-Item (Join-Path $packages 'npgsql/8.0.9/lib/net8.0/Npgsql.dll') $other
        Copy-Item (Join-Path $packages 'microsoft.extensions.logging.abstractions/8.0.0/lib/net8.0/Microsoft.Extensions.Logging.Abstractions.dll') $other
        Copy-Item (Join-Path $packages 'microsoft.extensions.dependencyinjection.abstractions/8.0.0/lib/net8.0/Microsoft.Extensions.DependencyInjection.Abstractions.dll') $other
        $database = New-TestPostgresDatabase
        $script = Join-Path $TestDrive 'npgsql-side-by-side.ps1'
        Set-Content -LiteralPath $script -Value @'
param($Mod, $Other, $Cs, $Db)
$ErrorActionPreference = 'Stop'
function Loaded([string] $name) {
    foreach ($context in [System.Runtime.Loader.AssemblyLoadContext]::All) {
        $label = if ($context -eq [System.Runtime.Loader.AssemblyLoadContext]::Default) { 'Default' } else { $context.GetType().Name }
        foreach ($a in $context.Assemblies) { if ($a.GetName().Name -eq $name) { "$label=$($a.GetName().Version)" } }
    }
}
foreach ($name in 'Microsoft.Extensions.DependencyInjection.Abstractions', 'Microsoft.Extensions.Logging.Abstractions', 'Npgsql') { Add-Type -LiteralPath (Join-Path $Other "$name.dll") }
$theirs = [Npgsql.NpgsqlConnection]::new($Cs); $theirs.Open(); "other.version=$($theirs.GetType().Assembly.GetName().Version)"; $theirs.Dispose()
Import-Module $Mod
$null = Invoke-MnesisWrite -Path $Db -Query 'CREATE TABLE t(x)'
"npgsql.afterSqlite=$((Loaded 'Npgsql' | Where-Object { $_ -like 'MnesisLoadContext=*' }) -join ',')"
"mnesis.value=$(Invoke-MnesisQuery -ConnectionString $Cs -Query 'SELECT 40 + 2' -Scalar)"
"mnesis.npgsql=$((Get-MnesisConnection -ConnectionString $Cs).GetType().Assembly.GetName().Version)"
"loaded=$((Loaded 'Npgsql') -join ';')"
Close-MnesisPool
'@
        try {
            $output = Invoke-Pwsh -ArgumentList '-File', $script, $mod, $other, $database, (Join-Path $TestDrive 'lazy.db') 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
            $output | Should -Contain 'other.version=8.0.9.0'
            $output | Should -Contain 'npgsql.afterSqlite=' -Because 'using SQLite loads no Npgsql into Mnesis'
            $output | Should -Contain 'mnesis.value=42'
            $output | Should -Contain 'mnesis.npgsql=9.0.5.0'
            ($output | Where-Object { $_ -like 'loaded=*' }) | Should -BeLike "*Default=8.0.9.0*MnesisLoadContext=9.0.5.0*"
        }
        finally { Remove-TestPostgresDatabase $database }
    }
}
