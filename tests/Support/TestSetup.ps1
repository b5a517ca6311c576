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
# MNESIS_TEST_SQLITE3 names another one: the Windows run's stand-in (tools/Sqlite3Shell). On
# Windows this runs in the process instead, outside Mnesis's pools (Invoke-Sqlite3Here).
function Invoke-Sqlite3 {
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [string] $Sql
    )
    if ($IsWindows) { return Invoke-Sqlite3Here -Path $Path -Sql $Sql }
    $output = & ($env:MNESIS_TEST_SQLITE3 ?? 'sqlite3') -batch $Path $Sql 2>&1
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
# Windows lists no handles to a script: there it is 1 while any handle keeps the file from being
# opened exclusively, else 0. (Under Wine, /proc/self/fd is Z:\proc\self\fd: Linux's own.)
function Get-TestOpenHandleCount {
    param([Parameter(Mandatory)] [string] $Path)
    if ($IsWindows) {
        try { [IO.File]::Open($Path, 'Open', 'ReadWrite', 'None').Dispose(); return 0 }
        catch [IO.IOException] { if ($_.Exception -is [IO.FileNotFoundException]) { return 0 } else { return 1 } }
    }
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
    if ($IsWindows) { return Test-TestWriteLockHeldHere -Path $Path }
    $null = & ($env:MNESIS_TEST_SQLITE3 ?? 'sqlite3') -batch $Path '.timeout 0' 'BEGIN IMMEDIATE;' 'ROLLBACK;' 2>&1
    $LASTEXITCODE -ne 0
}

# --- SQLite outside Mnesis, in this process (Windows) ---------------------------------------------
# A connection of this process of its own, outside Mnesis's pools and gate, on the SQLite the module
# loaded (SQLitePCL.raw, by reflection: it lives in the module's private load context). Windows file
# locks belong to a handle, so this connection meets Mnesis's locks as another process would (on
# Linux closing it would drop the process's POSIX locks, hence the shell there). It stands in for
# the sqlite3 shell where a process would do: a process takes seconds to start under Wine, longer
# than the tests hold a lock, and the suite reads through it a few hundred times.
function Get-TestSqliteRaw {
    $context = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext((Get-Command Invoke-MnesisWrite).ImplementingType.Assembly)
    $core = $context.Assemblies | Where-Object { $_.GetName().Name -eq 'SQLitePCLRaw.core' } | Select-Object -First 1
    if (-not $core) {
        # The import's warm-up loads SQLite in the background; a store of a fresh pool loads it now.
        $pool = New-MnesisPool
        $null = Invoke-MnesisQuery -Pool $pool -Path ':memory:' -Query 'SELECT 1'
        Close-MnesisPool -Pool $pool
        $core = $context.Assemblies | Where-Object { $_.GetName().Name -eq 'SQLitePCLRaw.core' } | Select-Object -First 1
    }
    $core.GetType('SQLitePCL.raw', $true)
}

# The sqlite3 shell's output for $Sql: each row a line, its columns joined by "|", NULL empty; no
# busy timeout; throws SQLite's message on the first error.
function Invoke-Sqlite3Here {
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [string] $Sql
    )
    $raw = Get-TestSqliteRaw
    $rows = [Collections.Generic.List[string]]::new()
    # sqlite3_exec calls back on this thread with each row's values as text, as the shell prints them.
    $callback = { param($list, [string[]] $values, [string[]] $names) $list.Add(($values | ForEach-Object { "$_" }) -join '|'); 0 } -as $raw.Assembly.GetType('SQLitePCL.strdelegate_exec', $true)
    $db = $null
    $rc = $raw::sqlite3_open($Path, [ref]$db)
    try {
        if ($rc -ne 0) { throw "sqlite3 failed: cannot open '$Path' ($rc)." }
        $message = $null
        if ($raw::sqlite3_exec($db, $Sql, $callback, $rows, [ref]$message) -ne 0) { throw "sqlite3 failed: $message" }
        $global:LASTEXITCODE = 0 # as the shell's exit code
    }
    finally { $null = $raw::sqlite3_close_v2($db) }
    $rows
}

# Test-TestWriteLockHeld on Windows.
function Test-TestWriteLockHeldHere {
    param([Parameter(Mandatory)] [string] $Path)
    $raw = Get-TestSqliteRaw
    $db = $null
    $rc = $raw::sqlite3_open($Path, [ref]$db)
    try {
        if ($rc -ne 0) { throw "sqlite3_open('$Path') failed with $rc." }
        # No busy timeout: a held lock fails BEGIN IMMEDIATE at once (SQLITE_BUSY), as in the shell.
        $raw::sqlite3_exec($db, 'BEGIN IMMEDIATE; ROLLBACK;') -ne 0
    }
    finally { $null = $raw::sqlite3_close_v2($db) }
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

# --- Bounded waits ----------------------------------------------------------------------------
# Nothing in the suite waits without a limit: every wait on a runspace, job, process or lock ends
# after its -TimeoutSeconds with an error naming what it waited for, so a deadlock in the module
# becomes a red test instead of a suite that hangs until CI gives up.

# Starts $Script in a runspace of its own without waiting. End it with Wait-TestShell or
# Stop-TestShell, and release it with Remove-TestShell.
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

# Waits at most -TimeoutSeconds for a shell from Start-TestShell and returns its output. An error
# that ended the script is rethrown as its own ErrorRecord (so Should -Throw -ErrorId sees its id).
# On time-out the shell is stopped (Ctrl+C), and the call fails naming -What.
function Wait-TestShell {
    param(
        [Parameter(Mandatory)] $Shell,
        [Parameter(Mandatory)] [string] $What,
        [double] $TimeoutSeconds = 60
    )
    if (-not $Shell.Async.AsyncWaitHandle.WaitOne([timespan]::FromSeconds($TimeoutSeconds))) {
        $stop = $Shell.Shell.BeginStop($null, $null)
        $stopped = $stop.AsyncWaitHandle.WaitOne([timespan]::FromSeconds(10))
        throw "Timed out after $TimeoutSeconds s waiting for $What$(if ($stopped) { '; stopped it' } else { '; it did not stop within 10 s either' })."
    }
    try { $Shell.Shell.EndInvoke($Shell.Async) }
    catch [Management.Automation.MethodInvocationException] {
        $inner = $_.Exception.InnerException
        if ($inner -is [Management.Automation.IContainsErrorRecord]) { throw $inner.ErrorRecord }
        throw
    }
}

# "Ctrl+C" for a shell from Start-TestShell, waiting at most -TimeoutSeconds for it to stop.
function Stop-TestShell {
    param(
        [Parameter(Mandatory)] $Shell,
        [Parameter(Mandatory)] [string] $What,
        [double] $TimeoutSeconds = 30
    )
    $stop = $Shell.Shell.BeginStop($null, $null)
    if (-not $stop.AsyncWaitHandle.WaitOne([timespan]::FromSeconds($TimeoutSeconds))) {
        throw "$What did not stop within $TimeoutSeconds s of Stop (Ctrl+C)."
    }
    $Shell.Shell.EndStop($stop)
}

# Disposes a shell from Start-TestShell (or a [powershell]) unless it is still running: disposing
# waits for the script to stop and for its runspace's stores to close, which a deadlocked shell
# never does. A stuck shell is left behind; Invoke-PesterSuite ends the test file's process anyway.
function Remove-TestShell {
    param([Parameter(Mandatory)] [AllowNull()] $Shell)
    if ($null -eq $Shell) { return }
    $ps = if ($Shell -is [powershell]) { $Shell } else { $Shell.Shell }
    if ($ps.InvocationStateInfo.State -in 'Running', 'Stopping') {
        try { $null = $ps.BeginStop($null, $null) } catch { }
        return
    }
    $ps.Dispose()
}

# Invoke() with a limit: runs the commands already added to $PowerShell and returns their output.
function Invoke-TestPowerShell {
    param(
        [Parameter(Mandatory)] [powershell] $PowerShell,
        [Parameter(Mandatory)] [string] $What,
        [double] $TimeoutSeconds = 60
    )
    Wait-TestShell -Shell ([pscustomobject]@{ Shell = $PowerShell; Async = $PowerShell.BeginInvoke() }) -What $What -TimeoutSeconds $TimeoutSeconds
}

# Runs $Script in a runspace of its own, with the module imported and $ErrorActionPreference Stop,
# and waits for it at most -TimeoutSeconds: for a call that would block this runspace forever if
# the module never released a lock. $Arguments are the script's parameters (pools and stores may
# be passed; the script must not rely on variables of the caller).
function Invoke-TestWithLimit {
    param(
        [Parameter(Mandatory)] [scriptblock] $Script,
        [object[]] $Arguments = @(),
        [Parameter(Mandatory)] [string] $What,
        [double] $TimeoutSeconds = 30
    )
    $shell = Start-TestShell -Arguments (@($env:MNESIS_TEST_MODULE, $Script.ToString()) + $Arguments) -Script {
        param($mod, $text)
        Import-Module $mod
        $ErrorActionPreference = 'Stop'
        & ([scriptblock]::Create($text)) @args
    }
    try { Wait-TestShell -Shell $shell -What $What -TimeoutSeconds $TimeoutSeconds }
    finally { Remove-TestShell $shell }
}

# Waits at most -TimeoutSeconds for jobs, then returns what they output (-ErrorAction Stop: a job's
# error fails the test) and removes them. A job still running is left running, and the call fails.
function Wait-TestJob {
    param(
        [Parameter(Mandatory)] $Job,
        [Parameter(Mandatory)] [string] $What,
        [double] $TimeoutSeconds = 60
    )
    $null = $Job | Wait-Job -Timeout ([int][Math]::Ceiling($TimeoutSeconds))
    $running = @($Job | Where-Object { $_.State -notin 'Completed', 'Failed', 'Stopped' })
    if ($running) { throw "Timed out after $TimeoutSeconds s waiting for $What ($($running.Count) job(s) still $($running[0].State))." }
    try { $Job | Receive-Job -ErrorAction Stop }
    finally { $Job | Remove-Job -Force }
}

# Waits at most -TimeoutSeconds for a process to exit; one that runs longer is killed with its
# children and the call fails naming -What.
function Wait-TestProcess {
    param(
        [Parameter(Mandatory)] [Diagnostics.Process] $Process,
        [Parameter(Mandatory)] [string] $What,
        [double] $TimeoutSeconds = 60
    )
    if (-not $Process.WaitForExit([int]($TimeoutSeconds * 1000))) {
        Stop-ProcessTree -Process $Process
        throw "Timed out after $TimeoutSeconds s waiting for $What (process $($Process.Id)); killed it and its children."
    }
}

# Polls $Condition every 50 ms until it is true; fails after -TimeoutSeconds naming -What.
function Wait-TestCondition {
    param(
        [Parameter(Mandatory)] [scriptblock] $Condition,
        [Parameter(Mandatory)] [string] $What,
        [double] $TimeoutSeconds = 30
    )
    $deadline = [datetime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not (& $Condition)) {
        if ([datetime]::UtcNow -gt $deadline) { throw "Timed out after $TimeoutSeconds s waiting for $What." }
        Start-Sleep -Milliseconds 50
    }
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

# --- The module's internal classes ---------------------------------------------------------------
# Unit tests of classes that no cmdlet exposes reach them by reflection, never by type literals: the
# module is moving into a private AssemblyLoadContext, where [Mnesis.PowerShell....] stops resolving.
# This is the one place that knows where the types live.

# A type of the module's assembly by its name under the Mnesis.PowerShell namespace, e.g.
# 'Sql.SqlParameterScanner'.
function Get-MnesisInternalType {
    param([Parameter(Mandatory)] [string] $Name)
    (Get-Command Invoke-MnesisWrite).ImplementingType.Assembly.GetType("Mnesis.PowerShell.$Name", $true)
}

# Calls a static method (public or not) of an internal type. Pass the arguments as an [object[]]
# variable to read out-parameters back from it after the call.
function Invoke-MnesisInternalMethod {
    param(
        [Parameter(Mandatory)] [string] $Type,
        [Parameter(Mandatory)] [string] $Name,
        [AllowEmptyCollection()] [object[]] $Arguments = @()
    )
    $method = (Get-MnesisInternalType $Type).GetMethod($Name, [Reflection.BindingFlags]'Static, Public, NonPublic')
    if (-not $method) { throw "Mnesis.PowerShell.$Type has no static method '$Name'." }
    try { $method.Invoke($null, $Arguments) }
    catch [Reflection.TargetInvocationException] { throw $_.Exception.InnerException }
}

# A property (public or not) of an object of the module.
function Get-MnesisInternalProperty {
    param(
        [Parameter(Mandatory)] $InputObject,
        [Parameter(Mandatory)] [string] $Name
    )
    $property = $InputObject.GetType().GetProperty($Name, [Reflection.BindingFlags]'Instance, Public, NonPublic')
    if (-not $property) { throw "$($InputObject.GetType().FullName) has no property '$Name'." }
    $property.GetValue($InputObject)
}
