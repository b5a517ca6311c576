# Dot-source from BeforeAll in every test file:  . "$PSScriptRoot/Support/TestSetup.ps1"
# Imports the built module (Invoke-PesterSuite.ps1 sets MNESIS_TEST_MODULE) and defines helpers.
$ErrorActionPreference = 'Stop'
if (-not $env:MNESIS_TEST_MODULE) {
    $env:MNESIS_TEST_MODULE = Join-Path $PSScriptRoot '../../out/Mnesis'
}
Import-Module $env:MNESIS_TEST_MODULE
. (Join-Path $PSScriptRoot 'Pwsh.ps1')

# Runs one SQL statement on a connection and returns the first column of the first row.
function Invoke-TestScalar {
    param(
        [Parameter(Mandatory)] $Connection,
        [Parameter(Mandatory)] [string] $Sql
    )
    $command = $Connection.CreateCommand()
    try {
        $command.CommandText = $Sql
        $command.ExecuteScalar()
    }
    finally {
        $command.Dispose()
    }
}

# An independent reader and writer: the sqlite3 shell, outside PowerShell and outside Mnesis.
function Invoke-Sqlite3 {
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [string] $Sql
    )
    $output = & sqlite3 -batch $Path $Sql 2>&1
    if ($LASTEXITCODE -ne 0) { throw "sqlite3 failed ($LASTEXITCODE): $output" }
    $output
}

# SHA-256 of a file. Only for files that no connection of this process has open: reading a
# database file outside SQLite while connected drops SQLite's POSIX locks (see the field notes).
function Get-TestFileHash {
    param([Parameter(Mandatory)] [string] $Path)
    (Get-FileHash -Algorithm SHA256 -LiteralPath $Path).Hash
}

# Every entry below a folder, as relative paths: to prove that a failed call created nothing.
function Get-TestTreeSnapshot {
    param([Parameter(Mandatory)] [string] $Path)
    $root = (Resolve-Path -LiteralPath $Path).ProviderPath
    @(Get-ChildItem -LiteralPath $root -Recurse -Force | ForEach-Object { $_.FullName.Substring($root.Length) } | Sort-Object)
}

# How many descriptors this process holds on a file (Linux /proc); -1 where /proc is missing.
function Get-TestOpenHandleCount {
    param([Parameter(Mandatory)] [string] $Path)
    if (-not (Test-Path /proc/self/fd)) { return -1 }
    $full = [IO.Path]::GetFullPath($Path)
    @(Get-ChildItem /proc/self/fd -ErrorAction SilentlyContinue | Where-Object {
        try { $_.LinkTarget -like "$full*" } catch { $false }
    }).Count
}

# True while some connection (in any process) holds the database's write lock: sqlite3 cannot
# BEGIN IMMEDIATE without waiting.
function Test-TestWriteLockHeld {
    param([Parameter(Mandatory)] [string] $Path)
    $null = & sqlite3 -batch $Path '.timeout 0' 'BEGIN IMMEDIATE;' 'ROLLBACK;' 2>&1
    $LASTEXITCODE -ne 0
}

# Waits until a writer holds the lock (for example a write that a test is about to stop).
function Wait-TestWriteLock {
    param(
        [Parameter(Mandatory)] [string] $Path,
        [int] $TimeoutSeconds = 20
    )
    $deadline = [datetime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not (Test-TestWriteLockHeld -Path $Path)) {
        if ([datetime]::UtcNow -gt $deadline) { throw "No writer took the lock on '$Path' within $TimeoutSeconds s." }
        Start-Sleep -Milliseconds 50
    }
}

# Starts $Script in a runspace of its own without waiting; the caller ends it and disposes .Shell.
function Start-TestShell {
    param(
        [Parameter(Mandatory)] [scriptblock] $Script,
        [object[]] $Arguments = @()
    )
    $ps = [powershell]::Create()
    $null = $ps.AddScript($Script)
    foreach ($a in $Arguments) { $null = $ps.AddArgument($a) }
    [pscustomobject]@{ Shell = $ps; Async = $ps.BeginInvoke() }
}

# In another runspace, begins an Invoke-MnesisWrite -ScriptBlock transaction on $Path, runs
# $Sql in it and keeps it open for $Seconds before committing. Returns once the transaction
# holds the write lock.
function Start-TestHeldWrite {
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [string] $Sql,
        [double] $Seconds = 2
    )
    $held = Start-TestShell -Arguments $env:MNESIS_TEST_MODULE, $Path, $Sql, $Seconds -Script {
        param($mod, $db, $sql, $seconds)
        Import-Module $mod
        Invoke-MnesisWrite -Path $db -ScriptBlock {
            param($Connection)
            $command = $Connection.CreateCommand()
            $command.CommandText = $sql
            $null = $command.ExecuteNonQuery()
            Start-Sleep -Milliseconds ($seconds * 1000)
        }
    }
    Wait-TestWriteLock -Path $Path
    $held
}

# A fresh, empty folder under TestDrive for one test.
function New-TestFolder {
    $folder = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
    $null = New-Item -ItemType Directory -Path $folder
    $folder
}

# The NuGet package folder the build restored into; the test-only PackageDownloads are there too.
function Get-TestNuGetRoot {
    (Get-Content -Raw (Join-Path $PSScriptRoot '../../obj/project.assets.json') | ConvertFrom-Json).project.restore.packagesPath
}

# PostgreSQL: the Test task sets MNESIS_TEST_POSTGRES to a server it started (or the one given).
$script:TestPostgres = $env:MNESIS_TEST_POSTGRES

# Runs one statement outside any transaction (CREATE DATABASE cannot run in one) on the admin database.
function Invoke-TestPostgresAdmin([string] $Sql) {
    $admin = New-MnesisPool
    $own = "$script:TestPostgres;Application Name=mnesis-tests"
    try {
        $null = Open-MnesisStore -Pool $admin -ConnectionString $own
        $command = (Get-MnesisConnection -Pool $admin -ConnectionString $own).CreateCommand()
        $command.CommandText = $Sql
        $null = $command.ExecuteNonQuery()
        $command.Dispose()
    }
    finally { Close-MnesisPool -Pool $admin }
}

# The keywords of a connection string. (PowerShell adapts the builder as a dictionary, where
# .ConnectionString would be a key, hence the accessor methods.)
function Get-TestConnectionParts([string] $ConnectionString) {
    $builder = [System.Data.Common.DbConnectionStringBuilder]::new()
    $builder.set_ConnectionString($ConnectionString)
    $builder
}

# A new, empty database on the test server; returns its connection string.
function New-TestPostgresDatabase {
    $name = "mnesis_t_$([guid]::NewGuid().ToString('N').Substring(0, 16))"
    Invoke-TestPostgresAdmin "CREATE DATABASE $name"
    $builder = Get-TestConnectionParts $script:TestPostgres
    $builder['Database'] = $name
    $builder.get_ConnectionString()
}

function Remove-TestPostgresDatabase([string] $ConnectionString) {
    $name = (Get-TestConnectionParts $ConnectionString)['Database']
    Invoke-TestPostgresAdmin "DROP DATABASE IF EXISTS $name WITH (FORCE)"
}
