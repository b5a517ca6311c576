# The engines the behavioural suites run against, and how a test names a fresh database on each.
# Dot-source after TestSetup.ps1. A test file parametrized over engines uses:
#   Describe '... on <Engine>' -ForEach (Get-TestEngines) { BeforeEach { $target = New-TestTarget $Engine } ... }
# and names the store with splatting: Invoke-MnesisWrite @($target.Name) -Query ...

# One entry per engine; PostgreSQL is skipped (with the reason) when no test server was started.
function Get-TestEngines {
    @(
        @{ Engine = 'SQLite'; Skip = $false; Why = '' }
        @{ Engine = 'PostgreSQL'; Skip = -not $env:MNESIS_TEST_POSTGRES; Why = 'no PostgreSQL test server (MNESIS_TEST_POSTGRES is not set)' }
    )
}

# A fresh, empty database: a file under TestDrive, or a new database on the test server.
#   Name      - the parameters that name it (-Path or -ConnectionString), for splatting
#   Text      - the same as one string (a path or a connection string)
function New-TestTarget([string] $Engine) {
    if ($Engine -eq 'SQLite') {
        $path = Join-Path (New-TestFolder) 'store.db'
        return [pscustomobject]@{ Engine = $Engine; Name = @{ Path = $path }; Text = $path }
    }

    $connectionString = New-TestPostgresDatabase
    [pscustomobject]@{ Engine = $Engine; Name = @{ ConnectionString = $connectionString }; Text = $connectionString }
}

# Rows of a table, read outside Mnesis's stores: sqlite3, or a separate Npgsql connection.
function Get-TestRowCount($Target, [string] $Table) {
    if ($Target.Engine -eq 'SQLite') { return [long](Invoke-Sqlite3 $Target.Text "SELECT count(*) FROM $Table") }
    [long](Invoke-TestPostgresScalar $Target.Text "SELECT count(*) FROM $Table")
}

# Drops the database of a PostgreSQL target; a SQLite file goes with TestDrive.
function Remove-TestTarget($Target) {
    if ($Target.Engine -eq 'PostgreSQL') { Remove-TestPostgresDatabase $Target.Text }
}

# One value from a PostgreSQL database through a connection of its own (never a Mnesis store's),
# named 'mnesis-tests' in pg_stat_activity so that counts of the module's connections leave it out.
function Invoke-TestPostgresScalar([string] $ConnectionString, [string] $Sql) {
    $pool = New-MnesisPool
    $own = "$ConnectionString;Application Name=mnesis-tests"
    try {
        $null = Open-MnesisStore -Pool $pool -ConnectionString $own
        $command = (Get-MnesisConnection -Pool $pool -ConnectionString $own).CreateCommand()
        $command.CommandText = $Sql
        $value = $command.ExecuteScalar()
        $command.Dispose()
        $value
    }
    finally { Close-MnesisPool -Pool $pool }
}

# The rows of a query, first column only, read outside Mnesis's stores like Get-TestRowCount does.
# sqlite3 gives every value as text; PostgreSQL gives the column's .NET type.
function Get-TestColumn($Target, [string] $Sql) {
    if ($Target.Engine -eq 'SQLite') { return @(Invoke-Sqlite3 $Target.Text $Sql) }
    $pool = New-MnesisPool
    $own = "$($Target.Text);Application Name=mnesis-tests"
    try {
        $null = Open-MnesisStore -Pool $pool -ConnectionString $own
        $command = (Get-MnesisConnection -Pool $pool -ConnectionString $own).CreateCommand()
        $command.CommandText = $Sql
        $reader = $command.ExecuteReader()
        try { @(while ($reader.Read()) { if ($reader.IsDBNull(0)) { $null } else { $reader.GetValue(0) } }) }
        finally { $reader.Dispose(); $command.Dispose() }
    }
    finally { Close-MnesisPool -Pool $pool }
}

# The text a store's messages name it by: its path, or the PostgreSQL target (no password).
function Get-TestTargetDisplay($Pool, $Target) {
    if ($Target.Engine -eq 'SQLite') { return $Target.Text }
    @(Get-MnesisPool -Pool $Pool | Where-Object Engine -EQ 'PostgreSQL')[0].Target
}

# The database a target names: the SQLite file's path, or the PostgreSQL database's name.
function Get-TestDatabaseName($Target) {
    if ($Target.Engine -eq 'SQLite') { return $Target.Text }
    (Get-TestConnectionParts $Target.Text)['Database']
}

# The database a connection has open, as the engine itself says: SQLite's main file, or current_database().
function Get-TestConnectionDatabase($Connection, [string] $Engine) {
    $sql = if ($Engine -eq 'SQLite') { "SELECT file FROM pragma_database_list WHERE name = 'main'" } else { 'SELECT current_database()' }
    Invoke-TestScalar -Connection $Connection -Sql $sql
}

# In another runspace, begins an Invoke-MnesisWrite -ScriptBlock transaction on the target (through
# -Pool, or that runspace's default pool), runs $Sql in it and keeps it open for $Seconds before
# committing. Returns once $Sql ran inside the transaction. End it like Start-TestShell's shells.
function Start-TestHeldWriteOn {
    param(
        [Parameter(Mandatory)] $Target,
        [Parameter(Mandatory)] [string] $Sql,
        [double] $Seconds = 2,
        $Pool
    )
    $inside = [Threading.ManualResetEventSlim]::new($false)
    $held = Start-TestShell -Arguments $env:MNESIS_TEST_MODULE, $Target.Name, $Sql, $Seconds, $inside, $Pool -Script {
        param($mod, $name, $sql, $seconds, $inside, $pool)
        Import-Module $mod
        $pools = if ($pool) { @{ Pool = $pool } } else { @{} }
        Invoke-MnesisWrite @pools @name -ScriptBlock {
            param($Connection)
            $command = $Connection.CreateCommand()
            $command.CommandText = $sql
            $null = $command.ExecuteNonQuery()
            $inside.Set()
            Start-Sleep -Milliseconds ($seconds * 1000)
        }
    }
    if (-not $inside.Wait([timespan]::FromSeconds(30))) {
        $errors = $held.Shell.Streams.Error -join '; '
        Remove-TestShell $held
        throw "The held write on $($Target.Engine) did not begin within 30 s. $errors"
    }
    $held
}

# SQL that differs between the engines, by the name a test uses for it.
function Get-TestSql([string] $Engine, [string] $Name) {
    $sql = @{
        SQLite     = @{
            CreateItems = 'CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER)'
            CreateRows  = 'CREATE TABLE row(n INTEGER)'
            CreateT     = 'CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)'
            CreateRead  = "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB); INSERT INTO t VALUES (1, 'one', 1.5, x'0102'), (2, NULL, NULL, NULL), (3, 'three', 3.0, x'')"
            CreateTv    = 'CREATE TABLE t(v INTEGER)'
            CreateSeed  = "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t(v) VALUES ('seed')"
            EndlessRead = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c'
            EndlessWrite = 'INSERT INTO t WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c'
            EndlessInsertV = 'INSERT INTO t(v) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c'
            SlowRead    = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 12000000) SELECT count(*) FROM c'
            Series200   = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200) SELECT x FROM c'
        }
        PostgreSQL = @{
            CreateItems = 'CREATE TABLE item(id bigserial PRIMARY KEY, name text NOT NULL, qty bigint)'
            CreateRows  = 'CREATE TABLE row(n bigint)'
            CreateT     = 'CREATE TABLE t(a bigint PRIMARY KEY, b text)'
            CreateRead  = "CREATE TABLE t(id bigint PRIMARY KEY, name text, score double precision, data bytea); INSERT INTO t VALUES (1, 'one', 1.5, decode('0102', 'hex')), (2, NULL, NULL, NULL), (3, 'three', 3.0, decode('', 'hex'))"
            CreateTv    = 'CREATE TABLE t(v bigint)'
            CreateSeed  = "CREATE TABLE t(id bigserial PRIMARY KEY, v text); INSERT INTO t(v) VALUES ('seed')"
            EndlessRead = 'SELECT pg_sleep(600)'
            EndlessWrite = 'INSERT INTO t SELECT 1 FROM pg_sleep(600)'
            EndlessInsertV = 'INSERT INTO t(v) SELECT ''x'' FROM pg_sleep(600)'
            SlowRead    = 'SELECT 1 FROM pg_sleep(1.6)'
            Series200   = 'SELECT generate_series(1, 200) AS x'
        }
    }
    $sql[$Engine][$Name]
}
