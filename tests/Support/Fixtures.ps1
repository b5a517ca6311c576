# Helpers that several behaviour files share. Dot-source after TestSetup.ps1.

# The file SQLite itself says the connection has open as its main database.
function Get-MainFile($Connection) {
    Invoke-TestScalar -Connection $Connection -Sql "SELECT file FROM pragma_database_list WHERE name = 'main'"
}

# A SQLite pragma's value on a connection.
function Get-Pragma($Connection, [string] $Name) {
    Invoke-TestScalar -Connection $Connection -Sql "PRAGMA $Name"
}

# Every row of a query on the store of $db in $pool (the caller's variables), as arrays of values.
function Get-Rows([string] $Sql = 'SELECT a, b FROM t ORDER BY a') {
    $reader = $null
    $command = (Get-MnesisConnection -LiteralPath $db -Pool $pool).CreateCommand()
    try {
        $command.CommandText = $Sql
        $reader = $command.ExecuteReader()
        while ($reader.Read()) { , @(0..($reader.FieldCount - 1) | ForEach-Object { $reader.GetValue($_) }) }
    }
    finally {
        if ($reader) { $reader.Dispose() }
        $command.Dispose()
    }
}

# Holds the write lock from a separate python3 process for $Seconds, inserting one row.
function Start-ForeignWriter([string] $Path, [double] $Seconds) {
    $script = "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30); " +
              "c.execute('BEGIN IMMEDIATE'); c.execute('INSERT INTO t(who) VALUES (?)', ('python',)); " +
              "time.sleep(float(sys.argv[2])); c.execute('COMMIT')"
    if (-not $IsWindows) { return Start-Process python3 -ArgumentList '-c', "`"$script`"", "`"$Path`"", $Seconds -PassThru }

    # No python3 on the Windows run: the sqlite3 shell (its stand-in there) takes the same
    # statements from its input, and a thread job commits once the time is up. Under Wine a
    # process starts in seconds, so the lock is held 10 s longer than asked, for the test to see
    # it held. The row keeps the Linux writer's name, so both runs check the same rows.
    $info = [Diagnostics.ProcessStartInfo]::new($env:MNESIS_TEST_SQLITE3)
    foreach ($argument in '-batch', $Path) { $info.ArgumentList.Add($argument) }
    $info.UseShellExecute = $false
    $info.RedirectStandardInput = $true
    $process = [Diagnostics.Process]::Start($info)
    $process.StandardInput.WriteLine('.timeout 30000')
    $process.StandardInput.WriteLine("BEGIN IMMEDIATE; INSERT INTO t(who) VALUES ('python');")
    $process.StandardInput.Flush()
    $null = Start-ThreadJob -ArgumentList $process, ($Seconds + 10) -ScriptBlock {
        param($process, $seconds)
        Start-Sleep -Milliseconds ($seconds * 1000)
        $process.StandardInput.WriteLine('COMMIT;')
        $process.StandardInput.Close()
    }
    $process
}

# A PowerShell with its own, new runspace that has imported the module.
function New-OtherRunspaceShell {
    $shell = [powershell]::Create()
    $null = $shell.AddScript({ param($mod) Import-Module $mod }).AddArgument($env:MNESIS_TEST_MODULE)
    $null = Invoke-TestPowerShell -PowerShell $shell -What 'importing the module in another runspace'
    $shell.Commands.Clear()
    $shell
}

# Runs a script in a shell from New-OtherRunspaceShell and returns its output; fails on its errors.
function Invoke-InShell($Shell, [scriptblock] $Script, [object[]] $Arguments) {
    $Shell.Commands.Clear()
    $null = $Shell.AddScript($Script)
    foreach ($argument in $Arguments) { $null = $Shell.AddArgument($argument) }
    $output = Invoke-TestPowerShell -PowerShell $Shell -What 'a script in the other runspace'
    if ($Shell.HadErrors) { throw "The other runspace failed: $($Shell.Streams.Error -join '; ')" }
    $output
}

# Runs a script in a fresh pwsh from $Folder, with the module imported, and returns its output
# lines (WhatIf text included).
function Invoke-TestChild([string] $Folder, [string] $Script) {
    $file = Join-Path $TestDrive "child-$([guid]::NewGuid().ToString('N')).ps1"
    Set-Content -LiteralPath $file -Value "Import-Module '$env:MNESIS_TEST_MODULE'; Set-Location -LiteralPath '$Folder'`n$Script"
    Invoke-Pwsh -ArgumentList '-File', $file 2>&1 | ForEach-Object { "$_" }
}
