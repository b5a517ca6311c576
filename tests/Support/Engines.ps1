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

# SQL that differs between the engines, by the name a test uses for it.
function Get-TestSql([string] $Engine, [string] $Name) {
    $sql = @{
        SQLite     = @{
            CreateItems = 'CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER)'
            CreateRows  = 'CREATE TABLE row(n INTEGER)'
        }
        PostgreSQL = @{
            CreateItems = 'CREATE TABLE item(id bigserial PRIMARY KEY, name text NOT NULL, qty bigint)'
            CreateRows  = 'CREATE TABLE row(n bigint)'
        }
    }
    $sql[$Engine][$Name]
}
